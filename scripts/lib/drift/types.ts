/** Where a finding was seen. */
export type DriftSection = "cloud" | "host" | "app" | "validation";

/**
 * One difference between what the stack declares and what runs. Values are display forms:
 * secrets appear only as `sha256:<hex>` (see mask.ts), never in clear.
 */
export interface DriftFinding {
  section: DriftSection;
  /** What drifted: a resource name, `host/container`, `host/path`, `replica/service`. */
  subject: string;
  /** Property path, file path, env key, label or routing field. */
  key: string;
  expected: string;
  actual: string;
  /** Short human explanation (e.g. "edited on the host", "instance added by hand"). */
  note?: string;
}

/** A check that could not run (unreachable host, refused login, missing tool). */
export interface Unchecked {
  section: DriftSection;
  subject: string;
  reason: string;
}

/** A cloud difference that the reviewed benign list explains. */
export interface BenignMatch {
  subject: string;
  key: string;
  /** id of the benign-list entry. */
  rule: string;
}

/** One continuous-validation result (certificate, targets, Redis, readiness, backups). */
export interface ValidationResult {
  check: "certificate" | "nlb-targets" | "proxy-targets" | "redis" | "app-ready" | "backup";
  subject: string;
  /** unknown: the app or host did not say (reported, not failed). */
  status: "ok" | "failed" | "unknown";
  detail: string;
}

export interface DriftReport {
  /** Format version of this JSON (bump on an incompatible change). */
  version: 1;
  stack: string;
  generatedAt: string;
  /** Where the expected values came from: the stack's state or the offline synth. */
  expectedFrom: "state" | "synth";
  findings: DriftFinding[];
  benign: BenignMatch[];
  validations: ValidationResult[];
  unchecked: Unchecked[];
  /** Keys (findingKey) of findings that were not in the previous report. */
  newFindings: string[];
  /** Hosts and replicas re-applied by --fix. */
  fixed: string[];
}

/** Exit codes of `npm run drift` (documented in docs/drift.md). */
export const EXIT = {
  clean: 0,
  /** Bad flags or input, or an internal error. */
  usage: 1,
  /** Drift found, or a validation failed. */
  drift: 2,
  /** Nothing drifted among what was checked, but something could not be checked. */
  couldNotCheck: 3,
} as const;
