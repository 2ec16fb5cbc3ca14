import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOST_PATHS } from "../../render/host-types";
import {
  BOOTSTRAP_RERUN_LINE,
  READY_GATE_DEFAULTS,
  renderReadyGateRemoteScript,
  renderReadyGateScript,
  type ReadyGateOptions,
} from "../../render/scripts/ready-gate";
import { run, toolsAvailable } from "../support/tools";

const HOST = "deployer@i-0123456789abcdef0";
/** Quick retries, so that every test stays well under 10 s. */
const FAST: ReadyGateOptions = { deadlineSeconds: 20, intervalSeconds: 1, maxRemoteFailures: 3 };

/**
 * A fake `ssh` in a temp dir: each call is counted and its argv and stdin (the remote script) are
 * kept; then `body` decides its exit status (`$n` is the call's number).
 */
class FakeSsh {
  readonly dir = mkdtempSync(join(tmpdir(), "ready-gate-"));
  readonly path = join(this.dir, "bin", "ssh");

  constructor(body: string) {
    mkdirSync(join(this.dir, "bin"));
    this.stub(
      "ssh",
      [
        'n=$(($(cat "$T/count" 2>/dev/null || echo 0) + 1))',
        'echo "$n" >"$T/count"',
        'printf "%s\\n" "$*" >>"$T/argv"',
        'cat >"$T/stdin.$n"',
        body,
      ].join("\n"),
    );
  }

  stub(name: string, body: string) {
    const path = join(this.dir, "bin", name);
    writeFileSync(path, `#!/bin/bash\nT=${JSON.stringify(this.dir)}\n${body}\n`);
    chmodSync(path, 0o755);
  }

  /** Runs the gate as the Command does: `bash -s -- <ssh argv...>`, the script on stdin. */
  gate(options: ReadyGateOptions = FAST) {
    const started = Date.now();
    const result = run("bash", ["-s", "--", this.path, "-o", "BatchMode=yes", HOST], {
      input: renderReadyGateScript(options),
    });
    return { ...result, seconds: (Date.now() - started) / 1000 };
  }

  calls(): number {
    return existsSync(join(this.dir, "count")) ? Number(readFileSync(join(this.dir, "count"), "utf8")) : 0;
  }

  argv(): string[] {
    return readFileSync(join(this.dir, "argv"), "utf8").trim().split("\n");
  }

  stdin(call: number): string {
    return readFileSync(join(this.dir, `stdin.${call}`), "utf8");
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe("readiness gate script", () => {
  it.runIf(toolsAvailable("shellcheck"))("and the checks it runs on the host are shellcheck-clean", () => {
    const dir = mkdtempSync(join(tmpdir(), "ready-gate-lint-"));
    try {
      const scripts = {
        "gate-defaults.sh": renderReadyGateScript(),
        "gate-fast.sh": renderReadyGateScript(FAST),
        "remote.sh": renderReadyGateRemoteScript(),
      };
      for (const [name, text] of Object.entries(scripts)) {
        writeFileSync(join(dir, name), text);
        const result = run("shellcheck", ["-s", "bash", join(dir, name)]);
        expect(`${name}\n${result.stdout}${result.stderr}`).toBe(`${name}\n`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("defaults to 20 minutes, 10 s between attempts, 3 failed checks", () => {
    expect(READY_GATE_DEFAULTS).toEqual({ deadlineSeconds: 1200, intervalSeconds: 10, maxRemoteFailures: 3 });
    const gate = renderReadyGateScript();
    expect(gate).toContain("readonly DEADLINE_SECONDS=1200\n");
    expect(gate).toContain("readonly INTERVAL_SECONDS=10\n");
    expect(gate).toContain("readonly MAX_REMOTE_FAILURES=3\n");
  });

  it("refuses options that are not whole numbers in range, naming each", () => {
    expect(() =>
      renderReadyGateScript({ deadlineSeconds: 0, intervalSeconds: 1.5, maxRemoteFailures: -1 }),
    ).toThrow(/deadlineSeconds[\s\S]*intervalSeconds[\s\S]*maxRemoteFailures/);
  });

  it("runs the checks the host needs, from fixed paths, with nothing spliced in", () => {
    const remote = renderReadyGateRemoteScript();
    expect(remote).toContain('timeout "$budget" cloud-init status --wait');
    expect(remote).toMatch(/0 \| 2\) ;;/); // 2: done with recoverable warnings
    expect(remote).toContain(`sudo -n ${HOST_PATHS.bootstrap}`);
    expect(remote).toContain(`sudo -n ${HOST_PATHS.mountData}`);
    expect(remote).toContain(`[ -e ${HOST_PATHS.bootstrapDone} ]`);
    expect(remote).toContain(`. ${HOST_PATHS.hostEnv}`);
    expect(remote).toContain('mountpoint -q "$DATA_MOUNT"');
    // never 255 (the gate's "no connection"), never the environment
    const printsEnvironment = /(^|[\s;|(])(env|printenv|set -x|export -p|declare -p)(\s|$)/m;
    expect(remote).not.toMatch(/\bexit 255\b/);
    expect(remote).not.toMatch(printsEnvironment);
    expect(renderReadyGateScript()).not.toMatch(printsEnvironment);
  });
});

describe("readiness gate, run with a fake ssh", () => {
  let ssh: FakeSsh;
  afterEach(() => ssh?.remove());

  it("retries while ssh cannot connect (exit 255), then succeeds", () => {
    ssh = new FakeSsh(
      [
        'if [ "$n" -le 2 ]; then echo "An error occurred (TargetNotConnected)" >&2; exit 255; fi',
        'echo "ready-gate: bootstrap done, /data mounted"',
      ].join("\n"),
    );
    const r = ssh.gate();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(ssh.calls()).toBe(3);
    expect(r.stdout).toContain(`attempt 1: no ssh session with ${HOST} yet (exit 255): An error occurred`);
    expect(r.stdout).toContain(`${HOST} is ready (attempt 3,`);
    expect(r.seconds).toBeLessThan(8);
    // the ssh command line as given, plus the remote command; the checks arrive on stdin
    expect(ssh.argv()[2]).toMatch(new RegExp(`^-o BatchMode=yes ${HOST} bash -s -- 1 \\d+$`));
    expect(ssh.stdin(3)).toBe(renderReadyGateRemoteScript());
  });

  it("gives up at the deadline when ssh never connects, saying what was tried and where to look", () => {
    ssh = new FakeSsh('echo "kex_exchange_identification: Connection closed by remote host" >&2\nexit 255');
    const r = ssh.gate({ deadlineSeconds: 3, intervalSeconds: 1 });
    expect(r.status).not.toBe(0);
    expect(r.seconds).toBeGreaterThanOrEqual(2);
    expect(r.seconds).toBeLessThan(8);
    expect(ssh.calls()).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain(`${HOST} is not ready after 3 s`);
    expect(r.stderr).toContain("without an ssh session (exit 255");
    expect(r.stderr).toContain("cloud-init status --wait");
    expect(r.stderr).toContain("cloud-init status --long");
    expect(r.stderr).toContain("journalctl -u cloud-final");
    expect(r.stderr).toContain("kex_exchange_identification");
  });

  it("stops early after 3 failed checks on the host, naming the host and the last output", () => {
    ssh = new FakeSsh('echo "ready-gate: /data is not mounted (call $n)"\nexit 1');
    const r = ssh.gate();
    expect(r.status).not.toBe(0);
    expect(ssh.calls()).toBe(3);
    expect(r.seconds).toBeLessThan(8);
    expect(r.stderr).toContain(`giving up on ${HOST}: the checks on the host failed 3 times in a row`);
    expect(r.stderr).toContain("ready-gate: /data is not mounted (call 3)");
    expect(r.stderr).toContain("journalctl -u cloud-final");
  });

  it("offers the bootstrap re-run only until the host says it used it", () => {
    ssh = new FakeSsh(`echo "${BOOTSTRAP_RERUN_LINE}"\nexit 1`);
    const r = ssh.gate();
    expect(r.status).not.toBe(0);
    expect(ssh.argv().map((a) => a.split(" ").at(-2))).toEqual(["1", "0", "0"]);
  });

  it("does not let ssh read the rest of the gate from its stdin", () => {
    // a greedy ssh: reads all it can; the gate must still finish its own loop and report
    ssh = new FakeSsh('if [ "$n" -le 1 ]; then exit 255; fi\necho ok');
    const r = ssh.gate();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`${HOST} is ready (attempt 2,`);
  });
});

/**
 * The checks run for real against a fake host: a private mount namespace with /etc and /var/lib
 * under overlays in the temp dir (host.env, the done-marker), the data mount a tmpfs, and fake
 * `cloud-init` and `sudo` that record what they are asked.
 */
const canFakeHost = process.getuid?.() === 0 && toolsAvailable("unshare", "mountpoint", "timeout");

describe.runIf(canFakeHost)("readiness gate, checks run on a fake host", () => {
  let ssh: FakeSsh;
  beforeEach(() => {
    // the remote command ("bash -s -- <rerun> <seconds>") runs here, its script from ssh's stdin
    ssh = new FakeSsh('exec bash -c "${!#}" <"$T/stdin.$n"');
    for (const d of ["etc-up", "etc-work", "lib-up", "lib-work", "data"]) mkdirSync(join(ssh.dir, d));
    ssh.stub(
      "cloud-init",
      [
        'case "$*" in',
        '  "status --wait") exit "$(cat "$T/cloud-init-exit")" ;;',
        '  "status --long") echo "status: error"; echo "errors: runcmd failed" ;;',
        "esac",
      ].join("\n"),
    );
    ssh.stub(
      "sudo",
      [
        '[ "$1" = -n ] || exit 90',
        "shift",
        'echo "$*" >>"$T/sudo"',
        'case "$1" in',
        `  ${HOST_PATHS.bootstrap})`,
        '    [ -e "$T/bootstrap-fails" ] && { echo "jairouter-bootstrap: apt failed" >&2; exit 1; }',
        `    install -d /var/lib/jairouter && date >${HOST_PATHS.bootstrapDone} && echo "jairouter-bootstrap: done" ;;`,
        `  ${HOST_PATHS.mountData}) echo "jairouter-mount-data: ext4 already fills it" ;;`,
        "  *) exit 91 ;;",
        "esac",
      ].join("\n"),
    );
  });
  afterEach(() => ssh?.remove());

  function host(opts: {
    cloudInitExit: number;
    bootstrapDone: boolean;
    mounted: boolean;
    bootstrapFails?: boolean;
  }) {
    writeFileSync(join(ssh.dir, "cloud-init-exit"), String(opts.cloudInitExit));
    if (opts.bootstrapFails) writeFileSync(join(ssh.dir, "bootstrap-fails"), "");
    if (opts.bootstrapDone) {
      mkdirSync(join(ssh.dir, "lib-up", "jairouter"));
      writeFileSync(join(ssh.dir, "lib-up", "jairouter", "bootstrap-done"), "2025-01-01T00:00:00Z\n");
    }
    const wrapper = [
      "set -eu",
      `T=${JSON.stringify(ssh.dir)}`,
      'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc',
      'mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=$T/lib-up,workdir=$T/lib-work" /var/lib',
      "install -d /etc/jairouter",
      `printf "DATA_MOUNT='%s'\\n" "$T/data" >${HOST_PATHS.hostEnv}`,
      opts.mounted ? 'mount -t tmpfs data "$T/data"' : "",
      'export PATH="$T/bin:$PATH"',
      `exec bash -s -- "$T/bin/ssh" -o BatchMode=yes ${HOST}`,
    ].join("\n");
    const started = Date.now();
    const r = run("unshare", ["--mount", "--propagation", "private", "bash", "-c", wrapper], {
      input: renderReadyGateScript(FAST),
    });
    const sudoLog = join(ssh.dir, "sudo");
    const sudo = existsSync(sudoLog) ? readFileSync(sudoLog, "utf8").trim().split("\n") : [];
    return { ...r, sudo, seconds: (Date.now() - started) / 1000 };
  }

  it("is ready when cloud-init is done, the bootstrap finished and the data volume is mounted", () => {
    const r = host({ cloudInitExit: 0, bootstrapDone: true, mounted: true });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.sudo).toEqual([HOST_PATHS.mountData]); // grows the filesystem after a resize
    expect(r.stdout).toContain("bootstrap done at 2025-01-01T00:00:00Z");
  });

  it("counts cloud-init's exit 2 (recoverable warnings) as done", () => {
    const r = host({ cloudInitExit: 2, bootstrapDone: true, mounted: true });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("re-runs a failed bootstrap once, then finds the host ready", () => {
    const r = host({ cloudInitExit: 1, bootstrapDone: false, mounted: true });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.sudo).toEqual([HOST_PATHS.bootstrap, HOST_PATHS.mountData]);
    expect(r.stdout).toContain("status: error");
    expect(r.stdout).toContain(BOOTSTRAP_RERUN_LINE);
  });

  it("re-runs the bootstrap only once per gate run, and stops after 3 failed checks", () => {
    const r = host({ cloudInitExit: 1, bootstrapDone: false, mounted: true, bootstrapFails: true });
    expect(r.status).not.toBe(0);
    expect(r.sudo).toEqual([HOST_PATHS.bootstrap]);
    expect(r.stderr).toContain("the bootstrap was already re-run in this gate run");
    expect(r.stdout).toContain("the bootstrap failed again (exit 1)");
    expect(r.seconds).toBeLessThan(8);
  });

  it("is not ready while the data volume is not mounted", () => {
    const r = host({ cloudInitExit: 0, bootstrapDone: true, mounted: false });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${join(ssh.dir, "data")} is not mounted`);
    expect(r.sudo).toEqual([]);
  });
});
