import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { sha256, shellQuote, sshCommand, type SshAccess, type SshTarget } from "./ssh";

export interface HostFileArgs {
  access: SshAccess;
  target: pulumi.Input<SshTarget>;
  /** Absolute path on the host. */
  path: string;
  /** File content; may be secret (it travels on stdin, never on a command line). */
  content: pulumi.Input<string>;
  mode: string;
  /** uid:gid that owns the file. */
  owner: string;
  /** The host's instance id: a new instance gets the file again. */
  hostInstance: pulumi.Input<string>;
}

/** Environment key that tells the synth which path a host-file command writes. */
export const HOST_FILE_PATH_ENV = "JAIROUTER_HOST_FILE";

/**
 * Writes one file on a host over SSH, atomically (temp file, then rename), and rewrites it
 * whenever the content changes. Returns the command and the content hash, which consumers put on
 * their containers so a changed file replaces them.
 */
export function hostFile(name: string, args: HostFileArgs, opts: pulumi.CustomResourceOptions) {
  const dir = args.path.slice(0, args.path.lastIndexOf("/")) || "/";
  const tmp = `${args.path}.tmp`;
  const remote = [
    "set -eu",
    "umask 077",
    `sudo install -d -m 0755 ${shellQuote(dir)}`,
    `sudo tee ${shellQuote(tmp)} >/dev/null`,
    `sudo chown ${shellQuote(args.owner)} ${shellQuote(tmp)}`,
    `sudo chmod ${shellQuote(args.mode)} ${shellQuote(tmp)}`,
    `sudo mv ${shellQuote(tmp)} ${shellQuote(args.path)}`,
  ].join("; ");
  const contentHash = pulumi.output(args.content).apply(sha256);
  const cmd = new command.local.Command(
    name,
    {
      create: pulumi.output(args.target).apply((t) => sshCommand(args.access, t, remote)),
      stdin: args.content,
      triggers: [contentHash, args.hostInstance],
      environment: { [HOST_FILE_PATH_ENV]: args.path },
    },
    opts,
  );
  return { command: cmd, contentHash };
}
