// Shell scripts cloud-init writes to every host (render/cloud-init.ts). They are static: every
// per-host value comes from /etc/jairouter/host.env (KEY='value' lines, validated before
// rendering), so no value is ever spliced into shell code. Each one converges: running it again,
// on a healthy host or after a failed run, is safe.
//
// In these TypeScript template literals `\${` stands for the shell's `${`.

/**
 * Host setup. cloud-init's runcmd runs it once per instance; the readiness gate runs it again when
 * that run failed. It removes its done-marker first and writes it last.
 */
export const BOOTSTRAP_SCRIPT = `#!/bin/bash
# Setup of a jairouter stack host. cloud-init runs it at first boot; the deployer's readiness gate
# runs it again if that run failed. Every step converges, so running it twice is safe. A failure
# stops it (and fails cloud-init); the done-marker is written last.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/jairouter/host.env
log() { echo "jairouter-bootstrap: $*"; }
fail() {
  log "$*" >&2
  exit 1
}
marker=/var/lib/jairouter/bootstrap-done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cloud-init's run and a re-run by the readiness gate must not overlap
exec 9>/run/jairouter-bootstrap.lock
flock -w 3600 9 || fail "another run still holds /run/jairouter-bootstrap.lock after 3600 s"
rm -f "$marker"

# shellcheck source=/dev/null
. /etc/os-release
[ "$VERSION_CODENAME" = "$UBUNTU_CODENAME" ] || fail "built for Ubuntu $UBUNTU_CODENAME, running on $VERSION_CODENAME"

# The deployer's SSH path (Session Manager) needs the agent: first, so that it registers early.
log "SSM agent"
snap list amazon-ssm-agent >/dev/null 2>&1 || snap install amazon-ssm-agent --classic
snap start --enable amazon-ssm-agent

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=5 -o DPkg::Lock::Timeout=600 "$@"; }
wanted=(ca-certificates curl gnupg jq logrotate)
[ "$DATA_FS" != xfs ] || wanted+=(xfsprogs)
missing=()
for pkg in "\${wanted[@]}"; do
  [ "$(dpkg-query -W -f='\${db:Status-Abbrev}' "$pkg" 2>/dev/null)" = "ii " ] || missing+=("$pkg")
done
if [ "\${#missing[@]}" -gt 0 ]; then
  log "installing \${missing[*]}"
  apt_get update
  apt_get install -y --no-install-recommends "\${missing[@]}"
fi

log "kernel settings and limits"
sysctl -q -p /etc/sysctl.d/90-jairouter.conf
systemctl daemon-reexec

log "deploy user $DEPLOY_USER"
if ! id -u "$DEPLOY_USER" >/dev/null 2>&1; then
  log "creating $DEPLOY_USER"
  useradd --create-home --user-group --shell /bin/bash "$DEPLOY_USER"
fi
printf '%s ALL=(ALL) NOPASSWD:ALL\\n' "$DEPLOY_USER" >"$work/sudoers"
visudo -cf "$work/sudoers" >/dev/null || fail "the sudoers rule for $DEPLOY_USER does not validate"
install -m 0440 -o root -g root "$work/sudoers" /etc/sudoers.d/90-jairouter-deploy-user

# The instance's EC2 key pair (IMDSv2). Keys already there stay: the stack manages the file later.
imds=http://169.254.169.254/latest
fetch=(curl -sS --max-time 5 --retry 10 --retry-delay 2 --retry-connrefused)
token=$("\${fetch[@]}" -f -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$imds/api/token") ||
  fail "no IMDSv2 token"
# the token goes in a header file, not on a command line other users could read
printf 'X-aws-ec2-metadata-token: %s\\n' "$token" >"$work/imds-header"
code=$("\${fetch[@]}" -H @"$work/imds-header" -o "$work/key" -w '%{http_code}' "$imds/meta-data/public-keys/0/openssh-key") ||
  fail "instance metadata unreachable"
case "$code" in
  200)
    key=$(head -n 1 "$work/key")
    read -r _ body _ <<<"$key"
    [ -n "\${body:-}" ] || fail "instance metadata gave an empty key pair public key"
    home=$(getent passwd "$DEPLOY_USER" | cut -d: -f6)
    group=$(id -gn "$DEPLOY_USER")
    keys=$home/.ssh/authorized_keys
    install -d -m 0700 -o "$DEPLOY_USER" -g "$group" "$home/.ssh"
    [ -f "$keys" ] || install -m 0600 -o "$DEPLOY_USER" -g "$group" /dev/null "$keys"
    if awk -v body="$body" '{ for (i = 1; i <= NF; i++) if ($i == body) found = 1 } END { exit !found }' "$keys"; then
      log "the key pair's key is already authorized for $DEPLOY_USER"
    else
      # a last line without its newline must not swallow the key
      if [ -s "$keys" ] && [ -n "$(tail -c 1 "$keys")" ]; then echo >>"$keys"; fi
      printf '%s\\n' "$key" >>"$keys"
      log "authorized the key pair's key for $DEPLOY_USER"
    fi
    ;;
  404) log "launched without a key pair: no key to authorize" ;;
  *) fail "instance metadata answered HTTP $code for the key pair's public key" ;;
esac

/usr/local/sbin/jairouter-mount-data
systemctl daemon-reload
systemctl enable --quiet jairouter-data.service

/usr/local/sbin/jairouter-install-docker

install -d -m 0755 -o root -g root "$NODE_EXPORTER_TEXTFILE_DIR"

install -d -m 0755 /var/lib/jairouter
date -u +%FT%TZ >"$marker.tmp"
mv "$marker.tmp" "$marker"
log "done"
`;

/**
 * Finds the data volume (waiting for its attachment), formats it only when blank, mounts it by
 * UUID, grows the filesystem to the device's size and creates the directories.
 */
export const MOUNT_DATA_SCRIPT = `#!/bin/bash
# Mounts and grows the data volume. Safe at any time: jairouter-data.service runs it at every boot
# (before Docker), the bootstrap and the readiness gate run it too. Never formats a non-blank device.
set -euo pipefail
# shellcheck source=/dev/null
. /etc/jairouter/host.env
log() { echo "jairouter-mount-data: $*"; }
fail() {
  log "$*" >&2
  exit 1
}

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

# At first boot the attachment may come minutes after the instance starts.
wait_seconds=\${DATA_VOLUME_WAIT_SECONDS:-1200}
deadline=$((SECONDS + wait_seconds))
if ! device=$(find_device); then
  log "waiting up to $wait_seconds s for volume $DATA_VOLUME_ID"
  until device=$(find_device); do
    left=$((deadline - SECONDS))
    [ "$left" -gt 0 ] || fail "volume $DATA_VOLUME_ID is not attached after $wait_seconds s"
    sleep $((left < 2 ? left : 2))
  done
fi

# blkid -p exits 2 when the device carries no signature at all; a new EBS volume also reads as zeros
rc=0
blkid -p "$device" >/dev/null 2>&1 || rc=$?
case "$rc" in
  0) ;;
  2)
    cmp -s -n 1048576 "$device" /dev/zero || fail "$device has no filesystem but is not blank: not formatting it"
    log "formatting blank $device as $DATA_FS"
    mkfs -t "$DATA_FS" -q -L jrdata "$device"
    ;;
  *) fail "blkid failed on $device (exit $rc)" ;;
esac
fs_type=$(blkid -p -s TYPE -o value "$device")
uuid=$(blkid -p -s UUID -o value "$device")
case "$fs_type" in
  ext4 | xfs) ;;
  *) fail "$device carries \${fs_type:-an unknown signature}, not ext4 or xfs" ;;
esac
[ -n "$uuid" ] || fail "no UUID on $device"

install -d -m 0755 "$DATA_MOUNT"
if ! grep -q "^UUID=$uuid " /etc/fstab; then
  echo "UUID=$uuid $DATA_MOUNT $fs_type defaults,nofail,noatime,x-systemd.device-timeout=30s 0 2" >>/etc/fstab
  systemctl daemon-reload
fi
if ! mountpoint -q "$DATA_MOUNT"; then
  # systemd may be mounting it from fstab at this very moment: that is as good
  mount "$DATA_MOUNT" || mountpoint -q "$DATA_MOUNT" || fail "cannot mount $device on $DATA_MOUNT"
  log "mounted $device (UUID=$uuid) on $DATA_MOUNT"
fi
source=$(findmnt -n -o SOURCE --mountpoint "$DATA_MOUNT")
[ "$(readlink -f "$source")" = "$device" ] || fail "$DATA_MOUNT holds $source, not volume $DATA_VOLUME_ID ($device)"

# After the volume was enlarged, grow the filesystem (online) to the device's size.
device_bytes=$(blockdev --getsize64 "$device")
if [ "$fs_type" = ext4 ]; then
  info=$(dumpe2fs -h "$device" 2>/dev/null)
  blocks=$(sed -n 's/^Block count: *//p' <<<"$info")
  block_size=$(sed -n 's/^Block size: *//p' <<<"$info")
else
  read -r block_size blocks < <(xfs_info "$DATA_MOUNT" | awk '$1 == "data" {
    for (i = 2; i <= NF; i++) { if ($i ~ /^bsize=/) b = substr($i, 7); if ($i ~ /^blocks=/) n = substr($i, 8) }
  } END { sub(/,$/, "", n); print b, n }')
fi
[[ "$blocks" =~ ^[0-9]+$ && "$block_size" =~ ^[0-9]+$ ]] || fail "cannot read the size of $fs_type on $device"
fs_bytes=$((blocks * block_size))
# EBS grows in whole GiB; a smaller gap is the filesystem's own rounding (a partial last group)
if [ $((device_bytes - fs_bytes)) -lt $((64 * 1024 * 1024)) ]; then
  log "$fs_type on $device already fills it ($fs_bytes of $device_bytes bytes)"
else
  log "growing $fs_type on $device from $fs_bytes to $device_bytes bytes"
  if [ "$fs_type" = ext4 ]; then resize2fs "$device"; else xfs_growfs "$DATA_MOUNT"; fi
fi

if [ -n "\${SERVICE_USER:-}" ]; then
  getent group "$SERVICE_USER" >/dev/null || groupadd --system --gid "$SERVICE_UID" "$SERVICE_USER"
  id -u "$SERVICE_USER" >/dev/null 2>&1 ||
    useradd --system --uid "$SERVICE_UID" --gid "$SERVICE_UID" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
fi
while read -r path uid gid mode; do
  [ -n "$path" ] || continue
  install -d -m "$mode" -o "$uid" -g "$gid" "$DATA_MOUNT/$path"
done </etc/jairouter/directories

# A volume that attached late at boot made docker.service fail its RequiresMountsFor= dependency.
if systemctl is-enabled --quiet docker.service 2>/dev/null && ! systemctl is-active --quiet docker.service; then
  log "starting docker.service now that $DATA_MOUNT is mounted"
  systemctl start --no-block docker.service
fi
log "$DATA_MOUNT ready on $device"
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

# unattended-upgrades may hold the dpkg lock at first boot: wait for it rather than fail
apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=5 -o DPkg::Lock::Timeout=600 "$@"; }
apt_get update
apt_get install -y --no-install-recommends \\
  "docker-ce=$DOCKER_ENGINE_VERSION" "docker-ce-cli=$DOCKER_ENGINE_VERSION" \\
  "containerd.io=$CONTAINERD_VERSION" "docker-compose-plugin=$COMPOSE_VERSION"
apt-mark hold docker-ce docker-ce-cli containerd.io docker-compose-plugin
systemctl enable --now docker.service
# The deployer's Docker provider reaches the daemon through this user's SSH session.
usermod -aG docker "$DEPLOY_USER"
log "$(docker --version); $(docker compose version)"
`;
