import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
const TSX = join(ROOT, "node_modules/.bin/tsx");

function synth(cwd: string, stack: string, ...args: string[]) {
  const r = spawnSync(TSX, [join(ROOT, "scripts/synth.ts"), stack, ...args], {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("npm run synth", () => {
  it("writes resources, files and outputs, identically on two runs", () => {
    const a = mkdtempSync(join(tmpdir(), "synth-a-"));
    const b = mkdtempSync(join(tmpdir(), "synth-b-"));
    for (const dir of [a, b]) copyFileSync(join(ROOT, "Pulumi.prod.yaml"), join(dir, "Pulumi.prod.yaml"));
    const first = synth(a, "prod");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/aws:ec2\/vpc:Vpc/);
    expect(synth(b, "prod").status).toBe(0);
    const left = snapshot(join(a, "out/prod"));
    const right = snapshot(join(b, "out/prod"));
    expect([...left.keys()]).toContain("resources.json");
    expect([...left.keys()]).toContain("outputs.json");
    expect(left).toEqual(right);
  });

  it("exits non-zero with one error naming every bad key", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-bad-"));
    const prod = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")
      .replace("count: 3", "count: 1")
      .replace("jairouter: sodlinken/jairouter:3.1.2", "jairouter: latest")
      .replace("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/33");
    writeFileSync(join(dir, "Pulumi.bad.yaml"), prod);
    const r = synth(dir, "bad");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("3 problems");
    for (const key of ["appServers.count", "images.jairouter", "network.cidr"])
      expect(r.stderr).toContain(`jairouter:${key}`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("redacts secure: values, which cannot be decrypted offline", () => {
    const dir = mkdtempSync(join(tmpdir(), "synth-secure-"));
    const prod = readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8").replace(
      "config:\n",
      "config:\n  jairouter:smtpPassword:\n    secure: v1:AAAABBBBCCCC\n",
    );
    writeFileSync(join(dir, "Pulumi.sec.yaml"), prod);
    const r = synth(dir, "sec");
    expect(r.status, r.stderr).toBe(0);
    const everything = [...snapshot(join(dir, "out/sec")).values()].join("\n");
    expect(everything).not.toContain("v1:AAAABBBBCCCC");
  });

  it("explains a missing stack file", () => {
    const r = synth(mkdtempSync(join(tmpdir(), "synth-none-")), "nosuch");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Pulumi.nosuch.yaml");
  });
});

describe("npm run synth -- <stack> --explain-change key=value", () => {
  function stackDir(): string {
    const dir = mkdtempSync(join(tmpdir(), "synth-explain-"));
    copyFileSync(join(ROOT, "Pulumi.prod.yaml"), join(dir, "Pulumi.prod.yaml"));
    return dir;
  }

  it("prints the change table and a summary, exits 0 and writes nothing", () => {
    const dir = stackDir();
    const r = synth(dir, "prod", "--explain-change", "images.jairouter=sodlinken/jairouter:3.1.3");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\| action +\| type +\| name +\| changed inputs/m);
    expect(r.stdout).toMatch(/\| docker:index\/container:Container +\| jr-prod-app-0-jairouter +\| .*image/);
    expect(r.stdout).toMatch(
      /^prod: \d+ replace, \d+ delete, \d+ create, \d+ update, \d+ unchanged; EC2 instances: .+; EBS volumes: .+$/m,
    );
    expect(existsSync(join(dir, "out"))).toBe(false);
  }, 120_000);

  it("counts a changed secret in its JSON form without printing it", () => {
    const r = synth(stackDir(), "prod", "--explain-change", "smtpPassword=not-printed-3141", "--json");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("not-printed-3141");
    const { summary, changes } = JSON.parse(r.stdout);
    expect(summary.counts.update + summary.counts.replace).toBeGreaterThan(0);
    const secretKeys = changes.flatMap((c: any) => c.changed.filter((k: any) => k.secret));
    expect(secretKeys.length).toBeGreaterThan(0);
  }, 120_000);

  it("rejects a key the configuration does not know with the loader's message", () => {
    const r = synth(stackDir(), "prod", "--explain-change", "appServers.cont=4");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("jairouter:appServers.cont: is not a known key");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it("rejects a malformed argument with a usage hint", () => {
    const r = synth(stackDir(), "prod", "--explain-change", "appServers.count");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("<key>=<value>");
  });
});
