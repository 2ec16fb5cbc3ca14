// Node gives child processes sockets, not pipes, as stdout/stderr; `open("/dev/stdout")` (Nginx's
// access_log) fails on a socket. Routing the output through `| cat` gives the command a real pipe,
// as a container runtime does.
import { type RunResult, run } from "../../support/tools";

/** `bash -c` arguments that run `cmd args` with stdout+stderr on a real pipe, keeping its status. */
export function pipedArgs(cmd: string, args: string[]): string[] {
  return ["-c", 'set -o pipefail; "$@" 2>&1 | cat', "bash", cmd, ...args];
}

/** Runs `cmd args` synchronously through a real pipe; stdout holds stdout and stderr together. */
export function runPiped(cmd: string, args: string[]): RunResult {
  return run("bash", pipedArgs(cmd, args));
}
