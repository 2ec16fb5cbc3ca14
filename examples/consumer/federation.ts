import { stringify } from "yaml";

/** Series worth federating: the app's and the proxies' jobs of JAiRouter's Prometheus. */
export const DEFAULT_FEDERATION_MATCH = ['{job="jairouter"}', '{job=~"haproxy|nginx"}'];

export interface FederationSource {
  /** The producing stack's name, kept as a label on every federated series. */
  stack: string;
  /** Prometheus base URL from the contract (`monitoring.prometheusUrl`). */
  prometheusUrl: string;
  match?: string[];
}

/** `host:port` of a Prometheus base URL. */
export function federationTarget(prometheusUrl: string): { host: string; port: number } {
  const url = new URL(prometheusUrl);
  return { host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)) };
}

/** A `scrape_configs` fragment that federates JAiRouter's Prometheus into the consumer's own. */
export function renderFederationScrapeConfig(source: FederationSource): string {
  const url = new URL(source.prometheusUrl);
  const { host, port } = federationTarget(source.prometheusUrl);
  const job = {
    job_name: `jairouter-${source.stack}-federate`,
    // keep JAiRouter's own job and instance labels instead of this job's
    honor_labels: true,
    scheme: url.protocol.replace(/:$/, ""),
    metrics_path: `${url.pathname.replace(/\/$/, "")}/federate`,
    params: { "match[]": source.match ?? DEFAULT_FEDERATION_MATCH },
    static_configs: [{ targets: [`${host}:${port}`], labels: { jairouter_stack: source.stack } }],
  };
  return stringify({ scrape_configs: [job] });
}
