#!/usr/bin/env bash
# bench/documents.sh — a large document through lexosd's documents module and vault (encrypted
# at rest), against nginx moving the same bytes, in one run on 127.0.0.1.
#
#   bench/documents.sh                     (needs a build: build/bin/lexosd, lexosctl; nginx, curl)
#   SIZE_MIB=256 bench/documents.sh        a smaller document (default 1024 = 1 GiB)
#   ROUNDS=5 bench/documents.sh            rounds of the four transfers (default 3; best of each kept)
#   BUILD_DIR=/tmp/b bench/documents.sh    another build folder
#   CLAMD=1 bench/documents.sh             uploads scanned by a clamd started here (clamav-daemon;
#                                          one generated signature, limits raised to scan it all)
#
# 1. lexosd starts (SQLite, clients, cases, portal, documents; local vault in the temp state
#    dir; server.max_body_bytes and the upload limits raised to 2e9). lexosctl makes a firm and
#    an owner; the owner signs in and makes a client and a case (curl).
# 2. nginx starts (temp prefix): the plaintext file served from disk with sendfile, and a
#    WebDAV location taking PUT (nginx buffers the body to client_body_temp_path, then renames
#    it into place: the "plain PUT" baseline).
# 3. Upload: curl POSTs the SIZE_MIB file (a PDF header, then random bytes; streamed from disk) to
#    /api/v1/cases/{id}/documents, and PUTs it to nginx. Download: GET .../content to /dev/null
#    from lexosd (decrypting 64 KiB segments) and the static file from nginx. Range: the first
#    and the last MiB of the document from lexosd, best of 5 each. The transfers run ROUNDS
#    times (lexosd upload, nginx PUT, lexosd download, nginx download) and the best of each is
#    kept.
# A 64 KiB document is uploaded and downloaded first (the vault, libmagic and the first
# request's buffers start on first use). Prints lexosd's VmRSS before anything, after that
# warm-up, and the largest VmRSS sampled every 50 ms during each large transfer, each
# throughput, the ratios lexosd/nginx, last/first MiB, and whether the vault's SHA-256 matches
# the file's. Goals (issue 11): RSS growth <= 32 MiB, download and upload >= 0.5x nginx, last
# MiB within 2x of the first. Prints figures; never fails on them (CONVENTIONS.md). Removes what
# it made.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
BUILD_DIR=${BUILD_DIR:-build}
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
PASSWORD="bench documents password 1"
[[ -x "$BUILD_DIR/bin/lexosd" && -x "$BUILD_DIR/bin/lexosctl" ]] || die "no lexosd/lexosctl in $BUILD_DIR/bin; build first"
[[ -x "$NGINX" ]] || die "nginx not found; run scripts/deps.sh --bench"
command -v curl >/dev/null || die "curl not found"

WORK=$(mktemp -d /tmp/lexos-documents.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
wait_ready() {  # url pid log
  for _ in $(seq 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" =~ ^(200|204|403|404)$ ]] && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.1
  done
  tail -n 20 "$3" >&2
  die "$1 did not answer"
}
now() { date +%s.%N; }

# --- clamd (CLAMD=1) -------------------------------------------------------------------------
scan_ini=""
if [[ "${CLAMD:-0}" == 1 ]]; then
  CLAMD_BIN=$(command -v clamd || echo /usr/sbin/clamd)
  [[ -x "$CLAMD_BIN" ]] || die "clamd not found; run scripts/deps.sh"
  mkdir -p "$WORK/clamd/db"
  echo "Lexos.Test.EICAR:0:*:$(printf 'EICAR-STANDARD-ANTIVIRUS-TEST-FILE' | od -An -tx1 | tr -d ' \n')" \
    > "$WORK/clamd/db/lexos-test.ndb"
  printf '%s\n' "LocalSocket $WORK/clamd/clamd.sock" "DatabaseDirectory $WORK/clamd/db" \
    "TemporaryDirectory $WORK/clamd" "Foreground yes" "StreamMaxLength 2000M" "MaxFileSize 2000M" \
    "MaxScanSize 2000M" > "$WORK/clamd/clamd.conf"
  "$CLAMD_BIN" -c "$WORK/clamd/clamd.conf" > "$WORK/clamd/out.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do [[ -S "$WORK/clamd/clamd.sock" ]] && break; sleep 0.1; done
  [[ -S "$WORK/clamd/clamd.sock" ]] || { cat "$WORK/clamd/out.log" >&2; die "clamd did not start"; }
  scan_ini="clamd_socket = $WORK/clamd/clamd.sock"
fi

# --- lexosd --------------------------------------------------------------------------------
lport=$(free_port)
mkdir -p "$WORK/state"
cat > "$WORK/lexos.ini" <<INI
[server]
listen = 127.0.0.1:$lport
max_body_bytes = 2000000000
max_connections_per_address = 0
[state]
dir = $WORK/state
[plugins]
dir = $PWD/$BUILD_DIR/plugins
enabled = clients,cases,portal,documents
[web]
dir = $PWD/web
[vault]
; the warm-up's random bytes are typed application/octet-stream, outside the default allow-list
allowed_types = application/pdf,application/octet-stream,text/plain
[plugin.documents]
max_upload_bytes = 2000000000
$scan_ini
[log]
level = warning
INI
LEXOSCTL=("$BUILD_DIR/bin/lexosctl" --config "$WORK/lexos.ini")
"${LEXOSCTL[@]}" migrate > /dev/null
"${LEXOSCTL[@]}" firm create --slug bench --name Bench > /dev/null
printf '%s\n' "$PASSWORD" | "${LEXOSCTL[@]}" user create --firm bench --email owner@bench.test --role owner \
  --password-stdin > /dev/null
"$BUILD_DIR/bin/lexosd" --config "$WORK/lexos.ini" > "$WORK/lexosd.log" 2>&1 &
LEXOSD_PID=$!
pids+=("$LEXOSD_PID")
URL=http://127.0.0.1:$lport
wait_ready "$URL/readyz" "$LEXOSD_PID" "$WORK/lexosd.log"
kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$LEXOSD_PID/status"; }

login=$(curl -s -D "$WORK/login.headers" -H 'Content-Type: application/json' \
  -d "{\"firm\":\"bench\",\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/auth/login")
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' "$WORK/login.headers" | head -n1)
csrf=$(sed 's/.*"csrf_token":"\([^"]*\)".*/\1/' <<<"$login")
[[ -n "$cookie" && -n "$csrf" ]] || die "sign-in failed: $login"
AUTH=(-H "Cookie: $cookie" -H "X-CSRF-Token: $csrf")
json_id() { sed 's/^{"id":\([0-9]*\).*/\1/'; }
client=$(curl -s "${AUTH[@]}" -H 'Content-Type: application/json' -d '{"name":"Bench Client"}' "$URL/api/v1/clients" | json_id)
kase=$(curl -s "${AUTH[@]}" -H 'Content-Type: application/json' -d "{\"client_id\":$client,\"title\":\"Bench matter\"}" \
  "$URL/api/v1/cases" | json_id)
[[ "$client" =~ ^[0-9]+$ && "$kase" =~ ^[0-9]+$ ]] || die "could not make a client and a case ($client, $kase)"

# --- nginx: the plaintext file with sendfile, and PUT through client_body buffering ---------
nport=$(free_port)
mkdir -p "$WORK/www" "$WORK/put" "$WORK/nginx"
chmod 0711 "$WORK"  # as root, nginx workers run as nobody: they must reach www/ and put/
chmod 0777 "$WORK/put"
cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  client_body_temp_path $WORK/put/.tmp;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$nport;
    root $WORK/www;
    location /put/ {
      root $WORK;
      dav_methods PUT;
      client_max_body_size 2000m;
    }
  }
}
EOF
"$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" 2> "$WORK/nginx/stderr.log" &
pids+=($!)
NURL=http://127.0.0.1:$nport

# --- the document ---------------------------------------------------------------------------
# A PDF header, then random bytes: random bytes alone are sometimes typed as something the vault
# refuses (libmagic found "MZ", a DOS executable, in one run in a few hundred).
{ printf '%%PDF-1.7\n'; head -c $(((SIZE_MIB << 20) - 9)) /dev/urandom; } > "$WORK/www/doc.bin"
chmod a+r "$WORK/www/doc.bin"
WANT=$(sha256sum "$WORK/www/doc.bin" | cut -d' ' -f1)
wait_ready "$NURL/doc.bin" "${pids[-1]}" "$WORK/nginx/stderr.log"

# --- warm-up: a 64 KiB upload and download (the vault and libmagic start on first use) -------
RSS_COLD=$(kib VmRSS)
HWM_COLD=$(kib VmHWM)  # the sign-in's Argon2id (m = 64 MiB) has been and gone
head -c 65536 /dev/urandom > "$WORK/warm.bin"
warm=$(curl -s "${AUTH[@]}" -X POST -T "$WORK/warm.bin" -H 'Content-Type: application/octet-stream' \
  "$URL/api/v1/cases/$kase/documents?name=warm.bin" | json_id)
[[ "$warm" =~ ^[0-9]+$ ]] || die "warm-up upload failed"
curl -s "${AUTH[@]}" -o /dev/null "$URL/api/v1/documents/$warm/content"

# --- upload ---------------------------------------------------------------------------------
RSS0=$(kib VmRSS)
HWM0=$(kib VmHWM)
# VmHWM keeps the warm-up's peak, so the large transfers are watched by sampling VmRSS.
(while kill -0 "$LEXOSD_PID" 2>/dev/null; do kib VmRSS; sleep 0.05; done > "$WORK/rss.samples") &
SAMPLER_PID=$!
pids+=("$SAMPLER_PID")
max_rss() { sort -n "$WORK/rss.samples" | tail -n1; }
# ROUNDS rounds of: lexosd upload, nginx PUT, lexosd download, nginx download; the best of each
# is kept (the machine is shared: one slow moment should not decide a ratio either way).
best_rate() { awk -v a="${1:-0}" -v b="$2" 'BEGIN { print (b > a) ? b : a }'; }
rate() { awk -v s="$SIZE_MIB" -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", s / (b - a) }'; }
LU=0 NU=0 LD=0 ND=0
for round in $(seq "$ROUNDS"); do
  T0=$(now)
  up=$(curl -s "${AUTH[@]}" -X POST -T "$WORK/www/doc.bin" -H 'Content-Type: application/octet-stream' \
    "$URL/api/v1/cases/$kase/documents?name=bench$round.pdf")
  T1=$(now)
  doc=$(json_id <<<"$up")
  [[ "$doc" =~ ^[0-9]+$ ]] || die "upload failed: ${up:0:300}"
  GOT=$(sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/' <<<"$up")
  T2=$(now)
  nput=$(curl -s -o /dev/null -w '%{http_code}' -T "$WORK/www/doc.bin" "$NURL/put/doc.bin")
  T3=$(now)
  [[ "$nput" =~ ^20[14]$ ]] || die "nginx PUT answered $nput"
  rm -f "$WORK/put/doc.bin"
  T4=$(now)
  lsize=$(curl -s "${AUTH[@]}" -o /dev/null -w '%{size_download}' "$URL/api/v1/documents/$doc/content")
  T5=$(now)
  nsize=$(curl -s -o /dev/null -w '%{size_download}' "$NURL/doc.bin")
  T6=$(now)
  [[ "$lsize" == $((SIZE_MIB << 20)) && "$nsize" == $((SIZE_MIB << 20)) ]] || die "short download: lexosd $lsize, nginx $nsize"
  LU=$(best_rate "$LU" "$(rate "$T0" "$T1")"); NU=$(best_rate "$NU" "$(rate "$T2" "$T3")")
  LD=$(best_rate "$LD" "$(rate "$T4" "$T5")"); ND=$(best_rate "$ND" "$(rate "$T5" "$T6")")
  echo "round $round: upload lexosd $(rate "$T0" "$T1") / nginx $(rate "$T2" "$T3") MiB/s, download lexosd $(rate "$T4" "$T5") / nginx $(rate "$T5" "$T6") MiB/s"
done
HWM_UP=$(max_rss)
HWM_DOWN=$HWM_UP

# --- ranges: best of 5 ----------------------------------------------------------------------
range_ms() {  # range header value
  local best=""
  for _ in 1 2 3 4 5; do
    local t
    t=$(curl -s "${AUTH[@]}" -o /dev/null -w '%{time_total}' -H "Range: bytes=$1" "$URL/api/v1/documents/$doc/content")
    best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b < a) ? b : a }')
  done
  awk -v s="$best" 'BEGIN { printf "%.2f", s * 1000 }'
}
FIRST=$(range_ms "0-1048575")
LAST=$(range_ms "-1048576")

echo "document: ${SIZE_MIB} MiB of random bytes; vault sha256 $([[ "$GOT" == "$WANT" ]] && echo matches || echo "DIFFERS ($GOT)")"
echo "machine: $(nproc) cores; lexosd (SQLite, local vault, AES-256-GCM$([[ -n "$scan_ini" ]] && echo ", clamd scanning")), nginx and curl on the same machine"
[[ -z "$scan_ini" ]] || echo "scan: $(sed 's/.*"upload":{[^}]*"scan":{"status":"\([a-z_]*\)".*/\1/' <<<"$up")"
awk -v hc="$HWM_COLD" -v rc="$RSS_COLD" -v h0="$HWM0" -v r0="$RSS0" -v hu="$HWM_UP" -v hd="$HWM_DOWN" -v s="$SIZE_MIB" -v t0="$T0" -v t1="$T1" -v t2="$T2" -v t3="$T3" \
    -v t4="$T4" -v t5="$T5" -v t6="$T6" -v LU="$LU" -v NU="$NU" -v LD="$LD" -v ND="$ND" -v first="$FIRST" -v last="$LAST" 'BEGIN {
  lu = LU; nu = NU; ld = LD; nd = ND
  printf "lexosd VmRSS: %.1f MiB before any document (peak so far %.1f MiB: the sign-in), %.1f MiB after a 64 KiB warm-up upload and download (peak %.1f MiB)\n", rc / 1024, hc / 1024, r0 / 1024, h0 / 1024
  printf "upload (best of the rounds):   lexosd %.0f MiB/s, nginx PUT %.0f MiB/s: %.2fx (goal >= 0.5x)\n", lu, nu, lu / nu
  printf "download (best of the rounds): lexosd %.0f MiB/s, nginx sendfile %.0f MiB/s: %.2fx (goal >= 0.5x)\n", ld, nd, ld / nd
  printf "RSS growth over the large transfers (largest sample - RSS after the warm-up): %.1f MiB (goal <= 32 MiB)\n", (hd - r0) / 1024
  printf "range: first MiB %s ms, last MiB %s ms: %.2fx (goal <= 2x)\n", first, last, last / first
}'
