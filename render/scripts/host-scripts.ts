// Shell scripts cloud-init writes to every host (render/cloud-init.ts). They are static: every
// per-host value comes from /etc/jairouter/host.env (KEY='value' lines, validated before
// rendering), so no value is ever spliced into shell code.
//
// In these TypeScript template literals `\${` stands for the shell's `${`.

/** First-boot orchestration; cloud-init's runcmd runs only this. */
export const BOOTSTRAP_SCRIPT = `#!/bin/bash
# First-boot setup of a jairouter stack host, run once by cloud-init. Any failure stops it and
# makes \`cloud-init status --wait\` fail, which is the deployment's readiness gate.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/jairouter/host.env
log() { echo "jairouter-bootstrap: $*"; }

# shellcheck source=/dev/null
. /etc/os-release
if [ "$VERSION_CODENAME" != "$UBUNTU_CODENAME" ]; then
  log "built for Ubuntu $UBUNTU_CODENAME, running on $VERSION_CODENAME" >&2
  exit 1
fi

log "kernel settings and limits"
sysctl -q -p /etc/sysctl.d/90-jairouter.conf
systemctl daemon-reexec

/usr/local/sbin/jairouter-mount-data
/usr/local/sbin/jairouter-install-docker

log "node-exporter"
systemctl daemon-reload
systemctl enable --now node-exporter.service

log "SSM agent"
snap list amazon-ssm-agent >/dev/null 2>&1 || snap install amazon-ssm-agent --classic
snap start --enable amazon-ssm-agent

install -d -m 0755 /var/lib/jairouter
date -u +%FT%TZ >/var/lib/jairouter/bootstrap-done
log "done"
`;

/** Finds the data volume, formats it only if blank, mounts it by UUID, creates the directories. */
export const MOUNT_DATA_SCRIPT = `#!/bin/bash
set -euo pipefail
# shellcheck source=/dev/null
. /etc/jairouter/host.env
log() { echo "jairouter-mount-data: $*"; }

# EBS on Nitro is NVMe: the device name is not the attachment name, but the controller serial is
# the volume id without its dash (vol-0abc -> vol0abc), also used by the udev by-id link.
serial=\${DATA_VOLUME_ID//-/}
find_device() {
  local link=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$serial ctrl dev
  if [ -b "$link" ]; then readlink -f "$link" && return 0; fi
  for ctrl in /sys/class/nvme/nvme*; do
    [ -r "$ctrl/serial" ] || continue
    if [ "$(tr -d '[:space:]' <"$ctrl/serial")" = "$serial" ] && [ -b "/dev/\${ctrl##*/}n1" ]; then
      echo "/dev/\${ctrl##*/}n1" && return 0
    fi
  done
  # Xen instances: /dev/sdf appears as /dev/xvdf
  for dev in "$DATA_DEVICE_NAME" "/dev/xvd\${DATA_DEVICE_NAME#/dev/sd}"; do
    if [ -b "$dev" ]; then readlink -f "$dev" && return 0; fi
  done
  return 1
}

device=""
for _ in $(seq 1 60); do
  device=$(find_device) && break
  sleep 5
done
if [ -z "$device" ]; then
  log "volume $DATA_VOLUME_ID is not attached after 300 s" >&2
  exit 1
fi

# blkid -p exits 2 when the device carries no signature at all: only then is it formatted
rc=0
blkid -p "$device" >/dev/null 2>&1 || rc=$?
case "$rc" in
  0) log "keeping the filesystem on $device" ;;
  2) log "formatting empty $device as $DATA_FS" && mkfs -t "$DATA_FS" -L jrdata "$device" ;;
  *) log "blkid failed on $device (exit $rc)" >&2 && exit 1 ;;
esac
uuid=$(blkid -s UUID -o value "$device")
[ -n "$uuid" ] || { log "no UUID on $device" >&2; exit 1; }
install -d -m 0755 "$DATA_MOUNT"
if ! grep -q "^UUID=$uuid " /etc/fstab; then
  echo "UUID=$uuid $DATA_MOUNT $DATA_FS defaults,nofail,noatime,x-systemd.device-timeout=30s 0 2" >>/etc/fstab
fi
systemctl daemon-reload
mountpoint -q "$DATA_MOUNT" || mount "$DATA_MOUNT"

if [ -n "\${SERVICE_USER:-}" ]; then
  getent group "$SERVICE_USER" >/dev/null || groupadd --system --gid "$SERVICE_UID" "$SERVICE_USER"
  id -u "$SERVICE_USER" >/dev/null 2>&1 ||
    useradd --system --uid "$SERVICE_UID" --gid "$SERVICE_UID" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi
while read -r path uid gid mode; do
  [ -n "$path" ] || continue
  install -d -m "$mode" -o "$uid" -g "$gid" "$DATA_MOUNT/$path"
done </etc/jairouter/directories
log "mounted $device (UUID=$uuid) on $DATA_MOUNT"
`;

/**
 * Docker Engine and the Compose plugin from Docker's apt repository at pinned versions. Docker's
 * repository keeps every past build, so a pin stays installable; Ubuntu's archive drops superseded
 * docker.io builds and does not ship Compose v2 on 22.04. The repository key is taken over HTTPS
 * and accepted only if its fingerprint is the one Docker publishes.
 */
export const INSTALL_DOCKER_SCRIPT = `#!/bin/bash
set -euo pipefail
# shellcheck source=/dev/null
. /etc/jairouter/host.env
log() { echo "jairouter-install-docker: $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 5 --retry-connrefused -o "$tmp/docker.asc" https://download.docker.com/linux/ubuntu/gpg
export GNUPGHOME="$tmp/gnupg"
install -d -m 0700 "$GNUPGHOME"
primary=$(gpg --batch --show-keys --with-colons "$tmp/docker.asc" | awk -F: '$1 == "pub" {p = 1; next} p && $1 == "fpr" {print $10; p = 0}')
if [ "$primary" != "$DOCKER_KEY_FINGERPRINT" ]; then
  log "unexpected key(s) from download.docker.com: $primary" >&2
  exit 1
fi
install -D -m 0644 "$tmp/docker.asc" /etc/apt/keyrings/docker.asc
echo "deb [arch=$(dpkg --print-architecture) signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/ubuntu $UBUNTU_CODENAME stable" >/etc/apt/sources.list.d/docker.list

apt-get -o Acquire::Retries=5 update -q
DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=5 install -y -q --no-install-recommends \\
  "docker-ce=$DOCKER_ENGINE_VERSION" "docker-ce-cli=$DOCKER_ENGINE_VERSION" \\
  "containerd.io=$CONTAINERD_VERSION" "docker-compose-plugin=$COMPOSE_VERSION"
apt-mark hold docker-ce docker-ce-cli containerd.io docker-compose-plugin
systemctl enable --now docker.service
# The deployer's Docker provider reaches the daemon through this user's SSH session.
usermod -aG docker "$DEPLOY_USER"
log "$(docker --version); $(docker compose version)"
`;
