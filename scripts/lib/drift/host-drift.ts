// Host drift: what the probe read on a host against what the program renders for it. Pure.
import type { ExpectedHost } from "./expected";
import type { HostListing } from "./host-probe";
import { displayValue } from "./mask";
import type { DriftFinding } from "./types";

const short = (sha: string | null) => (sha ? `sha256:${sha}` : "(missing)");

function fileFindings(host: ExpectedHost, listing: HostListing): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const file of host.files) {
    const seen = listing.files.find((f) => f.path === file.path);
    const subject = `${host.name}:${file.path}`;
    if (!seen || seen.sha256 === null) {
      out.push({
        section: "host",
        subject,
        key: "content",
        expected: short(file.sha256),
        actual: "(missing)",
        note: "file removed on the host",
      });
      continue;
    }
    if (seen.sha256 !== file.sha256) {
      out.push({
        section: "host",
        subject,
        key: "content",
        expected: short(file.sha256),
        actual: short(seen.sha256),
        note: "file edited on the host",
      });
    }
    // stat prints 640 for 0640
    if (
      file.mode &&
      seen.mode !== undefined &&
      Number.parseInt(file.mode, 8) !== Number.parseInt(seen.mode, 8)
    ) {
      out.push({ section: "host", subject, key: "mode", expected: file.mode, actual: seen.mode });
    }
    if (file.owner && seen.owner !== undefined && file.owner !== seen.owner) {
      out.push({ section: "host", subject, key: "owner", expected: file.owner, actual: seen.owner });
    }
  }
  return out;
}

function envMap(lines: string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines ?? []) {
    const eq = line.indexOf("=");
    map.set(eq < 0 ? line : line.slice(0, eq), eq < 0 ? "" : line.slice(eq + 1));
  }
  return map;
}

function containerFindings(
  host: ExpectedHost,
  listing: HostListing,
  secrets: ReadonlySet<string>,
): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const c of host.containers) {
    const subject = `${host.name}/${c.name}`;
    const seen = listing.containers.find((l) => l.name === c.name);
    if (!seen || !seen.exists) {
      out.push({ section: "host", subject, key: "container", expected: "running", actual: "(missing)" });
      continue;
    }
    if (seen.state !== "running")
      out.push({
        section: "host",
        subject,
        key: "state",
        expected: "running",
        actual: seen.state ?? "(unknown)",
      });
    if (seen.image !== c.image)
      out.push({
        section: "host",
        subject,
        key: "image",
        expected: c.image,
        actual: seen.image ?? "(unknown)",
      });
    const actual = envMap(seen.env);
    const fromImage = envMap(seen.imageEnv);
    for (const [key, value] of Object.entries(c.env)) {
      const got = actual.get(key);
      if (got !== value) {
        out.push({
          section: "host",
          subject,
          key: `env.${key}`,
          expected: displayValue(key, value, secrets),
          actual: displayValue(key, got, secrets),
        });
      }
    }
    // a variable neither declared nor set by the image was added by hand
    for (const [key, value] of actual) {
      if (key in c.env || fromImage.get(key) === value) continue;
      out.push({
        section: "host",
        subject,
        key: `env.${key}`,
        expected: "(absent)",
        actual: displayValue(key, value, secrets),
        note: "not declared by the stack",
      });
    }
    for (const [label, value] of Object.entries(c.labels)) {
      const got = seen.labels?.[label];
      if (got !== value)
        out.push({
          section: "host",
          subject,
          key: `label.${label}`,
          expected: value,
          actual: got ?? "(absent)",
        });
    }
  }
  return out;
}

/** Every difference between a host's listing and what the program renders for it. */
export function hostDrift(
  host: ExpectedHost,
  listing: HostListing,
  secrets: ReadonlySet<string>,
): DriftFinding[] {
  return [...fileFindings(host, listing), ...containerFindings(host, listing, secrets)];
}
