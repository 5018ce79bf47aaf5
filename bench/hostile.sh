#!/usr/bin/env bash
# bench/hostile.sh — lexosd under 1000 slowloris and 1000 slow-body connections from one
# address for 60 s, while another client probes /healthz and signs in (bench/hostile.py).
#
#   bench/hostile.sh                     SQLite, 60 s, no per-address cap
#   BACKEND=postgresql bench/hostile.sh  the same on a throwaway PostgreSQL cluster
#   SECONDS_RUN=30 SLOWLORIS=500 SLOWBODY=500 CAP=256 bench/hostile.sh
#
# CAP is server.max_connections_per_address (default here 0 = no cap, the worst case for the
# connection layer: every attacking connection is let in). Prints the share of probes answered
# 200 within 1 s (goal: >= 99%) and the server's own count of timeouts and refusals.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
BUILD="${BUILD_DIR:-build}"
BACKEND="${BACKEND:-sqlite}"
for tool in curl python3; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"; done
[[ -x "$BUILD/bin/lexosd" ]] || die "$BUILD/bin/lexosd not found; run scripts/build.sh"

tmp="$(mktemp -d /tmp/lexos-hostile.XXXXXX)"
pid=""
cleanup() {
  [[ -n "$pid" ]] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [[ -d "$tmp/pg" ]] && bash tests/support/pg-cluster.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf -- "$tmp"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export LEXOS_SERVER_LISTEN="127.0.0.1:$port" LEXOS_STATE_DIR="$tmp/state" LEXOS_PLUGINS_ENABLED="" \
  LEXOS_PLUGINS_DIR="$PWD/$BUILD/plugins" LEXOS_LOG_LEVEL=warning \
  LEXOS_SERVER_MAX_CONNECTIONS_PER_ADDRESS="${CAP:-0}"
if [[ "$BACKEND" == postgresql ]]; then
  chmod 0755 "$tmp"
  eval "$(bash tests/support/pg-cluster.sh start "$tmp/pg" 2>/dev/null)"
  export LEXOS_DATABASE_URL="$LEXOS_TEST_PG_URL" LEXOS_DATABASE_MIGRATION_URL="$LEXOS_TEST_PG_OWNER_URL"
fi
ctl() { "$BUILD/bin/lexosctl" --config etc/lexos.ini "$@"; }
ctl migrate >/dev/null
ctl firm create --slug probe --name "Probe LLP" >/dev/null
printf 'correct horse battery staple\n' | ctl user create --firm probe --email owner@probe.test --role owner --password-stdin >/dev/null

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
"$BUILD/bin/lexosd" --config etc/lexos.ini >"$tmp/lexosd.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" == 200 ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/lexosd.log" >&2; die "lexosd exited"; }
  sleep 0.1
done

echo "# backend: $BACKEND; $(nproc) cores; attacker and prober on the same machine; per-address cap ${CAP:-0}"
python3 bench/hostile.py "$port" probe owner@probe.test 'correct horse battery staple' \
  --slowloris "${SLOWLORIS:-1000}" --slowbody "${SLOWBODY:-1000}" --seconds "${SECONDS_RUN:-60}"
kill -0 "$pid" 2>/dev/null || die "lexosd died during the attack (log: $tmp/lexosd.log)"
echo "lexosd still serving: /healthz $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz")"
