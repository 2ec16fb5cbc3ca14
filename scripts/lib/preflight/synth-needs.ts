import { needsOf, type StackNeeds } from "./needs";

/** Synthesizes a stack offline (scripts/lib/synth-core.ts) and counts what it takes from the quotas. */
export async function synthNeeds(stack: string, dir = process.cwd()): Promise<StackNeeds> {
  const { readStackFile, withSynthSecrets } = await import("../stack-file");
  const { synthesize } = await import("../synth-core");
  const { unwrapSecrets } = await import("../mock-cloud");
  const config = await withSynthSecrets(readStackFile(stack, dir));
  const result = await synthesize({ stack, ...config });
  return needsOf(
    stack,
    result.resources.map((r) => ({
      type: r.type,
      name: r.name,
      inputs: unwrapSecrets(r.inputs) as Record<string, unknown>,
    })),
  );
}
