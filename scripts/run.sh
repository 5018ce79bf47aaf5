#!/usr/bin/env bash
# scripts/run.sh — build LexOS and run lexosd in the foreground with etc/lexos.ini.
#
#   scripts/run.sh [lexosd options...]
#
# Listens on 127.0.0.1:8080 and keeps its state under var/ (see etc/lexos.ini); any key can
# be overridden by an environment variable, e.g. LEXOS_SERVER_LISTEN=127.0.0.1:9090.
# Ctrl-C (SIGINT) or SIGTERM stops it gracefully.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh >&2
exec build/bin/lexosd --config etc/lexos.ini "$@"
