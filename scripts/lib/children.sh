# Sourced by scripts that start background processes: it makes $tmp (a private temporary
# folder, named after $1) and an empty pids array; add each child with `pids+=($!)`. When
# the script exits, every child is stopped and waited for, and $tmp is removed.
tmp=$(mktemp -d -t "regpoll-${1:-script}.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
