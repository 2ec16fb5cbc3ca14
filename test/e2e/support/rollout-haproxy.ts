// HAProxy for the rollout harness: the rendered haproxy.cfg run by the real binary in master-worker
// mode, with the rendered runtime scripts installed for the local runtime.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HAPROXY_IDEMPOTENT_BACKEND, renderHaproxyConfig } from "../../../render/haproxy";
import { LB_HEALTH_PATH, haproxyServerStateFile } from "../../../render/lb-common";
import type { LoadBalancerRenderInput } from "../../../render/lb-types";
import { haproxyRuntimeScripts } from "../../../render/scripts/haproxy-runtime";
import type { ProxyRuntimeSettings } from "../../../render/scripts/proxy-runtime";
import { request } from "./client";
import { startDaemon } from "./daemon";
import { type RolloutEngine, installProxyRuntime } from "./rollout-harness";
import { toolPath } from "../../support/tools";

const CONFIG_FILE = "haproxy.cfg";

/** Env-file settings for a local HAProxy whose files live in `dir`. */
export function localHaproxySettings(input: LoadBalancerRenderInput, dir: string): ProxyRuntimeSettings {
  const { address, httpPort } = input.listen;
  return {
    engine: "haproxy",
    runtime: "local",
    // unused by the local runtime, required by the env file
    container: "haproxy",
    image: "haproxy:2.6",
    hostConfigDir: dir,
    containerConfigDir: dir,
    configFile: CONFIG_FILE,
    backend: HAPROXY_IDEMPOTENT_BACKEND,
    adminSocket: input.runtime.haproxy.adminSocketPath,
    serverStateFile: haproxyServerStateFile(input.runtime.haproxy),
    healthUrl: `http://${address}:${httpPort}${LB_HEALTH_PATH}`,
    pidFile: join(dir, "haproxy.pid"),
    binary: toolPath("haproxy"),
  };
}

export const haproxyRolloutEngine: RolloutEngine = {
  name: "haproxy",
  render: renderHaproxyConfig,
  async start(input, dir) {
    const configPath = join(dir, CONFIG_FILE);
    writeFileSync(configPath, renderHaproxyConfig(input), { mode: 0o600 });
    const settings = localHaproxySettings(input, dir);
    const runtime = installProxyRuntime(dir, haproxyRuntimeScripts(), settings);
    const daemon = await startDaemon(
      "haproxy",
      ["-W", "-db", "-f", configPath, "-p", settings.pidFile ?? ""],
      // HAProxy may answer HTTP a moment before its admin socket exists
      async () =>
        existsSync(input.runtime.haproxy.adminSocketPath) &&
        (await request(settings.healthUrl, { timeoutMs: 1_000 })).status === 200,
    );
    const { address, httpsPort } = input.listen;
    return {
      input,
      configPath,
      runtime,
      httpsUrl: (path) => `https://${address}:${httpsPort}${path}`,
      output: () => daemon.output(),
      stop: () => daemon.stop(),
    };
  },
};
