#!/usr/bin/env bash
# tests/support/pg-cluster.sh — a throwaway PostgreSQL cluster for tests and benchmarks.
#
#   pg-cluster.sh start DIR   create DIR, initdb, start on a free 127.0.0.1 port, create the
#                             roles lexos_owner (migrations) and lexos_app (runtime: neither
#                             SUPERUSER nor BYPASSRLS) and the database lexos; then print on
#                             stdout exactly:
#                               LEXOS_TEST_PG_URL=postgresql://lexos_app:app@127.0.0.1:PORT/lexos
#                               LEXOS_TEST_PG_OWNER_URL=postgresql://lexos_owner:owner@127.0.0.1:PORT/lexos
#                               LEXOS_TEST_PG_BACKUP_URL=postgresql://lexos_backup:backup@127.0.0.1:PORT/lexos
#                             (lexos_backup: BYPASSRLS, member of lexos_owner; lexosctl backup/restore)
#   pg-cluster.sh stop DIR    stop the server (immediate) and remove DIR
#   pg-cluster.sh halt DIR    stop the server (fast: connections are ended) but keep DIR
#   pg-cluster.sh resume DIR  start a halted server again on the same port (fault tests)
#
# Everything else goes to stderr; the server log is DIR/postgres.log. Works as root (the
# server then runs as user postgres, so DIR's parent must be searchable by it, e.g. under
# /tmp) and as a normal user. TCP connections need the password (scram-sha-256); the
# superuser postgres is reachable only through the socket in DIR/sock. Durability is off.
set -euo pipefail

die() { echo "pg-cluster.sh: $*" >&2; exit 1; }
[[ $# -eq 2 && ( "$1" == start || "$1" == stop || "$1" == halt || "$1" == resume ) ]] ||
  die "usage: pg-cluster.sh start|stop|halt|resume DIR"
cmd="$1"
dir="$(realpath -m -- "$2")"
[[ "$dir" != *[[:space:]\'\"]* ]] || die "DIR must not contain spaces or quotes: $dir"
cd /  # the server user may not be able to enter the caller's working directory

# Newest installed PostgreSQL (Debian keeps each major in /usr/lib/postgresql/N/bin).
bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n1)"
[[ -x "$bin/initdb" ]] || die "no PostgreSQL server in /usr/lib/postgresql (run scripts/deps.sh)"

# initdb and pg_ctl refuse to run as root: run the server as postgres then.
as_pg=()
((EUID == 0)) && as_pg=(runuser -u postgres --)

start_server() {  # PORT
  "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
    -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -p $1 -k '$dir/sock' -c unix_socket_permissions=0700 -c timezone=UTC" \
    start >&2
}

if [[ "$cmd" == halt || "$cmd" == resume ]]; then
  [[ -f "$dir/.lexos-pg-cluster" && -f "$dir/port" ]] || die "$dir is not a cluster made by pg-cluster.sh"
  if [[ "$cmd" == halt ]]; then
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
  else
    start_server "$(cat "$dir/port")"
  fi
  exit 0
fi

if [[ "$cmd" == stop ]]; then
  [[ -e "$dir" ]] || exit 0
  [[ -f "$dir/.lexos-pg-cluster" ]] || die "$dir was not made by pg-cluster.sh; not removing it"
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true
  fi
  rm -rf -- "$dir"
  exit 0
fi

[[ ! -e "$dir" ]] || [[ -z "$(ls -A -- "$dir")" ]] || die "$dir exists and is not empty"
mkdir -p -- "$dir"
touch "$dir/.lexos-pg-cluster"
if ((EUID == 0)); then
  chown postgres: "$dir"
  runuser -u postgres -- test -w "$dir" \
    || die "user postgres cannot reach $dir (a parent directory is not searchable); use one under /tmp"
fi
"${as_pg[@]}" mkdir -m 0700 "$dir/data" "$dir/sock"

# Superuser password: only to satisfy initdb (password auth on TCP); never used or printed.
pwfile="$dir/sock/pw"  # inside a 0700 directory
od -An -tx1 -N24 /dev/urandom | tr -d ' \n' | "${as_pg[@]}" tee "$pwfile" >/dev/null
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" --no-sync \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >&2
rm -f -- "$pwfile"

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  else
    local p
    while :; do
      p=$((20000 + RANDOM % 40000))
      (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
  fi
}

# Another process can take the port between the probe and the start: retry a few times.
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if start_server "$port"; then
    echo "$port" >"$dir/port"
    break
  fi
  ((attempt < 5)) || { tail -n 20 "$dir/postgres.log" >&2; die "server did not start (log above)"; }
done

# From here on a failure must not leave a server running.
trap '"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >&2 || true' EXIT

psql_pg() { "${as_pg[@]}" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/sock" -p "$port" -U postgres "$@" >&2; }
psql_pg -d postgres <<'SQL'
CREATE ROLE lexos_owner LOGIN PASSWORD 'owner' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE lexos_app LOGIN PASSWORD 'app' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
-- lexosctl backup/restore (database.backup_url): reads and writes every firm's rows.
CREATE ROLE lexos_backup LOGIN PASSWORD 'backup' NOSUPERUSER NOCREATEDB NOCREATEROLE BYPASSRLS;
GRANT lexos_owner TO lexos_backup;
CREATE DATABASE lexos OWNER lexos_owner;
SQL
psql_pg -d lexos <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO lexos_owner;
GRANT USAGE ON SCHEMA public TO lexos_app;
SQL

trap - EXIT
echo "LEXOS_TEST_PG_URL=postgresql://lexos_app:app@127.0.0.1:$port/lexos"
echo "LEXOS_TEST_PG_OWNER_URL=postgresql://lexos_owner:owner@127.0.0.1:$port/lexos"
echo "LEXOS_TEST_PG_BACKUP_URL=postgresql://lexos_backup:backup@127.0.0.1:$port/lexos"
