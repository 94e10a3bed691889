# Sourced by the server benchmarks: `measure PORT CONNECTIONS` runs the load client ($load,
# tests/bench/server_load.cpp) against 127.0.0.1:PORT for $seconds, $depth requests in
# flight per connection, each reading $registers holding registers (connection i from
# register i mod ${spread:-1}), and prints requests per second (errors go to stderr: a
# figure with errors is worth a look).
measure() {
  local line
  line=$("$load" --port "$1" --connections "$2" --depth "$depth" --seconds "$seconds" --count "$registers" \
    --spread "${spread:-1}")
  local errors=${line##*errors=}
  [ "$errors" = 0 ] || echo "$(basename "$0"): $line" >&2
  local rps=${line#*rps=}
  echo "${rps%% *}"
}

# ratio A B: "2.5x", or "-" when B is 0.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'
}
