import { describe, expect, it } from "vitest";
import { checkTools, type ToolRun, type ToolRunner } from "../../scripts/lib/preflight/tools";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDeployKeyDeployKeyDeployKeyDeployKey00";

/** A machine whose tools answer from a table; a command not in it is not installed. */
function machine(table: Record<string, Partial<ToolRun>>): ToolRunner {
  return async (command) => {
    const entry = table[command];
    return entry ? { found: true, code: 0, output: "", ...entry } : { found: false, code: null, output: "" };
  };
}

const GOOD = {
  aws: { output: "aws-cli/2.22.35 Python/3.12.6 Linux/6.8 exe/x86_64.ubuntu.24" },
  "session-manager-plugin": { output: "1.2.707.0\n" },
  ssh: { output: "OpenSSH_9.6p1 Ubuntu-3ubuntu13.5, OpenSSL 3.0.13" },
  "ssh-add": { output: `${KEY} deploy@ci\n` },
  pulumi: { output: "v3.276.0\n" },
};

describe("local tools", () => {
  it("pass on a machine with everything the deploy runs", async () => {
    const lines = await checkTools(machine(GOOD), { transport: "ssm", sshPublicKey: `${KEY} operator` });
    expect(lines.map((l) => `${l.status} ${l.title}`)).toEqual([
      "pass AWS CLI v2",
      "pass Session Manager plugin",
      "pass ssh",
      "pass ssh-agent holds the deploy key",
      "pass pulumi CLI",
    ]);
  });

  it("fail on AWS CLI v1, a missing plugin and pulumi, each with its fix", async () => {
    const table = {
      ...GOOD,
      aws: { output: "aws-cli/1.45.11 Python/3.11.7 Linux/6.18 botocore/1.43.11" },
    } as Record<string, Partial<ToolRun>>;
    delete table["session-manager-plugin"];
    delete table.pulumi;
    const lines = await checkTools(machine(table), { transport: "ssm", sshPublicKey: KEY });
    const failed = lines.filter((l) => l.status === "fail");
    expect(failed.map((l) => `${l.title}: ${l.detail}`)).toEqual([
      "AWS CLI v2: aws-cli 1.45.11 is not v2",
      "Session Manager plugin: session-manager-plugin not found (ssh reaches the hosts through it)",
      "pulumi CLI: pulumi not found on PATH",
    ]);
    expect(failed.every((l) => l.fix)).toBe(true);
  });

  it("skip the plugin for a bastion", async () => {
    const lines = await checkTools(machine(GOOD), { transport: "bastion", sshPublicKey: KEY });
    expect(lines[1]).toMatchObject({ title: "Session Manager plugin", status: "skip" });
  });

  it("fail when no agent runs, when it holds another key, or when the stack names no key", async () => {
    const noAgent = await checkTools(
      machine({
        ...GOOD,
        "ssh-add": { code: 2, output: "Could not open a connection to your authentication agent." },
      }),
      { transport: "ssm", sshPublicKey: KEY },
    );
    expect(noAgent[3]).toMatchObject({ status: "fail", detail: "no ssh-agent is running (SSH_AUTH_SOCK)" });
    const other = await checkTools(
      machine({ ...GOOD, "ssh-add": { output: "ssh-ed25519 AAAAother me@laptop\n" } }),
      {
        transport: "ssm",
        sshPublicKey: KEY,
      },
    );
    expect(other[3]?.detail).toBe("none of the agent's 1 key(s) matches access.sshPublicKey");
    const unset = await checkTools(machine(GOOD), { transport: "ssm" });
    expect(unset[3]?.fix).toContain("jairouter:access.sshPublicKey");
  });
});
