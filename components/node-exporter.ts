import { NODE_EXPORTER_TEXTFILE_DIR } from "../render/host-types";
import type { ServiceContainerSpec } from "./host-service";
import { PORTS } from "./ports";

/** Where the textfile directory appears inside the node-exporter container. */
const TEXTFILE_MOUNT = "/textfile";

/**
 * node-exporter on every host: host network and PID namespace (it reports the host, not itself),
 * the root filesystem read-only under /host with rslave propagation (mounts made later, such as
 * /data, stay visible), and the textfile directory where root writes the backup outcome, read-only:
 * user 65534 can read those files, never write them.
 */
export function nodeExporterSpec(): ServiceContainerSpec {
  return {
    networkMode: "host",
    pidMode: "host",
    user: "65534:65534",
    readOnly: true,
    command: [
      "--path.rootfs=/host",
      `--web.listen-address=:${PORTS.nodeExporter}`,
      `--collector.textfile.directory=${TEXTFILE_MOUNT}`,
    ],
    mounts: [
      { type: "bind", source: "/", target: "/host", readOnly: true, bindOptions: { propagation: "rslave" } },
      { type: "bind", source: NODE_EXPORTER_TEXTFILE_DIR, target: TEXTFILE_MOUNT, readOnly: true },
    ],
    logOpts: { "max-size": "10m", "max-file": "3" },
  };
}
