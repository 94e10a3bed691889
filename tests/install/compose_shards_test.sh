#!/usr/bin/env bash
# docker/compose.shards.yml as Debian 12's docker-compose 1.29 reads it (`config`, no Docker
# engine needed): valid once the database password is in the environment, refused with the
# variable's name without it, every shard started with its own --shard K/3 on the same site
# file, and no password in the file Compose hands the shards.
#   tests/install/compose_shards_test.sh DOCKER_DIR
set -euo pipefail
cd "$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v docker-compose > /dev/null || fail "docker-compose missing (install-deps.sh installs it)"
tmp=$(mktemp -d -t regpoll-compose-shards.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if env -u REGPOLL_PG_PASSWORD docker-compose -f compose.shards.yml config -q 2> "$tmp/no-password.err"; then
  fail "compose.shards.yml is valid without REGPOLL_PG_PASSWORD"
fi
grep -q "set REGPOLL_PG_PASSWORD" "$tmp/no-password.err" || { cat "$tmp/no-password.err" >&2; fail "the refusal does not name REGPOLL_PG_PASSWORD"; }

REGPOLL_PG_PASSWORD=test docker-compose -f compose.shards.yml config -q
REGPOLL_PG_PASSWORD=test docker-compose -f compose.shards.yml config > "$tmp/config.yml"
for k in 1 2 3; do
  sed -n "/^  shard-$k:/,/^  [a-z]/p" "$tmp/config.yml" > "$tmp/shard-$k.yml"
  grep -qx -- "    - $k/3" "$tmp/shard-$k.yml" || fail "shard-$k does not run --shard $k/3"
  grep -q "shards.json:/etc/regpoll/regpoll.json:ro" "$tmp/shard-$k.yml" || fail "shard-$k does not read shards.json"
  grep -q "REGPOLL_PG: host=postgres" "$tmp/shard-$k.yml" || fail "shard-$k has no REGPOLL_PG"
done
grep -q '"conninfo_env": "REGPOLL_PG"' shards.json || fail "shards.json does not take the database from REGPOLL_PG"
if grep -v '^ *//' shards.json | grep -qi 'password'; then fail "shards.json holds a password"; fi
for service in mosquitto postgres simulator; do
  grep -q "^  $service:" "$tmp/config.yml" || fail "no service $service"
done
grep -q "image: postgres:15" "$tmp/config.yml" || fail "the database is not PostgreSQL 15"
echo "compose.shards.yml: valid for docker-compose 1.29"
