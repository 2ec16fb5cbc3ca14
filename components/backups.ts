import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { backupHostFiles, backupPrefix, renderBackupActivateScript, type BackupRole } from "../render/backup";
import { awsName } from "./aws-names";
import { DATA_MOUNT } from "./host-defaults";
import { hostFile } from "./host-file";
import { sha256, sshCommand, type SshAccess, type SshTarget } from "./ssh";

/** Days an interrupted multipart upload may linger before S3 removes its parts. */
const ABORT_MULTIPART_DAYS = 7;

/** What a host needs to know about the stack's backup bucket. */
export interface BackupTarget {
  bucketName: pulumi.Output<string>;
  bucketArn: pulumi.Output<string>;
  region: pulumi.Output<string>;
}

export interface BackupsArgs {
  /** Days a backup is kept, and again a replaced or deleted version (`backups.retentionDays`). */
  retentionDays: number;
  /** Tags for the bucket. */
  tags: Record<string, string>;
}

/**
 * Globally unique, deterministic bucket name: the stack's name, the account and the region, within
 * S3's 63 lower-case letters, digits and hyphens.
 */
export function backupBucketName(name: string, accountId: string, region: string): string {
  return awsName(name, `backups-${accountId}-${region}`, 63);
}

/** Lifecycle of the bucket: backups and noncurrent versions expire after `days`. */
export function backupLifecycleRules(days: number) {
  if (!Number.isInteger(days) || days < 1) throw new Error(`backups.retentionDays: ${days} is not >= 1`);
  return [
    {
      id: "expire-backups",
      status: "Enabled",
      // the whole bucket; with `days` set S3 also removes delete markers left without versions
      filter: {},
      expiration: { days },
      noncurrentVersionExpiration: { noncurrentDays: days },
      abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
    },
  ];
}

/** Bucket policy: every request without TLS is refused, whoever makes it. */
export function tlsOnlyPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/**
 * A host's rights on the bucket: write and read back objects under its own prefix, list only that
 * prefix. No delete: a compromised host cannot remove backups (and versioning keeps what it
 * overwrites for `retentionDays`).
 */
export function backupStatements(bucketArn: string, prefix: string): Record<string, unknown>[] {
  return [
    {
      Sid: "BackupOwnPrefix",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject"],
      Resource: `${bucketArn}/${prefix}/*`,
    },
    {
      Sid: "ListOwnPrefix",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
    },
  ];
}

/**
 * The stack's backup bucket (R8): versioned, encrypted (SSE-S3), public access blocked, ACLs off
 * (bucket owner enforced), TLS only, objects and old versions expiring after `retentionDays`.
 * Hosts write to it through `installHostBackup` and the IAM statements of `backupStatements`.
 */
export class Backups extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** Handed to the hosts. */
  public readonly target: BackupTarget;

  constructor(name: string, args: BackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:data:Backups", name, {}, opts);
    const parent = { parent: this };
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    const region = aws.getRegionOutput({}, parent).region;
    const partition = aws.getPartitionOutput({}, parent).partition;

    const bucket = new aws.s3.Bucket(
      `${name}-backups`,
      {
        bucket: pulumi.all([account, region]).apply(([a, r]) => backupBucketName(name, a, r)),
        // `pulumi destroy` stops at a bucket that still holds backups: deleting them is deliberate
        forceDestroy: false,
        tags: { ...args.tags, Name: `${name}-backups` },
      },
      parent,
    );
    const bucketName = bucket.bucket;
    const bucketArn = pulumi.interpolate`arn:${partition}:s3:::${bucketName}`;

    new aws.s3.BucketOwnershipControls(
      `${name}-backups-ownership`,
      { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } },
      parent,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-backups-public-access`,
      {
        bucket: bucketName,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(
      `${name}-backups-versioning`,
      { bucket: bucketName, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-backups-encryption`,
      { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-backups-lifecycle`,
      { bucket: bucketName, rules: backupLifecycleRules(args.retentionDays) },
      // S3 wants versioning settled before rules on noncurrent versions
      { parent: this, dependsOn: [versioning] },
    );
    new aws.s3.BucketPolicy(
      `${name}-backups-tls-only`,
      { bucket: bucketName, policy: bucketArn.apply(tlsOnlyPolicy) },
      { parent: this, dependsOn: [publicAccess] },
    );

    this.bucketName = bucketName;
    this.bucketArn = bucketArn;
    this.target = { bucketName, bucketArn, region: pulumi.output(region) };
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}

export interface HostBackupArgs {
  /** Role of the host: decides what its backups hold. */
  role: BackupRole;
  /** Host name: the last part of its key prefix `<role>/<host>`. */
  hostName: string;
  /** The stack's bucket. */
  target: BackupTarget;
  access: SshAccess;
  sshTarget: pulumi.Input<SshTarget>;
  /** The host's instance id: a new instance gets the scripts and timers again. */
  hostInstance: pulumi.Input<string>;
}

/** The IAM policy document of a host's backup rights. */
export function hostBackupPolicy(target: BackupTarget, role: BackupRole, hostName: string) {
  const prefix = backupPrefix(role, hostName);
  return target.bucketArn.apply((arn) =>
    JSON.stringify({ Version: "2012-10-17", Statement: backupStatements(arn, prefix) }),
  );
}

/**
 * Places the env file, scripts and systemd units on a host (over SSH, not in user data: the
 * scripts alone would take EC2's 16 KB user-data limit), then installs the AWS CLI if missing and
 * turns the timers on. Nothing placed is secret.
 */
export function installHostBackup(
  args: HostBackupArgs,
  opts: pulumi.CustomResourceOptions,
): command.local.Command {
  const files = pulumi.all([args.target.bucketName, args.target.region]).apply(([bucket, region]) =>
    backupHostFiles({
      role: args.role,
      bucket,
      prefix: backupPrefix(args.role, args.hostName),
      region,
      dataRoot: DATA_MOUNT,
    }),
  );
  // The file list is fixed; only the env file's content depends on Outputs.
  const layout = backupHostFiles({
    role: args.role,
    bucket: "placeholder",
    prefix: backupPrefix(args.role, args.hostName),
    region: "eu-west-1",
  });
  const placed = layout.map((f, i) =>
    hostFile(
      `${args.hostName}-${f.key}`,
      {
        access: args.access,
        target: args.sshTarget,
        path: f.path,
        content: files.apply((all) => all[i]!.content),
        mode: f.mode,
        owner: "0:0",
        hostInstance: args.hostInstance,
      },
      opts,
    ),
  );
  const activate = renderBackupActivateScript();
  return new command.local.Command(
    `${args.hostName}-backup-timers`,
    {
      create: pulumi.output(args.sshTarget).apply((t) => sshCommand(args.access, t, "sudo bash -s")),
      stdin: activate,
      triggers: [
        pulumi.all(placed.map((p) => p.contentHash)).apply((h) => sha256(h.join() + activate)),
        args.hostInstance,
      ],
    },
    { ...opts, dependsOn: placed.map((p) => p.command), customTimeouts: { create: "10m" } },
  );
}
