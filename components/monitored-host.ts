import type * as pulumi from "@pulumi/pulumi";

/** A host Prometheus scrapes: node-exporter on every host, plus the role's own exporter. */
export interface MonitoredHost {
  /** Resource name of the host, used as the `instance` label. */
  name: string;
  role: "app" | "loadbalancer" | "monitoring";
  privateIp: pulumi.Output<string>;
  zone: pulumi.Output<string>;
}
