// The health gate between two hosts of a role, run for real against a fake `docker` whose answers
// change from one call to the next, as a starting container's do.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderServiceHealthScript, SERVICE_HEALTH_EXIT } from "../../render/scripts/service-health";
import { run, toolsAvailable } from "../support/tools";

const dir = mkdtempSync(join(tmpdir(), "service-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A fake docker on PATH: `inspect` prints the next line of `states` (the last one repeats; a line
 * "missing" fails like an unknown container); `logs` prints a marker.
 */
function fakeDocker(name: string, states: string[]): string {
  const stateFile = join(dir, `${name}.states`);
  const countFile = join(dir, `${name}.count`);
  writeFileSync(stateFile, `${states.join("\n")}\n`);
  writeFileSync(countFile, "0\n");
  writeFileSync(
    join(dir, `${name}-docker`),
    `#!/bin/bash
case "$1" in
  inspect)
    n=$(($(cat ${countFile}) + 1)); echo "$n" > ${countFile}
    total=$(wc -l < ${stateFile}); [ "$n" -le "$total" ] || n=$total
    line=$(sed -n "\${n}p" ${stateFile})
    [ "$line" = missing ] && { echo "Error: No such object" >&2; exit 1; }
    echo "$line" ;;
  logs) echo "last log line of the container" ;;
esac
`,
  );
  chmodSync(join(dir, `${name}-docker`), 0o755);
  // the script calls `docker`: put the fake first on PATH under that name
  const binDir = join(dir, `${name}-bin`);
  run("mkdir", ["-p", binDir]);
  run("ln", ["-sf", join(dir, `${name}-docker`), join(binDir, "docker")]);
  return binDir;
}

function gate(binDir: string, seconds: number) {
  const script = join(dir, "gate.sh");
  writeFileSync(script, renderServiceHealthScript());
  const r = run("env", [`PATH=${binDir}:/usr/bin:/bin`, "bash", script, "jairouter", String(seconds), "0"]);
  return r;
}

describe("service health gate", () => {
  it("passes shellcheck", () => {
    if (!toolsAvailable("shellcheck")) return;
    const r = run("shellcheck", ["-s", "bash", "-"], { input: renderServiceHealthScript() });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("waits through a missing and a starting container until it is healthy", () => {
    const bin = fakeDocker("starting", ["missing", "created none", "running starting", "running healthy"]);
    const r = gate(bin, 30);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("running, health healthy");
    expect(readFileSync(join(dir, "starting.count"), "utf8").trim()).toBe("4");
  });

  it("passes a running container without a health check", () => {
    const r = gate(fakeDocker("plain", ["running none"]), 30);
    expect(r.status, r.stderr).toBe(0);
  });

  it("stops the rollout on a container that exited, with its last log lines", () => {
    const r = gate(fakeDocker("exited", ["running starting", "exited none"]), 30);
    expect(r.status).toBe(SERVICE_HEALTH_EXIT.exited);
    expect(r.stderr).toContain("last log line of the container");
  });

  it("stops the rollout on a container Docker calls unhealthy", () => {
    const r = gate(fakeDocker("unhealthy", ["running unhealthy"]), 30);
    expect(r.status).toBe(SERVICE_HEALTH_EXIT.unhealthy);
  });

  it("gives up at its deadline", () => {
    const r = gate(fakeDocker("slow", ["running starting"]), 1);
    expect(r.status).toBe(SERVICE_HEALTH_EXIT.deadline);
    expect(r.stderr).toContain("at the deadline");
  });
});
