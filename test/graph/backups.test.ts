import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { backupBucketName, backupLifecycleRules } from "../../components/backups";
import { renderBackupScript, renderRestoreScript } from "../../render/backup";
import { MockCloud } from "../../scripts/lib/mock-cloud";
import { plainInputs, resourcesOf, synthStack, type RecordedResource, type SynthResult } from "./helpers";

const BUCKET = "aws:s3/bucket:Bucket";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
// S3's rules for general purpose bucket names
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function one(result: SynthResult, type: string): Record<string, any> {
  const found = resourcesOf(result, type);
  expect(found, type).toHaveLength(1);
  return plainInputs(found[0]!);
}

function backupPolicies(result: SynthResult): Map<string, any> {
  return new Map(
    resourcesOf(result, ROLE_POLICY)
      .filter((p) => p.name.endsWith("-backup"))
      .map((p) => [p.name.replace(/-backup$/, ""), JSON.parse(plainInputs(p).policy)]),
  );
}

function changedUrns(a: SynthResult, b: SynthResult): string[] {
  const index = (r: SynthResult) => new Map(r.resources.map((x) => [x.urn, JSON.stringify(plainInputs(x))]));
  const left = index(a);
  const right = index(b);
  return [...new Set([...left.keys(), ...right.keys()])].filter((u) => left.get(u) !== right.get(u)).sort();
}

const file = (result: SynthResult, key: string) => {
  const found = [...result.files.entries()].find(([p]) => p.startsWith(`${key}/`));
  expect(found, key).toBeDefined();
  return found![1];
};

describe("Backups (prod)", () => {
  let prod: SynthResult;
  let bucket: string;
  beforeAll(async () => {
    prod = await synthStack("prod");
    bucket = one(prod, BUCKET).bucket;
  });

  it("creates one bucket per stack, named within S3's rules, tagged, kept on destroy while not empty", () => {
    expect(bucket).toBe("jr-prod-backups-123456789012-eu-west-1");
    expect(bucket).toMatch(BUCKET_NAME);
    const inputs = one(prod, BUCKET);
    expect(inputs.forceDestroy).toBe(false);
    expect(inputs.tags).toMatchObject({
      Project: "jairouter",
      Stack: "prod",
      Role: "backups",
      ManagedBy: "pulumi",
    });
    const component = prod.resources.find((r) => r.type === "jairouter:data:Backups")!;
    expect(resourcesOf(prod, BUCKET)[0]!.parent).toBe(component.urn);
  });

  it("versions, encrypts, blocks public access, enforces the owner and refuses plain HTTP", () => {
    expect(one(prod, "aws:s3/bucketVersioning:BucketVersioning")).toEqual({
      bucket,
      versioningConfiguration: { status: "Enabled" },
    });
    expect(
      one(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
    ).toEqual({
      bucket,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    expect(one(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")).toEqual({
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(prod, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")).toEqual({
      bucket,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    const policy = one(prod, "aws:s3/bucketPolicy:BucketPolicy");
    expect(policy.bucket).toBe(bucket);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("expires backups and noncurrent versions after backups.retentionDays", () => {
    const days = parse(readFileSync("Pulumi.prod.yaml", "utf8")).config["jairouter:backups"].retentionDays;
    const lifecycle = one(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
    expect(lifecycle.bucket).toBe(bucket);
    expect(lifecycle.rules).toHaveLength(1);
    expect(lifecycle.rules[0]).toMatchObject({
      status: "Enabled",
      filter: {},
      expiration: { days },
      noncurrentVersionExpiration: { noncurrentDays: days },
    });
    // S3 refuses ExpiredObjectDeleteMarker next to Days
    expect(lifecycle.rules[0].expiration.expiredObjectDeleteMarker).toBeUndefined();
    const versioning = resourcesOf(prod, "aws:s3/bucketVersioning:BucketVersioning")[0]!;
    const rule = resourcesOf(prod, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!;
    expect(rule.dependencies).toContain(versioning.urn);
  });

  it("lets each app and monitoring host put and get only under <role>/<host>/, list only that, delete nothing", () => {
    const policies = backupPolicies(prod);
    expect([...policies.keys()].sort()).toEqual([
      "jr-prod-app-0",
      "jr-prod-app-1",
      "jr-prod-app-2",
      "jr-prod-monitoring",
    ]);
    for (const [host, doc] of policies) {
      const prefix = `${host.includes("-app-") ? "app" : "monitoring"}/${host}`;
      expect(doc.Statement).toEqual([
        {
          Sid: "BackupOwnPrefix",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:GetObject"],
          Resource: `arn:aws:s3:::${bucket}/${prefix}/*`,
        },
        {
          Sid: "ListOwnPrefix",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: `arn:aws:s3:::${bucket}`,
          Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
        },
      ]);
    }
    // attached to that host's own role; no other policy of the stack names the bucket
    for (const p of resourcesOf(prod, ROLE_POLICY)) {
      if (p.name.endsWith("-backup")) {
        const host = p.name.replace(/-backup$/, "");
        expect(plainInputs(p).role).toBe(MockCloud.idFor("aws:iam/role:Role", `${host}-role`));
      } else expect(plainInputs(p).policy).not.toContain(bucket);
    }
    expect(JSON.stringify([...policies.values()])).not.toMatch(/Delete|"s3:\*"|"\*"/);
  });

  it("places the same scripts and units on those hosts, and an env file naming each host's own prefix", () => {
    for (const host of ["jr-prod-app-0", "jr-prod-app-2", "jr-prod-monitoring"]) {
      const role = host.includes("-app-") ? "app" : "monitoring";
      expect(file(prod, `${host}-backup-env`)).toContain(`BACKUP_BUCKET='${bucket}'\n`);
      expect(file(prod, `${host}-backup-env`)).toContain(`BACKUP_PREFIX='${role}/${host}'\n`);
      expect(file(prod, `${host}-backup-env`)).toContain(`BACKUP_ROLE='${role}'\n`);
      expect(file(prod, `${host}-backup-script`)).toBe(renderBackupScript());
      expect(file(prod, `${host}-restore-script`)).toBe(renderRestoreScript());
      expect(file(prod, `${host}-backup-config-timer`)).toContain("OnCalendar=*-*-* 02:00:00 UTC");
      expect(file(prod, `${host}-backup-data-timer`)).toContain("OnCalendar=*-*-* 03:00:00 UTC");
    }
    expect([...prod.files.keys()].some((p) => p.startsWith("jr-prod-lb-0-backup"))).toBe(false);
    for (const instance of resourcesOf(prod, "aws:ec2/instance:Instance")) {
      expect(plainInputs(instance).userData).not.toContain("jairouter-backup");
    }
  });

  it("turns the timers on over SSH after the files are placed and the host is ready", () => {
    const timers = prod.resources.filter((r) => r.name.endsWith("-backup-timers"));
    expect(timers.map((t) => t.name).sort()).toEqual([
      "jr-prod-app-0-backup-timers",
      "jr-prod-app-1-backup-timers",
      "jr-prod-app-2-backup-timers",
      "jr-prod-monitoring-backup-timers",
    ]);
    const byName = new Map(prod.resources.map((r) => [r.name, r] as [string, RecordedResource]));
    for (const t of timers) {
      const host = t.name.replace(/-backup-timers$/, "");
      const inputs = plainInputs(t);
      expect(inputs.create).toMatch(/sudo bash -s'?$/);
      expect(inputs.stdin).toContain(
        "systemctl enable --now jairouter-backup-config.timer jairouter-backup-data.timer",
      );
      for (const key of ["backup-env", "backup-script", "restore-script", "backup-service"]) {
        expect(t.dependencies).toContain(byName.get(`${host}-${key}`)!.urn);
        expect(byName.get(`${host}-${key}`)!.dependencies).toContain(byName.get(`${host}-ready`)!.urn);
      }
    }
  });

  it("enables Prometheus' admin API for snapshots and exports the bucket", () => {
    const prometheus = resourcesOf(prod, "docker:index/container:Container").find(
      (c) => c.name === "jr-prod-monitoring-prometheus",
    )!;
    expect(plainInputs(prometheus).command).toContain("--web.enable-admin-api");
    expect(prod.outputs).toMatchObject({
      backupBucketName: bucket,
      backupBucketArn: `arn:aws:s3:::${bucket}`,
    });
  });
});

describe("Backups changes", () => {
  it("changes only the lifecycle when backups.retentionDays changes", async () => {
    const before = await synthStack("prod");
    const after = await synthStack("prod", { "jairouter:backups": { retentionDays: 45 } });
    const changed = changedUrns(before, after);
    expect(changed.map((u) => u.split("::").pop())).toEqual(["jr-prod-backups-lifecycle"]);
    const rule = plainInputs(
      resourcesOf(after, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!,
    ).rules[0];
    expect(rule.expiration.days).toBe(45);
    expect(rule.noncurrentVersionExpiration.noncurrentDays).toBe(45);
  });

  it("keeps staging's own retention and bucket", async () => {
    const staging = await synthStack("staging");
    expect(one(staging, BUCKET).bucket).toBe("jr-staging-backups-123456789012-eu-west-1");
    const rule = one(staging, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0];
    expect(rule.expiration.days).toBe(7);
  });

  it("names the bucket within S3's rules for any stack name", async () => {
    const odd = await synthStack("prod", {}, "Prod_EU.west-1.blue-green-candidate-with-a-long-name");
    expect(one(odd, BUCKET).bucket).toMatch(BUCKET_NAME);
    for (const name of ["jr-a", `jr-${"x".repeat(80)}`, "jr-prod_eu.1-"]) {
      const b = backupBucketName(name, "123456789012", "ap-southeast-2");
      expect(b).toMatch(BUCKET_NAME);
      expect(b).not.toMatch(/\.\./);
      expect(b.endsWith("-backups-123456789012-ap-southeast-2")).toBe(true);
    }
    expect(() => backupLifecycleRules(0)).toThrow(/retentionDays/);
  });
});
