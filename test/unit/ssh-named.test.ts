// The SSH path to another host by name, run through the real ssh client with a stand-in `aws` on
// PATH: the ProxyCommand must resolve the Name tag to the running instance and tunnel to it.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { namedHostSshCommand, sshCommand } from "../../components/ssh";
import { run, toolsAvailable } from "../support/tools";

const dir = mkdtempSync(join(tmpdir(), "ssh-named-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = join(dir, "aws.log");
writeFileSync(
  join(dir, "aws"),
  `#!/bin/bash
echo "$*" >> ${log}
case "$1 $2" in
  "ec2 describe-instances") echo i-0resolved1234567 ;;
  *) exit 1 ;;
esac
`,
);
chmodSync(join(dir, "aws"), 0o755);

function runLocal(commandLine: string) {
  return run("env", [`PATH=${dir}:/usr/bin:/bin`, `HOME=${dir}`, "bash", "-c", commandLine]);
}

describe.skipIf(!toolsAvailable("ssh"))("ssh to a host by name", () => {
  const access = { transport: "ssm" as const, user: "ubuntu", region: "eu-west-1" };

  it("resolves the Name tag to the running instance at connect time and tunnels to it", () => {
    writeFileSync(log, "");
    const line = namedHostSshCommand(access, { name: "jr-prod-lb-0", privateIp: "10.0.128.33" }, "true");
    const r = runLocal(line);
    expect(r.status).toBe(255); // the stand-in tunnel goes nowhere
    const calls = readFileSync(log, "utf8").trim().split("\n");
    expect(calls[0]).toBe(
      "ec2 describe-instances --region eu-west-1 --filters Name=tag:Name,Values=jr-prod-lb-0 Name=instance-state-name,Values=running --query Reservations[0].Instances[0].InstanceId --output text",
    );
    expect(calls[1]).toBe(
      "ssm start-session --region eu-west-1 --target i-0resolved1234567 --document-name AWS-StartSSHSession --parameters portNumber=22",
    );
  });

  it("tunnels a host's own commands to its instance id, in the stack's region", () => {
    writeFileSync(log, "");
    const r = runLocal(sshCommand(access, { instanceId: "i-0own", privateIp: "10.0.128.34" }, "true"));
    expect(r.status).toBe(255);
    expect(readFileSync(log, "utf8").trim()).toBe(
      "ssm start-session --region eu-west-1 --target i-0own --document-name AWS-StartSSHSession --parameters portNumber=22",
    );
  });

  it("reaches the planned address through the bastion, and files a host's key under its instance id", () => {
    const bastion = {
      transport: "bastion" as const,
      user: "ubuntu",
      region: "eu-west-1",
      bastionHost: "ops@bastion.example.com",
    };
    expect(
      namedHostSshCommand(bastion, { name: "jr-prod-lb-0", privateIp: "10.0.128.33" }, "true"),
    ).toContain("ubuntu@10.0.128.33");
    expect(sshCommand(bastion, { instanceId: "i-0own", privateIp: "10.0.128.34" }, "true")).toContain(
      "HostKeyAlias=i-0own",
    );
  });
});
