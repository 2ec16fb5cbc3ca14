import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RoleKind } from "../scripts/lib/aws-actions";
import type { BootstrapSettings } from "./config";
import { rolePolicyDocuments, secretsKeyDocument } from "./policies";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, githubTrustPolicy, trustedSubjects } from "./trust";

/** Role names: fixed, so the ARNs the workflows read stay stable; outside the stack's `jr-` prefix. */
export const ROLE_NAMES: Record<RoleKind, string> = {
  deploy: "jairouter-deploy",
  preview: "jairouter-preview",
  drift: "jairouter-drift",
};

const ROLE_PURPOSE: Record<RoleKind, string> = {
  deploy: "pulumi up from deploy.yml: writes the stack's resources and opens SSH sessions to its hosts",
  preview: "pulumi preview from pull requests: reads only, opens no session, passes no role",
  drift: "scheduled drift detection: reads, and opens SSH sessions for the host probe; writes nothing",
};

/** Deploy jobs run up to 90 minutes (deploy.yml): the session must outlast them. */
const MAX_SESSION_SECONDS: Record<RoleKind, number> = { deploy: 7200, preview: 3600, drift: 3600 };

function tags(role: string) {
  return { Project: "jairouter", Stack: pulumi.getStack(), Role: role, ManagedBy: "pulumi" };
}

/** Repository variables of the workflows (`vars.*` in .github/workflows). */
export interface GithubVariables {
  AWS_DEPLOY_ROLE_ARN: string;
  AWS_PREVIEW_ROLE_ARN: string;
  AWS_DRIFT_ROLE_ARN: string;
}

export interface BootstrapOutputs {
  oidcProviderArn: pulumi.Output<string>;
  deployRoleArn: pulumi.Output<string>;
  previewRoleArn: pulumi.Output<string>;
  driftRoleArn: pulumi.Output<string>;
  /** The repository variables the workflows read, name → value. */
  githubVariables: pulumi.Output<GithubVariables>;
}

/** The account's GitHub OIDC provider and the three roles the workflows assume. */
export function buildBootstrap(settings: BootstrapSettings): BootstrapOutputs {
  const providerArn = settings.existingOidcProviderArn
    ? pulumi.output(settings.existingOidcProviderArn)
    : new aws.iam.OpenIdConnectProvider("github", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdLists: [GITHUB_OIDC_AUDIENCE],
        tags: tags("bootstrap"),
      }).arn;

  const roleArn = (kind: RoleKind) => {
    const role = new aws.iam.Role(ROLE_NAMES[kind], {
      name: ROLE_NAMES[kind],
      description: ROLE_PURPOSE[kind],
      assumeRolePolicy: providerArn.apply((arn) => githubTrustPolicy(arn, trustedSubjects(kind, settings))),
      maxSessionDuration: MAX_SESSION_SECONDS[kind],
      tags: tags(`${kind}-role`),
    });
    const documents = [
      ...rolePolicyDocuments(kind),
      ...(settings.secretsKmsKeyArn ? [secretsKeyDocument(kind, settings.secretsKmsKeyArn)] : []),
    ];
    documents.forEach((document, i) => {
      const policy = new aws.iam.Policy(`${ROLE_NAMES[kind]}-${i}`, {
        name: `${ROLE_NAMES[kind]}-${i}`,
        description: `${kind} role, part ${i + 1} (bootstrap/policies.ts)`,
        policy: JSON.stringify(document),
        tags: tags(`${kind}-role`),
      });
      new aws.iam.RolePolicyAttachment(`${ROLE_NAMES[kind]}-${i}`, {
        role: role.name,
        policyArn: policy.arn,
      });
    });
    return role.arn;
  };

  const deployRoleArn = roleArn("deploy");
  const previewRoleArn = roleArn("preview");
  const driftRoleArn = roleArn("drift");
  return {
    oidcProviderArn: providerArn,
    deployRoleArn,
    previewRoleArn,
    driftRoleArn,
    githubVariables: pulumi
      .all([deployRoleArn, previewRoleArn, driftRoleArn])
      .apply(([deploy, preview, drift]) => ({
        AWS_DEPLOY_ROLE_ARN: deploy,
        AWS_PREVIEW_ROLE_ARN: preview,
        AWS_DRIFT_ROLE_ARN: drift,
      })),
  };
}
