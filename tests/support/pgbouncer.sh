#!/usr/bin/env bash
# tests/support/pgbouncer.sh — a throwaway PgBouncer in transaction mode in front of a test
# cluster (tests/support/pg-cluster.sh), for the tests that run lexosd through it.
#
#   pgbouncer.sh start DIR PGPORT   start PgBouncer on a free 127.0.0.1 port in front of the
#                                   server on 127.0.0.1:PGPORT (database lexos, users lexos_app
#                                   and lexos_owner with pg-cluster.sh's passwords), then print
#                                   exactly: LEXOS_TEST_PGBOUNCER_URL=postgresql://lexos_app:app@127.0.0.1:PORT/lexos
#   pgbouncer.sh stop DIR           stop it and remove DIR
#
# pool_mode = transaction: a server connection serves one transaction, then the next client's.
# PgBouncer refuses to run as root; as root it runs as user postgres (DIR under /tmp then).
set -euo pipefail
die() { echo "pgbouncer.sh: $*" >&2; exit 1; }
cmd="${1:-}"
dir="$(realpath -m -- "${2:-}")"
[[ -n "${2:-}" ]] || die "usage: pgbouncer.sh start DIR PGPORT | stop DIR"
as=()
((EUID == 0)) && as=(runuser -u postgres --)
cd /

if [[ "$cmd" == stop ]]; then
  [[ -f "$dir/pgbouncer.pid" ]] && kill "$(cat "$dir/pgbouncer.pid")" 2>/dev/null || true
  for _ in $(seq 50); do [[ -f "$dir/pgbouncer.pid" ]] || break; sleep 0.1; done
  rm -rf -- "$dir"
  exit 0
fi
[[ "$cmd" == start && -n "${3:-}" ]] || die "usage: pgbouncer.sh start DIR PGPORT | stop DIR"
command -v pgbouncer >/dev/null || [[ -x /usr/sbin/pgbouncer ]] || die "pgbouncer not found (run scripts/deps.sh)"
bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
mkdir -p -- "$dir"
((EUID == 0)) && chown postgres: "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as[@]}" tee "$dir/userlist.txt" >/dev/null <<USERS
"lexos_app" "app"
"lexos_owner" "owner"
USERS
"${as[@]}" tee "$dir/pgbouncer.ini" >/dev/null <<INI
[databases]
lexos = host=127.0.0.1 port=$3 dbname=lexos

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 200
default_pool_size = 4
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
"${as[@]}" "$bin" -d "$dir/pgbouncer.ini" >&2 || { cat "$dir/pgbouncer.log" >&2 2>/dev/null; die "pgbouncer did not start"; }
for _ in $(seq 50); do
  (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
echo "LEXOS_TEST_PGBOUNCER_URL=postgresql://lexos_app:app@127.0.0.1:$port/lexos"
