#!/usr/bin/env bash
# bench/clients.sh — client directory latency with 100,000 clients in one firm (and 100,000 in
# another), on SQLite and on PostgreSQL, through lexosd's HTTP API on 127.0.0.1.
#
#   bench/clients.sh                       (needs a build: build/bin/lexosd, build/plugins/clients.so)
#   BUILD_DIR=/tmp/cb bench/clients.sh     another build folder
#   CLIENTS=20000 DURATION=5 BACKENDS=sqlite bench/clients.sh
#
# For each backend:
# 1. lexosctl migrates a fresh database and creates the firms bench-a and bench-b and an owner.
# 2. 100,000 clients per firm are seeded straight into the tables (there is no bulk API; the
#    seeder writes rows the way the clients plugin does: sort key, search text and search tokens
#    made by the same rules for this ASCII data). SQLite: Python's sqlite3 into the stored
#    tables; PostgreSQL: COPY into staging tables, then INSERT ... SELECT as the owner role with
#    the firm set (row-level security is forced on the owner too), then ANALYZE.
# 3. lexosd starts with only the clients module, the owner signs in (curl), and wrk (-t2 -c32,
#    DURATION seconds each, a Lua script adds the session cookie) measures:
#      first page    GET /api/v1/clients?limit=25
#      deep page     GET /api/v1/clients?limit=25&cursor=<after 90% of the active clients by name>
#      search surname GET /api/v1/clients?q=<a surname shared by ~0.3% of clients>
#      search first   GET /api/v1/clients?q=james (a first name, ~1% of clients)
#      search 2 words GET /api/v1/clients?q=mary%20corp (first name and e-mail domain)
#      search phone   GET /api/v1/clients?q=7946 (digits of phone numbers)
#      search broad   GET /api/v1/clients?q=m (a prefix of very many tokens)
#      search added  GET /api/v1/clients?q=james&sort=-added (a first name, newest first)
#    and prints p50 and p99 latency, requests per second, and each p50 / p50(first page).
# The goals: a deep page's p50 within 1.5x of the first page's (issue 4), every search's within
# 3x (issue 13), on both backends. A first page (no cursor) also counts the clients its filters
# match ("total"): the plain first page counts the whole directory, a search up to 1,000.
# Prints figures; never fails on them (CONVENTIONS.md). Everything is removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
ROOT="$(pwd)"
BUILD_DIR="$(realpath -m "${BUILD_DIR:-build}")"
CLIENTS="${CLIENTS:-100000}"
DURATION="${DURATION:-10}"
BACKENDS="${BACKENDS:-sqlite postgresql}"
LEXOSD="$BUILD_DIR/bin/lexosd"
LEXOSCTL="$BUILD_DIR/bin/lexosctl"
PASSWORD="correct horse battery staple"

for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"; done
[[ -x "$LEXOSD" && -x "$LEXOSCTL" ]] || die "no lexosd/lexosctl in $BUILD_DIR/bin; build first or set BUILD_DIR"
[[ -f "$BUILD_DIR/plugins/clients.so" ]] || die "no $BUILD_DIR/plugins/clients.so; build first or set BUILD_DIR"

tmp="$(mktemp -d /tmp/lexos-bench-clients.XXXXXX)"
chmod 0755 "$tmp"
lexosd_pid=""
pg_dir=""
cleanup() {
  if [[ -n "$lexosd_pid" ]]; then kill -TERM "$lexosd_pid" 2>/dev/null || true; wait "$lexosd_pid" 2>/dev/null || true; fi
  if [[ -n "$pg_dir" ]]; then bash "$ROOT/tests/support/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- the seeder: rows as the clients plugin writes them ------------------------------------
cat >"$tmp/seed.py" <<'PY'
import csv, json, random, re, sys, base64

backend, out, n, firm_a, firm_b = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
random.seed(4)
FIRST = ("james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan "
         "joseph jessica thomas sarah charles karen christopher nancy daniel lisa matthew betty anthony margaret "
         "mark sandra donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth dorothy kevin "
         "carol brian amanda george melissa timothy deborah ronald stephanie edward rebecca jason sharon jeffrey "
         "laura ryan cynthia jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda "
         "larry pamela justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory christine "
         "frank debra alexander rachel raymond catherine patrick carolyn jack janet dennis ruth jerry maria").split()
SYL = "ab al an ar ber bra chen dal den don el er fer gar ham har hol kin lan ler lin ma mar mer mil mon mor nel nor " \
      "ow per ray ric rob ros sel son stan ter ton val ver wal war wick win wood yar zel".split()
LAST = sorted({(a + b + c).capitalize() for a in SYL for b in SYL[:12] for c in ("", "s", "e")})
random.shuffle(LAST)
LAST = LAST[:300]  # ~330 clients share a surname in 100,000
DOMAINS = ["mail.example", "post.example", "inbox.example", "corp.example", "law.example"]

def pieces(word):
    return [p for p in re.split(r"[^a-z0-9]+", word.lower()) if p]

def tokens(name, emails, phones, contact=None):
    out = set()
    for text in [name] + emails + ([contact] if contact else []):
        for w in text.split():
            ps = pieces(w)
            out.update(ps)
            if len(ps) > 1:
                out.add("".join(ps))
    for ph in phones:
        d = ph[1:]
        for i in range(0, len(d) - 3):
            out.add(d[i:])
    return sorted(out)

def prefixes(toks):  # SearchIndex::prefixesOf: 1-6 characters of every token not of digits only
    return sorted({t[:k] for t in toks if not t.isdigit() for k in range(1, min(len(t), 6) + 1)})

def sort_key(name):
    return " ".join(name.lower().split())

rows, emails, phones, search, prefix_rows = [], [], [], [], []
next_id = 10**15
positions = []  # (sort_name, id) of firm A's clients
for firm in (firm_a, firm_b):
    for i in range(n):
        next_id += 1
        cid = next_id
        first, last = random.choice(FIRST), random.choice(LAST)
        org = i % 5 == 0
        if org:
            name = f"{last} & {random.choice(LAST)} LLP"
            kind, contact = "organisation", f"{first.capitalize()} {last}"
        else:
            name, kind, contact = f"{first.capitalize()} {last}", "individual", None
        local = f"{first}.{last.lower()}.{random.randint(1, 9999)}"
        mails = [f"{local}@{random.choice(DOMAINS)}"] + ([f"{first}{i}@{random.choice(DOMAINS)}"] if i % 2 else [])
        phone = "+44" + random.choice(["20", "161", "113", "131"]) + "%08d" % random.randint(0, 99999999)
        toks = tokens(name, mails, [phone], contact)
        status = "archived" if i % 50 == 0 else "active"
        rows.append([firm, cid, kind, name, sort_key(name), contact, mails[0], phone,
                     f"{random.randint(1, 250)} High Street", None, "London", None, "EC1A 1BB", "GB",
                     None, None, None, None, None, None, None, None,
                     "GBP", 30, None, 25000, None, status, "none", " " + " ".join(toks) + " ",
                     "2024-01-01T00:00:00Z", 1, "2024-01-01T00:00:00Z", 1])
        for k, m in enumerate(mails):
            next_id += 1
            emails.append([firm, cid, next_id, k, m, None, k == 0])
        next_id += 1
        phones.append([firm, cid, next_id, 0, phone, "mobile", True])
        search.extend([firm, cid, t, sort_key(name), status] for t in toks)
        prefix_rows.extend([firm, cid, p, sort_key(name), status] for p in prefixes(toks))
        if firm == firm_a and status == "active":
            positions.append((sort_key(name), cid))

positions.sort()
deep = positions[int(len(positions) * 0.9)]  # ~88,000 clients deep with 100,000
cursor = base64.urlsafe_b64encode(json.dumps(list(deep)).encode()).decode().rstrip("=")
with open(f"{out}/cursor", "w") as f:
    f.write(cursor)
with open(f"{out}/surname", "w") as f:
    f.write(LAST[0].lower())

if backend == "sqlite":
    import sqlite3
    db = sqlite3.connect(f"{out}/lexos.db")
    # The portal cache's triggers on lexos_t_* announce changes (docs/portal-cache.md); no lexosd
    # serves this database while it is seeded, so there is nobody to tell.
    db.create_function("lexos_guard_changed", 1, lambda key: None)
    db.execute("PRAGMA foreign_keys=ON")
    db.executemany("INSERT INTO lexos_t_clients VALUES (" + ",".join("?" * 34) + ")", rows)
    db.executemany("INSERT INTO lexos_t_client_emails VALUES (?,?,?,?,?,?,?)", emails)
    db.executemany("INSERT INTO lexos_t_client_phones VALUES (?,?,?,?,?,?,?)", phones)
    db.executemany("INSERT INTO lexos_t_client_search (firm_id, client_id, token, sort_name, status) "
                   "VALUES (?,?,?,?,?)", search)
    db.executemany("INSERT INTO lexos_t_client_prefixes (firm_id, client_id, prefix, sort_name, status) "
                   "VALUES (?,?,?,?,?)", prefix_rows)
    db.commit()
    db.close()
else:
    def dump(name, data):
        with open(f"{out}/{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            for r in data:
                w.writerow(["t" if v is True else "f" if v is False else v for v in r])
    dump("clients", rows)
    dump("client_emails", emails)
    dump("client_phones", phones)
    dump("client_search", search)
    dump("client_prefixes", prefix_rows)
print(f"seeded {len(rows)} clients, {len(emails)} emails, {len(phones)} phones, {len(search)} search tokens, "
      f"{len(prefix_rows)} prefixes")
PY

cat >"$tmp/cookie.lua" <<'LUA'
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
LUA

# to_ms "1.23ms" -> 1.23
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.2f", n }'
}

summary=()

run_backend() {
  local backend="$1"
  local state="$tmp/$backend" port url owner_url
  mkdir -p "$state"
  port="$(free_port)"
  local -a env=(LEXOS_SERVER_LISTEN="127.0.0.1:$port" LEXOS_STATE_DIR="$state" LEXOS_PLUGINS_DIR="$BUILD_DIR/plugins"
                LEXOS_PLUGINS_ENABLED=clients LEXOS_LOG_LEVEL=warning LEXOS_SERVER_THREADS=64 LEXOS_DATABASE_POOL_SIZE=16)
  if [[ "$backend" == postgresql ]]; then
    pg_dir="$tmp/pg"
    local vars
    vars="$(bash "$ROOT/tests/support/pg-cluster.sh" start "$pg_dir" 2>"$tmp/pg-start.log")" ||
      { cat "$tmp/pg-start.log" >&2; die "PostgreSQL did not start"; }
    url="$(sed -n 's/^LEXOS_TEST_PG_URL=//p' <<<"$vars")"
    owner_url="$(sed -n 's/^LEXOS_TEST_PG_OWNER_URL=//p' <<<"$vars")"
    env+=(LEXOS_DATABASE_URL="$url" LEXOS_DATABASE_MIGRATION_URL="$owner_url")
  else
    env+=(LEXOS_DATABASE_URL="sqlite:$state/lexos.db")
  fi
  # A minimal config of our own (the environment sets the rest), so that the benchmark does not
  # depend on the checkout's etc/lexos.ini.
  printf '[server]\nlisten = 127.0.0.1:0\n[web]\ndir = %s/web\n[log]\nlevel = warning\n' "$ROOT" >"$tmp/lexos.ini"
  local ctl=(env "${env[@]}" "$LEXOSCTL" --config "$tmp/lexos.ini")
  "${ctl[@]}" migrate >/dev/null
  "${ctl[@]}" firm create --slug bench-a --name "Bench A" >/dev/null
  "${ctl[@]}" firm create --slug bench-b --name "Bench B" >/dev/null
  echo "$PASSWORD" | "${ctl[@]}" user create --firm bench-a --email owner@bench.test --role owner --password-stdin >/dev/null

  local firm_a firm_b
  if [[ "$backend" == sqlite ]]; then
    read -r firm_a firm_b < <(python3 -c "import sqlite3,sys; d=sqlite3.connect(sys.argv[1]); \
      print(*[r[0] for r in d.execute(\"SELECT id FROM firms WHERE slug IN ('bench-a','bench-b') ORDER BY slug\")])" "$state/lexos.db")
  else
    read -r firm_a firm_b < <(psql -X -At "$owner_url" -c "SELECT string_agg(id::text, ' ' ORDER BY slug) FROM firms")
  fi

  local t0=$SECONDS
  python3 "$tmp/seed.py" "$backend" "$state" "$CLIENTS" "$firm_a" "$firm_b"
  if [[ "$backend" == postgresql ]]; then
    psql -X -q -v ON_ERROR_STOP=1 "$owner_url" >/dev/null <<SQL
CREATE TEMP TABLE s_clients (LIKE clients);
CREATE TEMP TABLE s_client_emails (LIKE client_emails);
CREATE TEMP TABLE s_client_phones (LIKE client_phones);
CREATE TEMP TABLE s_client_search (LIKE client_search);
CREATE TEMP TABLE s_client_prefixes (LIKE client_prefixes);
\copy s_clients FROM '$state/clients.csv' WITH (FORMAT csv)
\copy s_client_emails FROM '$state/client_emails.csv' WITH (FORMAT csv)
\copy s_client_phones FROM '$state/client_phones.csv' WITH (FORMAT csv)
\copy s_client_search (firm_id, client_id, token, sort_name, status) FROM '$state/client_search.csv' WITH (FORMAT csv)
\copy s_client_prefixes (firm_id, client_id, prefix, sort_name, status) FROM '$state/client_prefixes.csv' WITH (FORMAT csv)
SELECT set_config('lexos.firm_id', '$firm_a', false);
INSERT INTO clients SELECT * FROM s_clients WHERE firm_id = $firm_a;
INSERT INTO client_emails SELECT * FROM s_client_emails WHERE firm_id = $firm_a;
INSERT INTO client_phones SELECT * FROM s_client_phones WHERE firm_id = $firm_a;
INSERT INTO client_search SELECT * FROM s_client_search WHERE firm_id = $firm_a;
INSERT INTO client_prefixes SELECT * FROM s_client_prefixes WHERE firm_id = $firm_a;
SELECT set_config('lexos.firm_id', '$firm_b', false);
INSERT INTO clients SELECT * FROM s_clients WHERE firm_id = $firm_b;
INSERT INTO client_emails SELECT * FROM s_client_emails WHERE firm_id = $firm_b;
INSERT INTO client_phones SELECT * FROM s_client_phones WHERE firm_id = $firm_b;
INSERT INTO client_search SELECT * FROM s_client_search WHERE firm_id = $firm_b;
INSERT INTO client_prefixes SELECT * FROM s_client_prefixes WHERE firm_id = $firm_b;
SQL
    # Autovacuum gets there in its own time; the benchmark measures the steady state. Search
    # relies on index-only scans, so wait until the visibility map covers the tables (a VACUUM
    # running while autovacuum's ANALYZE holds a snapshot can leave it unset).
    local vacuumed=""
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      psql -X -q "$owner_url" -c "VACUUM ANALYZE clients, client_emails, client_phones, client_search, client_prefixes" >/dev/null
      vacuumed="$(psql -X -At "$owner_url" -c "SELECT bool_and(relallvisible >= relpages * 0.99) FROM pg_class
                                                WHERE relname IN ('clients', 'client_search', 'client_prefixes')")"
      [[ "$vacuumed" == t ]] && break
      sleep 3
    done
    [[ "$vacuumed" == t ]] || echo "# postgresql: the visibility map is still incomplete; search figures are pessimistic"
  fi
  echo "# $backend: seeded in $((SECONDS - t0)) s"

  env "${env[@]}" "$LEXOSD" --config "$tmp/lexos.ini" >"$tmp/lexosd-$backend.log" 2>&1 &
  lexosd_pid=$!
  local ok=0
  for _ in $(seq 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" == 200 ]] && { ok=1; break; }
    kill -0 "$lexosd_pid" 2>/dev/null || break
    sleep 0.1
  done
  ((ok)) || { tail -n 20 "$tmp/lexosd-$backend.log" >&2; die "lexosd ($backend) did not become ready"; }

  local cookie
  cookie="$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"firm\":\"bench-a\",\"email\":\"owner@bench.test\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$port/api/v1/auth/login" | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p' | head -n1)"
  [[ -n "$cookie" ]] || die "sign-in failed on $backend"
  export BENCH_COOKIE="$cookie"

  local base="http://127.0.0.1:$port/api/v1/clients" cursor surname
  cursor="$(cat "$state/cursor")"
  surname="$(cat "$state/surname")"
  # Sanity: the pages answer 200 with 25 clients; the deep one is where it should be.
  for path in "?limit=25" "?limit=25&cursor=$cursor"; do
    local n
    n="$(curl -s -H "Cookie: $cookie" "$base$path" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')"
    [[ "$n" == 25 ]] || die "$backend: GET $path gave $n items, expected 25"
  done
  local matches
  matches="$(curl -s -H "Cookie: $cookie" "$base?q=$surname&limit=100" |
    python3 -c 'import json,sys; d = json.load(sys.stdin); print(str(len(d["items"])) + ("+" if d["next_cursor"] else ""))')"

  local -a names=("first page" "deep page" "search surname" "search first" "search 2 words" "search phone"
                  "search broad" "search added")
  local -a paths=("?limit=25" "?limit=25&cursor=$cursor" "?q=$surname&limit=25" "?q=james&limit=25"
                  "?q=mary%20corp&limit=25" "?q=7946&limit=25" "?q=m&limit=25" "?q=james&sort=-added&limit=25")
  wrk -t2 -c32 -d2s -s "$tmp/cookie.lua" "$base${paths[0]}" >/dev/null  # warm-up
  echo "# $backend: $CLIENTS clients in firm bench-a and in bench-b; wrk -t2 -c32 -d${DURATION}s; q=$surname matches $matches clients"
  printf '%-14s %10s %10s %10s %8s  %s\n' "" "p50 ms" "p99 ms" "req/s" "/first" "GET /api/v1/clients..."
  local p50_first="" p50_deep=""
  for i in "${!names[@]}"; do
    local out p50 p99 rps bad
    out="$(wrk -t2 -c32 -d"${DURATION}s" --latency -s "$tmp/cookie.lua" "$base${paths[$i]}")"
    bad="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | sed 's/^ *//' | paste -sd ';' - || true)"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")"
    rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
    [[ $i == 0 ]] && p50_first="$p50"
    local rel
    rel="$(awk -v d="$p50" -v f="$p50_first" 'BEGIN { printf "%.2fx", d / f }')"
    printf '%-14s %10s %10s %10s %8s  %s %s\n' "${names[$i]}" "$p50" "$p99" "$rps" "$rel" "${paths[$i]:0:40}" "${bad:+!! $bad}"
    [[ $i == 1 ]] && p50_deep="$p50"
  done
  local ratio
  ratio="$(awk -v d="$p50_deep" -v f="$p50_first" 'BEGIN { printf "%.2f", d / f }')"
  echo "# $backend: p50 deep / first page = $ratio (goal <= 1.5)"
  summary+=("$backend: first page p50 ${p50_first} ms, deep page p50 ${p50_deep} ms, ratio $ratio")

  kill -TERM "$lexosd_pid"
  wait "$lexosd_pid" 2>/dev/null || true
  lexosd_pid=""
  if [[ "$backend" == postgresql ]]; then
    bash "$ROOT/tests/support/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    pg_dir=""
  fi
  echo
}

echo "# bench/clients.sh: $(nproc) cores, wrk on the same machine, $(date -u +%Y-%m-%dT%H:%MZ)"
for b in $BACKENDS; do
  case "$b" in
    sqlite|postgresql) run_backend "$b" ;;
    *) die "unknown backend '$b' (sqlite, postgresql)" ;;
  esac
done
printf '%s\n' "${summary[@]}"
