// Runs a real daemon (haproxy, nginx) in the foreground as a child process of the test.
import { spawn } from "node:child_process";
import { pipedArgs } from "./pipe";
import { sleep } from "./wait";

const OUTPUT_LIMIT = 512 * 1024;

/** A running child process with its recent output. */
export interface Daemon {
  readonly pid: number;
  /** Last ~512 KiB of stdout and stderr, interleaved. */
  output(): string;
  /** Exit code or signal once it ended, else undefined. */
  exitStatus(): string | undefined;
  /** Stops the whole process group (shell, master, workers): SIGTERM, then SIGKILL after 3 s. */
  stop(): Promise<void>;
}

/**
 * Spawns `cmd args` in its own process group and waits (bounded by `timeoutMs`) until `ready`
 * resolves true. Fails with the daemon's output if it exits or never becomes ready.
 */
export async function startDaemon(
  cmd: string,
  args: string[],
  ready: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<Daemon> {
  const child = spawn("bash", pipedArgs(cmd, args), {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let exit: string | undefined;
  // always drained: a full pipe would block the daemon's logging and with it the traffic
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = signal ?? String(code);
      resolve();
    }),
  );
  child.once("error", (err) => {
    exit = `spawn error: ${err.message}`;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);

  const daemon: Daemon = {
    pid,
    output: () => output,
    exitStatus: () => exit,
    async stop() {
      if (exit !== undefined) return;
      const signalGroup = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      signalGroup("SIGTERM");
      const killed = await Promise.race([exited.then(() => true), sleepFalse(3_000)]);
      if (!killed) {
        signalGroup("SIGKILL");
        await exited;
      }
    },
  };

  const deadline = Date.now() + timeoutMs;
  let problem: string | undefined;
  for (;;) {
    if (exit !== undefined) problem = `${cmd} exited (${exit})`;
    else if (await ready().catch(() => false)) break;
    else if (Date.now() > deadline) problem = `${cmd} not ready after ${timeoutMs} ms`;
    if (problem !== undefined) {
      await daemon.stop();
      throw new Error(`${problem}\n--- ${cmd} output ---\n${output}`);
    }
    await sleep(50);
  }
  return daemon;
}

function sleepFalse(ms: number): Promise<false> {
  return new Promise((resolve) => setTimeout(() => resolve(false), ms));
}
