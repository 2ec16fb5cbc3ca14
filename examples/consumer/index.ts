/**
 * Another team's stack that uses JAiRouter: its service may call the app tier directly, and its
 * Prometheus federates JAiRouter's. Everything it knows about JAiRouter comes from the contract.
 * In a real consumer, import `readJairouterStack` from the published package instead of the path.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readJairouterStack } from "../../consumer";
import { federationTarget, renderFederationScrapeConfig } from "./federation";

const config = new pulumi.Config("consumer");
const jairouter = readJairouterStack(new pulumi.StackReference(config.require("jairouterStack")));
const tags = { Project: "jairouter-consumer-example", ManagedBy: "pulumi" };

// The service's own group, in JAiRouter's VPC (a peered VPC works the same with its own vpcId).
const service = new aws.ec2.SecurityGroup("service", {
  vpcId: jairouter.network.vpcId,
  description: "Example service: a client of the JAiRouter API",
  tags,
});
const appPort = jairouter.app.port;
new aws.vpc.SecurityGroupEgressRule("service-to-jairouter-app", {
  securityGroupId: service.id,
  referencedSecurityGroupId: jairouter.app.securityGroupId,
  ipProtocol: "tcp",
  fromPort: appPort,
  toPort: appPort,
  description: "Example service to the JAiRouter app servers",
  tags,
});
// A rule of this stack on the producer's group: JAiRouter manages its rules one resource each, so
// its next `pulumi up` leaves this one alone.
new aws.vpc.SecurityGroupIngressRule("jairouter-app-from-service", {
  securityGroupId: jairouter.app.securityGroupId,
  referencedSecurityGroupId: service.id,
  ipProtocol: "tcp",
  fromPort: appPort,
  toPort: appPort,
  description: "Example service calls JAiRouter directly",
  tags,
});

// The team's Prometheus federates JAiRouter's over its private address.
const prometheus = new aws.ec2.SecurityGroup("prometheus", {
  vpcId: jairouter.network.vpcId,
  description: "Example team Prometheus: federates JAiRouter",
  tags,
});
const federationPort = jairouter.monitoring.prometheusUrl.apply((url) => federationTarget(url).port);
new aws.vpc.SecurityGroupEgressRule("prometheus-to-jairouter-monitoring", {
  securityGroupId: prometheus.id,
  referencedSecurityGroupId: jairouter.monitoring.securityGroupId,
  ipProtocol: "tcp",
  fromPort: federationPort,
  toPort: federationPort,
  description: "Team Prometheus federates JAiRouter's Prometheus",
  tags,
});
new aws.vpc.SecurityGroupIngressRule("jairouter-monitoring-from-prometheus", {
  securityGroupId: jairouter.monitoring.securityGroupId,
  referencedSecurityGroupId: prometheus.id,
  ipProtocol: "tcp",
  fromPort: federationPort,
  toPort: federationPort,
  description: "Example team Prometheus federates this Prometheus",
  tags,
});

/** Paste into (or template into) the team Prometheus's prometheus.yml. */
export const federationScrapeConfig = jairouter.apply((c) =>
  renderFederationScrapeConfig({ stack: c.stack, prometheusUrl: c.monitoring.prometheusUrl }),
);
export const jairouterEndpoint = jairouter.edge.endpoint;
export const jairouterContractVersion = jairouter.schemaVersion;
export const serviceSecurityGroupId = service.id;
