#!/usr/bin/env bash
# install_test.sh ROOT_SOURCE_DIR BUILD_DIR
#
# End-to-end check of the install contract (DESIGN.md "Configuration and layout") and of the
# plugin SDK as a third party uses it:
#   (a) `cmake --install BUILD_DIR --prefix TMP/prefix` lays out the documented tree;
#   (b) sdk/examples/hello-plugin builds out of tree against that prefix only, and installs
#       hello.so into the prefix's plugin folder;
#   (c) the installed lexosd loads it, serves its routes, lexosctl sees it, SIGTERM exits 0;
#   (d) the installed lexosd refuses, naming the path and the fix, a plugin file writable by
#       others, a plugin folder writable by its group, a folder owned by another user (as
#       root), and hello.so without its LexOS note; hello.so stripped keeps its note and loads.
# Everything listens on 127.0.0.1 only. Needs cmake, a C++ compiler and curl; python3 makes
# the JSON checks stricter when present.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"  # pass, fail, check, summary

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ROOT_SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
for tool in cmake curl; do
  command -v "$tool" >/dev/null || { echo "install_test: $tool is required" >&2; exit 2; }
done
HAVE_PY=0
command -v python3 >/dev/null && HAVE_PY=1

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lexos-install-test.XXXXXX")
PREFIX="$TMP/prefix"
STATE="$TMP/state"
INI="$PREFIX/etc/lexos/lexos.ini"
PLUGIN_FILE="$PREFIX/lib/lexos/plugins/hello.so"
DAEMON_PID=""

cleanup() {
  local rc=$?
  if [[ -n "$DAEMON_PID" ]] && kill -0 "$DAEMON_PID" 2>/dev/null; then
    kill -TERM "$DAEMON_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DAEMON_PID" 2>/dev/null || true
  fi
  [[ -f "$PLUGIN_FILE" ]] && chmod o-w "$PLUGIN_FILE" 2>/dev/null || true
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Shows the tail of a log after a failure, indented.
show() { [[ -f "$1" ]] && sed -e 's/^/    | /' "$1" | tail -n "${2:-20}" || true; }

free_port() {
  if [[ $HAVE_PY -eq 1 ]]; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "install_test: no free port found" >&2
  return 1
}

# ini_get SECTION KEY FILE: the value of an INI key (last one wins), trimmed.
ini_get() {
  awk -v sec="$1" -v key="$2" '
    /^[ \t]*[;#]/ { next }
    /^[ \t]*\[/ { s = $0; gsub(/^[ \t]*\[|\][ \t]*$/, "", s); next }
    s == sec {
      line = $0; eq = index(line, "="); if (eq == 0) next
      k = substr(line, 1, eq - 1); v = substr(line, eq + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
      if (k == key) val = v
    }
    END { print val }' "$3"
}

inside_prefix() { [[ "$1" == "$PREFIX"/* ]]; }

# ---------------------------------------------------------------------------------------------
echo "== (a) cmake --install $BUILD --prefix $PREFIX"
if env -u DESTDIR cmake --install "$BUILD" --prefix "$PREFIX" >"$TMP/install.log" 2>&1; then
  pass "cmake --install succeeds"
else
  fail "cmake --install succeeds"
  show "$TMP/install.log"
  summary
  exit 1
fi
check "bin/lexosd is executable" test -x "$PREFIX/bin/lexosd"
check "bin/lexosctl is executable" test -x "$PREFIX/bin/lexosctl"
check "lib/lexos/plugins/ is a directory" test -d "$PREFIX/lib/lexos/plugins"
check "share/lexos/web/app/index.html exists" test -f "$PREFIX/share/lexos/web/app/index.html"
check "etc/lexos/lexos.ini exists" test -f "$INI"
check "include/lexos/sdk/lexos.h exists" test -f "$PREFIX/include/lexos/sdk/lexos.h"
check "lib/cmake/LexOSSDK/LexOSSDKConfig.cmake exists" test -f "$PREFIX/lib/cmake/LexOSSDK/LexOSSDKConfig.cmake"
check "lib/systemd/system/lexosd.service exists" test -f "$PREFIX/lib/systemd/system/lexosd.service"
if [[ -f "$INI" ]]; then
  for k in plugins.dir web.dir state.dir; do
    v=$(ini_get "${k%%.*}" "${k#*.}" "$INI")
    if inside_prefix "$v"; then pass "lexos.ini $k = $v is inside the prefix"; else fail "lexos.ini $k = '$v' is inside $PREFIX"; fi
  done
  if [[ "$(ini_get plugins dir "$INI")" == "$PREFIX/lib/lexos/plugins" ]]; then
    pass "lexos.ini plugins.dir is the installed plugin folder"
  else
    fail "lexos.ini plugins.dir is $PREFIX/lib/lexos/plugins (found '$(ini_get plugins dir "$INI")')"
  fi
  check "lexos.ini has no @PLACEHOLDER@ left" bash -c "! grep -Eq '@[A-Za-z_]+@' '$INI'"
fi
SERVICE="$PREFIX/lib/systemd/system/lexosd.service"
if [[ -f "$SERVICE" ]]; then
  if grep -Eq '@[A-Za-z_]+@' "$SERVICE"; then
    fail "lexosd.service has no @PLACEHOLDER@ left ($(grep -Eo '@[A-Za-z_]+@' "$SERVICE" | sort -u | tr '\n' ' '))"
  else
    pass "lexosd.service has no @PLACEHOLDER@ left"
  fi
  check "lexosd.service ExecStart runs the installed lexosd with the installed config" \
    grep -Fq "ExecStart=$PREFIX/bin/lexosd --config $INI" "$SERVICE"
  check "lexosd.service is Type=notify with a watchdog (READY=1, WATCHDOG=1 from lexosd)" \
    bash -c "grep -qx 'Type=notify' '$SERVICE' && grep -qx 'NotifyAccess=main' '$SERVICE' && grep -Eqx 'WatchdogSec=[0-9]+s' '$SERVICE'"
  # systemd's own checks of the unit, without booting systemd (Debian's systemd package).
  if command -v systemd-analyze >/dev/null; then
    if out=$(systemd-analyze verify "$SERVICE" 2>&1) && [[ -z "$out" ]]; then
      pass "systemd-analyze verify lexosd.service: no complaint"
    else
      fail "systemd-analyze verify lexosd.service: $out"
    fi
    # The exposure rating systemd gives the unit's sandboxing (0 = fully locked down, 10 = none):
    # "OK" or better (PERFECT, SAFE, OK), as docs/operations.md states.
    sec=$(systemd-analyze security --offline=true "$SERVICE" 2>&1 | grep -E 'Overall exposure level' || true)
    echo "   $sec"
    if [[ "$sec" =~ :\ ([0-9.]+)\ (PERFECT|SAFE|OK) ]]; then
      pass "systemd-analyze security lexosd.service rates ${BASH_REMATCH[2]} (${BASH_REMATCH[1]})"
    else
      fail "systemd-analyze security lexosd.service is not OK or better: ${sec:-no rating}"
    fi
  else
    fail "systemd-analyze is missing (Debian package systemd; scripts/deps.sh installs it)"
  fi
fi

# ---------------------------------------------------------------------------------------------
echo "== (b) build sdk/examples/hello-plugin out of tree against $PREFIX"
HB="$TMP/hello-build"
# The example as installed with the SDK (share/doc/lexos-dev/examples), not the source tree's copy.
EXAMPLE="$PREFIX/share/doc/lexos-dev/examples/hello-plugin"
check "the SDK's examples are installed ($EXAMPLE)" test -f "$EXAMPLE/CMakeLists.txt"
if cmake -S "$EXAMPLE" -B "$HB" -DCMAKE_PREFIX_PATH="$PREFIX" \
     -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >"$TMP/hello-configure.log" 2>&1; then
  pass "hello-plugin configures with find_package(LexOSSDK) from the prefix"
else
  fail "hello-plugin configures with find_package(LexOSSDK) from the prefix"
  show "$TMP/hello-configure.log"
fi
sdk_dir=$(grep -E '^LexOSSDK_DIR:' "$HB/CMakeCache.txt" 2>/dev/null | cut -d= -f2- || true)
# The package carries the SDK's real version (version.h): 1.2 is found, a 1.99 request is not.
sdk_version=$(sed -nE 's/^#define LEXOS_SDK_VERSION "([0-9.]+)"/\1/p' "$SRC/sdk/include/lexos/sdk/version.h")
check "LexOSSDKConfigVersion.cmake says $sdk_version" grep -Fq "set(PACKAGE_VERSION \"$sdk_version\")" "$PREFIX/lib/cmake/LexOSSDK/LexOSSDKConfigVersion.cmake"
mkdir -p "$TMP/too-new"
printf 'cmake_minimum_required(VERSION 3.18)\nproject(too_new CXX)\nfind_package(LexOSSDK 1.99 REQUIRED)\n' >"$TMP/too-new/CMakeLists.txt"
if cmake -S "$TMP/too-new" -B "$TMP/too-new/build" -DCMAKE_PREFIX_PATH="$PREFIX" >"$TMP/too-new.log" 2>&1; then
  fail "find_package(LexOSSDK 1.99) is refused by SDK $sdk_version"
else
  check "find_package(LexOSSDK 1.99) is refused by SDK $sdk_version, naming the version found" grep -Fq "$sdk_version" "$TMP/too-new.log"
fi
if [[ "$sdk_dir" == "$PREFIX/lib/cmake/LexOSSDK" ]]; then
  pass "LexOSSDK found in the prefix ($sdk_dir)"
else
  fail "LexOSSDK found in the prefix (found '$sdk_dir')"
fi
if cmake --build "$HB" -j2 >"$TMP/hello-build.log" 2>&1; then
  pass "hello-plugin builds (-Wall -Wextra -Werror)"
else
  fail "hello-plugin builds (-Wall -Wextra -Werror)"
  show "$TMP/hello-build.log" 30
fi
if cmake --install "$HB" >"$TMP/hello-install.log" 2>&1 && [[ -f "$PLUGIN_FILE" ]]; then
  pass "cmake --install puts hello.so into $PREFIX/lib/lexos/plugins"
else
  fail "cmake --install puts hello.so into $PREFIX/lib/lexos/plugins"
  show "$TMP/hello-install.log"
fi
if command -v nm >/dev/null && [[ -f "$PLUGIN_FILE" ]]; then
  exported=$(nm -D --defined-only "$PLUGIN_FILE" | awk '$2 == "T" || $2 == "t" { print $3 }' | sort -u | tr '\n' ' ')
  if [[ "$exported" == "lexos_plugin_gate " ]]; then
    pass "hello.so exports only the gate function"
  else
    fail "hello.so exports only the gate function (found: $exported)"
  fi
fi
if [[ ! -f "$PLUGIN_FILE" ]]; then
  echo "hello.so is missing; cannot run the server checks"
  summary
  exit 1
fi

# ---------------------------------------------------------------------------------------------
echo "== (c) run the installed lexosd with hello enabled"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
# hello requires clients (its notes reference clients): both enabled.
export LEXOS_SERVER_LISTEN="127.0.0.1:$PORT" LEXOS_PLUGINS_ENABLED=clients,hello LEXOS_STATE_DIR="$STATE"
"$PREFIX/bin/lexosd" --config "$INI" >"$TMP/lexosd.log" 2>&1 &
DAEMON_PID=$!
ready=0
for _ in $(seq 1 200); do  # 20 s
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then break; fi
  if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/readyz" || true)" == 200 ]]; then
    ready=1
    break
  fi
  sleep 0.1
done
if [[ $ready -eq 1 ]]; then
  pass "lexosd answers /readyz 200 on 127.0.0.1:$PORT"
else
  fail "lexosd answers /readyz 200 on 127.0.0.1:$PORT within 20 s"
  show "$TMP/lexosd.log"
  summary
  exit 1
fi
check "lexosd logs that it loaded hello from $PLUGIN_FILE" grep -Fq "loaded plugin hello 1.0.0 from $PLUGIN_FILE" "$TMP/lexosd.log"

# GET /api/v1/hello: status, content type and body.
code=$(curl -s -D "$TMP/hello.headers" -o "$TMP/hello.json" -w '%{http_code}' "$BASE/api/v1/hello" || true)
if [[ "$code" == 200 ]]; then pass "GET /api/v1/hello is 200"; else fail "GET /api/v1/hello is 200 (found $code)"; fi
check "GET /api/v1/hello is application/json" grep -iq '^content-type: application/json' "$TMP/hello.headers"
rid=$(grep -i '^x-request-id:' "$TMP/hello.headers" | head -n1 | cut -d: -f2- | tr -d ' \r' || true)
if [[ $HAVE_PY -eq 1 ]]; then
  if python3 - "$TMP/hello.json" "$rid" <<'EOF' >"$TMP/hello.check" 2>&1; then
import json, sys
body = json.load(open(sys.argv[1]))
assert body["message"] == "Hello from a LexOS plugin", body
assert body["greeting"] == "Hello", body          # default of [plugin.hello] greeting
assert body["request_id"], body
if sys.argv[2]:
    assert body["request_id"] == sys.argv[2], (body["request_id"], sys.argv[2])
EOF
    pass "GET /api/v1/hello answers the message, the default greeting and the request id"
  else
    fail "GET /api/v1/hello answers the message, the default greeting and the request id"
    show "$TMP/hello.check"
    show "$TMP/hello.json"
  fi
else
  check "GET /api/v1/hello answers the message" grep -Fq '"message": "Hello from a LexOS plugin"' "$TMP/hello.json"
fi

# A typed error thrown inside the plugin (built with hidden visibility) maps to its status.
long=$(printf 'x%.0s' $(seq 1 80))
code=$(curl -s -o "$TMP/bad.json" -w '%{http_code}' "$BASE/api/v1/hello?to=$long" || true)
if [[ "$code" == 400 ]] && grep -q '"field" *: *"to"' "$TMP/bad.json"; then
  pass "BadRequest thrown by the plugin answers 400 naming the field"
else
  fail "BadRequest thrown by the plugin answers 400 naming the field (found $code: $(head -c 200 "$TMP/bad.json" 2>/dev/null))"
fi

# lexosctl sees the same plugins and routes (same config and environment).
if "$PREFIX/bin/lexosctl" --config "$INI" plugins >"$TMP/plugins.txt" 2>&1 &&
   grep -Eq "^hello[[:space:]]+1\.0\.0[[:space:]]+$PLUGIN_FILE" "$TMP/plugins.txt"; then
  pass "lexosctl plugins lists hello 1.0.0 from $PLUGIN_FILE"
else
  fail "lexosctl plugins lists hello 1.0.0 from $PLUGIN_FILE"
  show "$TMP/plugins.txt"
fi
if "$PREFIX/bin/lexosctl" --config "$INI" routes --json >"$TMP/routes.json" 2>"$TMP/routes.err"; then
  pass "lexosctl routes --json succeeds"
else
  fail "lexosctl routes --json succeeds"
  show "$TMP/routes.err"
fi
if [[ $HAVE_PY -eq 1 ]]; then
  if python3 - "$TMP/routes.json" <<'EOF' >"$TMP/routes.check" 2>&1; then
import json, sys
routes = json.load(open(sys.argv[1]))
want = {
    ("GET", "/api/v1/hello"): ("public", "public"),
    ("GET", "/api/v1/hello/whoami"): ("staff", "hello.read"),
    ("GET", "/api/v1/hello/notes"): ("staff", "hello.read"),
    ("POST", "/api/v1/hello/notes"): ("staff", "hello.write"),
}
found = {(r["method"], r["path"]): (r["audience"], r["permission"]) for r in routes if r.get("plugin") == "hello"}
assert found == want, found
EOF
    pass "routes --json lists hello's four routes with their audiences and permissions"
  else
    fail "routes --json lists hello's four routes with their audiences and permissions"
    show "$TMP/routes.check"
  fi
else
  # Without python3: the raw text (JSON may escape "/" as "\/").
  sed 's#\\/#/#g' "$TMP/routes.json" >"$TMP/routes.plain"
  check "routes --json contains /api/v1/hello with audience public" \
    grep -Eq '"path" *: *"/api/v1/hello"[^}]*"audience" *: *"public"|"audience" *: *"public"[^}]*"path" *: *"/api/v1/hello"' "$TMP/routes.plain"
fi

code=$(curl -s -o "$TMP/whoami.json" -w '%{http_code}' "$BASE/api/v1/hello/whoami" || true)
if [[ "$code" == 401 ]]; then pass "GET /api/v1/hello/whoami without a session is 401"; else fail "GET /api/v1/hello/whoami without a session is 401 (found $code)"; fi

# Signed in as a paralegal (who holds hello.read by default): whoami answers from the session;
# with the module switched off for the firm the staff route is 404 and the public one stays.
CTL=("$PREFIX/bin/lexosctl" --config "$INI")
if "${CTL[@]}" firm create --slug acme --name "Acme LLP" >"$TMP/ctl.log" 2>&1 &&
   echo 'install-test password 1' | "${CTL[@]}" user create --firm acme --email ann@acme.test --role paralegal \
     --password-stdin >>"$TMP/ctl.log" 2>&1; then
  pass "lexosctl creates a firm and a paralegal"
else
  fail "lexosctl creates a firm and a paralegal"
  show "$TMP/ctl.log"
fi
code=$(curl -s -D "$TMP/login.headers" -o "$TMP/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"firm": "acme", "email": "ann@acme.test", "password": "install-test password 1"}' "$BASE/api/v1/auth/login" || true)
cookie=$(grep -i '^set-cookie:' "$TMP/login.headers" 2>/dev/null | head -n1 | sed -E 's/^[^:]*: *([^;]*).*/\1/' | tr -d '\r' || true)
if [[ "$code" == 200 && -n "$cookie" ]]; then pass "POST /api/v1/auth/login signs in"; else fail "POST /api/v1/auth/login signs in (found $code)"; fi
code=$(curl -s -o "$TMP/whoami.json" -w '%{http_code}' -H "Cookie: $cookie" "$BASE/api/v1/hello/whoami" || true)
firm_id=$(grep -Eo 'id [0-9]+' "$TMP/ctl.log" | head -n1 | cut -d' ' -f2 || true)
if [[ "$code" == 200 ]] && grep -Eq "\"email\": *\"ann@acme.test\"" "$TMP/whoami.json" &&
   grep -Eq "\"firm_id\": *$firm_id[,}]" "$TMP/whoami.json"; then
  pass "GET /api/v1/hello/whoami signed in answers the email and firm id ($firm_id)"
else
  fail "GET /api/v1/hello/whoami signed in answers the email and firm id $firm_id (found $code: $(head -c 200 "$TMP/whoami.json"))"
fi
# The example's table, migration and JSON POST: a note on a client, CSRF checked by the host.
csrf=$(sed -nE 's/.*"csrf_token" *: *"([^"]+)".*/\1/p' "$TMP/login.json" | head -n1)
code=$(curl -s -o "$TMP/client.json" -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d '{"name": "Thomas Anderson", "email": "ta@client.test"}' "$BASE/api/v1/clients" || true)
client_id=$(grep -Eo '"id" *: *"?[0-9]+' "$TMP/client.json" | head -n1 | grep -Eo '[0-9]+$' || true)
if [[ "$code" == 201 && -n "$client_id" ]]; then pass "a client is created (id $client_id)"; else fail "a client is created (found $code: $(head -c 200 "$TMP/client.json"))"; fi
note='{"client_id": '"${client_id:-0}"', "text": "Called about the lease"}'
code=$(curl -s -o "$TMP/note.json" -w '%{http_code}' -H "Cookie: $cookie" -H 'Content-Type: application/json' \
  -d "$note" "$BASE/api/v1/hello/notes" || true)
if [[ "$code" == 403 ]] && grep -q '"csrf"' "$TMP/note.json"; then
  pass "POST /api/v1/hello/notes without X-CSRF-Token is 403 csrf"
else
  fail "POST /api/v1/hello/notes without X-CSRF-Token is 403 csrf (found $code: $(head -c 200 "$TMP/note.json"))"
fi
code=$(curl -s -o "$TMP/note.json" -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d "$note" "$BASE/api/v1/hello/notes" || true)
if [[ "$code" == 201 ]] && grep -q 'Called about the lease' "$TMP/note.json"; then
  pass "POST /api/v1/hello/notes with the CSRF token is 201 and answers the note"
else
  fail "POST /api/v1/hello/notes with the CSRF token is 201 (found $code: $(head -c 200 "$TMP/note.json"))"
fi
code=$(curl -s -o "$TMP/note.json" -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d '{"client_id": '"${client_id:-0}"', "txt": "typo"}' "$BASE/api/v1/hello/notes" || true)
if [[ "$code" == 400 ]] && grep -Eq '"field" *: *"txt"' "$TMP/note.json"; then
  pass "an unknown field in the note is 400 naming it"
else
  fail "an unknown field in the note is 400 naming it (found $code: $(head -c 200 "$TMP/note.json"))"
fi
code=$(curl -s -o "$TMP/note.json" -w '%{http_code}' -H "Cookie: $cookie" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' -d '{"client_id": 987654321, "text": "x"}' "$BASE/api/v1/hello/notes" || true)
if [[ "$code" == 404 ]]; then pass "a note on a client the firm does not have is 404"; else fail "a note on a client the firm does not have is 404 (found $code)"; fi
code=$(curl -s -o "$TMP/notes.json" -w '%{http_code}' -H "Cookie: $cookie" "$BASE/api/v1/hello/notes?client_id=${client_id:-0}" || true)
if [[ "$code" == 200 ]] && grep -q 'Called about the lease' "$TMP/notes.json"; then
  pass "GET /api/v1/hello/notes lists the note (the migration ran, the table is scoped)"
else
  fail "GET /api/v1/hello/notes lists the note (found $code: $(head -c 200 "$TMP/notes.json"))"
fi
code=$(curl -s -o "$TMP/nav.json" -w '%{http_code}' -H "Cookie: $cookie" "$BASE/api/v1/nav" || true)
if [[ "$code" == 200 ]] && grep -q '/plugins/hello/hello.js' "$TMP/nav.json" && grep -q '/plugins/hello/client_card.js' "$TMP/nav.json"; then
  pass "GET /api/v1/nav offers hello's view and its client card"
else
  fail "GET /api/v1/nav offers hello's view and its client card (found $code: $(head -c 300 "$TMP/nav.json"))"
fi
code=$(curl -s -o "$TMP/hello.js" -w '%{http_code}' -H "Cookie: $cookie" "$BASE/plugins/hello/hello.js" || true)
if [[ "$code" == 200 ]] && grep -q 'export' "$TMP/hello.js"; then
  pass "GET /plugins/hello/hello.js serves the installed screen"
else
  fail "GET /plugins/hello/hello.js serves the installed screen (found $code)"
fi
"${CTL[@]}" firm modules --firm acme --disable hello >>"$TMP/ctl.log" 2>&1 || true
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE/api/v1/hello/whoami" || true)
code2=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/hello" || true)
if [[ "$code" == 404 && "$code2" == 200 ]]; then
  pass "firm modules --disable hello: whoami is 404 for the firm, the public route stays 200"
else
  fail "firm modules --disable hello: whoami is 404 for the firm, the public route stays 200 (found $code, $code2)"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE/plugins/hello/hello.js" || true)
if [[ "$code" == 404 ]] && ! curl -s -H "Cookie: $cookie" "$BASE/api/v1/nav" | grep -q hello; then
  pass "firm modules --disable hello: its screen is 404 and nav names nothing of it"
else
  fail "firm modules --disable hello: its screen is 404 and nav names nothing of it (found $code)"
fi

# SIGTERM: drain and exit 0 within 10 s.
kill -TERM "$DAEMON_PID"
stopped=0
for _ in $(seq 1 100); do
  if ! kill -0 "$DAEMON_PID" 2>/dev/null; then stopped=1; break; fi
  sleep 0.1
done
if [[ $stopped -eq 1 ]]; then
  rc=0
  wait "$DAEMON_PID" || rc=$?
  DAEMON_PID=""
  if [[ $rc -eq 0 ]]; then pass "SIGTERM: lexosd exits 0 within 10 s"; else fail "SIGTERM: lexosd exits 0 (exit code $rc)"; show "$TMP/lexosd.log"; fi
else
  fail "SIGTERM: lexosd exits within 10 s (still running)"
  show "$TMP/lexosd.log"
fi

# ---------------------------------------------------------------------------------------------
echo "== (d) the loader's refusals: file and folder permissions, owners, the LexOS note"
chmod o+w "$PLUGIN_FILE"
rc=0
if command -v timeout >/dev/null; then
  timeout 20 "$PREFIX/bin/lexosd" --config "$INI" >"$TMP/refused.log" 2>&1 || rc=$?
else
  "$PREFIX/bin/lexosd" --config "$INI" >"$TMP/refused.log" 2>&1 || rc=$?
fi
chmod o-w "$PLUGIN_FILE"
if [[ $rc -ne 0 && $rc -ne 124 ]]; then
  pass "lexosd refuses to start (exit code $rc)"
else
  fail "lexosd refuses to start (exit code $rc)"
fi
if grep -F "writable by others" "$TMP/refused.log" | grep -Fq "$PLUGIN_FILE"; then
  pass "the refusal names the file and says it is writable by others"
else
  fail "the refusal names the file and says it is writable by others"
  show "$TMP/refused.log"
fi

# check_refused WHAT EXPECTED...: lexosd --check refuses to start and its message holds each of
# the EXPECTED strings.
check_refused() {
  local what=$1 rc=0 s missing=""
  shift
  "$PREFIX/bin/lexosd" --config "$INI" --check >"$TMP/check.log" 2>&1 || rc=$?
  for s in "$@"; do grep -Fq -- "$s" "$TMP/check.log" || missing+=" '$s'"; done
  if [[ $rc -ne 0 && -z "$missing" ]]; then
    pass "$what"
  else
    fail "$what (exit code $rc; missing:${missing:- none})"
    show "$TMP/check.log"
  fi
}
PLUGIN_DIR="$PREFIX/lib/lexos/plugins"

chmod g+w "$PLUGIN_DIR"
check_refused "a plugin folder writable by its group is refused, naming the folder and chmod go-w" \
  "refused: folder $PLUGIN_DIR on its path is writable by its group" "chmod go-w $PLUGIN_DIR"
chmod g-w "$PLUGIN_DIR"

if [[ $(id -u) -eq 0 ]]; then
  chown 65534 "$PREFIX/lib"
  check_refused "a folder above the plugin owned by another user is refused, naming it and chown root" \
    "folder $PREFIX/lib on its path is owned by uid 65534" "chown root $PREFIX/lib"
  chown 0 "$PREFIX/lib"
else
  echo "SKIP: a folder owned by another user (needs root)"
fi

if command -v objcopy >/dev/null && command -v strip >/dev/null && command -v readelf >/dev/null; then
  cp -p "$PLUGIN_FILE" "$TMP/hello.so.orig"
  if readelf -n "$PLUGIN_FILE" | grep -q '^ *LEXOS '; then
    pass "hello.so carries the LexOS note (readelf -n)"
  else
    fail "hello.so carries the LexOS note (readelf -n)"
  fi
  objcopy --remove-section .note.lexos "$TMP/hello.so.orig" "$PLUGIN_FILE"
  check_refused "hello.so without its LexOS note is refused as older than SDK 1.2, before loading" \
    "$PLUGIN_FILE: not a LexOS plugin, or built against an SDK older than 1.2" "rebuild it against the installed SDK"
  strip --strip-all -o "$PLUGIN_FILE" "$TMP/hello.so.orig"
  if readelf -n "$PLUGIN_FILE" | grep -q '^ *LEXOS ' &&
     "$PREFIX/bin/lexosd" --config "$INI" --check >"$TMP/check.log" 2>&1; then
    pass "hello.so stripped (strip --strip-all) keeps its note and lexosd --check accepts it"
  else
    fail "hello.so stripped (strip --strip-all) keeps its note and lexosd --check accepts it"
    show "$TMP/check.log"
  fi
  cp -p "$TMP/hello.so.orig" "$PLUGIN_FILE"
else
  echo "SKIP: the note checks need objcopy, strip and readelf (binutils)"
fi

summary
