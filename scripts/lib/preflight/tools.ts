import { execFile } from "node:child_process";
import { fail, pass, skipped, type CheckResult } from "./checks";

export interface ToolRun {
  /** False when the command is not on PATH. */
  found: boolean;
  code: number | null;
  output: string;
}

/** Runs a local command and returns its exit code and combined output. */
export type ToolRunner = (command: string, args: string[]) => Promise<ToolRun>;

export const runTool: ToolRunner = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({
        found: (err as NodeJS.ErrnoException | null)?.code !== "ENOENT",
        code,
        output: `${stdout}${stderr}`,
      });
    });
  });

export interface ToolNeeds {
  /** `access.transport`: ssm needs the Session Manager plugin. */
  transport: "ssm" | "bastion";
  /** `access.sshPublicKey` of the stack, when set: the agent must hold its private half. */
  sshPublicKey?: string;
}

const INSTALL = {
  aws: "install AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
  plugin:
    "install the Session Manager plugin: https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
  ssh: "install the OpenSSH client (apt-get install openssh-client)",
  pulumi: "install the Pulumi CLI v3: curl -fsSL https://get.pulumi.com | sh",
};

/** The local tools the deploy runs: AWS CLI v2, Session Manager plugin, ssh, an agent with the key, pulumi. */
export async function checkTools(run: ToolRunner, needs: ToolNeeds): Promise<CheckResult[]> {
  const [aws, plugin, ssh, agent, pulumi] = await Promise.all([
    run("aws", ["--version"]),
    run("session-manager-plugin", ["--version"]),
    run("ssh", ["-V"]),
    run("ssh-add", ["-L"]),
    run("pulumi", ["version"]),
  ]);
  return [
    awsCliLine(aws),
    pluginLine(plugin, needs.transport),
    versionLine("ssh", ssh, /OpenSSH_([\w.]+)/, INSTALL.ssh),
    agentLine(agent, needs.sshPublicKey),
    pulumiLine(pulumi),
  ];
}

function awsCliLine(run: ToolRun): CheckResult {
  const title = "AWS CLI v2";
  if (!run.found) return fail("tools", title, "aws not found on PATH", INSTALL.aws);
  const version = /aws-cli\/(\d+)\.([\d.]+)/.exec(run.output);
  if (!version) return fail("tools", title, `cannot read the version from "aws --version"`, INSTALL.aws);
  return version[1] === "2"
    ? pass("tools", title, `aws-cli ${version[1]}.${version[2]}`)
    : fail("tools", title, `aws-cli ${version[1]}.${version[2]} is not v2`, INSTALL.aws);
}

function pluginLine(run: ToolRun, transport: ToolNeeds["transport"]): CheckResult {
  const title = "Session Manager plugin";
  if (transport !== "ssm") return skipped("tools", title, "access.transport is bastion");
  if (!run.found || run.code !== 0)
    return fail(
      "tools",
      title,
      "session-manager-plugin not found (ssh reaches the hosts through it)",
      INSTALL.plugin,
    );
  return pass("tools", title, `session-manager-plugin ${run.output.trim().split("\n")[0]}`);
}

function versionLine(name: string, run: ToolRun, pattern: RegExp, fix: string): CheckResult {
  if (!run.found) return fail("tools", name, `${name} not found on PATH`, fix);
  const version = pattern.exec(run.output);
  return version
    ? pass("tools", name, `${name} ${version[1]}`)
    : fail("tools", name, `cannot run ${name}`, fix);
}

function pulumiLine(run: ToolRun): CheckResult {
  if (!run.found) return fail("tools", "pulumi CLI", "pulumi not found on PATH", INSTALL.pulumi);
  const version = /v?(\d+)\.(\d+)\.(\d+)/.exec(run.output);
  if (!version)
    return fail("tools", "pulumi CLI", "cannot read the version from `pulumi version`", INSTALL.pulumi);
  return version[1] === "3"
    ? pass("tools", "pulumi CLI", `pulumi v${version.slice(1).join(".")}`)
    : fail("tools", "pulumi CLI", `pulumi v${version.slice(1).join(".")} is not v3`, INSTALL.pulumi);
}

/** The key body of an OpenSSH public key line (type and base64, without the comment). */
export function keyBody(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}

function agentLine(run: ToolRun, publicKey: string | undefined): CheckResult {
  const title = "ssh-agent holds the deploy key";
  const addKey =
    'start an agent and add the deploy key: eval "$(ssh-agent -s)" && ssh-add ~/.ssh/<deploy key>';
  if (!run.found) return fail("tools", title, "ssh-add not found on PATH", INSTALL.ssh);
  if (run.code === 2 || /Could not open a connection|Error connecting to agent/i.test(run.output))
    return fail("tools", title, "no ssh-agent is running (SSH_AUTH_SOCK)", addKey);
  const keys =
    run.code === 0
      ? run.output.split("\n").filter((l) => l.startsWith("ssh-") || l.startsWith("ecdsa-"))
      : [];
  if (keys.length === 0) return fail("tools", title, "the agent holds no key", addKey);
  if (!publicKey)
    return fail(
      "tools",
      title,
      `the agent holds ${keys.length} key(s) but access.sshPublicKey is not set, so none is the deploy key`,
      "pulumi config set --path 'jairouter:access.sshPublicKey' \"$(cat ~/.ssh/<deploy key>.pub)\"",
    );
  const wanted = keyBody(publicKey);
  return keys.some((k) => keyBody(k) === wanted)
    ? pass("tools", title, `the agent holds the key of access.sshPublicKey (${keys.length} key(s) loaded)`)
    : fail("tools", title, `none of the agent's ${keys.length} key(s) matches access.sshPublicKey`, addKey);
}
