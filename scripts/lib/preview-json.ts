// The JSON digest `pulumi preview --json` prints, read once for both of its readers: the review
// (what a change will do) and the drift job (what a refreshing preview found changed by hand).

/** A preview JSON file that is not one (the CLI prints the message alone). */
export class PreviewFormatError extends Error {
  override name = "PreviewFormatError";
}

/** How one property differs, as `detailedDiff` writes it (`update-replace` forces a replacement). */
export interface PropertyDiff {
  kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";
  inputDiff?: boolean;
}

export interface PreviewState {
  type?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  custom?: boolean;
  protect?: boolean;
  retainOnDelete?: boolean;
}

export interface PreviewJsonStep {
  op: PreviewOp;
  urn: string;
  oldState?: PreviewState;
  newState?: PreviewState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, PropertyDiff> | null;
}

/** The engine's step operations. */
export const PREVIEW_OPS = [
  "same",
  "read",
  "refresh",
  "discard",
  "remove-pending-replace",
  "create",
  "import",
  "update",
  "delete",
  "discard-replaced",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "import-replacement",
] as const;
export type PreviewOp = (typeof PREVIEW_OPS)[number];

/** Keys of the CLI's preview digest; `steps` itself is left out when the preview has none. */
const DIGEST_KEYS = ["steps", "changeSummary", "duration", "config", "diagnostics"];

const isPreviewOp = (op: string): op is PreviewOp => (PREVIEW_OPS as readonly string[]).includes(op);

/** The steps of a parsed preview digest; throws PreviewFormatError naming what is wrong. */
export function previewSteps(doc: unknown): PreviewJsonStep[] {
  if (typeof doc !== "object" || doc === null || !DIGEST_KEYS.some((k) => k in doc))
    throw new PreviewFormatError(
      `not the output of \`pulumi preview --json\` (none of ${DIGEST_KEYS.join(", ")})`,
    );
  const steps = (doc as { steps?: unknown }).steps;
  if (steps === undefined) return [];
  if (!Array.isArray(steps))
    throw new PreviewFormatError("`steps` is not a list: pass the output of `pulumi preview --json`");
  for (const [i, step] of steps.entries()) {
    const s = step as { op?: unknown; urn?: unknown } | null;
    if (typeof s?.op !== "string" || typeof s.urn !== "string")
      throw new PreviewFormatError(
        `steps[${i}] has no op or urn: pass the output of \`pulumi preview --json\``,
      );
    if (!isPreviewOp(s.op))
      throw new PreviewFormatError(
        `steps[${i}]: unknown op "${s.op}" (this reader knows ${PREVIEW_OPS.join(", ")})`,
      );
  }
  return steps as PreviewJsonStep[];
}

/** previewSteps of a preview's text, with a clear error when it is not JSON at all. */
export function parsePreviewJson(text: string, command = "pulumi preview --json"): PreviewJsonStep[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new PreviewFormatError(`the preview output is not JSON: run \`${command}\``);
  }
  return previewSteps(doc);
}
