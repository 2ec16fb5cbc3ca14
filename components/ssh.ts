import { createHash } from "node:crypto";

/** How the deployer reaches a host's SSH daemon: never over a public port by default. */
export interface SshAccess {
  transport: "ssm" | "bastion";
  user: string;
  /** AWS region of the stack: the SSM tunnel names it, whatever the operator's CLI default is. */
  region: string;
  /** `user@host` of the bastion when transport is bastion. */
  bastionHost?: string;
}

export interface SshTarget {
  /** EC2 instance id (SSM target) */
  instanceId: string;
  /** Private address (bastion target) */
  privateIp: string;
}

/**
 * ssh options shared by the readiness gate, host file uploads and the Docker provider, so the
 * first one proves the path all the others take. SSM: `AWS-StartSSHSession` tunnels to the
 * instance id with the deployer's AWS credentials. Bastion: ProxyJump to the private address.
 */
export function sshOptions(access: SshAccess): string[] {
  const common = ["-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=20", "-o", "BatchMode=yes"];
  if (access.transport === "ssm") {
    return [
      ...common,
      "-o",
      `ProxyCommand=aws ssm start-session --region ${access.region} --target %h --document-name AWS-StartSSHSession --parameters portNumber=%p`,
    ];
  }
  return [...common, "-o", `ProxyJump=${access.bastionHost}`];
}

export function sshDestination(access: SshAccess, target: SshTarget): string {
  return `${access.user}@${access.transport === "ssm" ? target.instanceId : target.privateIp}`;
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** The ssh command line (without a remote command) that reaches the host. */
export function sshArgv(access: SshAccess, target: SshTarget): string[] {
  return ["ssh", ...sshOptions(access), sshDestination(access, target)];
}

/** The full local command line that runs `remoteCommand` on the host. */
export function sshCommand(access: SshAccess, target: SshTarget, remoteCommand: string): string {
  return [...sshArgv(access, target), remoteCommand].map(shellQuote).join(" ");
}

/** The Docker provider's `host` URL for this target. */
export function dockerHost(access: SshAccess, target: SshTarget): string {
  return `ssh://${sshDestination(access, target)}`;
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
