// A loopback stand-in for stack hosts, for the real drift probe: a temporary directory as the
// host's root holding every file the state says is placed there, and a `docker` stub that answers
// `inspect` from a fixture filled in with the container the state declares. The probe script
// under test is byte for byte the one sent over SSH; only the transport is local.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ExpectedContainer, ExpectedHost } from "../../../scripts/lib/drift/expected";
import { runProcess, type HostTransport } from "../../../scripts/lib/drift/transport";

const FIXTURES = join(__dirname, "..", "..", "fixtures", "drift");

const DOCKER_STUB = `#!/bin/bash
# inspect answers from $STUB_DIR; anything else is refused (the probe must not change anything)
set -euo pipefail
if [ "$1 $2" = "inspect --type" ] && [ "$3" = container ]; then
  f="$STUB_DIR/containers/$4.json"
  [ -f "$f" ] || { echo "Error: No such container: $4" >&2; exit 1; }
  cat "$f"
elif [ "$1 $2" = "image inspect" ]; then
  cat "$STUB_DIR/image.json"
else
  echo "docker stub: unexpected call: $*" >&2
  exit 99
fi
`;

export class LoopbackHost {
  readonly root: string;
  private readonly stub: string;

  constructor(
    readonly dir: string,
    readonly host: ExpectedHost,
  ) {
    this.root = join(dir, "root");
    this.stub = join(dir, "stub");
    mkdirSync(join(this.stub, "containers"), { recursive: true });
    writeFileSync(join(this.stub, "docker"), DOCKER_STUB);
    chmodSync(join(this.stub, "docker"), 0o755);
    writeFileSync(join(this.stub, "image.json"), readFileSync(join(FIXTURES, "docker-inspect-image.json")));
    for (const file of host.files) {
      const path = this.path(file.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
      chmodSync(path, Number.parseInt(file.mode, 8));
    }
    for (const c of host.containers) this.setContainer(c);
  }

  path(hostPath: string): string {
    return join(this.root, hostPath);
  }

  /** Writes the inspect answer of a container running exactly as declared (image env underneath). */
  setContainer(c: ExpectedContainer, change: (env: Record<string, string>) => void = () => undefined): void {
    const [image] = JSON.parse(readFileSync(join(this.stub, "image.json"), "utf8")) as {
      Config: { Env: string[] };
    }[];
    const env: Record<string, string> = {};
    for (const line of image!.Config.Env)
      env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    Object.assign(env, c.env);
    change(env);
    const [answer] = JSON.parse(
      readFileSync(join(FIXTURES, "docker-inspect-container.json"), "utf8"),
    ) as any[];
    answer.Name = `/${c.name}`;
    answer.Config.Image = c.image;
    answer.Config.Env = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    answer.Config.Labels = c.labels;
    writeFileSync(join(this.stub, "containers", `${c.name}.json`), JSON.stringify([answer]));
  }

  /** Environment of a probe run on this host: its root and its docker stub. */
  env(): NodeJS.ProcessEnv {
    return {
      PATH: `${this.stub}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: this.dir,
      DRIFT_ROOT: this.root,
      DRIFT_DOCKER: join(this.stub, "docker"),
      STUB_DIR: this.stub,
    };
  }
}

/** Runs each host's probe locally against its loopback host; a host without one is unreachable. */
export function loopbackTransport(hosts: Map<string, LoopbackHost>): HostTransport {
  return {
    runScript: async (host, script) => {
      const loopback = hosts.get(host.name);
      if (!loopback)
        return { code: 255, stdout: "", stderr: `ssh: connect to host ${host.name}: Connection refused` };
      return runProcess(["bash", "-s"], script, 15_000, loopback.env());
    },
    rerun: async () => ({ code: 1, stdout: "", stderr: "no re-runs on loopback" }),
  };
}
