import * as pulumi from "@pulumi/pulumi";
import { formatIssues } from "./issues";
import { CONTRACT_VERSION, contractSchema, type JairouterContract } from "./schema";

/** A contract value whose leaves may still be Outputs (or arrays of them). */
export type ContractInput<T> = T extends string | number | boolean
  ? pulumi.Input<T>
  : T extends readonly (infer E)[]
    ? pulumi.Input<ContractInput<E>[]>
    : T extends object
      ? pulumi.Input<{ [K in keyof T]: ContractInput<T[K]> }>
      : T;

/** Everything in the contract except its version, which this code owns. */
export type ContractSources = ContractInput<Omit<JairouterContract, "schemaVersion">>;

/** The contract with its version, or an error naming every field its own schema rejects. */
export function completeContract(plain: object): JairouterContract {
  const candidate = { schemaVersion: CONTRACT_VERSION, ...plain };
  const parsed = contractSchema.safeParse(candidate);
  if (!parsed.success)
    throw new Error(
      `stack contract ${CONTRACT_VERSION} does not match its own schema:\n${formatIssues(parsed.error.issues, candidate)}`,
    );
  return parsed.data;
}

/**
 * The `contract` stack output: one Output of the whole structure, validated against the schema
 * before it is exported, so a producer can never publish what its own consumers would reject.
 * Nothing here unsecrets anything: should a secret ever reach the sources, the whole contract turns
 * secret (Pulumi marks an object holding one secret secret), and the graph tests catch that.
 */
export function buildContract(sources: ContractSources): pulumi.Output<JairouterContract> {
  return pulumi.output(sources).apply((plain) => completeContract(plain as object));
}
