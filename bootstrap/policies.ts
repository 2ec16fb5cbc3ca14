import {
  actionsForTypes,
  ALL_STACK_TYPES,
  grantsFor,
  statementOf,
  type RoleKind,
} from "../scripts/lib/aws-actions";

/** IAM's size limit of a managed policy, in characters without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's default number of managed policies attached to one role. */
export const MANAGED_POLICIES_PER_ROLE = 10;

/** The statements of a role, for every resource type the stack can register. */
export function roleStatements(role: RoleKind): Record<string, unknown>[] {
  return grantsFor(role, actionsForTypes(ALL_STACK_TYPES)).map(statementOf);
}

const documentOf = (statements: Record<string, unknown>[]) => ({
  Version: "2012-10-17",
  Statement: statements,
});

/** Size of a policy as IAM counts it (whitespace excluded). */
export function policySize(document: unknown): number {
  return JSON.stringify(document).replace(/\s/g, "").length;
}

/**
 * The role's statements packed into as few managed policy documents as fit IAM's size limit,
 * splitting a statement's actions when one alone is too large.
 */
export function rolePolicyDocuments(
  role: RoleKind,
): { Version: string; Statement: Record<string, unknown>[] }[] {
  const pieces = roleStatements(role).flatMap(splitStatement);
  const documents: Record<string, unknown>[][] = [];
  for (const statement of pieces) {
    const current = documents[documents.length - 1];
    if (current && policySize(documentOf([...current, statement])) <= MANAGED_POLICY_MAX_CHARS)
      current.push(statement);
    else documents.push([statement]);
  }
  return documents.map(documentOf);
}

function splitStatement(statement: Record<string, unknown>): Record<string, unknown>[] {
  if (policySize(documentOf([statement])) <= MANAGED_POLICY_MAX_CHARS) return [statement];
  const actions = statement.Action as string[];
  const half = Math.ceil(actions.length / 2);
  return [
    { ...statement, Sid: `${String(statement.Sid)}A`, Action: actions.slice(0, half) },
    { ...statement, Sid: `${String(statement.Sid)}B`, Action: actions.slice(half) },
  ].flatMap(splitStatement);
}

/**
 * The secrets provider's key, when the stacks use AWS KMS: every role decrypts the stack's
 * `secure:` values (a preview reads them too); only the deploy role encrypts new ones.
 */
export function secretsKeyDocument(role: RoleKind, keyArn: string) {
  const actions = role === "deploy" ? ["kms:Decrypt", "kms:Encrypt"] : ["kms:Decrypt"];
  return documentOf([{ Sid: "StackSecretsKey", Effect: "Allow", Action: actions, Resource: keyArn }]);
}
