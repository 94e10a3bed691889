#!/usr/bin/env bash
# docker/Dockerfile's stages, taken step by step in fresh Debian 12 roots, as a Docker engine
# would take them (there is none on CI's machine): every FROM starts from a copy of a minbase
# root, COPY copies from the clone (or from an earlier stage), RUN runs in the root at the
# current WORKDIR with the ENV so far. Then the last stage is run as the image runs: its USER,
# its ENTRYPOINT and CMD against `regpoll simulate`, its HEALTHCHECK, a clean stop.
#
#   .ci/image-stages.sh SOURCE_DIR BASE_ROOT WORK_DIR
# (sourced helpers: .ci/lib/root.sh; WORK_DIR is removed by the caller)
set -euo pipefail
src=$(cd "$1" && pwd)
base=$2
work=$3
mkdir -p "$work"
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/root.sh"
trap root_cleanup EXIT

fail() { echo "image: FAIL: $*" >&2; exit 1; }

# Instructions, continuation lines joined, comments dropped: one "KEYWORD rest" a line.
instructions() {
  awk '
    /^[ \t]*#/ && pending == "" { next }
    /^[ \t]*$/ && pending == "" { next }
    { line = $0; sub(/^[ \t]+/, "", line)
      if (line ~ /\\$/) { sub(/\\$/, "", line); pending = pending line " "; next }
      print pending line; pending = "" }' "$src/docker/Dockerfile"
}

json_words() {  # ["a", "b"] -> a b, one a line
  echo "$1" | sed 's/^\[//; s/\]$//' | tr ',' '\n' | sed 's/^ *"//; s/" *$//'
}

declare -A stage_root=()
root="" workdir=/ user=root stage=0
env_args=() entrypoint=() cmd=() health=()
while IFS= read -r line; do
  keyword=${line%% *}
  rest=${line#* }
  case "${keyword^^}" in
    FROM)
      stage=$((stage + 1))
      root="$work/stage$stage"
      root_copy "$base" "$root"
      root_mount "$root"
      name=$(echo "$rest" | awk 'toupper($2) == "AS" { print $3 }')
      stage_root[$stage]=$root
      [ -n "$name" ] && stage_root[$name]=$root
      workdir=/ user=root env_args=() entrypoint=() cmd=() health=()
      echo "== image stage $stage: FROM $rest (a fresh minbase root)" ;;
    WORKDIR)
      workdir=$rest
      mkdir -p "$root$workdir" ;;
    COPY)
      from_root=$src
      if [[ $rest == --from=* ]]; then
        from=${rest%% *}; from=${from#--from=}; rest=${rest#* }
        from_root=${stage_root[$from]:-}
        [ -n "$from_root" ] || fail "COPY --from=$from: no such stage"
      fi
      read -r -a parts <<< "$rest"
      dest=${parts[-1]}
      [[ $dest == /* ]] || dest="$workdir/$dest"
      for ((i = 0; i < ${#parts[@]} - 1; i++)); do
        item=${parts[$i]}
        if [ "$from_root" = "$src" ] && [ "$item" = . ]; then
          # The build context: what the clone's git tracks (a .dockerignore would trim it).
          mkdir -p "$root$dest"
          git -C "$src" archive HEAD | tar -x -C "$root$dest"
        elif [[ $item == */ ]]; then
          mkdir -p "$root$dest"
          cp -a "$from_root/${item#/}." "$root$dest/"
        else
          mkdir -p "$root$dest"
          cp -a "$from_root/${item#/}" "$root$dest/"
        fi
      done ;;
    ENV)
      # ENV k=v k2=v2 (the only form the Dockerfile uses)
      read -r -a pairs <<< "$rest"
      env_args+=("${pairs[@]}") ;;
    USER) user=$rest ;;
    RUN)
      echo "-- RUN $rest"
      start=$SECONDS
      "${root_env[@]}" "${env_args[@]}" chroot --userspec="$user" "$root" \
        sh -c "cd '$workdir' && $rest" || fail "RUN $rest"
      echo "   ($((SECONDS - start)) s)" ;;
    ENTRYPOINT) mapfile -t entrypoint < <(json_words "$rest") ;;
    CMD) mapfile -t cmd < <(json_words "$rest") ;;
    HEALTHCHECK) mapfile -t health < <(json_words "${rest#*CMD }") ;;
    VOLUME|EXPOSE|LABEL|ARG|STOPSIGNAL) ;;
    *) fail "an instruction this script does not know: $keyword" ;;
  esac
done < <(instructions)

echo "== the image as it runs (last stage, user $user)"
[ ${#entrypoint[@]} -gt 0 ] || fail "no ENTRYPOINT"
[ ${#health[@]} -gt 0 ] || fail "no HEALTHCHECK"
lists=$(find "$root/var/lib/apt/lists" -type f ! -name lock 2> /dev/null | wc -l)
[ "$lists" -eq 0 ] || fail "the runtime stage leaves $lists apt list files"
size() { du -sm --exclude=proc --exclude=sys --exclude=dev --exclude=var/lib/apt/lists \
  --exclude=var/cache/apt "$1" | cut -f1; }
echo "   runtime root: $(size "$root") MB, no apt lists; the stage's steps added" \
     "$(($(size "$root") - $(size "$base"))) MB to the minbase root"

# The image's user and environment. Started in the background as one simple command (not
# through a function), so $! is the process itself: env, chroot and sh all exec.
image=("${root_env[@]}" "${env_args[@]}" chroot --userspec="$user" "$root")
# A device to poll: the simulator, started from the same image (no HEALTHCHECK for it).
"${image[@]}" sh -c "cd /tmp && exec ${entrypoint[*]} simulate --profile eastron/sdm630 --unit 1 \
  --listen tcp://127.0.0.1:0" > "$work/sim.out" 2> "$work/sim.log" &
sim=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/^READY //p' "$work/sim.out" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the simulator did not start: $(cat "$work/sim.log")"
# The site file a user bind-mounts: readable by the image's uid, as the README says.
mkdir -p "$root/etc/regpoll"
cat > "$root/etc/regpoll/regpoll.json" <<JSON
{ "buses": [ { "name": "lab", "uri": "tcp://127.0.0.1:$port", "timeout": "1s" } ],
  "devices": [ { "name": "meter", "bus": "lab", "unit": 1, "profile": "eastron/sdm630", "interval": "1s" } ],
  "history": { "path": "history.db" } }
JSON
chmod 644 "$root/etc/regpoll/regpoll.json"
workdir_run=$(awk '/^WORKDIR/ { w = $2 } END { print w }' "$src/docker/Dockerfile")
"${image[@]}" sh -c "cd '$workdir_run' && exec \"\$@\"" image "${entrypoint[@]}" "${cmd[@]}" \
  > "$work/run.out" 2> "$work/run.log" &
run=$!
healthy=""
for _ in $(seq 60); do
  if "${image[@]}" "${health[@]}" > "$work/health.out" 2>&1; then healthy=1; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || fail "HEALTHCHECK never healthy: $(cat "$work/health.out") $(cat "$work/run.log")"
echo "   HEALTHCHECK: $(cat "$work/health.out")"
sleep 3
kill -TERM "$run"
wait "$run" || fail "ENTRYPOINT + CMD did not stop cleanly on SIGTERM: $(tail -5 "$work/run.log")"
kill -TERM "$sim"; wait "$sim" || true
out_bytes=$(wc -c < "$work/run.out")
log_bytes=$(wc -c < "$work/run.log")
echo "   ran ${#cmd[@]} CMD words: stdout $out_bytes bytes, log $log_bytes bytes for the run"
[ "$out_bytes" -eq 0 ] || fail "CMD prints every sample ($out_bytes bytes); the container log would grow without end"
[ -s "$root/var/lib/regpoll/history.db" ] || fail "no history in the state volume /var/lib/regpoll"
echo "image: OK (every stage's RUN steps passed in fresh roots; the image polled, was healthy, stopped cleanly)"
