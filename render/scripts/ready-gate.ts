// The readiness gate: a bash script the deployer's machine runs (a `command.local.Command`) as
//   bash -s -- ssh [options...] user@host   <script on stdin>
// where "$@" is the ssh command line that reaches the host, without a remote command. It retries
// until the host is ready or a deadline passes:
// - ssh exit 255 (no connection or authentication yet: SSM agent not registered, deploy user or
//   key not in place) is expected on a new host: log and try again after the interval;
// - on the host, a failed cloud-init run gets one re-run of the bootstrap per gate run, then the
//   done-marker and the data mount are checked and the mount script runs (it grows the filesystem
//   after a volume resize);
// - failed checks are retried too, but the gate stops after a few in a row: they rarely heal alone.
// Nothing is spliced into the script but validated whole numbers; it prints no environment.
import { HOST_PATHS } from "../host-types";

/** Knobs of the gate; every one has a default. */
export interface ReadyGateOptions {
  /** Seconds from the gate's start after which it gives up (boot, Docker install, SSM registration). */
  deadlineSeconds?: number;
  /** Seconds between attempts. */
  intervalSeconds?: number;
  /** Failed checks on the host (not connection failures) after which the gate stops early. */
  maxRemoteFailures?: number;
}

export const READY_GATE_DEFAULTS: Readonly<Required<ReadyGateOptions>> = {
  deadlineSeconds: 1200,
  intervalSeconds: 10,
  maxRemoteFailures: 3,
};

/** The line the host prints before it re-runs the bootstrap; the gate then stops offering it. */
export const BOOTSTRAP_RERUN_LINE = "ready-gate: re-running the bootstrap";

const LIMITS: Record<keyof ReadyGateOptions, [number, number]> = {
  deadlineSeconds: [1, 86400],
  intervalSeconds: [1, 3600],
  maxRemoteFailures: [1, 100],
};

function resolvedOptions(options: ReadyGateOptions): Required<ReadyGateOptions> {
  const resolved = { ...READY_GATE_DEFAULTS, ...options };
  const problems = Object.entries(LIMITS)
    .filter(([key, [min, max]]) => {
      const value = resolved[key as keyof ReadyGateOptions];
      return !Number.isInteger(value) || value < min || value > max;
    })
    .map(([key, [min, max]]) => `${key}: a whole number from ${min} to ${max}`);
  if (problems.length > 0) throw new Error(`invalid ready gate options:\n  ${problems.join("\n  ")}`);
  return resolved;
}

/**
 * The checks that run on the host as the deploy user (`bash -s -- <rerun> <seconds left>`): exit 0
 * when ready, 1 otherwise (never 255, which the gate reads as "no connection").
 */
export function renderReadyGateRemoteScript(): string {
  return `#!/bin/bash
# Readiness checks of a jairouter host, run over ssh by the deployer's readiness gate.
# $1: 1 when this gate run may still re-run a failed bootstrap; $2: seconds left to the deadline.
set -uo pipefail
allow_rerun=\${1:-0}
budget=\${2:-600}
[[ "$budget" =~ ^[0-9]+$ && "$budget" -gt 0 ]] || budget=600
say() { echo "ready-gate: $*"; }
not_ready() {
  say "$*"
  exit 1
}

status=0
timeout "$budget" cloud-init status --wait >/dev/null 2>&1 || status=$?
case "$status" in
  0 | 2) ;; # done; 2 is "done with recoverable warnings" (e.g. a deprecated key)
  124) not_ready "cloud-init is still running after $budget s" ;;
  *)
    say "cloud-init reports a failure (exit $status):"
    cloud-init status --long 2>&1 | tail -n 20
    if [ "$allow_rerun" = 1 ]; then
      echo "${BOOTSTRAP_RERUN_LINE}"
      rc=0
      out=$(sudo -n ${HOST_PATHS.bootstrap} 2>&1) || rc=$?
      printf '%s\\n' "$out" | tail -n 40
      [ "$rc" -eq 0 ] || not_ready "the bootstrap failed again (exit $rc)"
    elif [ -e ${HOST_PATHS.bootstrapDone} ]; then
      say "the bootstrap has completed since (re-run)"
    else
      not_ready "the bootstrap was already re-run in this gate run"
    fi
    ;;
esac

[ -e ${HOST_PATHS.bootstrapDone} ] || not_ready "the bootstrap has not completed (no ${HOST_PATHS.bootstrapDone})"
# shellcheck source=/dev/null
. ${HOST_PATHS.hostEnv}
mountpoint -q "$DATA_MOUNT" || not_ready "$DATA_MOUNT is not mounted"
# mounts if needed and grows the filesystem after a volume resize; idempotent
sudo -n ${HOST_PATHS.mountData} 2>&1 || not_ready "${HOST_PATHS.mountData} failed"
say "bootstrap done at $(cat ${HOST_PATHS.bootstrapDone}), $DATA_MOUNT mounted"
`;
}

/** The gate, a bash script for `bash -s -- <ssh argv...>` on the deployer's machine. Throws on bad options. */
export function renderReadyGateScript(options: ReadyGateOptions = {}): string {
  const { deadlineSeconds, intervalSeconds, maxRemoteFailures } = resolvedOptions(options);
  return `#!/bin/bash
# Readiness gate of a jairouter host, run on the deployer's machine:
#   bash -s -- ssh [options...] user@host <this script
# "$@" is the ssh command line without a remote command. Everything runs inside main(), so bash
# has read the whole script before any command could read from stdin.
set -euo pipefail

readonly DEADLINE_SECONDS=${deadlineSeconds}
readonly INTERVAL_SECONDS=${intervalSeconds}
readonly MAX_REMOTE_FAILURES=${maxRemoteFailures}

remote_script() {
  cat <<'REMOTE'
${renderReadyGateRemoteScript()}REMOTE
}

log() { echo "ready-gate: $*"; }
indent() { sed 's/^/  | /'; }

# Runs the command, stopped a minute after the given seconds when timeout(1) is there (the host
# bounds its own wait as well).
bounded() {
  local seconds=$1
  shift
  if command -v timeout >/dev/null 2>&1; then timeout "$((seconds + 60))" "$@"; else "$@"; fi
}

main() {
  if [ "$#" -eq 0 ]; then
    echo "usage: bash -s -- ssh [options...] user@host <ready-gate" >&2
    exit 64
  fi
  local host=\${!#} remote started=$SECONDS deadline left rc out
  local last_output="(no answer from the host)" last_ssh_error="(none)"
  local attempt=0 unreachable=0 failures=0 in_a_row=0 rerun=1
  remote=$(remote_script)
  deadline=$((SECONDS + DEADLINE_SECONDS))
  while left=$((deadline - SECONDS)) && [ "$left" -gt 0 ]; do
    attempt=$((attempt + 1))
    rc=0
    out=$(bounded "$left" "$@" "bash -s -- $rerun $left" <<<"$remote" 2>&1) || rc=$?
    case "$rc" in
      0)
        printf '%s\\n' "$out" | indent
        log "$host is ready (attempt $attempt, $((SECONDS - started)) s)"
        return 0
        ;;
      255)
        unreachable=$((unreachable + 1))
        last_ssh_error=$(printf '%s\\n' "$out" | tail -n 3)
        log "attempt $attempt: no ssh session with $host yet (exit 255): $(printf '%s\\n' "$out" | tail -n 1)"
        ;;
      *)
        failures=$((failures + 1))
        in_a_row=$((in_a_row + 1))
        last_output=$out
        log "attempt $attempt: checks on $host failed (exit $rc):"
        printf '%s\\n' "$out" | tail -n 60 | indent
        if grep -qxF "${BOOTSTRAP_RERUN_LINE}" <<<"$out"; then rerun=0; fi
        if [ "$in_a_row" -ge "$MAX_REMOTE_FAILURES" ]; then
          log "giving up on $host: the checks on the host failed $in_a_row times in a row; last output:" >&2
          printf '%s\\n' "$last_output" | tail -n 60 | indent >&2
          log "on the host, see: cloud-init status --long; journalctl -u cloud-final; /var/log/cloud-init-output.log; journalctl -u jairouter-data" >&2
          exit 1
        fi
        ;;
    esac
    left=$((deadline - SECONDS))
    [ "$left" -gt 0 ] || break
    sleep $((left < INTERVAL_SECONDS ? left : INTERVAL_SECONDS))
  done
  log "$host is not ready after $DEADLINE_SECONDS s: $attempt attempt(s), $unreachable without an ssh session (exit 255: SSM agent not registered, deploy user or key not in place, network), $failures with failed checks on the host" >&2
  log "each attempt ran over ssh: cloud-init status --wait, one re-run of the bootstrap if cloud-init failed, the done-marker and data mount checks, ${HOST_PATHS.mountData}" >&2
  log "last output from the host:" >&2
  printf '%s\\n' "$last_output" | tail -n 60 | indent >&2
  log "last ssh error:" >&2
  printf '%s\\n' "$last_ssh_error" | indent >&2
  log "on the host (e.g. aws ssm start-session --target <instance id>), see: cloud-init status --long; journalctl -u cloud-final; /var/log/cloud-init-output.log; journalctl -u jairouter-data" >&2
  exit 1
}

main "$@"
`;
}
