#!/usr/bin/env bash
# bench/metrics.sh — what counting requests for /metrics costs: two lexosd on the same build, one
# with metrics.listen set (and scraped every second, a harsher rate than Prometheus's usual 15 s),
# one without, measured in turns with wrk on the same requests.
#
#   bench/metrics.sh                (needs a build: scripts/build.sh --bench)
#   DURATION=10 ROUNDS=5 bench/metrics.sh
#
# Requests: GET /healthz (the least work a request does, so the largest share for the counting)
# and GET /api/v1/me without a session (routed, guarded, answered 401: a route template's
# series). Each round runs off then on (then on then off in the next round, against drift);
# the median of the on/off ratios is printed per request. Overrides: LEXOSD=path.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-3}"
LEXOSD="${LEXOSD:-build/bin/lexosd}"

need_tools wrk curl python3
[[ -x "$LEXOSD" ]] || die "$LEXOSD not found; run scripts/build.sh --bench"

use_scratch

# start NAME PORT [METRICS_LISTEN]
start() {
  mkdir -p "$tmp/$1"
  LEXOS_SERVER_MAX_CONNECTIONS_PER_ADDRESS=0 LEXOS_SERVER_LISTEN="127.0.0.1:$2" LEXOS_STATE_DIR="$tmp/$1/state" \
    LEXOS_METRICS_LISTEN="${3:-}" LEXOS_LOG_LEVEL=warning \
    "$LEXOSD" --config etc/lexos.ini >"$tmp/$1/lexosd.log" 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$2/readyz" "$!" "$tmp/$1/lexosd.log"
}

off_port="$(free_port)"
on_port="$(free_port)"
metrics_port="$(free_port)"
start off "$off_port"
start on "$on_port" "127.0.0.1:$metrics_port"
curl -fsS -o /dev/null "http://127.0.0.1:$metrics_port/metrics" || die "no /metrics on 127.0.0.1:$metrics_port"
echo "# $(nproc) cores, wrk -t2 -c64 -d${DURATION}s on the same machine, $ROUNDS rounds"

rps() { wrk -t2 -c64 -d"${DURATION}s" "$1" | awk '/^Requests\/sec:/ { print $2 }'; }
# measure NAME PORT PATH: req/s; with metrics on, a scraper asks /metrics every second meanwhile.
measure() {
  local scraper=""
  if [[ "$1" == on ]]; then
    (while :; do curl -s -o /dev/null "http://127.0.0.1:$metrics_port/metrics"; sleep 1; done) &
    scraper=$!
  fi
  rps "http://127.0.0.1:$2$3"
  [[ -n "$scraper" ]] && { kill "$scraper" 2>/dev/null; wait "$scraper" 2>/dev/null || true; }
  return 0
}

for path in /healthz /api/v1/me; do
  ratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2)); then off="$(measure off "$off_port" "$path")"; on="$(measure on "$on_port" "$path")"
    else on="$(measure on "$on_port" "$path")"; off="$(measure off "$off_port" "$path")"; fi
    ratio="$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')"
    ratios+=("$ratio")
    echo "$path round $r: off $off req/s, on $on req/s, on/off $ratio"
  done
  median="$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
  echo "$path: median on/off $median"
done
echo "# counted on the 'on' server:"
curl -s "http://127.0.0.1:$metrics_port/metrics" | grep -E '^lexos_http_requests_total' | sort -t' ' -k2 -nr | head -n 3
