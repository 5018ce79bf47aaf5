#!/usr/bin/env bash
# bench/streaming.sh — lexosd's memory while a large body goes in and out (SDK 1.3 streaming).
#
#   bench/streaming.sh                    (needs a build: build/bin/lexosd, build/test-plugins/streamer.so)
#   SIZE_MIB=256 bench/streaming.sh       a smaller body
#   BUILD_DIR=/tmp/b bench/streaming.sh   another build folder
#
# 1. lexosd starts (SQLite, the `streamer` test plugin, server.max_body_bytes = 2e9).
# 2. A SIZE_MIB (default 1024) file of random bytes is POSTed with curl -T (streamed from
#    disk) to /api/v1/streamer/sha256, whose handler reads bodyStream() and answers the SHA-256:
#    lexosd spools the body to <state>/spool as it arrives, the handler reads the spool file.
# 3. The same number of bytes is downloaded from /api/v1/streamer/file (Response::sendSource) to
#    /dev/null, then the last MiB as a Range.
# Prints lexosd's VmRSS before, VmHWM (peak) after each step, the throughput of each, and
# whether the SHA-256 matched. Never fails on figures (CONVENTIONS.md). Removes what it made.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build}
SIZE_MIB=${SIZE_MIB:-1024}
WORK=$(mktemp -d /tmp/lexos-streaming.XXXXXX)
LEXOSD_PID=
cleanup() {
  [ -n "$LEXOSD_PID" ] && kill "$LEXOSD_PID" 2>/dev/null && wait "$LEXOSD_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/state"
cat > "$WORK/lexos.ini" <<INI
[server]
listen = 127.0.0.1:0
max_body_bytes = 2000000000
[state]
dir = $WORK/state
[plugins]
dir = $PWD/$BUILD_DIR/test-plugins
enabled = streamer
[web]
dir = $PWD/web
[log]
level = information
INI
"$BUILD_DIR/bin/lexosctl" --config "$WORK/lexos.ini" migrate > /dev/null
"$BUILD_DIR/bin/lexosd" --config "$WORK/lexos.ini" > "$WORK/lexosd.log" 2>&1 &
LEXOSD_PID=$!
PORT=
for _ in $(seq 100); do
  PORT=$(grep -o 'listening on http://[^ ]*' "$WORK/lexosd.log" | sed 's/.*://' || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$WORK/lexosd.log"; exit 1; }
URL=http://127.0.0.1:$PORT
kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$LEXOSD_PID/status"; }

head -c $((SIZE_MIB << 20)) /dev/urandom > "$WORK/body.bin"
WANT=$(sha256sum "$WORK/body.bin" | cut -d' ' -f1)
curl -s -o /dev/null -X POST --data-binary x "$URL/api/v1/streamer/sha256"  # warm up
RSS0=$(kib VmRSS)
T0=$(date +%s.%N)
GOT=$(curl -s -X POST -T "$WORK/body.bin" -H 'Content-Type: application/octet-stream' "$URL/api/v1/streamer/sha256" |
      sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
T1=$(date +%s.%N)
HWM1=$(kib VmHWM)
curl -s -o /dev/null "$URL/api/v1/streamer/file?size=$((SIZE_MIB << 20))"
T2=$(date +%s.%N)
HWM2=$(kib VmHWM)
curl -s -o /dev/null -H "Range: bytes=-1048576" "$URL/api/v1/streamer/file?size=$((SIZE_MIB << 20))"
T3=$(date +%s.%N)

echo "body: ${SIZE_MIB} MiB; sha256 $([ "$GOT" = "$WANT" ] && echo matches || echo "DIFFERS ($GOT)")"
awk -v r0="$RSS0" -v h1="$HWM1" -v h2="$HWM2" -v s="$SIZE_MIB" -v t0="$T0" -v t1="$T1" -v t2="$T2" -v t3="$T3" 'BEGIN {
  printf "lexosd VmRSS before: %.1f MiB\n", r0 / 1024
  printf "upload:   peak %.1f MiB (+%.1f MiB), %.0f MiB/s\n", h1 / 1024, (h1 - r0) / 1024, s / (t1 - t0)
  printf "download: peak %.1f MiB (+%.1f MiB over the RSS before the upload), %.0f MiB/s\n", h2 / 1024, (h2 - r0) / 1024, s / (t2 - t1)
  printf "last MiB as a Range: %.1f ms\n", (t3 - t2) * 1000
}'
