#!/usr/bin/env bash
# deb_test.sh ROOT_SOURCE_DIR BUILD_DIR
#
# The Debian packages (docs/packaging.md), as an administrator meets them:
#   (a) `cpack -G DEB` builds lexos_<version>_amd64.deb and lexos-dev_<version>_all.deb;
#   (b) lintian finds no error in either;
#   (c) their contents: FHS paths, /etc/lexos/lexos.ini a conffile pointing at the packaged
#       paths, the unit in /lib/systemd/system, library dependencies found by dpkg-shlibdeps,
#       stripped plugins that keep their LexOS note;
#   (d) both install with apt into a fresh Debian 12 root (debootstrap minbase from this
#       machine's own archive; cached in BUILD_DIR/deb-test/), which creates the lexos system
#       user, the state folder and lexos.ini's permissions, and enables the unit;
#   (e) there, as the lexos user: `lexosd --check`, lexosctl (plugins, firm and user create),
#       lexosd serving /healthz, /readyz and a sign-in on a real port, SIGTERM exits 0;
#   (f) the SDK's example plugin builds against the installed lexos-dev and loads;
#   (g) an administrator's edit of lexos.ini survives a reinstall; remove keeps the conffile
#       and the data, purge removes the conffile and keeps the data.
# Needs root (chroot), cpack, lintian, debootstrap and curl (scripts/deps.sh installs them).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../support/checks.sh"  # pass, fail, check, summary

if [[ $# -ne 2 ]]; then
  echo "usage: $0 ROOT_SOURCE_DIR BUILD_DIR" >&2
  exit 2
fi
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
if ((EUID != 0)); then
  echo "deb_test: skipped: installing into a Debian root needs root (chroot)" >&2
  exit 77
fi
for tool in cpack lintian debootstrap curl dpkg-deb readelf; do
  command -v "$tool" >/dev/null || { echo "deb_test: $tool is required (scripts/deps.sh installs it)" >&2; exit 2; }
done

VERSION=$(sed -n 's/^project(LexOS VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lexos-deb-test.XXXXXX")
ROOT="$TMP/root"
CACHE="$BUILD/deb-test"

# Unmounts everything under the root (deepest first) before deleting it: a recursive delete
# must never follow a mount back into this machine's /proc or /dev.
unmount_root() {
  [[ -d "$ROOT" ]] || return 0
  awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
  local rc=$?
  if [[ -d "$ROOT/proc" ]]; then
    # Anything still running inside the root (a lexosd whose test failed).
    for p in /proc/[0-9]*; do
      [[ "$(readlink "$p/root" 2>/dev/null)" == "$ROOT" ]] && kill -KILL "${p#/proc/}" 2>/dev/null || true
    done
  fi
  unmount_root
  if awk -v r="$ROOT" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    echo "deb_test: $ROOT still has mounts; left in place" >&2
  else
    rm -rf --one-file-system "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# in_root CMD...: runs a command in the installed root, as a newcomer's shell would.
in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# ---- (a) the packages ----
echo "== cpack -G DEB"
PKG="$TMP/pkg"
mkdir -p "$PKG"
if ! cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$PKG" >"$TMP/cpack.log" 2>&1; then
  tail -n 30 "$TMP/cpack.log"
  fail "cpack -G DEB builds the packages"
  summary
  exit 1
fi
DEB="$PKG/lexos_${VERSION}_amd64.deb"
DEV="$PKG/lexos-dev_${VERSION}_all.deb"
check "cpack built lexos_${VERSION}_amd64.deb" test -s "$DEB"
check "cpack built lexos-dev_${VERSION}_all.deb" test -s "$DEV"
[[ -s "$DEB" && -s "$DEV" ]] || { summary; exit 1; }

# ---- (b) lintian ----
echo "== lintian"
if lintian --fail-on error "$DEB" "$DEV" >"$TMP/lintian.log" 2>&1; then
  pass "lintian: no errors ($(grep -c '^W:' "$TMP/lintian.log" || true) warnings)"
else
  fail "lintian: errors"
fi
sed -e 's/^/    | /' "$TMP/lintian.log" | grep -v 'root privileges' || true

# ---- (c) contents ----
echo "== contents"
dpkg-deb -c "$DEB" | awk '{print $6}' | sed 's#^\./#/#' >"$TMP/files"
for f in /usr/bin/lexosd /usr/bin/lexosctl /etc/lexos/lexos.ini /lib/systemd/system/lexosd.service \
         /usr/share/lexos/web/app/index.html /usr/share/lexos/web/portal/index.html \
         /usr/share/doc/lexos/copyright /usr/share/doc/lexos/changelog.gz \
         /usr/share/man/man8/lexosd.8.gz /usr/share/man/man8/lexosctl.8.gz; do
  check "lexos ships $f" grep -qxF "$f" "$TMP/files"
done
for p in billing cases clients documents messages portal schedules; do
  check "lexos ships the $p plugin in /usr/lib/lexos/plugins" grep -qxF "/usr/lib/lexos/plugins/$p.so" "$TMP/files"
done
check "lexos ships nothing under /usr/local, /var or the SDK's folders" \
  bash -c "! grep -E '^/(usr/local|var|usr/include|usr/lib/cmake)' '$TMP/files'"
check "lexos.ini is the package's only conffile" \
  bash -c "[[ \"\$(dpkg-deb -I '$DEB' conffiles)\" == /etc/lexos/lexos.ini ]]"
mkdir -p "$TMP/x" && dpkg-deb -x "$DEB" "$TMP/x"
INI_X="$TMP/x/etc/lexos/lexos.ini"
check "the packaged lexos.ini keeps state in /var/lib/lexos" grep -qx 'dir = /var/lib/lexos' "$INI_X"
check "the packaged lexos.ini loads plugins from /usr/lib/lexos/plugins" grep -qx 'dir = /usr/lib/lexos/plugins' "$INI_X"
check "the packaged lexos.ini enables every bundled plugin" \
  grep -qx 'enabled = billing,cases,clients,documents,messages,portal,schedules' "$INI_X"
check "the unit starts /usr/bin/lexosd with /etc/lexos/lexos.ini" \
  grep -qx 'ExecStart=/usr/bin/lexosd --config /etc/lexos/lexos.ini' "$TMP/x/lib/systemd/system/lexosd.service"
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
for lib in libpq5 libsqlite3-0 libpocofoundation80 libmagic1 libsystemd0 libical3; do
  check "Depends (dpkg-shlibdeps) names $lib" grep -q "\b$lib\b" <<<"$DEPENDS"
done
check "Depends names adduser (the maintainer script's user)" grep -q '\badduser\b' <<<"$DEPENDS"
check "lexosd is stripped" bash -c "! readelf -S '$TMP/x/usr/bin/lexosd' | grep -q '\.symtab'"
check "the stripped cases plugin keeps its LexOS note" \
  bash -c "readelf -n '$TMP/x/usr/lib/lexos/plugins/cases.so' | grep -q '\.note\.lexos'"
dpkg-deb -c "$DEV" | awk '{print $6}' | sed 's#^\./#/#' >"$TMP/devfiles"
for f in /usr/include/lexos/sdk/lexos.h /usr/lib/cmake/LexOSSDK/LexOSSDKConfig.cmake \
         /usr/share/doc/lexos-dev/SDK.md /usr/share/doc/lexos-dev/examples/hello-plugin/CMakeLists.txt \
         /usr/share/doc/lexos-dev/copyright; do
  check "lexos-dev ships $f" grep -qxF "$f" "$TMP/devfiles"
done
check "lexos-dev depends on this very lexos" grep -qx "lexos (= $VERSION)" <<<"$(dpkg-deb -f "$DEV" Depends)"

# ---- (d) a fresh Debian 12 root ----
echo "== a fresh Debian 12 root"
mkdir -p "$CACHE"
MIRROR=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[[ -n "$MIRROR" ]] || MIRROR=$(awk '/^deb / { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[[ -n "$MIRROR" ]] || MIRROR=http://deb.debian.org/debian
if [[ ! -s "$CACHE/bookworm-minbase.tar" ]]; then
  echo "   debootstrap --variant=minbase bookworm from $MIRROR (once; cached in $CACHE)"
  rm -rf "$CACHE/base"
  if ! debootstrap --variant=minbase bookworm "$CACHE/base" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1; then
    tail -n 20 "$CACHE/debootstrap.log"
    fail "debootstrap a Debian 12 root"
    summary
    exit 1
  fi
  tar -C "$CACHE/base" -cf "$CACHE/bookworm-minbase.tar.part" . && mv "$CACHE/bookworm-minbase.tar.part" "$CACHE/bookworm-minbase.tar"
  rm -rf --one-file-system "$CACHE/base"
fi
mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$CACHE/bookworm-minbase.tar"
mount -t proc proc "$ROOT/proc"
# The same archive and apt settings as this machine (the packages were built against them).
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
  cp /etc/apt/sources.list.d/*.sources "$ROOT/etc/apt/sources.list.d/" && rm -f "$ROOT/etc/apt/sources.list"
fi
for f in /etc/apt/apt.conf.d/99*; do [[ -f "$f" ]] && cp "$f" "$ROOT/etc/apt/apt.conf.d/"; done
cp "$DEB" "$DEV" "$ROOT/tmp/"

echo "   apt-get install ./$(basename "$DEB") ./$(basename "$DEV") cmake g++ make"
if in_root apt-get update -q >"$TMP/apt.log" 2>&1 &&
   in_root apt-get install -y -q --no-install-recommends "/tmp/$(basename "$DEB")" "/tmp/$(basename "$DEV")" \
     cmake g++ make >>"$TMP/apt.log" 2>&1; then
  pass "apt installs both packages and their dependencies into a fresh Debian 12"
else
  tail -n 30 "$TMP/apt.log"
  fail "apt installs both packages into a fresh Debian 12"
  summary
  exit 1
fi
check "the maintainer script created the lexos system user (no login shell)" \
  bash -c "in_root() { chroot '$ROOT' \"\$@\"; }; e=\$(in_root getent passwd lexos); u=\$(cut -d: -f3 <<<\"\$e\"); ((u < 1000)) && [[ \$(cut -d: -f7 <<<\"\$e\") == /usr/sbin/nologin ]]"
check "/var/lib/lexos is lexos:lexos 0750" \
  bash -c "[[ \$(chroot '$ROOT' stat -c '%U:%G %a' /var/lib/lexos) == 'lexos:lexos 750' ]]"
check "/etc/lexos/lexos.ini is root:lexos 0640 (it may hold database passwords)" \
  bash -c "[[ \$(chroot '$ROOT' stat -c '%U:%G %a' /etc/lexos/lexos.ini) == 'root:lexos 640' ]]"
check "dpkg knows /etc/lexos/lexos.ini as a conffile" \
  bash -c "chroot '$ROOT' dpkg-query -W -f='\${Conffiles}' lexos | grep -q '/etc/lexos/lexos.ini '"
check "the unit is enabled (multi-user.target wants lexosd.service)" \
  test -L "$ROOT/etc/systemd/system/multi-user.target.wants/lexosd.service"

# ---- (e) the installed daemon and tool, as the lexos user ----
echo "== lexosd and lexosctl as installed"
as_lexos() { in_root runuser -u lexos -- "$@"; }
if as_lexos lexosd --config /etc/lexos/lexos.ini --check >"$TMP/check.log" 2>&1; then
  pass "lexosd --check passes on the packaged configuration"
else
  sed -e 's/^/    | /' "$TMP/check.log" | tail -n 20
  fail "lexosd --check passes on the packaged configuration"
fi
check "lexosd created the vault's master key 0600 in /var/lib/lexos" \
  bash -c "[[ \$(chroot '$ROOT' stat -c '%U %a' /var/lib/lexos/vault/master.key) == 'lexos 600' ]]"
as_lexos lexosctl --config /etc/lexos/lexos.ini plugins >"$TMP/plugins.txt" 2>&1 || true
check "lexosctl plugins lists the seven bundled plugins" \
  bash -c "for p in billing cases clients documents messages portal schedules; do grep -qw \"\$p\" '$TMP/plugins.txt' || exit 1; done"
check "lexosctl firm create" as_lexos lexosctl --config /etc/lexos/lexos.ini firm create --slug debfirm --name "Deb Firm LLP"
check "lexosctl user create --password-stdin" \
  bash -c "echo 'correct horse battery staple' | chroot '$ROOT' runuser -u lexos -- lexosctl --config /etc/lexos/lexos.ini user create --firm debfirm --email owner@deb.example --role owner --password-stdin"
PORT=$(free_port)
# chroot --userspec execs lexosd itself (runuser would stay as its parent): $! is lexosd.
chroot --userspec=lexos:lexos "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
  LEXOS_SERVER_LISTEN="127.0.0.1:$PORT" /usr/bin/lexosd --config /etc/lexos/lexos.ini >"$TMP/lexosd.log" 2>&1 &
LEXOSD=$!
up=0
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && { up=1; break; }
  kill -0 "$LEXOSD" 2>/dev/null || break
  sleep 0.2
done
if ((up)); then pass "the installed lexosd answers /healthz"; else fail "the installed lexosd answers /healthz"; tail -n 20 "$TMP/lexosd.log"; fi
check "the installed lexosd is ready (/readyz: database and plugins)" curl -fsS "http://127.0.0.1:$PORT/readyz"
check "the owner signs in to the installed lexosd" \
  curl -fsS -H 'Content-Type: application/json' \
    -d '{"firm":"debfirm","email":"owner@deb.example","password":"correct horse battery staple"}' \
    "http://127.0.0.1:$PORT/api/v1/auth/login"
check "the installed lexosd serves the staff app" curl -fsS "http://127.0.0.1:$PORT/app/"
kill -TERM "$LEXOSD" 2>/dev/null || true
rc=0
wait "$LEXOSD" || rc=$?
check "SIGTERM: the installed lexosd drains and exits 0 (got $rc)" test "$rc" -eq 0

# ---- (f) a third party's plugin against the installed SDK ----
echo "== the SDK's example against lexos-dev"
if in_root bash -c 'cp -r /usr/share/doc/lexos-dev/examples/hello-plugin /tmp/hello &&
     cmake -S /tmp/hello -B /tmp/hello/build -DCMAKE_BUILD_TYPE=Release &&
     cmake --build /tmp/hello/build -j2 && cmake --install /tmp/hello/build' >"$TMP/hello.log" 2>&1; then
  pass "the example plugin builds against the installed SDK and installs into /usr/lib/lexos/plugins"
else
  tail -n 30 "$TMP/hello.log"
  fail "the example plugin builds against the installed SDK"
fi
check "the hello plugin is in the plugin folder" test -f "$ROOT/usr/lib/lexos/plugins/hello.so"
check "lexosd --check loads it when enabled" \
  in_root runuser -u lexos -- env LEXOS_PLUGINS_ENABLED=billing,cases,clients,documents,messages,portal,schedules,hello \
    lexosd --config /etc/lexos/lexos.ini --check
rm -f "$ROOT/usr/lib/lexos/plugins/hello.so"

# ---- (g) reinstall, remove, purge ----
echo "== reinstall, remove, purge"
sed -i 's/^listen = .*/listen = 127.0.0.1:18080/' "$ROOT/etc/lexos/lexos.ini"
check "a reinstall keeps the administrator's lexos.ini" \
  bash -c "chroot '$ROOT' env DEBIAN_FRONTEND=noninteractive dpkg -i --force-confold /tmp/$(basename "$DEB") &&
           grep -qx 'listen = 127.0.0.1:18080' '$ROOT/etc/lexos/lexos.ini'"
check "apt-get remove lexos-dev lexos" in_root apt-get remove -y -q lexos-dev lexos
check "remove keeps the conffile" test -f "$ROOT/etc/lexos/lexos.ini"
check "remove keeps the firm's data" test -f "$ROOT/var/lib/lexos/vault/master.key"
check "remove takes the binaries" test ! -e "$ROOT/usr/bin/lexosd"
check "apt-get purge lexos" in_root apt-get purge -y -q lexos
check "purge removes /etc/lexos/lexos.ini" test ! -e "$ROOT/etc/lexos/lexos.ini"
check "purge removes lexos.ini's permission override" \
  bash -c "! chroot '$ROOT' dpkg-statoverride --list /etc/lexos/lexos.ini"
check "purge keeps /var/lib/lexos (the firms' data and the vault key)" test -f "$ROOT/var/lib/lexos/vault/master.key"

summary
