// In-place updates the provider's diff accepts but AWS refuses: the preview shows an ordinary
// update, and `pulumi up` stops at that step with an API error, after the steps before it were
// applied. Data over branches, as risk-rules.ts: per type, the property and the change AWS refuses.
import type { ReviewStep } from "./review-step";

export interface BlockedUpdate {
  /** The top-level input whose change AWS refuses. */
  property: string;
  /** Its old and new value, as the change table shows them. */
  before: string;
  after: string;
  /** Why AWS refuses it. */
  reason: string;
  /** What to do instead. */
  remedy: string;
}

export interface BlockRule {
  type: string;
  property: string;
  /** The change AWS refuses; only numeric values are compared. */
  refuses: "decrease";
  /** The unit the report puts after the values. */
  unit: string;
  reason: string;
  remedy: string;
}

export const BLOCK_RULES: readonly BlockRule[] = [
  {
    // ModifyVolume: "the new size must be greater than or equal to the current size". Lower
    // `iops` and `throughput` of gp3 are accepted (any value within gp3's limits), so they are not here.
    type: "aws:ebs/volume:Volume",
    property: "size",
    refuses: "decrease",
    unit: "GiB",
    reason:
      "an EBS volume cannot shrink (ModifyVolume only grows it, and a volume at most once every 6 hours)",
    remedy:
      "keep the size: leave the tier as it is (config/tiers.ts gives each tier its `dataVolumeGiB`); or move to a new, smaller volume on purpose: " +
      "back up the host (docs/backup-restore.md) and snapshot the volume, then `pulumi up --replace <the volume's URN>` " +
      "(a new empty volume of the new size; its host is rebuilt around it, and in production the old volume stays in the account, retainOnDelete), " +
      "copy the data across or `jairouter-restore` it, and delete the old volume once the service is verified. " +
      "A snapshot alone cannot do it: it restores only to a volume at least as large as the original",
  },
];

/** A value as the change table renders it, when it is a plain number. */
function numeric(rendering: string | undefined): number | undefined {
  if (rendering === undefined || !/^-?\d+(\.\d+)?$/.test(rendering)) return undefined;
  return Number(rendering);
}

/**
 * The updates of one step that AWS refuses. Only in-place updates: a replacement creates a new
 * resource at the new values, which AWS accepts.
 */
export function blockedUpdates(step: ReviewStep, rules: readonly BlockRule[] = BLOCK_RULES): BlockedUpdate[] {
  if (step.op !== "update" || step.component) return [];
  const blocked: BlockedUpdate[] = [];
  for (const rule of rules) {
    if (rule.type !== step.type) continue;
    const change = step.inputChanges.find((k) => k.key === rule.property && !k.secret);
    const before = numeric(change?.before);
    const after = numeric(change?.after);
    if (before === undefined || after === undefined || !(after < before)) continue;
    blocked.push({
      property: rule.property,
      before: `${before} ${rule.unit}`,
      after: `${after} ${rule.unit}`,
      reason: rule.reason,
      remedy: rule.remedy,
    });
  }
  return blocked;
}
