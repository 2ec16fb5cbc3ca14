// How the drift job reaches a host: the deploy's own SSH path (the host's Docker provider's
// `ssh://user@target` and ssh options: SSM Session Manager or a bastion). Behind one small
// interface, so the loopback test swaps in a local shell. Every run is bounded by a timeout.
import { spawn } from "node:child_process";
import type { ExpectedHost } from "./expected";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostTransport {
  /** Runs a bash script (given on stdin) on the host. */
  runScript(host: ExpectedHost, script: string): Promise<RunResult>;
  /** Re-runs a command line the stack recorded (a host-file write, a sync step) with its stdin (--fix). */
  rerun(commandLine: string, stdin: string): Promise<RunResult>;
}

/** Runs `argv` with `stdin`, killed after `timeoutMs`; never throws for a failing command. */
export function runProcess(
  argv: string[],
  stdin: string,
  timeoutMs: number,
  env?: NodeJS.ProcessEnv,
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      env: env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\ntimed out after ${timeoutMs / 1000} s`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout, stderr });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
}

/** The real transport: ssh with the Docker provider's options to its destination. */
export function sshTransport(timeoutMs = 120_000): HostTransport {
  return {
    runScript: (host, script) =>
      runProcess(
        ["ssh", ...host.sshOpts, host.sshHost.replace(/^ssh:\/\//, ""), "bash -s"],
        script,
        timeoutMs,
      ),
    rerun: (commandLine, stdin) => runProcess(["sh", "-c", commandLine], stdin, 15 * 60_000),
  };
}
