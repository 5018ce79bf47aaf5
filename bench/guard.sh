#!/usr/bin/env bash
# bench/guard.sh — the cost of the tenancy guard: GET /api/v1/me (session cookie checked,
# principal built) against GET /healthz (no guard) on the same lexosd, in one run, on 127.0.0.1.
# Twice: with the session cache (the default, session.cache_seconds = 60: a repeated check is
# answered from memory) and without it (session.cache_seconds = 0: every check reads the
# session, its user, firm and module switches from the database in one statement of its own, one
# round trip on PostgreSQL; see docs/guard.md).
#
#   bench/guard.sh                   SQLite (the embedded default)
#   BACKEND=postgresql bench/guard.sh  a throwaway PostgreSQL cluster (tests/support/pg-cluster.sh)
#   DURATION=10 bench/guard.sh       seconds per wrk run (default 10)
#   ROUNDS=3 bench/guard.sh          healthz/me pairs per mode (default 3; the median ratio counts)
#
# Needs a build (scripts/build.sh --bench). Prints req/s and latency for both and the ratio.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
DURATION="${DURATION:-10}"
BUILD="${BUILD_DIR:-build}"
BACKEND="${BACKEND:-sqlite}"
for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"; done
[[ -x "$BUILD/bin/lexosd" ]] || die "$BUILD/bin/lexosd not found; run scripts/build.sh --bench"

tmp="$(mktemp -d /tmp/lexos-guard.XXXXXX)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [[ -d "$tmp/pg" ]] && bash tests/support/pg-cluster.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf -- "$tmp"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export LEXOS_SERVER_LISTEN="127.0.0.1:$port" LEXOS_STATE_DIR="$tmp/state" LEXOS_PLUGINS_ENABLED="" \
  LEXOS_PLUGINS_DIR="$PWD/$BUILD/plugins" LEXOS_LOG_LEVEL=warning
if [[ "$BACKEND" == postgresql ]]; then
  chmod 0755 "$tmp"
  eval "$(bash tests/support/pg-cluster.sh start "$tmp/pg" 2>/dev/null)"
  export LEXOS_DATABASE_URL="$LEXOS_TEST_PG_URL" LEXOS_DATABASE_MIGRATION_URL="$LEXOS_TEST_PG_OWNER_URL"
fi
ctl() { "$BUILD/bin/lexosctl" --config etc/lexos.ini "$@"; }
ctl migrate >/dev/null
ctl firm create --slug bench --name "Bench LLP" >/dev/null
printf 'correct horse battery staple\n' | ctl user create --firm bench --email owner@bench.test --role owner --password-stdin >/dev/null

start() {  # start lexosd with session.cache_seconds = $1
  LEXOS_SESSION_CACHE_SECONDS="$1" "$BUILD/bin/lexosd" --config etc/lexos.ini >"$tmp/lexosd.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" == 200 ]] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/lexosd.log" >&2; die "lexosd exited"; }
    sleep 0.1
  done
  die "lexosd did not become ready"
}
stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

start 60
cookie="$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"firm":"bench","email":"owner@bench.test","password":"correct horse battery staple"}' \
  "http://127.0.0.1:$port/api/v1/auth/login" | awk -F'[:;] *' 'tolower($1) == "set-cookie" && !seen++ { print $2 }')"
[[ -n "$cookie" ]] || die "sign-in failed"
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/me")" == 200 ]] ||
  die "GET /api/v1/me with the session did not answer 200"

rps() {  # url [header]: requests per second of one wrk run
  wrk -t2 -c"${CONNECTIONS:-64}" -d"${DURATION}s" --latency ${2:+-H "$2"} "$1" >"$tmp/wrk.txt"
  grep -q 'Non-2xx' "$tmp/wrk.txt" && { cat "$tmp/wrk.txt" >&2; die "some answers from $1 were not 2xx"; }
  awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.txt"
}
# This machine's speed drifts from run to run (a shared VM): healthz and me alternate, ROUNDS
# pairs per mode, and each pair gives a ratio; the median ratio is the result.
pairs() {  # mode
  for r in $(seq "$ROUNDS"); do
    h="$(rps "http://127.0.0.1:$port/healthz")"
    m="$(rps "http://127.0.0.1:$port/api/v1/me" "Cookie: $cookie")"
    echo "$1 round $r: healthz $h req/s, me $m req/s, ratio $(awk -v m="$m" -v h="$h" 'BEGIN { printf "%.2f", m / h }')" >&2
    echo "$h $m" >>"$tmp/$1.pairs"
  done
}
median() {  # file of "h m" lines -> "median-ratio median-h median-m" (plain awk + sort)
  local n i
  n="$(wc -l <"$1")"
  i=$(((n + 1) / 2))
  printf '%s %s %s\n' \
    "$(awk '{ printf "%.4f\n", $2 / $1 }' "$1" | sort -n | awk -v i="$i" 'NR == i { printf "%.2f", $1 }')" \
    "$(awk '{ print $1 }' "$1" | sort -n | awk -v i="$i" 'NR == i { printf "%.0f", $1 }')" \
    "$(awk '{ print $2 }' "$1" | sort -n | awk -v i="$i" 'NR == i { printf "%.0f", $1 }')"
}
ROUNDS="${ROUNDS:-3}"
echo "# backend: $BACKEND; $(nproc) cores; wrk -t2 -c${CONNECTIONS:-64} -d${DURATION}s on the same machine; $ROUNDS rounds"
pairs me-cached
stop
start 0
pairs me-uncached
echo
for mode in me-cached me-uncached; do
  read -r ratio h m < <(median "$tmp/$mode.pairs")
  printf '%-12s me %6s req/s vs healthz %6s req/s (medians)   me/healthz: %s\n' "$mode:" "$m" "$h" "$ratio"
done
