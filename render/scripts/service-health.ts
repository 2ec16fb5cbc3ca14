// The health gate between two hosts of a role: run on a host over SSH (`bash -s -- <container>
// <seconds>` with this script on stdin), it returns once the container runs and, where the image
// declares a health check, reports healthy; it fails on a deadline, on a container that stopped, or
// on one Docker itself calls unhealthy. The next host of the role is changed only after it passes.

/** Exit codes the deployer's log explains. */
export const SERVICE_HEALTH_EXIT = { notFound: 3, exited: 4, unhealthy: 5, deadline: 6 } as const;

export function renderServiceHealthScript(): string {
  const e = SERVICE_HEALTH_EXIT;
  return `#!/bin/bash
# Waits until a container runs and, if it has a health check, is healthy. Bounded by a deadline.
set -euo pipefail
container=\${1:?container name}
deadline=$((SECONDS + \${2:?seconds}))
interval=\${3:-5}
log() { echo "service-health($container): $*" >&2; }

while :; do
  if ! state=$(docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$container" 2>/dev/null); then
    if [ "$SECONDS" -ge "$deadline" ]; then log "no such container"; exit ${e.notFound}; fi
    sleep "$interval"; continue
  fi
  read -r status health <<<"$state"
  case "$status/$health" in
    running/healthy | running/none) log "running, health $health"; exit 0 ;;
    exited/* | dead/*) log "stopped ($status); last log lines:"; docker logs --tail 20 "$container" >&2 || true; exit ${e.exited} ;;
    running/unhealthy) log "unhealthy; last health check:"; docker inspect -f '{{range .State.Health.Log}}{{.Output}}{{end}}' "$container" | tail -c 2000 >&2 || true; exit ${e.unhealthy} ;;
  esac
  if [ "$SECONDS" -ge "$deadline" ]; then log "still $status/$health at the deadline"; exit ${e.deadline}; fi
  sleep "$interval"
done
`;
}
