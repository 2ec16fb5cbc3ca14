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
 * instance id with the deployer's AWS credentials. Bastion: ProxyJump to the private address; a
 * rebuilt host keeps that address (network-plan.ts), so its key is filed under its instance id
 * (`HostKeyAlias`), and a new instance is a new, accepted host rather than a "changed" one.
 */
export function sshOptions(access: SshAccess, target?: SshTarget): string[] {
  const common = ["-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=20", "-o", "BatchMode=yes"];
  if (access.transport === "ssm") return [...common, "-o", ssmProxyCommand(access.region)];
  return [
    ...common,
    "-o",
    `ProxyJump=${access.bastionHost}`,
    ...(target ? ["-o", `HostKeyAlias=${target.instanceId}`] : []),
  ];
}

function ssmProxyCommand(region: string, resolveName = false): string {
  // ssh runs ProxyCommand through a shell after expanding %h (host) and %p (port)
  const target = resolveName
    ? `"$(aws ec2 describe-instances --region ${region} --filters Name=tag:Name,Values=%h Name=instance-state-name,Values=running --query 'Reservations[0].Instances[0].InstanceId' --output text)"`
    : "%h";
  return `ProxyCommand=aws ssm start-session --region ${region} --target ${target} --document-name AWS-StartSSHSession --parameters portNumber=%p`;
}

/** A host named by its Name tag and planned address, with no reference to its instance. */
export interface NamedHost {
  name: string;
  privateIp: string;
}

/**
 * The local command line that runs `remoteCommand` on another host reached by name. Commands of
 * one host that act on another (an app host's rotation acting on the proxies) use it: a reference
 * to the other host's instance would make them part of that host's replacement (the engine removes
 * every resource whose inputs come from a replaced instance first). SSM resolves the running
 * instance with that Name tag at connect time; a bastion reaches the planned address. Host keys are
 * not pinned on this path (the instance behind a name changes when it is rebuilt): SSM authenticates
 * the session to the instance with the deployer's AWS credentials, and a bastion reaches the
 * private address from inside the VPC.
 */
export function namedHostSshCommand(access: SshAccess, host: NamedHost, remoteCommand: string): string {
  const keys = [
    "-o",
    "StrictHostKeyChecking=no",
    "-o",
    "UserKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
  ];
  const common = [...keys, "-o", "ConnectTimeout=20", "-o", "BatchMode=yes"];
  const route =
    access.transport === "ssm"
      ? ["-o", ssmProxyCommand(access.region, true), `${access.user}@${host.name}`]
      : ["-o", `ProxyJump=${access.bastionHost}`, `${access.user}@${host.privateIp}`];
  return ["ssh", ...common, ...route, remoteCommand].map(shellQuote).join(" ");
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
  return ["ssh", ...sshOptions(access, target), sshDestination(access, target)];
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
