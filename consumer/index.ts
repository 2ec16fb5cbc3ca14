import * as pulumi from "@pulumi/pulumi";
import { CONTRACT_OUTPUT, type JairouterContract } from "../contract/schema";
import { parseJairouterContract } from "./parse";

export { ContractError, parseJairouterContract } from "./parse";
export { CONTRACT_MAJOR, CONTRACT_VERSION, type JairouterContract } from "../contract/schema";

/**
 * The typed, validated contract of a JAiRouter stack, for another Pulumi TypeScript program:
 *
 *     const jairouter = readJairouterStack(new pulumi.StackReference("acme/jairouter/prod"));
 *     jairouter.app.securityGroupId; // Output<string>
 *
 * The Output fails (and with it the consumer's preview) when the reference lacks the `contract`
 * output, carries another major version, or a field is missing, renamed or of another type; the
 * message names each field and the producer's schemaVersion.
 */
export function readJairouterStack(ref: pulumi.StackReference): pulumi.Output<JairouterContract> {
  return pulumi
    .all([ref.name, ref.getOutput(CONTRACT_OUTPUT)])
    .apply(([stackName, value]) => parseJairouterContract(value, stackName));
}
