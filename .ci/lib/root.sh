# Fresh Debian 12 roots for CI: what a new user's machine has, and nothing this machine has.
# Sourced by .ci/run and .ci/*.sh. Needs root, debootstrap (installed on demand) and the
# Debian archive this machine's apt uses (read from its sources, so nothing here names a host).
#
#   root_base DIR            debootstrap --variant=minbase into DIR (or copy $CI_BASE_ROOT,
#                            a ready one, to save the download when iterating by hand)
#   root_copy FROM TO        a copy of a root
#   root_mount DIR           /proc, /dev, /dev/pts, /dev/shm and /sys as a real machine has them
#   root_run DIR CMD...      CMD inside DIR as root, with a clean environment
#   root_run_as USER DIR CMD...  the same as USER (name or uid:gid)
#   root_cleanup             ends every process inside a root made here, unmounts, removes
ROOTS=()

root_mirror() {  # the Debian archive of this machine's apt sources ("URIs:" or "deb" lines)
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
      /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }')
  [ -n "$uri" ] || uri=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\/.*\/debian\/?$/) { print $i; exit } }')
  [ -n "$uri" ] || { echo "root: no Debian archive in this machine's apt sources" >&2; return 1; }
  echo "$uri"
}

root_base() {
  local dir=$1
  ROOTS+=("$dir")
  if [ -n "${CI_BASE_ROOT:-}" ]; then
    root_copy "$CI_BASE_ROOT" "$dir"
  else
    root_debootstrap "$dir"
  fi
  # What every real machine has: a hosts file (localhost) and a resolver configuration.
  cp /etc/hosts "$dir/etc/hosts"
  cp /etc/resolv.conf "$dir/etc/resolv.conf" 2> /dev/null || true
  # As in Debian's container images: packages do not start their services in here (a
  # mosquitto started by its postinst would outlive the step and hold port 1883).
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
}

root_debootstrap() {
  local dir=$1
  command -v debootstrap > /dev/null || {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap > /dev/null
  }
  local mirror
  mirror=$(root_mirror)
  debootstrap --variant=minbase bookworm "$dir" "$mirror" > "$dir.debootstrap.log" 2>&1 ||
    { tail -20 "$dir.debootstrap.log" >&2; return 1; }
  # The same archive (and security updates) as this machine, as a Debian 12 install has.
  rm -f "$dir/etc/apt/sources.list"
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    grep -qE '/debian(-security)?/?( |$)' "$f" || continue
    mkdir -p "$dir$(dirname "$f")"
    cp "$f" "$dir$f"
  done
}

root_copy() {
  ROOTS+=("$2")
  cp -a "$1" "$2"
}

root_mount() {
  local dir=$1
  mount -t proc proc "$dir/proc"
  mount -t sysfs sysfs "$dir/sys"
  mount --bind /dev "$dir/dev"
  mount --bind /dev/pts "$dir/dev/pts"
  mount -t tmpfs -o mode=1777 shm "$dir/dev/shm"
}

root_env=(env -i HOME=/root LANG=C.UTF-8 TERM=dumb
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

root_run() {
  local dir=$1; shift
  "${root_env[@]}" ${CI:+CI=$CI} chroot "$dir" "$@"
}

root_run_as() {
  local user=$1 dir=$2; shift 2
  "${root_env[@]}" chroot --userspec="$user" "$dir" "$@"
}

root_cleanup() {
  local dir p
  for dir in "${ROOTS[@]}"; do
    [ -d "$dir" ] || continue
    # Whatever a test left running in there goes first, or the mounts stay busy.
    for p in /proc/[0-9]*; do
      [ "$(readlink "$p/root" 2>/dev/null)" = "$(cd "$dir" && pwd -P)" ] && kill -9 "${p#/proc/}" 2>/dev/null
    done
    for m in dev/shm dev/pts dev sys proc; do
      mountpoint -q "$dir/$m" 2>/dev/null && umount -l "$dir/$m"
    done
    rm -rf --one-file-system "$dir" "$dir.debootstrap.log"
  done
  ROOTS=()
}
