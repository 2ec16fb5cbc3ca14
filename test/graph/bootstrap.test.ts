import { beforeAll, describe, expect, it } from "vitest";
import { violations } from "../../policy/rules";
import { isReadOnlyAction, STACK_NAME_PREFIX } from "../../scripts/lib/aws-actions";
import { synthesize, type SynthResult } from "../../scripts/lib/synth-core";
import { plainInputs, type RecordedResource } from "./helpers";

// The account bootstrap (bootstrap/) evaluated under the same mock runtime as the stack.
const CONFIG = {
  "jairouter-bootstrap:githubOrg": "acme",
  "jairouter-bootstrap:githubRepo": "jairouter-infra",
  "jairouter-bootstrap:deployEnvironments": JSON.stringify(["production", "staging"]),
  "jairouter-bootstrap:driftBranches": JSON.stringify(["main"]),
};

async function synthBootstrap(values: Record<string, string> = CONFIG): Promise<SynthResult> {
  return synthesize({ stack: "account", region: "eu-west-1", values, secretKeys: [] }, async () => {
    const { loadBootstrapSettings } = await import("../../bootstrap/config");
    const { buildBootstrap } = await import("../../bootstrap/program");
    return buildBootstrap(loadBootstrapSettings());
  });
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

describe("account bootstrap", () => {
  let result: SynthResult;
  const byType = (type: string) => result.resources.filter((r) => r.type === type);
  const role = (name: string) => byType("aws:iam/role:Role").find((r) => plainInputs(r).name === name)!;
  /** Every statement of the managed policies attached to a role. */
  const statementsOf = (roleName: string): Statement[] => {
    const attached = byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
      (a) => plainInputs(a).role === roleName,
    );
    expect(attached.length, `${roleName} has policies`).toBeGreaterThan(0);
    return attached.flatMap((a) => {
      const policy = byType("aws:iam/policy:Policy").find((p) => a.dependencies.includes(p.urn))!;
      return JSON.parse(plainInputs(policy).policy as string).Statement as Statement[];
    });
  };
  const actionsOf = (roleName: string) => statementsOf(roleName).flatMap((s) => list(s.Action));

  beforeAll(async () => {
    result = await synthBootstrap();
  });

  it("creates the GitHub OIDC provider and three roles", () => {
    const [provider] = byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(plainInputs(provider!)).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    expect(
      byType("aws:iam/role:Role")
        .map((r) => plainInputs(r).name)
        .sort(),
    ).toEqual(["jairouter-deploy", "jairouter-drift", "jairouter-preview"]);
  });

  it("proves the preview role holds read-only actions only: no write, no ssm:StartSession, no iam:PassRole", () => {
    const actions = actionsOf("jairouter-preview");
    expect(actions.length).toBeGreaterThan(50);
    expect(actions.filter((a) => !isReadOnlyAction(a))).toEqual([]);
    expect(actions).not.toContain("ssm:StartSession");
    expect(actions).not.toContain("iam:PassRole");
    expect(actions.some((a) => a.includes("*"))).toBe(false);
    expect(statementsOf("jairouter-preview").every((s) => s.Effect === "Allow")).toBe(true);
  });

  it("gives the drift role reads plus SSH sessions through AWS-StartSSHSession only, and no write", () => {
    const statements = statementsOf("jairouter-drift");
    const writes = statements
      .flatMap((s) => list(s.Action))
      .filter(
        (a) =>
          !isReadOnlyAction(a) &&
          !["ssm:StartSession", "ssm:TerminateSession", "ssm:ResumeSession"].includes(a),
      );
    expect(writes).toEqual([]);
    const session = statements.find((s) => list(s.Action).includes("ssm:StartSession"))!;
    const documents = list(session.Resource).filter((r) => r.includes(":document/"));
    expect(documents).toEqual(["arn:aws:ssm:*::document/AWS-StartSSHSession"]);
    expect(list(session.Resource)).not.toContain("*");
    expect(actionsOf("jairouter-drift")).not.toContain("iam:PassRole");
  });

  it("gives the deploy role the writes, PassRole only on the stack's roles for EC2 and flow logs", () => {
    const statements = statementsOf("jairouter-deploy");
    const actions = statements.flatMap((s) => list(s.Action));
    for (const needed of [
      "ec2:RunInstances",
      "ssm:PutParameter",
      "ssm:StartSession",
      "iam:CreateServiceLinkedRole",
    ])
      expect(actions).toContain(needed);
    const passRole = statements.find((s) => list(s.Action).includes("iam:PassRole"))!;
    expect(list(passRole.Resource)).toEqual([`arn:aws:iam::*:role/${STACK_NAME_PREFIX}*`]);
    expect(passRole.Condition?.StringEquals?.["iam:PassedToService"]).toEqual([
      "ec2.amazonaws.com",
      "vpc-flow-logs.amazonaws.com",
    ]);
    // the bootstrap's own roles are outside what the deploy role may change
    for (const name of ["jairouter-deploy", "jairouter-preview", "jairouter-drift"])
      expect(name.startsWith(STACK_NAME_PREFIX)).toBe(false);
  });

  it("trusts exactly the repository's deploy environments, pull requests and main branch", () => {
    const subjects = (name: string) => {
      const trust = JSON.parse(plainInputs(role(name)).assumeRolePolicy as string);
      const statement = trust.Statement[0];
      expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
      expect(statement.Condition.StringEquals["token.actions.githubusercontent.com:aud"]).toBe(
        "sts.amazonaws.com",
      );
      return statement.Condition.StringEquals["token.actions.githubusercontent.com:sub"];
    };
    expect(subjects("jairouter-deploy")).toEqual([
      "repo:acme/jairouter-infra:environment:production",
      "repo:acme/jairouter-infra:environment:staging",
    ]);
    expect(subjects("jairouter-preview")).toEqual(["repo:acme/jairouter-infra:pull_request"]);
    expect(subjects("jairouter-drift")).toEqual(["repo:acme/jairouter-infra:ref:refs/heads/main"]);
  });

  it("fits IAM's limits: managed policies ≤ 6144 characters, ≤ 10 per role; role names ≤ 64", () => {
    for (const policy of byType("aws:iam/policy:Policy")) {
      const text = plainInputs(policy).policy as string;
      expect(text.replace(/\s/g, "").length, policy.name).toBeLessThanOrEqual(6144);
      expect(String(plainInputs(policy).name).length).toBeLessThanOrEqual(128);
    }
    for (const r of byType("aws:iam/role:Role")) {
      const name = String(plainInputs(r).name);
      expect(name.length).toBeLessThanOrEqual(64);
      expect(
        byType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(
          (a) => plainInputs(a).role === name,
        ).length,
      ).toBeLessThanOrEqual(10);
      expect(plainInputs(r).maxSessionDuration).toBeGreaterThanOrEqual(3600);
    }
  });

  it("passes the policy pack on every resource", () => {
    const found = result.resources.flatMap((r: RecordedResource) =>
      violations(r.type, plainInputs(r)).map((v) => `${r.name}: ${v}`),
    );
    expect(found).toEqual([]);
  });

  it("with a KMS secrets provider, lets every role decrypt with that key and only the deploy role encrypt", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/0b2f4a8e-1111-2222-3333-444455556666";
    result = await synthBootstrap({ ...CONFIG, "jairouter-bootstrap:secretsKmsKeyArn": key });
    const kmsOf = (name: string) =>
      statementsOf(name)
        .filter((s) => list(s.Action).some((a) => a.startsWith("kms:")))
        .map((s) => ({ actions: list(s.Action), resources: list(s.Resource) }));
    expect(kmsOf("jairouter-preview")).toEqual([{ actions: ["kms:Decrypt"], resources: [key] }]);
    expect(kmsOf("jairouter-drift")).toEqual([{ actions: ["kms:Decrypt"], resources: [key] }]);
    expect(kmsOf("jairouter-deploy")).toEqual([
      { actions: ["kms:Decrypt", "kms:Encrypt"], resources: [key] },
    ]);
    const preview = actionsOf("jairouter-preview").filter((a) => a !== "kms:Decrypt");
    expect(preview.filter((a) => !isReadOnlyAction(a))).toEqual([]);
    result = await synthBootstrap();
  });

  it("rejects a KMS alias where a key ARN is needed, naming the key", async () => {
    await expect(
      synthBootstrap({ ...CONFIG, "jairouter-bootstrap:secretsKmsKeyArn": "alias/jairouter-pulumi" }),
    ).rejects.toThrow(/jairouter-bootstrap:secretsKmsKeyArn must be a KMS key ARN/);
  });

  it("rejects a configuration without a repository, naming the key", async () => {
    await expect(synthBootstrap({ "jairouter-bootstrap:githubOrg": "acme" })).rejects.toThrow(
      /jairouter-bootstrap:githubRepo/,
    );
  });
});

describe("the policy pack's IAM rules", () => {
  const policy = (statement: object) => ({
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }),
  });

  it("reject wildcard actions and iam:PassRole on every role", () => {
    expect(
      violations("aws:iam/policy:Policy", policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" })),
    ).toEqual(["least-privilege-identity-policies: allows every action of ec2:*"]);
    expect(
      violations(
        "aws:iam/rolePolicy:RolePolicy",
        policy({ Effect: "Allow", Action: ["iam:PassRole"], Resource: "*" }),
      ),
    ).toEqual(["least-privilege-identity-policies: allows iam:PassRole on every role"]);
  });

  it("reject a GitHub trust without a pinned subject", () => {
    const trust = JSON.stringify({
      Statement: [
        {
          Effect: "Allow",
          Principal: {
            Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
          },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } },
        },
      ],
    });
    const tags = { Project: "p", Stack: "s", Role: "r", ManagedBy: "m" };
    expect(violations("aws:iam/role:Role", { assumeRolePolicy: trust, tags })).toEqual([
      "github-oidc-trust-pinned: GitHub trust does not pin the audience",
      "github-oidc-trust-pinned: GitHub trust does not pin the subject (any repository could assume it)",
    ]);
  });
});
