# shellcheck shell=bash
# Sourced by scripts that mount a small filesystem of their own (a disk to fill up) without
# touching the machine's mounts.
#
# in_mount_namespace "$@": the first call re-executes the calling script, with the same
# arguments, in a mount namespace of its own (as root `unshare -m`; in a chroot, where / is
# no mount point, `unshare -m --propagation unchanged`; otherwise `unshare -rm`) and returns
# in the re-executed script. Where no namespace can be made (a container that forbids
# them) it prints "SKIP: …" and exits 77, ctest's skip code.
in_mount_namespace() {
  [ "${REGPOLL_IN_MOUNT_NS:-}" = 1 ] && return 0
  local candidates ns="" c
  if [ "$(id -u)" = 0 ]; then
    candidates=("-m" "-m --propagation unchanged")
  else
    candidates=("-r -m")
  fi
  for c in "${candidates[@]}"; do
    # shellcheck disable=SC2086
    if unshare $c true 2>/dev/null; then ns=$c; break; fi
  done
  if [ -z "$ns" ]; then
    echo "SKIP: no mount namespace can be made here (tried: ${candidates[*]})"
    exit 77
  fi
  # shellcheck disable=SC2086
  exec env REGPOLL_IN_MOUNT_NS=1 unshare $ns bash "$0" "$@"
}

# small_disk DIR SIZE: DIR (which must exist) becomes a tmpfs of SIZE (e.g. 16m); its parent
# is first made a private mount, so nothing shows outside this namespace even where the
# namespace kept the parent's propagation. Returns 1 with the reason on stderr otherwise.
small_disk() {
  local dir=$1 size=$2 parent
  parent=$(dirname "$dir")
  mount --bind "$parent" "$parent" && mount --make-private "$parent" ||
    { echo "cannot make $parent a private mount" >&2; return 1; }
  mount -t tmpfs -o "size=$size" tmpfs "$dir" || { echo "cannot mount a $size tmpfs on $dir" >&2; return 1; }
}
