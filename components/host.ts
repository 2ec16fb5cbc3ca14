import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { TierSpec } from "../config/tiers";
import { renderCloudInit } from "../render/cloud-init";
import type { DataDirectory, HostRole } from "../render/host-types";
import {
  CANONICAL_OWNER_ID,
  DATA_DEVICE,
  DATA_MOUNT,
  DOCKER_PINS,
  ROOT_VOLUME_GIB,
  UBUNTU_RELEASE,
  ubuntuAmiNamePattern,
} from "./host-defaults";
import { hostBackupPolicy, installHostBackup, type BackupTarget } from "./backups";
import { hostFile, type HostFileArgs } from "./host-file";
import { PORTS } from "./ports";
import { ownParametersStatement } from "./role-policy";
import { dockerHost, sshCommand, sshOptions, type SshAccess, type SshTarget } from "./ssh";

/** What every host of the stack shares, whatever its role. */
export interface HostSetup {
  /** EC2 key pair holding the deployer's public key. */
  keyName: pulumi.Input<string>;
  /** How the deployer reaches SSH. */
  access: SshAccess;
  /** Pinned node-exporter image. */
  nodeExporterImage: string;
  /** SSM parameter prefix of the stack; a host may read `<prefix>/<its role>/*` only. */
  parameterPrefix: string;
  /**
   * Protect the data volumes (production): `pulumi destroy` or a replacement stops until an
   * operator runs `pulumi state unprotect`, so state is never lost by accident.
   */
  protectState: boolean;
}

export interface HostArgs {
  /** What the host does. */
  role: HostRole;
  /** Instance type and data volume size from the tier table. */
  size: TierSpec;
  /** Subnet (and so zone) the host lives in. */
  subnetId: pulumi.Input<string>;
  /** Zone of that subnet (the data volume must be in the same one). */
  zone: pulumi.Input<string>;
  /** Security groups of the host. */
  securityGroupIds: pulumi.Input<string>[];
  /** Key pair, SSH access, node-exporter image and parameter prefix shared by every host. */
  setup: HostSetup;
  /** Give the host a fixed public address (load balancers in public subnets). */
  publicAddress?: boolean;
  /** More directories on the data volume, e.g. Prometheus' with its UID. */
  extraDirectories?: DataDirectory[];
  /**
   * The stack's backup bucket: the host gets the backup and restore scripts with their timers, and
   * its role may write and read `<role>/<host name>/*` there, nothing else (app and monitoring
   * hosts; load balancers hold no state the stack cannot render again).
   */
  backup?: BackupTarget;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

/**
 * One EC2 host of any role: Ubuntu LTS from Canonical, IMDSv2 only, encrypted gp3 root and a
 * separate encrypted data volume that outlives the instance, a least-privilege instance profile,
 * cloud-init without secrets, a readiness gate, and a Docker provider over SSH.
 */
export class Host extends pulumi.ComponentResource {
  /** Resource name of the host (also its host name and the `instance` label). */
  public readonly hostName: string;
  public readonly role: HostRole;
  public readonly instanceId: pulumi.Output<string>;
  public readonly privateIp: pulumi.Output<string>;
  public readonly publicIp?: pulumi.Output<string>;
  public readonly zone: pulumi.Output<string>;
  public readonly target: pulumi.Output<SshTarget>;
  /** Completes when cloud-init has finished on the host. */
  public readonly ready: command.local.Command;
  /** Docker on this host, reached over SSH once the host is ready. */
  public readonly docker: docker.Provider;
  public readonly roleName: pulumi.Output<string>;
  /** Turns the backup timers on once the scripts are placed (hosts with `backup` only). */
  public readonly backupTimers?: command.local.Command;
  private readonly access: SshAccess;

  constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:compute:Host", name, {}, opts);
    const access = args.setup.access;
    this.access = access;
    const parent = { parent: this };
    const tags = { ...args.tags, Name: name };

    const ami = aws.ec2.getAmiOutput(
      {
        owners: [CANONICAL_OWNER_ID],
        mostRecent: true,
        filters: [
          { name: "name", values: [ubuntuAmiNamePattern(args.size.architecture)] },
          { name: "architecture", values: [args.size.architecture] },
          { name: "virtualization-type", values: ["hvm"] },
        ],
      },
      parent,
    );

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-ssm-core`,
      { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-own`,
      {
        role: role.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [ownParametersStatement(args.setup.parameterPrefix, args.role)],
        }),
      },
      parent,
    );
    const backupRole = args.role === "loadbalancer" ? undefined : args.role;
    if (args.backup && !backupRole) throw new Error(`${name}: load balancers have no backups`);
    if (args.backup && backupRole) {
      // its own policy, so that the backup rights read apart from the SSM ones
      new aws.iam.RolePolicy(
        `${name}-backup`,
        { role: role.id, policy: hostBackupPolicy(args.backup, backupRole, name) },
        parent,
      );
    }
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags }, parent);

    // The data volume is its own resource so that replacing the instance keeps the state on it.
    const dataVolume = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: args.zone,
        size: args.size.dataVolumeGiB,
        type: "gp3",
        iops: args.size.dataVolumeIops,
        encrypted: true,
        tags: { ...tags, Name: `${name}-data` },
      },
      { parent: this, protect: args.setup.protectState },
    );

    const userData = dataVolume.id.apply((volumeId) =>
      renderCloudInit({
        role: args.role,
        deployUser: access.user,
        hostname: name
          .toLowerCase()
          .replace(/[^a-z0-9-]/g, "-")
          .slice(0, 63),
        ubuntuRelease: UBUNTU_RELEASE,
        docker: DOCKER_PINS,
        nodeExporterImage: args.setup.nodeExporterImage,
        nodeExporterPort: PORTS.nodeExporter,
        dataVolume: { volumeId, deviceName: DATA_DEVICE, mountPoint: DATA_MOUNT, filesystem: "ext4" },
        extraDirectories: args.extraDirectories,
      }),
    );

    const instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.id,
        instanceType: args.size.instanceType,
        subnetId: args.subnetId,
        vpcSecurityGroupIds: args.securityGroupIds,
        iamInstanceProfile: profile.name,
        keyName: args.setup.keyName,
        associatePublicIpAddress: false,
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: ROOT_VOLUME_GIB,
          encrypted: true,
          deleteOnTermination: true,
        },
        userData,
        userDataReplaceOnChange: true,
        monitoring: true,
        tags,
        volumeTags: tags,
      },
      // A newer Ubuntu build must not replace a running host; rebuilds are deliberate.
      { parent: this, ignoreChanges: ["ami"] },
    );
    const attachment = new aws.ec2.VolumeAttachment(
      `${name}-data`,
      {
        deviceName: DATA_DEVICE,
        volumeId: dataVolume.id,
        instanceId: instance.id,
        stopInstanceBeforeDetaching: true,
      },
      parent,
    );

    if (args.publicAddress) {
      const eip = new aws.ec2.Eip(`${name}-eip`, { domain: "vpc", instance: instance.id, tags }, parent);
      this.publicIp = eip.publicIp;
    }

    this.hostName = name;
    this.role = args.role;
    this.instanceId = instance.id;
    this.privateIp = instance.privateIp;
    this.zone = pulumi.output(args.zone);
    this.roleName = role.name;
    this.target = pulumi
      .all([instance.id, instance.privateIp])
      .apply(([instanceId, privateIp]) => ({ instanceId, privateIp }));

    // cloud-init mounts the data volume, so the gate also waits for the attachment.
    this.ready = new command.local.Command(
      `${name}-ready`,
      {
        // Exit 2 is "done with recoverable warnings" (e.g. a deprecated key); 1 is a failed boot.
        create: this.target.apply((t) =>
          sshCommand(access, t, "cloud-init status --wait --long; rc=$?; [ $rc -eq 0 ] || [ $rc -eq 2 ]"),
        ),
        triggers: [instance.id],
      },
      { parent: this, dependsOn: [attachment], customTimeouts: { create: "20m" } },
    );

    this.docker = new docker.Provider(
      `${name}-docker`,
      { host: this.target.apply((t) => dockerHost(access, t)), sshOpts: sshOptions(access) },
      { parent: this, dependsOn: [this.ready] },
    );

    if (args.backup && backupRole) {
      this.backupTimers = installHostBackup(
        {
          role: backupRole,
          hostName: name,
          target: args.backup,
          access,
          sshTarget: this.target,
        },
        { parent: this, dependsOn: [this.ready] },
      );
    }

    this.registerOutputs({ instanceId: this.instanceId, privateIp: this.privateIp, publicIp: this.publicIp });
  }

  /** The local command line that runs `remoteCommand` on this host over the deployer's SSH path. */
  commandLine(remoteCommand: string): pulumi.Output<string> {
    return this.target.apply((t) => sshCommand(this.access, t, remoteCommand));
  }

  /** Writes a file on this host once it is ready (see hostFile); `parent` is the calling component. */
  placeFile(name: string, file: Omit<HostFileArgs, "access" | "target">, parent: pulumi.Resource) {
    return hostFile(
      name,
      { ...file, access: this.access, target: this.target },
      { parent, dependsOn: [this.ready] },
    );
  }
}
