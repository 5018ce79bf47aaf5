#!/usr/bin/env bash
# bench/http.sh — lexosd against nginx on the same small response, in one run, on 127.0.0.1.
#
#   bench/http.sh                 (needs a build: scripts/build.sh --bench)
#   DURATION=30 bench/http.sh     seconds per throughput run (default 10)
#
# 1. Starts lexosd (etc/lexos.ini, a free port, a throwaway state dir) and nginx (temp
#    config, access_log off) serving a static file with the bytes of lexosd's /healthz body.
# 2. wrk -t2 -c64 against each: req/s and the ratio lexosd/nginx.
# 3. wrk -t2 -c256 -d5s against lexosd: errors and requests, then bench/conn-probe.py with
#    256 keep-alive connections, because wrk reports no error for a connection that is never
#    answered (wrk's Lua API cannot tell connections apart, so it cannot count per connection).
# Both servers are stopped on exit. Overrides: LEXOSD=path, NGINX=path.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
DURATION="${DURATION:-10}"
LEXOSD="${LEXOSD:-build/bin/lexosd}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"

need_tools wrk curl python3
[[ -x "$NGINX" ]] || die "nginx not found; run scripts/deps.sh --bench"
[[ -x "$LEXOSD" ]] || die "$LEXOSD not found; run scripts/build.sh --bench"

use_scratch

# --- lexosd -------------------------------------------------------------------------------
lport="$(free_port)"
# No per-address cap here: every connection of wrk and the probe comes from 127.0.0.1.
LEXOS_SERVER_MAX_CONNECTIONS_PER_ADDRESS=0 LEXOS_SERVER_LISTEN="127.0.0.1:$lport" LEXOS_STATE_DIR="$tmp/state" \
  "$LEXOSD" --config etc/lexos.ini >"$tmp/lexosd.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$lport/readyz" "$!" "$tmp/lexosd.log"

# --- nginx: the same bytes as a static file -------------------------------------------------
mkdir -p "$tmp/www" "$tmp/nginx"
curl -fsS -o "$tmp/www/healthz" "http://127.0.0.1:$lport/healthz"
chmod 0711 "$tmp"  # as root, nginx workers run as nobody: they must reach www/
chmod -R a+rX "$tmp/www"
nport="$(free_port)"
cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $tmp/www;
    location = /healthz { default_type application/json; }
  }
}
EOF
"$NGINX" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/stderr.log" &
pids+=($!)
wait_ready "http://127.0.0.1:$nport/healthz" "$!" "$tmp/nginx/stderr.log"

size() { curl -s -o /dev/null -w '%{size_download}' "$1"; }
echo "# /healthz body: lexosd $(size "http://127.0.0.1:$lport/healthz") bytes," \
  "nginx $(size "http://127.0.0.1:$nport/healthz") bytes; $(nproc) cores, wrk on the same machine"

# --- throughput -----------------------------------------------------------------------------
rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
for name in nginx lexosd; do
  port="$nport"; [[ "$name" == lexosd ]] && port="$lport"
  echo "## $name: wrk -t2 -c64 -d${DURATION}s"
  wrk -t2 -c64 -d"${DURATION}s" "http://127.0.0.1:$port/healthz" | tee "$tmp/wrk-$name.txt"
done
nginx_rps="$(rps "$tmp/wrk-nginx.txt")"
lexosd_rps="$(rps "$tmp/wrk-lexosd.txt")"

# --- 256 connections against lexosd ---------------------------------------------------------
echo "## lexosd: wrk -t2 -c256 -d5s"
wrk -t2 -c256 -d5s "http://127.0.0.1:$lport/healthz" | tee "$tmp/wrk-256.txt"
requests="$(awk '/requests in/ { print $1 }' "$tmp/wrk-256.txt")"
problems="$(grep -E 'Socket errors|Non-2xx' "$tmp/wrk-256.txt" | sed 's/^ *//' | paste -sd ';' - || true)"
echo "## lexosd: bench/conn-probe.py, 256 keep-alive connections, 5 s"
probe_ok=1
python3 bench/conn-probe.py "$lport" --connections 256 --duration 5 | tee "$tmp/probe.txt" || probe_ok=0

# --- summary --------------------------------------------------------------------------------
echo
echo "nginx:  $nginx_rps req/s"
echo "lexosd: $lexosd_rps req/s"
awk -v l="$lexosd_rps" -v n="$nginx_rps" 'BEGIN { printf "lexosd/nginx: %.2f\n", l / n }'
echo "256 connections: $requests requests; ${problems:-no socket errors, no non-2xx}"
if [[ -z "$problems" ]] && ((probe_ok)); then
  echo "all 256 connections served"
else
  echo "NOT all 256 connections served: see wrk and conn-probe output above"
  exit 1
fi
