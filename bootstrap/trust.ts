import type { RoleKind } from "../scripts/lib/aws-actions";
import type { BootstrapSettings } from "./config";

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/**
 * The OIDC token subjects that may assume each role: deploy from the deploy environments' jobs,
 * preview from pull requests, drift from the scheduled run on its branches. Exact values, no
 * wildcards: another repository, branch or event cannot match.
 */
export function trustedSubjects(role: RoleKind, settings: BootstrapSettings): string[] {
  const repo = `repo:${settings.githubOrg}/${settings.githubRepo}`;
  switch (role) {
    case "deploy":
      return settings.deployEnvironments.map((env) => `${repo}:environment:${env}`);
    case "preview":
      return [`${repo}:pull_request`];
    case "drift":
      return settings.driftBranches.map((branch) => `${repo}:ref:refs/heads/${branch}`);
  }
}

/** The role's trust policy: web identity through the GitHub provider, audience and subject pinned. */
export function githubTrustPolicy(providerArn: string, subjects: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subjects,
          },
        },
      },
    ],
  });
}
