import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { hostBlock, planSubnets } from "./network-plan";

export interface NetworkArgs {
  /** IPv4 CIDR of the VPC. */
  cidr: string;
  /** Availability zone names, one subnet pair each. */
  zones: pulumi.Input<string>[];
  /** One NAT gateway per zone, or one for the whole VPC. */
  natGateways: "perZone" | "single";
  /** Days the flow logs are kept. */
  flowLogRetentionDays: number;
  /** Tags for every resource. */
  tags: Record<string, string>;
}

export interface SubnetInfo {
  id: pulumi.Output<string>;
  cidr: string;
  zone: pulumi.Output<string>;
  /**
   * What a host in this subnet launches after: the route to the internet (its route-table
   * association), so cloud-init's downloads and the SSM agent's registration work from the first
   * second, and the reservation of the host block (see network-plan.ts).
   */
  hostPrerequisites: pulumi.Resource[];
}

/** VPC, a public and a private subnet per zone, internet and NAT gateways, routes, flow logs. */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly vpcCidr: string;
  public readonly publicSubnets: SubnetInfo[];
  public readonly privateSubnets: SubnetInfo[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jairouter:network:Network", name, {}, opts);
    const parent = { parent: this };
    const tagged = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tagged("vpc") },
      parent,
    );

    // Adopting the default security group with no rules strips what AWS puts there, so nothing can
    // fall back to it by accident.
    new aws.ec2.DefaultSecurityGroup(
      `${name}-default-sg`,
      { vpcId: vpc.id, tags: tagged("default-sg-empty") },
      parent,
    );

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tagged("igw") }, parent);
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tagged("public-rt") },
      parent,
    );

    const plan = planSubnets(args.cidr, args.zones.length);
    this.publicSubnets = [];
    this.privateSubnets = [];
    const natIds: pulumi.Output<string>[] = [];
    const privateRouteTables: pulumi.Output<string>[] = [];

    for (const zonePlan of plan) {
      const i = zonePlan.zoneIndex;
      const zone = args.zones[i]!;
      const publicSubnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: zonePlan.publicCidr,
          availabilityZone: zone,
          tags: tagged(`public-${i}`),
        },
        parent,
      );
      const publicEgress = new aws.ec2.RouteTableAssociation(
        `${name}-public-${i}`,
        { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
        parent,
      );
      this.publicSubnets.push({
        id: publicSubnet.id,
        cidr: zonePlan.publicCidr,
        zone: publicSubnet.availabilityZone,
        hostPrerequisites: [
          publicEgress,
          this.reserveHostBlock(name, `public-${i}`, publicSubnet.id, zonePlan.publicCidr),
        ],
      });

      if (args.natGateways === "perZone" || i === 0) {
        const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tagged(`nat-${i}`) }, parent);
        const nat = new aws.ec2.NatGateway(
          `${name}-nat-${i}`,
          { allocationId: eip.id, subnetId: publicSubnet.id, tags: tagged(`nat-${i}`) },
          { parent: this, dependsOn: [igw] },
        );
        natIds.push(nat.id);
      }

      const privateSubnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: zonePlan.privateCidr,
          availabilityZone: zone,
          tags: tagged(`private-${i}`),
        },
        parent,
      );
      const privateRoutes = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natIds[natIds.length - 1]! }],
          tags: tagged(`private-rt-${i}`),
        },
        parent,
      );
      const privateEgress = new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: privateSubnet.id, routeTableId: privateRoutes.id },
        parent,
      );
      privateRouteTables.push(privateRoutes.id);
      this.privateSubnets.push({
        id: privateSubnet.id,
        cidr: zonePlan.privateCidr,
        zone: privateSubnet.availabilityZone,
        hostPrerequisites: [
          privateEgress,
          this.reserveHostBlock(name, `private-${i}`, privateSubnet.id, zonePlan.privateCidr),
        ],
      });
    }

    // Backups go to S3 through a free gateway endpoint instead of the NAT gateways.
    const region = aws.getRegionOutput({}, parent);
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: privateRouteTables,
        tags: tagged("s3-endpoint"),
      },
      parent,
    );

    this.createFlowLogs(name, vpc.id, args, tagged);

    this.vpcId = vpc.id;
    this.vpcCidr = args.cidr;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnets.map((s) => s.id),
      privateSubnetIds: this.privateSubnets.map((s) => s.id),
    });
  }

  private createFlowLogs(
    name: string,
    vpcId: pulumi.Output<string>,
    args: NetworkArgs,
    tagged: (suffix: string) => Record<string, string>,
  ) {
    const parent = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { retentionInDays: args.flowLogRetentionDays, tags: tagged("flow-logs") },
      parent,
    );
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "vpc-flow-logs.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        }),
        tags: tagged("flow-logs"),
      },
      parent,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [arn, `${arn}:*`],
              },
            ],
          }),
        ),
      },
      parent,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-logs`,
      {
        vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: tagged("flow-logs"),
      },
      parent,
    );
  }

  /** Keeps the subnet's host block for explicit assignment: AWS hands none of it to other interfaces. */
  private reserveHostBlock(name: string, key: string, subnetId: pulumi.Output<string>, subnetCidr: string) {
    return new aws.ec2.SubnetCidrReservation(
      `${name}-${key}-hosts`,
      {
        subnetId,
        cidrBlock: hostBlock(subnetCidr),
        reservationType: "explicit",
        description: "fixed addresses of the stack's hosts",
      },
      { parent: this },
    );
  }
}
