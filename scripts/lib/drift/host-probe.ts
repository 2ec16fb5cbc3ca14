// The read-only probe that runs on a host over the deploy's SSH path: for every placed file its
// sha256, mode and owner; for every container its image, environment and labels, and the image's
// own environment (to tell a hand-added variable from one the image sets); the certificate expiry
// of placed certificates; the backup gauges node-exporter exposes. One JSON object per line.
//
// Test seam: DRIFT_ROOT prefixes every path and DRIFT_DOCKER names the docker binary, so the
// loopback test runs this very script against a temporary directory and a docker stub.
import { shellQuote } from "../../../components/ssh";
import { backupMetricsFile, type BackupMode } from "../../../render/backup";
import { NODE_EXPORTER_TEXTFILE_DIR } from "../../../render/host-types";

export interface ProbeRequest {
  files: string[];
  containers: string[];
  /** Placed files that hold a certificate (expiry read with openssl). */
  certificates: string[];
  backupModes: BackupMode[];
  /** The proxy's env file on a load-balancer host (its runtime API answers `show stat`). */
  proxyEnv?: string;
}

export interface FileListing {
  path: string;
  /** Null when the file is missing. */
  sha256: string | null;
  mode?: string;
  owner?: string;
}

export interface ContainerListing {
  name: string;
  /** False when no container of that name exists. */
  exists: boolean;
  image?: string;
  state?: string;
  health?: string;
  env?: string[];
  imageEnv?: string[];
  labels?: Record<string, string>;
}

export interface HostListing {
  files: FileListing[];
  containers: ContainerListing[];
  certificates: { path: string; notAfter: string | null }[];
  backups: { mode: string; exposition: string | null }[];
  proxy?: { engine: string; stat: string | null };
}

function lines(values: string[]): string {
  for (const v of values) {
    if (/[\t\n]/.test(v)) throw new Error(`the host probe cannot list "${v}": a tab or newline in a path`);
  }
  return values.map(shellQuote).join(" ");
}

/** The probe script for one host (bash, read-only, needs jq, sha256sum, stat; openssl for certificates). */
export function renderHostProbe(req: ProbeRequest): string {
  // one compound command: bash parses all of it before running any of it, and no command in it
  // can read the rest of the script from stdin (bash -s)
  return `{
set -u
root="\${DRIFT_ROOT:-}"
docker_bin="\${DRIFT_DOCKER:-docker}"
# placed files are often readable by their service user only
files=(${lines(req.files)})
containers=(${lines(req.containers)})
certificates=(${lines(req.certificates)})
backups=(${lines(req.backupModes.map((m) => `${m}=${backupMetricsFile(m)}`))})
if [ "$(id -u)" = 0 ] || [ -n "\${DRIFT_ROOT:-}" ]; then as_root=(); else as_root=(sudo -n); fi
# one sha256sum and one stat for all files: the probe stays cheap on a busy host
present=()
missing=()
for path in "\${files[@]}"; do
  if "\${as_root[@]}" test -f "$root$path"; then present+=("$path"); else missing+=("$path"); fi
done
{
  if [ "\${#present[@]}" -gt 0 ]; then
    mapfile -t sums < <("\${as_root[@]}" sha256sum -- "\${present[@]/#/$root}" | cut -c1-64)
    mapfile -t stats < <("\${as_root[@]}" stat -c '%a %u:%g' -- "\${present[@]/#/$root}")
    for i in "\${!present[@]}"; do printf 'file\t%s\t%s\t%s\n' "\${present[$i]}" "\${sums[$i]}" "\${stats[$i]}"; done
  fi
  for path in "\${missing[@]}"; do printf 'missing\t%s\n' "$path"; done
} | jq -R -c 'split("\t") | if .[0] == "file"
    then {kind: "file", path: .[1], sha256: .[2], mode: (.[3] | split(" ")[0]), owner: (.[3] | split(" ")[1])}
    else {kind: "file", path: .[1], sha256: null} end'
for name in "\${containers[@]}"; do
  if info=$("$docker_bin" inspect --type container "$name" 2>/dev/null); then
    image_id=$(printf '%s' "$info" | jq -r '.[0].Image')
    image_env=$("$docker_bin" image inspect "$image_id" 2>/dev/null | jq -c '.[0].Config.Env // []') || image_env='[]'
    printf '%s' "$info" | jq -c --argjson ie "\${image_env:-[]}" '.[0] | {kind: "container", name: (.Name | ltrimstr("/")),
      exists: true, image: .Config.Image, state: .State.Status, health: (.State.Health.Status // null),
      env: (.Config.Env // []), imageEnv: $ie, labels: (.Config.Labels // {})}'
  else
    jq -cn --arg n "$name" '{kind: "container", name: $n, exists: false}'
  fi
done
for path in "\${certificates[@]}"; do
  end=$("\${as_root[@]}" openssl x509 -noout -enddate -in "$root$path" 2>/dev/null | sed 's/^notAfter=//') || end=""
  jq -cn --arg p "$path" --arg e "$end" '{kind: "certificate", path: $p, notAfter: (if $e == "" then null else $e end)}'
done
for pair in "\${backups[@]}"; do
  mode=\${pair%%=*}
  f="$root${NODE_EXPORTER_TEXTFILE_DIR}/\${pair#*=}"
  if [ -r "$f" ]; then
    jq -cn --arg m "$mode" --rawfile t "$f" '{kind: "backup", mode: $m, exposition: $t}'
  else
    jq -cn --arg m "$mode" '{kind: "backup", mode: $m, exposition: null}'
  fi
done
proxy_env=${shellQuote(req.proxyEnv ?? "")}
if [ -n "$proxy_env" ] && "\${as_root[@]}" test -r "$root$proxy_env"; then
  engine=$("\${as_root[@]}" sed -n "s/^ENGINE='\\(.*\\)'$/\\1/p" "$root$proxy_env")
  socket=$("\${as_root[@]}" sed -n "s/^ADMIN_SOCKET='\\(.*\\)'$/\\1/p" "$root$proxy_env")
  stat=""
  if [ "$engine" = haproxy ] && "\${as_root[@]}" test -S "$root$socket"; then
    # the proxy runtime scripts' way to its admin socket (render/scripts/haproxy-runtime.ts)
    stat=$("\${as_root[@]}" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\\n")
while True:
    part = s.recv(65536)
    if not part:
        break
    sys.stdout.buffer.write(part)
' "$root$socket" 2>/dev/null) || stat=""
  fi
  jq -cn --arg e "$engine" --arg s "$stat" '{kind: "proxy", engine: $e, stat: (if $s == "" then null else $s end)}'
fi
echo '{"kind": "end"}'
} </dev/null
`;
}

/** Reads the probe's output; fails when it stopped early (no end marker) or a line is not JSON. */
export function parseHostProbe(output: string): HostListing {
  const listing: HostListing = { files: [], containers: [], certificates: [], backups: [] };
  let ended = false;
  for (const line of output.split("\n")) {
    if (line.trim() === "") continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`the host probe printed a line that is not JSON: ${line.slice(0, 120)}`);
    }
    const { kind, ...rest } = record;
    if (kind === "file") listing.files.push(rest as unknown as FileListing);
    else if (kind === "container") listing.containers.push(rest as unknown as ContainerListing);
    else if (kind === "certificate")
      listing.certificates.push(rest as unknown as HostListing["certificates"][number]);
    else if (kind === "backup") listing.backups.push(rest as unknown as HostListing["backups"][number]);
    else if (kind === "proxy") listing.proxy = rest as unknown as NonNullable<HostListing["proxy"]>;
    else if (kind === "end") ended = true;
  }
  if (!ended) throw new Error("the host probe stopped before its end marker");
  return listing;
}
