import { formatIssues } from "../contract/issues";
import { CONTRACT_MAJOR, CONTRACT_OUTPUT, contractSchema, type JairouterContract } from "../contract/schema";

/** A referenced stack's outputs do not satisfy the contract this consumer was built against. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractError";
  }
}

function producerVersion(value: unknown): string | undefined {
  const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  return typeof version === "string" ? version : undefined;
}

/**
 * Validates the `contract` output read from a JAiRouter stack. Fails with every problem at once,
 * each naming its field, plus the producer's schemaVersion and the major this consumer expects.
 * Fields a later minor version added are kept.
 */
export function parseJairouterContract(value: unknown, stackName: string): JairouterContract {
  const expects = `this consumer expects schemaVersion ${CONTRACT_MAJOR}.x`;
  const from = `stack "${stackName}"`;
  if (value === undefined || value === null)
    throw new ContractError(
      `${from} has no "${CONTRACT_OUTPUT}" output (${expects}): it predates the contract, or the reference names the wrong stack`,
    );
  if (typeof value !== "object" || Array.isArray(value))
    throw new ContractError(`${from}: output "${CONTRACT_OUTPUT}" is not an object (${expects})`);
  const version = producerVersion(value);
  const major = version && /^\d+\./.test(version) ? Number(version.split(".")[0]) : undefined;
  if (major !== undefined && major !== CONTRACT_MAJOR)
    throw new ContractError(
      `${from} publishes contract schemaVersion ${version}, but ${expects}: upgrade the consumer (another major renames or removes fields)`,
    );
  const parsed = contractSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ContractError(
    `${from} does not satisfy the JAiRouter stack contract (producer schemaVersion ${version ?? "missing"}; ${expects}):\n${formatIssues(parsed.error.issues, value)}`,
  );
}
