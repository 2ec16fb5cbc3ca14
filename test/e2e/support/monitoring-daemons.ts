/** Starts and stops the real Prometheus and Alertmanager daemons for end-to-end tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** A running daemon. */
export interface Daemon {
  name: string;
  /** The daemon's combined output so far (for failure messages). */
  log(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function answers200(url: string): Promise<true | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.status === 200 ? true : undefined;
  } catch {
    return undefined;
  }
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

/**
 * Spawns `cmd args`, output to `logFile`, and waits until `readyUrl` answers 200. Fails with the
 * daemon's log if it exits or does not become ready in time.
 */
export async function startDaemon(
  name: string,
  cmd: string,
  args: string[],
  readyUrl: string,
  logFile: string,
): Promise<Daemon> {
  const fd = openSync(logFile, "a");
  const proc = spawn(cmd, args, { stdio: ["ignore", fd, fd] });
  closeSync(fd);
  let spawnError: Error | undefined;
  proc.on("error", (e) => {
    spawnError = e;
  });
  const log = () => readFileSync(logFile, "utf8");
  const daemon: Daemon = {
    name,
    log,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited(proc);
      clearTimeout(timer);
    },
  };
  try {
    await waitFor(
      `${name} ready at ${readyUrl}`,
      () => {
        if (spawnError !== undefined) throw spawnError;
        if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
        return answers200(readyUrl);
      },
      20_000,
    );
  } catch (e) {
    await daemon.stop();
    throw new Error(`${(e as Error).message}\n--- ${name} log ---\n${log().slice(-3000)}`);
  }
  return daemon;
}
