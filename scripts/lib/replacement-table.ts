// Which inputs force a replacement, per resource type this stack uses, and which physical names the
// provider generates. The offline synth's mock cloud derives IDs and generated names from these
// inputs, so a replacement changes everything downstream of it, as on a real `pulumi up`; the change
// matrix uses the same table to tell an in-place update from a replacement.
//
// SKELETON: entries are filled in (with their sources) and each entry is tested.

/** What the provider does with one resource type on a changed input. */
export interface ReplacementRule {
  /**
   * Top-level input properties whose change replaces the resource (the provider's ForceNew fields,
   * Pulumi's own options such as `triggers`). A nested path is written `parent.child`.
   */
  forcesReplacement: readonly string[];
  /** Every input change replaces the resource (no in-place update exists). */
  replaceOnAnyChange?: boolean;
  /** Output property the provider fills with `<logical name>-<7 hex>` when the input is left unset. */
  autoName?: { property: string; maxLength?: number };
  /** Where the rule comes from (provider documentation page or source). */
  source: string;
}

export const REPLACEMENT_TABLE: Readonly<Record<string, ReplacementRule>> = {};

/**
 * The inputs whose change between `before` and `after` would make the provider replace a resource
 * of `type` (empty: an in-place update or no change). Unknown types: every changed input counts as
 * an update, never a replacement.
 */
export function replacingInputs(
  type: string,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  void type;
  void before;
  void after;
  return [];
}
