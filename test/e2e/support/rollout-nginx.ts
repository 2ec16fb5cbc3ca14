// Nginx for the rollout harness: the rendered nginx.conf run by the real binary, with the rendered
// runtime scripts installed for the local runtime (they signal the master from its pid file).
import { join } from "node:path";
import { LB_HEALTH_PATH } from "../../../render/lb-common";
import type { LoadBalancerRenderInput } from "../../../render/lb-types";
import { NGINX_UPSTREAM, renderNginxConfig } from "../../../render/nginx";
import { nginxRuntimeScripts } from "../../../render/scripts/nginx-runtime";
import type { ProxyRuntimeSettings } from "../../../render/scripts/proxy-runtime";
import { nginxEngine } from "./lb-engines";
import { type RolloutEngine, installProxyRuntime } from "./rollout-harness";
import { toolPath } from "../../support/tools";

/** The file nginxEngine.start writes into its directory. */
const CONFIG_FILE = "nginx.conf";

/** Env-file settings for a local Nginx whose config lives in `dir`. */
export function localNginxSettings(input: LoadBalancerRenderInput, dir: string): ProxyRuntimeSettings {
  const { address, httpPort } = input.listen;
  return {
    engine: "nginx",
    runtime: "local",
    // unused by the local runtime, required by the env file
    container: "nginx",
    image: "nginx:1.22",
    hostConfigDir: dir,
    containerConfigDir: dir,
    configFile: CONFIG_FILE,
    backend: NGINX_UPSTREAM,
    healthUrl: `http://${address}:${httpPort}${LB_HEALTH_PATH}`,
    pidFile: input.runtime.nginx.pidFile,
    binary: toolPath("nginx"),
  };
}

export const nginxRolloutEngine: RolloutEngine = {
  name: "nginx",
  render: renderNginxConfig,
  async start(input, dir) {
    const runtime = installProxyRuntime(dir, nginxRuntimeScripts(), localNginxSettings(input, dir));
    const lb = await nginxEngine.start(input, dir);
    return {
      input,
      configPath: join(dir, CONFIG_FILE),
      runtime,
      httpsUrl: (path) => lb.httpsUrl(path),
      output: () => lb.daemon.output(),
      stop: () => lb.daemon.stop(),
    };
  },
};
