import { readStackFile, withSynthSecrets } from "../../scripts/lib/stack-file";
import { synthesize, type SynthResult } from "../../scripts/lib/synth-core";
import { unwrapSecrets, type RecordedResource } from "../../scripts/lib/mock-cloud";

export type { SynthResult, RecordedResource };

/**
 * Runs the whole program for a committed stack file, with optional top-level key overrides, under
 * the file's own stack name or another one.
 */
export async function synthStack(
  stack: string,
  overrides: Record<string, unknown> = {},
  stackName = stack,
): Promise<SynthResult> {
  const config = await withSynthSecrets(readStackFile(stack, process.cwd(), overrides));
  return synthesize({ stack: stackName, ...config });
}

/** Resources of one type, e.g. "aws:ec2/subnet:Subnet". */
export function resourcesOf(result: SynthResult, type: string): RecordedResource[] {
  return result.resources.filter((r) => r.type === type);
}

/** Inputs with secret wrappers removed, typed loosely for assertions. */
export function plainInputs(r: RecordedResource): Record<string, any> {
  return unwrapSecrets(r.inputs) as Record<string, any>;
}
