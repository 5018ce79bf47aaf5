#!/usr/bin/env bash
# scripts/deps.sh — install the Debian 12 packages LexOS needs, idempotently.
#
#   scripts/deps.sh             build + test dependencies
#   scripts/deps.sh --bench     + wrk, nginx (bench/http.sh)
#   scripts/deps.sh --browser   + chromium, Node.js, npm; then `npm ci` in tests/browser
#   scripts/deps.sh --fuzz      + clang and its libFuzzer/sanitizer runtimes (scripts/fuzz.sh)
#
# Only packages that are missing are installed (apt-get update runs only then). A package
# counts as present when dpkg has it installed or an installed package provides it (for
# example NodeSource's nodejs provides npm). Uses sudo when not run as root.
set -euo pipefail

# Base: compiler and build tools, the libraries the C++ code links, the PostgreSQL server
# that tests/support/pg-cluster.sh starts, and the sqlite3/curl tools the scripts use.
PACKAGES=(
  build-essential cmake pkg-config            # toolchain
  libpoco-dev libboost-dev libboost-filesystem-dev catch2 libargon2-dev  # C++ libraries
  libssl-dev libsqlite3-dev libpq-dev         # crypto, embedded and server databases
  libmagic-dev                                # vault: content type from the bytes
  libsystemd-dev systemd                      # lexosd: sd_notify (Type=notify, watchdog); tests:
                                              # systemd-analyze verify/security of the unit
  tzdata                                      # firm settings: time zones and ISO 3166 countries
  iso-codes                                   # firm settings: ISO 4217 currencies (default currency)
  libphonenumber-dev                          # clients: phone numbers parsed and formatted
  libhpdf-dev fonts-dejavu-core               # billing: receipts and invoices as PDF (libharu; a
                                              # TrueType font with Latin, Greek and Cyrillic)
  poppler-utils                               # tests: PDFs read back with pdftotext
  postgresql postgresql-contrib sqlite3       # test database server, sqlite3 shell
  pgbouncer                                   # tests: lexosd through PgBouncer (transaction mode)
  postgresql-client                           # lexosctl backup/restore: pg_dump, pg_restore
  curl ca-certificates                        # HTTP checks in scripts and benchmarks
  libreoffice-calc-nogui                      # tests: CSV export opened in a real spreadsheet
  clamav-daemon                               # tests: uploads scanned by a real clamd (its own config and
                                              # signatures; the packaged service is not needed)
  libical-dev                                 # schedules: RFC 5545 calendar feeds (libical)
  libqrencode-dev                             # MFA: the enrolment QR code, drawn by the server
  oathtool                                    # tests: TOTP codes from an independent implementation
  libicu-dev                                  # portal: invitation expiry in words in the firm's zone (ICU)
  python3-icalendar                           # tests: the feeds read back by an independent parser
  nginx-light                                 # tests: two lexosd nodes behind a real load balancer;
                                              # bench/http.sh: the reference server
  help2man                                    # the manual pages lexosd(8), lexosctl(8) from --help
  lintian debootstrap                         # tests: the Debian packages (cpack) checked, then installed
                                              # into a fresh Debian 12 root (tests/package/deb_test.sh)
  python3-prometheus-client                   # tests: /metrics read back by the Prometheus client's parser
)
BENCH_PACKAGES=(wrk python3)                  # bench/http.sh (python3: connection probe; nginx is in the base)
BROWSER_PACKAGES=(chromium nodejs npm)        # tests/browser (Playwright + Debian chromium)
FUZZ_PACKAGES=(clang libclang-rt-14-dev)      # tests/fuzz (libFuzzer, ASan, UBSan: clang 14)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
browser=0
for arg in "$@"; do
  case "$arg" in
    --bench) PACKAGES+=("${BENCH_PACKAGES[@]}") ;;
    --browser) PACKAGES+=("${BROWSER_PACKAGES[@]}"); browser=1 ;;
    --fuzz) PACKAGES+=("${FUZZ_PACKAGES[@]}") ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "deps.sh: unknown option '$arg' (expected --bench, --browser or --fuzz)" >&2; exit 2 ;;
  esac
done

# Names provided by installed packages (virtual packages), one per line.
provided="$(dpkg-query -W -f='${Status}\t${Provides}\n' 2>/dev/null \
  | awk -F'\t' '$1 == "install ok installed" { print $2 }' \
  | tr ',' '\n' | sed 's/(.*)//; s/^ *//; s/ *$//' | sort -u)"

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  [[ "$status" == "install ok installed" ]] && continue
  grep -qxF "$pkg" <<<"$provided" && continue
  missing+=("$pkg")
done

if ((${#missing[@]})); then
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "deps.sh: installing ${missing[*]} ..." >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  summary="installed: ${missing[*]}"
else
  summary="all dependencies present"
fi

# Browser tests: fetch their npm packages once (node_modules absent). Playwright drives
# Debian's chromium, so it must not try to download a browser of its own.
# Again when package-lock.json changed since (a pinned version moved).
if ((browser)) && [[ -f "$ROOT/tests/browser/package.json" ]] &&
   [[ ! -d "$ROOT/tests/browser/node_modules" ||
      "$ROOT/tests/browser/package-lock.json" -nt "$ROOT/tests/browser/node_modules/.package-lock.json" ]]; then
  cd "$ROOT/tests/browser"
  if [[ -f package-lock.json ]]; then npm_cmd=(npm ci); else npm_cmd=(npm install); fi
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "${npm_cmd[@]}" --no-audit --no-fund >&2
  summary+="; ${npm_cmd[*]} in tests/browser"
fi

echo "deps.sh: $summary"
