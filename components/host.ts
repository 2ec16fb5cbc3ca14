import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { TierSpec } from "../config/tiers";
import { renderCloudInit } from "../render/cloud-init";
import type { DataDirectory, HostRole } from "../render/host-types";
import { renderReadyGateScript } from "../render/scripts/ready-gate";
import { renderServiceHealthScript } from "../render/scripts/service-health";
import {
  CANONICAL_OWNER_ID,
  DATA_DEVICE,
  DATA_MOUNT,
  DOCKER_PINS,
  ROOT_VOLUME_GIB,
  UBUNTU_RELEASE,
  ubuntuAmiName,
} from "./host-defaults";
import { hostBackupPolicy, installHostBackup, type BackupTarget } from "./backups";
import { hostFile, type HostFileArgs } from "./host-file";
import { hostService } from "./host-service";
import { hostAddress } from "./network-plan";
import { nodeExporterSpec } from "./node-exporter";
import { ownParametersStatement } from "./role-policy";
import {
  dockerHost,
  sha256,
  shellQuote,
  sshArgv,
  sshCommand,
  sshOptions,
  type SshAccess,
  type SshTarget,
} from "./ssh";

/** What every host of the stack shares, whatever its role. */
export interface HostSetup {
  /**
   * Name of the EC2 key pair holding the deployer's public key. A fixed name: rotating the key
   * replaces the key pair under the same name, so no instance is replaced for it.
   */
  keyName: pulumi.Input<string>;
  /** The deployer's current public key: written to `authorized_keys` on every host on each change. */
  deployerPublicKey: string;
  /** How the deployer reaches SSH. */
  access: SshAccess;
  /** Pinned node-exporter image. */
  nodeExporterImage: string;
  /** SSM parameter prefix of the stack; a host may read `<prefix>/<its role>/*` only. */
  parameterPrefix: string;
  /** Canonical's Ubuntu build serial every host boots (`hosts.ubuntuBuild`). */
  ubuntuBuild: string;
  /**
   * Keep data volumes in the account when they leave the stack (production): a scale-in or a
   * deliberate rebuild never deletes the state on them; docs/operations.md says how to clean up.
   */
  retainState: boolean;
  /** Docker Hub credentials for image pulls; anonymous pulls when absent. */
  registryAuth?: { username: string; password: pulumi.Output<string> };
}

/** Where a host can be placed: a subnet, its zone, its CIDR and what must exist first. */
export interface HostSubnet {
  id: pulumi.Input<string>;
  zone: pulumi.Input<string>;
  /** The subnet's CIDR: the host's fixed address comes from its host block. */
  cidr: string;
  /** Route out and host-block reservation (see Network's SubnetInfo). */
  hostPrerequisites?: pulumi.Resource[];
}

export interface HostArgs {
  /** What the host does. */
  role: HostRole;
  /** Instance type and data volume size from the tier table. */
  size: TierSpec;
  /** Subnet (and so zone and address) the host lives in. */
  subnet: HostSubnet;
  /** The host's slot in the subnet's host block: its fixed private address (see network-plan.ts). */
  slot: number;
  /** Security groups of the host. */
  securityGroupIds: pulumi.Input<string>[];
  /** Key pair, SSH access, node-exporter image and parameter prefix shared by every host. */
  setup: HostSetup;
  /**
   * Give the host a fixed public address (load balancers behind DNS failover): a public address from
   * launch on (so its SSM agent can register at once), then an Elastic IP.
   */
  publicAddress?: boolean;
  /**
   * What must be done before this host's instance is created, replaced or resized: the previous
   * host of the same role's health gate, so hosts of a role change one at a time.
   */
  after?: pulumi.Input<pulumi.Resource>[];
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

/** Seconds the readiness gate keeps trying a new host (boot, Docker install, SSM registration). */
const READY_DEADLINE_SECONDS = 1200;
/** Seconds a service may take to run (and be healthy) before the next host of its role changes. */
const SERVICE_HEALTH_DEADLINE_SECONDS = 900;

/**
 * One EC2 host of any role: Ubuntu LTS from Canonical at a pinned build, IMDSv2 only, encrypted gp3
 * root and a separate encrypted data volume that outlives the instance, a least-privilege instance
 * profile, cloud-init without secrets (a stable bootstrap: what changes lives in containers and
 * host files), a readiness gate, and a Docker provider over SSH.
 *
 * Day 2: the instance is delete-before-replace, so on a replacement the engine first removes what
 * runs on the old host (over SSH, while it still runs), moves the data volume, and only then
 * boots the new host; `after` chains the hosts of a role so that this happens to one at a time.
 */
export class Host extends pulumi.ComponentResource {
  /** Resource name of the host (also its host name and the `instance` label). */
  public readonly hostName: string;
  public readonly role: HostRole;
  public readonly instanceId: pulumi.Output<string>;
  public readonly privateIp: pulumi.Output<string>;
  /** The same fixed address as a plain value (network-plan.ts), for commands that reach the host by name. */
  public readonly plannedAddress: string;
  public readonly publicIp?: pulumi.Output<string>;
  public readonly zone: pulumi.Output<string>;
  public readonly target: pulumi.Output<SshTarget>;
  /**
   * Changes whenever the host is replaced, resized or rebooted into another type: gates that must
   * run again after such a change take it as a trigger.
   */
  public readonly generation: pulumi.Output<string>;
  /** Completes when the host has booted, its bootstrap finished and its data volume is mounted. */
  public readonly ready: command.local.Command;
  /** Docker on this host, reached over SSH once the host is ready. */
  public readonly docker: docker.Provider;
  public readonly roleName: pulumi.Output<string>;
  /** Turns the backup timers on once the scripts are placed (hosts with `backup` only). */
  public readonly backupTimers?: command.local.Command;
  private readonly access: SshAccess;

  constructor(name: string, args: HostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:compute:Host", name, {}, opts);
    const setup = args.setup;
    const access = setup.access;
    this.access = access;
    const parent = { parent: this };
    const tags = { ...args.tags, Name: name };
    const address = hostAddress(args.subnet.cidr, args.slot);

    // One exact Canonical build: every host of the stack, old or new, boots the same image.
    const ami = aws.ec2.getAmiOutput(
      {
        owners: [CANONICAL_OWNER_ID],
        includeDeprecated: true,
        filters: [
          { name: "name", values: [ubuntuAmiName(args.size.architecture, setup.ubuntuBuild)] },
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
          Statement: [ownParametersStatement(setup.parameterPrefix, args.role)],
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

    // The data volume is its own resource so that replacing the instance keeps the state on it. Its
    // tags live here only: `volumeTags` on the instance would fight over them on every refresh.
    const dataVolume = new aws.ebs.Volume(
      `${name}-data`,
      {
        availabilityZone: args.subnet.zone,
        size: args.size.dataVolumeGiB,
        type: "gp3",
        iops: args.size.dataVolumeIops,
        encrypted: true,
        tags: { ...tags, Name: `${name}-data` },
      },
      { parent: this, retainOnDelete: setup.retainState },
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
        dataVolume: { volumeId, deviceName: DATA_DEVICE, mountPoint: DATA_MOUNT, filesystem: "ext4" },
        extraDirectories: args.extraDirectories,
      }),
    );

    const instance = new aws.ec2.Instance(
      name,
      {
        ami: ami.id,
        instanceType: args.size.instanceType,
        subnetId: args.subnet.id,
        // Fixed: a replaced host keeps its address, so nothing that lists hosts changes with it.
        privateIp: address,
        vpcSecurityGroupIds: args.securityGroupIds,
        iamInstanceProfile: profile.name,
        keyName: setup.keyName,
        // Public subnets only (DNS failover): reachable by SSM from the first second, before the EIP.
        associatePublicIpAddress: args.publicAddress === true,
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled", httpPutResponseHopLimit: 1 },
        rootBlockDevice: {
          volumeType: "gp3",
          volumeSize: ROOT_VOLUME_GIB,
          encrypted: true,
          deleteOnTermination: true,
          tags: { ...tags, Name: `${name}-root` },
        },
        userData,
        userDataReplaceOnChange: true,
        monitoring: true,
        tags,
      },
      {
        parent: this,
        // Delete first: the engine removes the containers on the old host (still running), detaches
        // the data volume and terminates the old instance before the new one boots with the volume.
        deleteBeforeReplace: true,
        dependsOn: [...(args.after ?? []), ...(args.subnet.hostPrerequisites ?? [])],
      },
    );
    // Delete first: a volume attaches to one instance at a time (AWS answers VolumeInUse otherwise).
    const attachment = new aws.ec2.VolumeAttachment(
      `${name}-data`,
      {
        deviceName: DATA_DEVICE,
        volumeId: dataVolume.id,
        instanceId: instance.id,
        stopInstanceBeforeDetaching: true,
      },
      { parent: this, deleteBeforeReplace: true },
    );

    if (args.publicAddress) {
      const eip = new aws.ec2.Eip(`${name}-eip`, { domain: "vpc", instance: instance.id, tags }, parent);
      this.publicIp = eip.publicIp;
    }

    this.hostName = name;
    this.role = args.role;
    this.instanceId = instance.id;
    // The planned address, not the instance's output: consumers on other hosts (proxy backends,
    // scrape targets) then hold no dependency on this instance, and a replacement of this host
    // (delete-first, see above) does not take theirs down with it.
    this.plannedAddress = address;
    this.privateIp = pulumi.output(address);
    this.zone = pulumi.output(args.subnet.zone);
    this.roleName = role.name;
    this.target = pulumi
      .all([instance.id, instance.privateIp])
      .apply(([instanceId, privateIp]) => ({ instanceId, privateIp }));
    this.generation = pulumi
      .all([instance.id, instance.instanceType, dataVolume.size])
      .apply(([id, type, size]) => `${id}/${type}/${size}`);

    // Retries until the host answers (SSM agent registered, deploy user created), reruns a failed
    // bootstrap once, and grows the filesystem after a volume resize.
    this.ready = new command.local.Command(
      `${name}-ready`,
      {
        create: this.target.apply((t) => localScriptCommand(sshArgv(access, t))),
        stdin: renderReadyGateScript({ deadlineSeconds: READY_DEADLINE_SECONDS }),
        triggers: [this.generation],
      },
      {
        parent: this,
        dependsOn: [attachment],
        customTimeouts: { create: `${Math.ceil(READY_DEADLINE_SECONDS / 60) + 5}m` },
      },
    );

    const authorizedKeys = this.authorizedKeys(name, setup.deployerPublicKey);

    this.docker = new docker.Provider(
      `${name}-docker`,
      {
        host: this.target.apply((t) => dockerHost(access, t)),
        sshOpts: this.target.apply((t) => sshOptions(access, t)),
        registryAuth: setup.registryAuth ? dockerHubAuth(setup.registryAuth) : undefined,
      },
      { parent: this, dependsOn: [this.ready, authorizedKeys] },
    );

    // node-exporter is a container, not part of the user data: a new image replaces containers only.
    hostService(
      this,
      `${name}-node-exporter`,
      {
        container: "node-exporter",
        image: setup.nodeExporterImage,
        spec: nodeExporterSpec(),
        stopGraceSeconds: 10,
      },
      this,
    );

    if (args.backup && backupRole) {
      this.backupTimers = installHostBackup(
        {
          role: backupRole,
          hostName: name,
          target: args.backup,
          access,
          sshTarget: this.target,
          hostInstance: this.instanceId,
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
  placeFile(
    name: string,
    file: Omit<HostFileArgs, "access" | "target" | "hostInstance">,
    parent: pulumi.Resource,
  ) {
    return hostFile(
      name,
      { ...file, access: this.access, target: this.target, hostInstance: this.instanceId },
      { parent, dependsOn: [this.ready] },
    );
  }

  /**
   * Waits on the host until `container` runs and is healthy. It runs again whenever the container
   * or the host changes, and the next host of the role waits for it (HostArgs.after).
   */
  serviceGate(name: string, service: string, container: docker.Container, parent: pulumi.Resource) {
    return new command.local.Command(
      name,
      {
        create: this.commandLine(`bash -s -- ${shellQuote(service)} ${SERVICE_HEALTH_DEADLINE_SECONDS}`),
        stdin: renderServiceHealthScript(),
        triggers: [container.id, this.generation],
      },
      {
        parent,
        dependsOn: [container],
        customTimeouts: { create: `${Math.ceil(SERVICE_HEALTH_DEADLINE_SECONDS / 60) + 5}m` },
      },
    );
  }

  /**
   * The deployer's key in the login user's `authorized_keys`, rewritten whenever the key changes:
   * the key pair only seeds new hosts, so rotating the key never replaces one (docs/operations.md: key rotation).
   */
  private authorizedKeys(name: string, publicKey: string) {
    const user = this.access.user;
    const remote = [
      "set -eu",
      `home=$(getent passwd ${user} | cut -d: -f6)`,
      `sudo install -d -m 0700 -o ${user} -g ${user} "$home/.ssh"`,
      `sudo tee "$home/.ssh/authorized_keys.tmp" >/dev/null`,
      `sudo chown ${user}:${user} "$home/.ssh/authorized_keys.tmp"`,
      `sudo chmod 0600 "$home/.ssh/authorized_keys.tmp"`,
      `sudo mv "$home/.ssh/authorized_keys.tmp" "$home/.ssh/authorized_keys"`,
    ].join("; ");
    return new command.local.Command(
      `${name}-authorized-keys`,
      {
        create: this.commandLine(remote),
        stdin: `${publicKey}\n`,
        triggers: [sha256(publicKey), this.instanceId],
      },
      { parent: this, dependsOn: [this.ready] },
    );
  }
}

/** `bash -s -- <argv...>`: runs the script given on stdin locally with the ssh command line as "$@". */
function localScriptCommand(argv: string[]): string {
  return ["bash", "-s", "--", ...argv].map(shellQuote).join(" ");
}

/** Docker Hub under both names the Docker provider may look an image's registry up by. */
function dockerHubAuth(auth: { username: string; password: pulumi.Output<string> }) {
  return ["registry-1.docker.io", "docker.io"].map((address) => ({
    address,
    username: auth.username,
    password: auth.password,
  }));
}
