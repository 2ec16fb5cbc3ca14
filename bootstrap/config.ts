import * as pulumi from "@pulumi/pulumi";

/** The bootstrap's settings, validated: which repository's workflows may assume which role. */
export interface BootstrapSettings {
  /** GitHub owner and repository, as in `repo:<org>/<repo>:...` of the OIDC token's subject. */
  githubOrg: string;
  githubRepo: string;
  /** Environments of deploy.yml's jobs (the deploy role's subjects). */
  deployEnvironments: string[];
  /** Branches of drift.yml's scheduled runs (the drift role's subjects). */
  driftBranches: string[];
  /** Reuse this OIDC provider instead of creating one. */
  existingOidcProviderArn?: string;
  /** The KMS key of the stacks' secrets provider (`awskms://`), when they use one. */
  secretsKmsKeyArn?: string;
}

export const CONFIG_NAMESPACE = "jairouter-bootstrap";

// GitHub's rules: owner 1-39 of [A-Za-z0-9-]; repository names [A-Za-z0-9._-]; environment and
// branch names without the characters that would widen or break the token subject.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const NAME = /^[^\s:*?"]{1,255}$/;

/** Checks raw values; every problem names its key and how to set it. */
export function validateBootstrapSettings(raw: {
  githubOrg?: string;
  githubRepo?: string;
  deployEnvironments?: string[];
  driftBranches?: string[];
  existingOidcProviderArn?: string;
  secretsKmsKeyArn?: string;
}): BootstrapSettings {
  const problems: string[] = [];
  const key = (k: string) => `${CONFIG_NAMESPACE}:${k}`;
  if (!raw.githubOrg || !OWNER.test(raw.githubOrg))
    problems.push(`${key("githubOrg")} must be a GitHub owner name: pulumi config set githubOrg <org>`);
  if (!raw.githubRepo || !REPO.test(raw.githubRepo))
    problems.push(`${key("githubRepo")} must be a repository name: pulumi config set githubRepo <repo>`);
  const deployEnvironments = raw.deployEnvironments ?? ["production", "staging"];
  const driftBranches = raw.driftBranches ?? ["main"];
  if (deployEnvironments.length === 0 || !deployEnvironments.every((e) => NAME.test(e)))
    problems.push(
      `${key("deployEnvironments")} must list GitHub environment names without spaces, ':' or wildcards`,
    );
  if (driftBranches.length === 0 || !driftBranches.every((b) => NAME.test(b)))
    problems.push(`${key("driftBranches")} must list branch names without spaces, ':' or wildcards`);
  const arn = raw.existingOidcProviderArn || undefined;
  if (arn && !/^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(arn))
    problems.push(
      `${key("existingOidcProviderArn")} must be the ARN of the token.actions.githubusercontent.com provider`,
    );
  const kms = raw.secretsKmsKeyArn || undefined;
  if (kms && !/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/.test(kms))
    problems.push(
      `${key("secretsKmsKeyArn")} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), not an alias`,
    );
  if (problems.length) throw new Error(`bootstrap configuration:\n  ${problems.join("\n  ")}`);
  return {
    githubOrg: raw.githubOrg!,
    githubRepo: raw.githubRepo!,
    deployEnvironments,
    driftBranches,
    existingOidcProviderArn: arn,
    secretsKmsKeyArn: kms,
  };
}

/** Reads the stack's configuration (the only place the bootstrap reads pulumi.Config). */
export function loadBootstrapSettings(): BootstrapSettings {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  try {
    return validateBootstrapSettings({
      githubOrg: config.get("githubOrg"),
      githubRepo: config.get("githubRepo"),
      deployEnvironments: config.getObject<string[]>("deployEnvironments"),
      driftBranches: config.getObject<string[]>("driftBranches"),
      existingOidcProviderArn: config.get("existingOidcProviderArn"),
      secretsKmsKeyArn: config.get("secretsKmsKeyArn"),
    });
  } catch (err) {
    throw new pulumi.RunError((err as Error).message);
  }
}
