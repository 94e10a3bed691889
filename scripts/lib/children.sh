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

# start_ready NAME COMMAND...: runs COMMAND as a child with its output in $tmp/NAME.out and
# $tmp/NAME.err, waits (up to 10 s) for its "READY <value>" line and sets $ready to the value.
start_ready() {
  local name=$1
  shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  local word
  for _ in $(seq 200); do
    if read -r word ready 2>/dev/null <"$tmp/$name.out" && [ "$word" = READY ]; then
      return 0
    fi
    sleep 0.05
  done
  echo "$name did not start:" >&2
  cat "$tmp/$name.err" >&2
  exit 1
}

# free_port: a loopback port nothing listens on now (the kernel's choice, so two calls do
# not race each other for a guessed one).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# free_ports N: the first of N free loopback ports in a row, below the ephemeral range (whose
# ports come and go); for simulators that listen on one port per device.
free_ports() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
n = int(sys.argv[1])
for base in range(20000, 32768 - n, 500):
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); break
else:
    sys.exit("no free run of %d ports" % n)
PY
}
