#!/usr/bin/env bash
# bench/portal.sh — the client portal at scale (issue 15): a firm with 1,000 portal clients of 5
# matters each, 32 of them browsing at once, each as itself (its own session, its own matters),
# on PostgreSQL and on SQLite. Each portal page's req/s is compared with GET /api/v1/me in the
# same run and, on PostgreSQL, with pgbench running the page's SQL as the runtime role with the
# same tenant settings; afterwards the audit log must hold exactly one event per view served and
# `lexosctl audit verify` must pass.
#
#   bench/portal.sh                        (needs a build: build/bin/lexosd, lexosctl, build/plugins)
#   BUILD_DIR=build-dev bench/portal.sh    another build folder
#   BACKEND=postgresql bench/portal.sh     postgresql, sqlite or both (default both)
#   DURATION=10 bench/portal.sh            seconds per wrk / pgbench run (default 10)
#   ROUNDS=3 bench/portal.sh               rounds (default 3; the median ratio per page counts)
#   CONNECTIONS=32 bench/portal.sh         browsing clients = wrk connections (one wrk thread
#                                          each) = pgbench clients (default 32, at most 128)
#   CLIENTS=1000 MATTERS=5 UPDATES=4 bench/portal.sh
#                                          portal clients, matters per client, updates per matter
#                                          (every other update shared with the client, starting
#                                          with the first: with 4, updates 1 and 3 are shared and
#                                          the latest, 4, is internal)
#   EXPLAIN=1 bench/portal.sh              PostgreSQL: also EXPLAIN (ANALYZE, BUFFERS) the pages'
#                                          statements as lexos_app in a browsing client's scope
#   EXTRA=0 bench/portal.sh                leave out the informational pages (the invoice list,
#                                          a matter's documents) even when their plugins are built
#   HOLD=1 bench/portal.sh                 after the warm-up, print the database URLs, lexosd's
#                                          port and the pgbench scripts' folder, and wait until
#                                          the printed file is removed (to profile by hand)
#
# For each backend:
# 1. A fresh database (PostgreSQL: a throwaway cluster from tests/support/pg-cluster.sh,
#    lexos_owner migrates, lexos_app is the runtime role, neither SUPERUSER nor BYPASSRLS;
#    SQLite: a file in a temp dir). lexosctl migrates and creates the firm and its owner;
#    lexosd starts with clients, cases, portal (and documents and billing when built) and the
#    product's defaults otherwise (server.threads = auto, database.pool_size 16). Mail goes to
#    the outbox (state/outbox), where the invitation's link is read.
# 2. Through the API (Python, one keep-alive connection): the owner signs in and creates
#    CLIENTS clients; client 0 is invited to the portal and activated from the e-mailed link
#    (a real Argon2 hash, made by lexosd).
# 3. In SQL (PostgreSQL: psql as the owner role with the firm's scope set, row-level security
#    being forced on the owner too, ids from lexos_new_id(), the firm's own counter; SQLite:
#    Python's sqlite3 into the stored lexos_t_* tables, ids drawn from the firm's row in
#    lexos_firm_ids, as Db::newId() draws them): the other CLIENTS - 1 portal accounts, active,
#    each with a copy of client 0's password hash (1,000 activations would be 1,000 Argon2 runs,
#    minutes on 2 cores; the sign-ins below prove the copies work), the clients' portal status
#    'active'; MATTERS matters per client (phases in turn, one renamed: case_phase_labels has a
#    row, so the list's join finds one), UPDATES updates per matter a day apart. PostgreSQL:
#    VACUUM ANALYZE.
# 4. CONNECTIONS clients spread over the firm (client i * CLIENTS / CONNECTIONS) sign in through
#    the API (Argon2 each). The answers are checked for each of them: the matter list has its
#    MATTERS matters, each with its latest *shared* update (not the later internal one); each
#    matter page has exactly the shared updates. On PostgreSQL the list statement run by psql
#    as lexos_app in that client's portal scope returns the same matters and texts.
# 5. ROUNDS rounds, DURATION seconds each, CONNECTIONS concurrent clients. wrk -tN -cN (one
#    connection per thread), a Lua script gives each thread its own client's session cookie and
#    matter ids (bench/portal.sh writes it to the temp dir):
#      me        GET /api/v1/me                      (the reference: session check, principal)
#      list      GET /api/v1/portal/cases            (the matter list, PortalCaseHandlers::list)
#      matter    GET /api/v1/portal/cases/{id}       (each thread cycles through its matters)
#      invoices  GET /api/v1/portal/invoices         (informational; billing plugin; no invoices)
#      documents GET /api/v1/portal/cases/{id}/documents (informational; none shared)
#    Each wrk thread stops itself at its first answer after DURATION seconds, so no request is
#    left in flight when wrk ends (lexosd would serve and audit it, uncounted); the req/s are
#    each thread's answers over its own time, summed. Every answer must be 2xx; the 2xx answers
#    are counted (Lua response()). On PostgreSQL, pgbench -M prepared -cN -jN as lexos_app with
#    one script per page, which draws one of the browsing clients per transaction (and the
#    matter page one of its matters) and binds its id, so each connection prepares one set of
#    statements as lexosd's pooled connections do:
#      list      the list's statement, copied from PortalCaseHandlers::list (one statement: each
#                matter LEFT JOIN its latest client-visible update LEFT JOIN its phase label),
#                in a transaction begun as PgConnection::beginScoped begins a portal scope (one
#                pipelined round trip: BEGIN, SET LOCAL search_path = lexos_portal, public,
#                row_security, TIME ZONE, set_config of lexos.firm_id / lexos.client_id /
#                lexos.guard_changed), then COMMIT
#      matter    PortalCaseHandlers::get's three statements (CaseStore::caseRow, writeUpdates
#                with sharedOnly, phaseLabels), same scope
#      + audit   each of them plus the write lexosd adds after an audited read: a second
#                transaction in the staff scope inserting the event into audit_pending (the
#                sequencer chains it later, off the request), COMMIT -- informational. Its rows
#                carry the action bench.pgbench.view and are deleted after each run.
#    SQLite has no pgbench: its pages are compared with /api/v1/me only.
# 6. `lexosctl audit verify --firm bench` (which chains what is still pending first): its
#    output and exit status; then the audit rows of portal.cases.view, portal.case.view and
#    portal.invoices.view are counted (audit_log, and audit_pending, which must be empty then)
#    against the 2xx views of those pages served in all (checks, warm-ups and measured runs).
# Prints req/s (tps) per run and round, ratios per round, medians, a verdict against the goals
# (each page >= 0.3x of /api/v1/me and >= 0.5x of pgbench on its SQL). Never fails on figures
# (CONVENTIONS.md); fails on a broken set-up, a wrong answer, a non-2xx answer or pgbench
# errors. A broken audit chain or audit rows != views are printed as such (and make the exit
# status 3 at the end, after everything is printed). Everything is removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
ROOT="$(pwd)"
BUILD_DIR="$(realpath -m "${BUILD_DIR:-build}")"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
CLIENTS="${CLIENTS:-1000}"
MATTERS="${MATTERS:-5}"
UPDATES="${UPDATES:-4}"
BACKEND="${BACKEND:-both}"
EXTRA="${EXTRA:-1}"
LEXOSD="$BUILD_DIR/bin/lexosd"
LEXOSCTL="$BUILD_DIR/bin/lexosctl"
PASSWORD="correct horse battery staple"
PORTAL_PASSWORD="amber river lantern 42"

case "$BACKEND" in
  both) backends=(postgresql sqlite) ;;
  postgresql|sqlite) backends=("$BACKEND") ;;
  *) die "BACKEND must be postgresql, sqlite or both (found '$BACKEND')" ;;
esac
for tool in wrk curl python3; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"; done
if [[ " ${backends[*]} " == *" postgresql "* ]]; then
  for tool in psql pgbench; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"; done
fi
[[ -x "$LEXOSD" && -x "$LEXOSCTL" ]] || die "no lexosd/lexosctl in $BUILD_DIR/bin; build first or set BUILD_DIR"
for p in clients cases portal; do
  [[ -f "$BUILD_DIR/plugins/$p.so" ]] || die "no $BUILD_DIR/plugins/$p.so; build first or set BUILD_DIR"
done
((CLIENTS >= 1 && MATTERS >= 1 && UPDATES >= 1 && CONNECTIONS >= 1 && CONNECTIONS <= 128 && CONNECTIONS <= CLIENTS)) ||
  die "need CLIENTS >= 1, MATTERS >= 1, UPDATES >= 1 and 1 <= CONNECTIONS <= min(128, CLIENTS)"
plugins=clients,cases,portal
has_billing=0
has_documents=0
if [[ "$EXTRA" == 1 ]]; then
  [[ -f "$BUILD_DIR/plugins/billing.so" ]] && { plugins+=",billing"; has_billing=1; }
  [[ -f "$BUILD_DIR/plugins/documents.so" ]] && { plugins+=",documents"; has_documents=1; }
fi

tmp="$(mktemp -d /tmp/lexos-bench-portal.XXXXXX)"
chmod 0755 "$tmp"  # the cluster's server user (postgres, when run as root) reaches $tmp/pg
lexosd_pid=""
pg_dir=""
cleanup() {
  if [[ -n "$lexosd_pid" ]]; then kill -TERM "$lexosd_pid" 2>/dev/null || true; wait "$lexosd_pid" 2>/dev/null || true; fi
  if [[ -n "$pg_dir" ]]; then bash "$ROOT/tests/support/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true; fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = (b > 0) ? a / b : 0; printf (r < 0.1) ? "%.3f" : "%.2f", r }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf (m < 0.1) ? "%.3f" : "%.2f", m }'; }
verdict() {  # ratio goal
  awk -v r="$1" -v g="$2" 'BEGIN { if (r == "n/a") print "n/a"; else print (r >= g) ? "meets the goal (>= " g "x)" : "BELOW the goal (>= " g "x)" }'
}

# --- through the API: the clients, client 0's portal account --------------------------------------
cat >"$tmp/api.py" <<'PY'
import glob, http.client, json, os, re, sys, urllib.parse

port, state, out, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
password, portal_password = os.environ["BENCH_PASSWORD"], os.environ["BENCH_PORTAL_PASSWORD"]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def call(method, path, body=None, headers=None, want=200):
    h = dict(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    text = r.read().decode()
    if r.status not in (want if isinstance(want, tuple) else (want,)):
        sys.exit(f"{method} {path}: {r.status} {text[:300]}")
    return r, (json.loads(text) if text else None)

r, body = call("POST", "/api/v1/auth/login", {"firm": "bench", "email": "owner@bench.test", "password": password})
staff = {"Cookie": r.getheader("Set-Cookie").split(";")[0], "X-CSRF-Token": body.get("csrf_token", "")}
with open(f"{out}/clients.tsv", "w") as f:
    for k in range(n):
        _, c = call("POST", "/api/v1/clients", {"name": f"Portal Client {k:04d}", "email": f"client{k:04d}@bench.test"},
                    staff, (200, 201))
        f.write(f"{k}\t{c['id']}\tclient{k:04d}@bench.test\n")
        if k == 0:
            first = c["id"]
# Client 0 gets a portal account as a firm gives one: the invitation, then the e-mailed link.
call("POST", f"/api/v1/clients/{first}/portal/invite", {}, staff, (200, 201))
mails = sorted(glob.glob(f"{state}/outbox/*.eml"))
if not mails:
    sys.exit("no invitation in the outbox")
raw = open(mails[-1], encoding="utf-8", errors="replace").read()
text = re.sub(r"=\r?\n", "", raw).replace("=3D", "=")
m = re.search(r"/portal/(?:[a-z0-9-]+/)?#/activate/([0-9]+\.[A-Za-z0-9_-]+)", text)
if not m:
    sys.exit("no activation link in the invitation")
call("POST", "/api/v1/portal/activate", {"token": urllib.parse.unquote(m.group(1)), "password": portal_password})
PY

# --- the data: what each matter and update is (one definition for both backends) ----------------
# Writes cases.tsv and updates.tsv (keyed by client k, matter j, update u; PostgreSQL loads them
# with ids from lexos_new_id()), and on SQLite inserts everything itself.
cat >"$tmp/seed.py" <<'PY'
import datetime, sqlite3, sys

backend, out, matters, updates = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
PHASES = ["intake", "active", "discovery", "trial", "settled", "closed"]
clients = [line.rstrip("\n").split("\t") for line in open(f"{out}/clients.tsv")]
base = datetime.date(2025, 1, 6)
cases, ups = [], []
for k, cid, _ in clients:
    k = int(k)
    for j in range(matters):
        phase = PHASES[(k + j) % len(PHASES)]
        opened = base + datetime.timedelta(days=(k * 7 + j * 31) % 300)
        closed = (opened + datetime.timedelta(days=200)).isoformat() if phase == "closed" else None
        cases.append((k, j, int(cid), f"Matter {j + 1} of client {k:04d}", f"P{k:04d}-{j + 1}", phase,
                      opened.isoformat(), closed, f"{opened.isoformat()}T09:00:00Z"))
        for u in range(updates):
            at = f"{(opened + datetime.timedelta(days=u + 1)).isoformat()}T10:00:00Z"
            shared = u % 2 == 0
            ups.append((k, j, u, f"Update {u + 1} on matter {j + 1} of client {k:04d}"
                        + ("" if shared else " (internal: not for the client)"), shared, at))

if backend == "postgresql":
    with open(f"{out}/cases.tsv", "w") as f:
        for c in cases:
            f.write("\t".join("\\N" if v is None else str(v) for v in c) + "\n")
    with open(f"{out}/updates.tsv", "w") as f:
        for u in ups:
            f.write("\t".join("t" if v is True else "f" if v is False else str(v) for v in u) + "\n")
    sys.exit(0)

firm, owner, db_path = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
db = sqlite3.connect(db_path, timeout=60)
# The portal cache's triggers on lexos_t_* announce changes (docs/portal-cache.md); nobody has
# read (so cached) these clients' portal pages before they are seeded, so there is nobody to tell.
db.create_function("lexos_guard_changed", 1, lambda key: None)
db.execute("BEGIN IMMEDIATE")
next_id = db.execute("SELECT next_id FROM lexos_firm_ids WHERE firm_id = ?", (firm,)).fetchone()[0]
def new_id():
    global next_id
    next_id += 1
    return next_id
first = db.execute("SELECT password_hash, created_at, invited_at, activated_at FROM lexos_t_users "
                   "WHERE firm_id = ? AND kind = 'portal' AND client_id = ?", (firm, int(clients[0][1]))).fetchone()
db.executemany("INSERT INTO lexos_t_users (firm_id, id, email, display_name, password_hash, kind, role, client_id, status, "
               "created_at, invited_at, activated_at) VALUES (?, ?, ?, '', ?, 'portal', 'portal', ?, 'active', ?, ?, ?)",
               [(firm, new_id(), email, first[0], int(cid), first[1], first[2], first[3]) for k, cid, email in clients[1:]])
db.execute("UPDATE lexos_t_clients SET portal_status = 'active' WHERE firm_id = ?", (firm,))
case_ids = {}
rows = []
for k, j, cid, title, number, phase, opened, closed, at in cases:
    case_ids[(k, j)] = new_id()
    rows.append((firm, case_ids[(k, j)], cid, title, number, "Litigation", owner, "Bench Owner", "owner@bench.test", phase,
                 opened, closed, f"Working notes on {number}: strategy, not for the client.", at, owner, at, owner))
db.executemany("INSERT INTO lexos_t_cases (firm_id, id, client_id, title, matter_number, practice_area, responsible_user_id, "
               "contact_name, contact_email, phase, opened_on, closed_on, description, created_at, created_by, updated_at, "
               "updated_by) VALUES (" + ",".join("?" * 17) + ")", rows)
client_of = {(c[0], c[1]): c[2] for c in cases}
db.executemany("INSERT INTO lexos_t_case_updates VALUES (?, ?, ?, ?, ?, ?, 'Bench Owner', ?, ?, ?)",
               [(firm, new_id(), case_ids[(k, j)], client_of[(k, j)], text, 1 if shared else 0, at, owner, at)
                for k, j, u, text, shared, at in ups])
db.execute("INSERT INTO lexos_t_case_phase_labels (firm_id, phase, label) VALUES (?, 'discovery', 'Disclosure')", (firm,))
db.execute("UPDATE lexos_firm_ids SET next_id = ? WHERE firm_id = ?", (next_id, firm))
db.commit()
db.execute("ANALYZE")
db.close()
PY

# --- the browsing clients: sign-ins, the answers checked -----------------------------------------
# Signs in CONNECTIONS clients, checks their list and matter pages against the data's rules,
# writes users.tsv (cookie, matter ids; one line per wrk thread / pgbench script) and prints the
# views it made per audited action (they count in the audit's total).
cat >"$tmp/browse.py" <<'PY'
import http.client, json, os, sys

port, out, n, conns, matters, updates = (int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                                         int(sys.argv[5]), int(sys.argv[6]))
extra_invoices, extra_documents = sys.argv[7] == "1", sys.argv[8] == "1"
portal_password = os.environ["BENCH_PORTAL_PASSWORD"]
clients = [line.rstrip("\n").split("\t") for line in open(f"{out}/clients.tsv")]
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
views = {"portal.cases.view": 0, "portal.case.view": 0, "portal.invoices.view": 0}

def get(path, cookie):
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    text = r.read().decode()
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {text[:300]}")
    return json.loads(text)

last_shared = max(u for u in range(updates) if u % 2 == 0)
shared_count = len([u for u in range(updates) if u % 2 == 0])
with open(f"{out}/users.tsv", "w") as f, open(f"{out}/browsing.tsv", "w") as b:
    for i in range(conns):
        k, cid, email = clients[i * n // conns]
        k = int(k)
        conn.request("POST", "/api/v1/auth/login", body=json.dumps({"firm": "bench", "email": email, "password": portal_password}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        text = r.read().decode()
        if r.status != 200:
            sys.exit(f"sign-in of {email}: {r.status} {text[:300]}")
        cookie = r.getheader("Set-Cookie").split(";")[0]
        lst = get("/api/v1/portal/cases", cookie)
        views["portal.cases.view"] += 1
        items = lst["items"]
        if len(items) != matters:
            sys.exit(f"{email}: the matter list has {len(items)} matters, expected {matters}")
        ids = []
        for it in items:
            j = int(it["matter_number"].split("-")[1]) - 1
            if it["matter_number"] != f"P{k:04d}-{j + 1}":
                sys.exit(f"{email}: a matter of another client in the list: {it['matter_number']}")
            want = f"Update {last_shared + 1} on matter {j + 1} of client {k:04d}"
            got = (it.get("latest_update") or {}).get("text")
            if got != want:
                sys.exit(f"{email}: matter {it['matter_number']}'s latest update is {got!r}, expected {want!r}")
            if "description" in it or "client_id" in it:
                sys.exit(f"{email}: the list shows staff-only members")
            if it["phase"] == "discovery" and it.get("phase_label") != "Disclosure":
                sys.exit(f"{email}: the renamed phase reads {it.get('phase_label')!r}")
            ids.append(it["id"])
        for cid_ in ids:
            page = get(f"/api/v1/portal/cases/{cid_}", cookie)
            views["portal.case.view"] += 1
            texts = [u["text"] for u in page["updates"]]
            if len(texts) != shared_count or any("internal" in t for t in texts):
                sys.exit(f"{email}: matter {cid_} shows {len(texts)} updates {texts[:3]}, expected the {shared_count} shared ones")
        if i == 0 and extra_invoices:
            get("/api/v1/portal/invoices", cookie)
            views["portal.invoices.view"] += 1
        if i == 0 and extra_documents:
            get(f"/api/v1/portal/cases/{ids[0]}/documents", cookie)
        get("/api/v1/me", cookie)
        f.write(f"{cookie}\t{','.join(str(x) for x in ids)}\n")
        b.write(f"{k}\t{cid}\t{email}\t{','.join(str(x) for x in ids)}\n")
print(" ".join(f"{a}={v}" for a, v in views.items()))
PY

# --- wrk: each thread (one connection) browses as its own client ---------------------------------
cat >"$tmp/portal.lua" <<'LUA'
-- BENCH_USERS: one line per thread, "cookie<TAB>matter ids"; BENCH_PAGE: me, list, matter,
-- invoices or documents; BENCH_SECONDS: each thread stops at its first answer after that long
-- (wrk -d is longer), so no request is in flight when wrk ends.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("slot", #threads)
end

function init(args)
  page = os.getenv("BENCH_PAGE")
  seconds = tonumber(os.getenv("BENCH_SECONDS"))
  local i = 0
  for line in io.lines(os.getenv("BENCH_USERS")) do
    i = i + 1
    if i == slot then
      local c, list = line:match("^([^\t]+)\t(.*)$")
      cookie = c
      cases = {}
      for id in list:gmatch("%d+") do cases[#cases + 1] = id end
    end
  end
  assert(cookie, "no user for thread " .. tostring(slot))
  ok, bad, k = 0, 0, 0
end

function request()
  if not t0 then t0 = now() end
  k = k + 1
  local path
  if page == "list" then path = "/api/v1/portal/cases"
  elseif page == "matter" then path = "/api/v1/portal/cases/" .. cases[(k - 1) % #cases + 1]
  elseif page == "documents" then path = "/api/v1/portal/cases/" .. cases[(k - 1) % #cases + 1] .. "/documents"
  elseif page == "invoices" then path = "/api/v1/portal/invoices"
  else path = "/api/v1/me" end
  return wrk.format("GET", path, { Cookie = cookie })
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
  t1 = now()
  if t1 - t0 >= seconds then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local o, b, rate = 0, 0, 0
  for _, t in ipairs(threads) do
    local to, tb, a, z = t:get("ok") or 0, t:get("bad") or 0, t:get("t0"), t:get("t1")
    o, b = o + to, b + tb
    if a and z and z > a then rate = rate + (to + tb) / (z - a) end
  end
  io.write(string.format("BENCH ok=%d bad=%d rate=%.1f p50=%.2f p99=%.2f\n", o, b, rate,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

summary=()
audit_bad=0

run_backend() {
  local backend="$1"
  local state="$tmp/$backend" port app_url="" owner_url=""
  mkdir -p "$state"
  port="$(free_port)"
  local -a env=(LEXOS_SERVER_LISTEN="127.0.0.1:$port" LEXOS_STATE_DIR="$state" LEXOS_PLUGINS_DIR="$BUILD_DIR/plugins"
                LEXOS_PLUGINS_ENABLED="$plugins" LEXOS_LOG_LEVEL=warning)
  if [[ "$backend" == postgresql ]]; then
    pg_dir="$tmp/pg"
    local vars
    vars="$(bash "$ROOT/tests/support/pg-cluster.sh" start "$pg_dir" 2>"$tmp/pg-start.log")" ||
      { cat "$tmp/pg-start.log" >&2; die "PostgreSQL did not start"; }
    app_url="$(sed -n 's/^LEXOS_TEST_PG_URL=//p' <<<"$vars")"
    owner_url="$(sed -n 's/^LEXOS_TEST_PG_OWNER_URL=//p' <<<"$vars")"
    env+=(LEXOS_DATABASE_URL="$app_url" LEXOS_DATABASE_MIGRATION_URL="$owner_url")
  else
    env+=(LEXOS_DATABASE_URL="sqlite:$state/lexos.db")
  fi
  # A minimal config of our own (the environment sets the rest): the checkout's etc/lexos.ini
  # does not decide what is measured.
  printf '[server]\nlisten = 127.0.0.1:0\n[web]\ndir = %s/web\n[mail]\ntransport = outbox\n[log]\nlevel = warning\n' "$ROOT" >"$tmp/lexos.ini"
  local ctl=(env "${env[@]}" "$LEXOSCTL" --config "$tmp/lexos.ini")
  local t_start=$SECONDS
  "${ctl[@]}" migrate >/dev/null
  "${ctl[@]}" firm create --slug bench --name "Bench Portal LLP" >/dev/null
  echo "$PASSWORD" | "${ctl[@]}" user create --firm bench --email owner@bench.test --role owner --name "Bench Owner" --password-stdin >/dev/null

  # q SQL -> rows as the owner role (PostgreSQL, firm scope set) or from the stored tables (SQLite)
  local firm owner
  if [[ "$backend" == postgresql ]]; then
    firm="$(psql -X -At "$owner_url" -c "SELECT id FROM firms WHERE slug = 'bench'")"
    owner="$(psql -X -At "$owner_url" -c "SELECT set_config('lexos.firm_id', '$firm', false) IS NULL; SELECT id FROM users WHERE email = 'owner@bench.test'" | tail -n1)"
  else
    read -r firm owner < <(python3 -c "import sqlite3,sys; d = sqlite3.connect(sys.argv[1]); \
      f = d.execute(\"SELECT id FROM firms WHERE slug = 'bench'\").fetchone()[0]; \
      print(f, d.execute(\"SELECT id FROM lexos_t_users WHERE firm_id = ? AND email = 'owner@bench.test'\", (f,)).fetchone()[0])" "$state/lexos.db")
  fi
  [[ "$firm" =~ ^[0-9]+$ && "$owner" =~ ^[0-9]+$ ]] || die "$backend: no firm or owner id"

  env "${env[@]}" "$LEXOSD" --config "$tmp/lexos.ini" >"$tmp/lexosd-$backend.log" 2>&1 &
  lexosd_pid=$!
  local ok=0
  for _ in $(seq 300); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" == 200 ]] && { ok=1; break; }
    kill -0 "$lexosd_pid" 2>/dev/null || break
    sleep 0.1
  done
  ((ok)) || { tail -n 20 "$tmp/lexosd-$backend.log" >&2; die "lexosd ($backend) did not become ready"; }

  local out="$tmp/$backend.data"
  mkdir -p "$out"
  BENCH_PASSWORD="$PASSWORD" BENCH_PORTAL_PASSWORD="$PORTAL_PASSWORD" python3 "$tmp/api.py" "$port" "$state" "$out" "$CLIENTS" ||
    die "$backend: the API set-up failed"
  echo "# $backend: $CLIENTS clients and client 0's portal account made through the API in $((SECONDS - t_start)) s"

  local t0=$SECONDS
  if [[ "$backend" == postgresql ]]; then
    python3 "$tmp/seed.py" postgresql "$out" "$MATTERS" "$UPDATES"
    psql -X -q -v ON_ERROR_STOP=1 -v firm="$firm" -v owner="$owner" "$owner_url" >/dev/null <<SQL
SELECT set_config('lexos.firm_id', :'firm', false);
CREATE TEMP TABLE bc (k int PRIMARY KEY, id bigint, email text);
\copy bc FROM '$out/clients.tsv'
CREATE TEMP TABLE bcase (k int, j int, client_id bigint, title text, matter_number text, phase text, opened_on text,
                         closed_on text, created_at text);
\copy bcase FROM '$out/cases.tsv'
CREATE TEMP TABLE bup (k int, j int, u int, text text, shared boolean, created_at text);
\copy bup FROM '$out/updates.tsv'
-- The other portal accounts: client 0's row, with each client's own address and id.
INSERT INTO users (firm_id, id, email, display_name, password_hash, kind, role, client_id, status, created_at, invited_at, activated_at)
  SELECT :firm, lexos_new_id(), c.email, '', f.password_hash, 'portal', 'portal', c.id, 'active', f.created_at, f.invited_at, f.activated_at
  FROM bc c, (SELECT * FROM users WHERE kind = 'portal' AND client_id = (SELECT id FROM bc WHERE k = 0)) f
  WHERE c.k > 0 ORDER BY c.k;
UPDATE clients SET portal_status = 'active';
CREATE TEMP TABLE ids AS SELECT k, j, lexos_new_id() AS id FROM (SELECT k, j FROM bcase ORDER BY k, j) o;
INSERT INTO cases (firm_id, id, client_id, title, matter_number, practice_area, responsible_user_id, contact_name, contact_email,
                   phase, opened_on, closed_on, description, created_at, created_by, updated_at, updated_by)
  SELECT :firm, i.id, b.client_id, b.title, b.matter_number, 'Litigation', :owner, 'Bench Owner', 'owner@bench.test', b.phase,
         b.opened_on, b.closed_on, 'Working notes on ' || b.matter_number || ': strategy, not for the client.', b.created_at,
         :owner, b.created_at, :owner
  FROM bcase b JOIN ids i USING (k, j) ORDER BY b.k, b.j;
INSERT INTO case_updates (firm_id, id, case_id, client_id, text, client_visible, author_name, created_at, created_by, updated_at)
  SELECT :firm, lexos_new_id(), i.id, b.client_id, u.text, u.shared, 'Bench Owner', u.created_at, :owner, u.created_at
  FROM (SELECT * FROM bup ORDER BY k, j, u) u JOIN ids i USING (k, j) JOIN bcase b USING (k, j);
INSERT INTO case_phase_labels (firm_id, phase, label) VALUES (:firm, 'discovery', 'Disclosure');
SQL
    psql -X -q "$owner_url" -c "VACUUM ANALYZE users, clients, cases, case_updates, case_phase_labels" >/dev/null
  else
    python3 "$tmp/seed.py" sqlite "$out" "$MATTERS" "$UPDATES" "$firm" "$owner" "$state/lexos.db"
  fi
  echo "# $backend: seeded in $((SECONDS - t0)) s: $((CLIENTS - 1)) more portal accounts, $((CLIENTS * MATTERS)) matters, $((CLIENTS * MATTERS * UPDATES)) updates"

  # Sign-ins and the answers checked; the views this makes are counted.
  t0=$SECONDS
  local made
  made="$(BENCH_PORTAL_PASSWORD="$PORTAL_PASSWORD" python3 "$tmp/browse.py" "$port" "$out" "$CLIENTS" "$CONNECTIONS" \
    "$MATTERS" "$UPDATES" "$has_billing" "$has_documents")" || die "$backend: a portal answer is wrong (above)"
  local -A served=([portal.cases.view]=0 [portal.case.view]=0 [portal.invoices.view]=0)
  local kv
  for kv in $made; do served[${kv%%=*}]=$((served[${kv%%=*}] + ${kv#*=})); done
  echo "# $backend: $CONNECTIONS portal clients signed in, their lists and matter pages checked in $((SECONDS - t0)) s"

  # --- pgbench: the pages' SQL as lexos_app, one script per page, the client drawn per transaction------------------
  local -a pg_list=() pg_list_audit=() pg_matter=() pg_matter_audit=()
  if [[ "$backend" == postgresql ]]; then
    # PortalCaseHandlers::list (plugins/cases/portal_case_handlers.cpp) with kCaseColumns
    # (case_store.cpp); PortalCaseHandlers::get: CaseStore::caseRow, writeUpdates(sharedOnly),
    # phaseLabels.
    local cols="c.id, c.client_id, c.title, c.matter_number, c.practice_area, c.responsible_user_id, c.contact_name, c.contact_email, c.phase, c.opened_on, c.closed_on, c.description, c.created_at, c.updated_at"
    local list_sql="SELECT $cols, u.text, u.created_at, pl.label FROM cases c LEFT JOIN LATERAL (SELECT u2.text, u2.created_at FROM case_updates u2 WHERE u2.firm_id = c.firm_id AND u2.case_id = c.id AND u2.client_visible ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) u ON true LEFT JOIN case_phase_labels pl ON pl.firm_id = c.firm_id AND pl.phase = c.phase WHERE c.client_id = :client ORDER BY c.closed_on IS NOT NULL, c.opened_on DESC, c.id DESC;"
    local case_sql="SELECT $cols FROM cases c WHERE c.id = :matter;"
    local updates_sql="SELECT id, text, client_visible, author_name, created_at FROM case_updates WHERE case_id = :matter AND client_visible ORDER BY created_at, id;"
    local labels_sql="SELECT phase, label FROM case_phase_labels;"
    begin_scope() {  # client-expression-or-empty -> the pipelined BEGIN as PgConnection::beginScoped sends it
      local path="public" client="''"
      [[ -n "$1" ]] && { path="lexos_portal, public"; client="$1"; }
      printf '%s\n' '\startpipeline' 'BEGIN;' "SET LOCAL search_path = $path;" 'SET LOCAL row_security = on;' \
        "SET LOCAL TIME ZONE 'UTC';" \
        "SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', $client, true), set_config('lexos.guard_changed', '', true);" \
        '\endpipeline'
    }
    audit_write() {  # object-type object-id-expression -> the event's write after an audited read
      begin_scope ""
      echo "INSERT INTO audit_pending (firm_id, at, actor, action, object_type, object_id, address, request_id, detail) VALUES ($firm, '2026-01-01T12:00:00Z', 'portal:0 bench', 'bench.pgbench.view', '$1', $2, '127.0.0.1', 'pgbench', '');"
      printf '%s\n' '\startpipeline' "SELECT current_setting('lexos.guard_changed', true);" 'COMMIT;' '\endpipeline'
    }
    # One script per page, the browsing client drawn per transaction (:k) and its id and matters
    # picked by CASE: every pgbench connection prepares one set of statements, as each of
    # lexosd's pooled connections does. (One script per client made each connection plan 32
    # scripts' statements 5 times each before PostgreSQL settled on generic plans; short runs
    # then measured mostly planning.)
    local k cid email idlist pick_client="CASE" pick_matter="CASE" n=0
    while IFS=$'\t' read -r k cid email idlist; do
      local -a mids
      IFS=, read -r -a mids <<<"$idlist"
      local inner="CASE" m
      for m in "${!mids[@]}"; do inner+=" WHEN :m = $m THEN ${mids[$m]}"; done
      inner+=" ELSE ${mids[0]} END"
      pick_client+=" WHEN :k = $n THEN $cid"
      pick_matter+=" WHEN :k = $n THEN $inner"
      n=$((n + 1))
    done <"$out/browsing.tsv"
    pick_client+=" ELSE 0 END"
    pick_matter+=" ELSE 0 END"
    local head
    head="$(printf '%s\n' "\\set k random(0, $((n - 1)))" "\\set m random(0, $((MATTERS - 1)))" \
      "\\set client $pick_client" "\\set matter $pick_matter")"
    { echo "$head"; begin_scope "CAST(:client AS text)"; echo "$list_sql"; echo 'COMMIT;'; } >"$out/list.sql"
    { cat "$out/list.sql"; audit_write client "CAST(:client AS text)"; } >"$out/list_audit.sql"
    { echo "$head"; begin_scope "CAST(:client AS text)"; echo "$case_sql"; echo "$updates_sql"; echo "$labels_sql"; echo 'COMMIT;'; } >"$out/matter.sql"
    { cat "$out/matter.sql"; audit_write case "CAST(:matter AS text)"; } >"$out/matter_audit.sql"
    pg_list=(-f "$out/list.sql"); pg_list_audit=(-f "$out/list_audit.sql")
    pg_matter=(-f "$out/matter.sql"); pg_matter_audit=(-f "$out/matter_audit.sql")
    # The same answers: the list statement as lexos_app in the first browsing client's portal
    # scope returns what lexosd listed (a wrong scope would make pgbench fast on no rows).
    read -r k cid email idlist <"$out/browsing.tsv"
    local want got
    want="$(psql -X -q -At -v ON_ERROR_STOP=1 "$app_url" <<SQL | tail -n1
BEGIN;
SET LOCAL search_path = lexos_portal, public;
SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '$cid', true) IS NULL;
SELECT string_agg(id || ':' || coalesce(text, '-'), '|' ORDER BY id) FROM ($(sed "s/:client/$cid/; s/;\$//" <<<"$list_sql")) q;
COMMIT;
SQL
)"
    got="$(curl -s -H "Cookie: $(head -n1 "$out/users.tsv" | cut -f1)" "http://127.0.0.1:$port/api/v1/portal/cases" |
      python3 -c 'import json,sys
items = sorted(json.load(sys.stdin)["items"], key=lambda i: i["id"])
print("|".join(str(i["id"]) + ":" + (i["latest_update"]["text"] if i["latest_update"] else "-") for i in items))')"
    served[portal.cases.view]=$((${served[portal.cases.view]} + 1))
    [[ -n "$want" && "$want" == "$got" ]] ||
      die "$backend: lexosd's list ($got) differs from the statement as lexos_app in the portal scope ($want)"
    echo "# postgresql: the list statement as lexos_app in the portal scope returns what lexosd lists ($MATTERS matters, their latest shared updates)"
    if [[ "${EXPLAIN:-0}" == 1 ]]; then  # the plans as lexos_app in that client's portal scope
      local first_matter="${idlist%%,*}" q
      for q in "$list_sql" "$case_sql" "$updates_sql" "$labels_sql"; do
        psql -X -q -v ON_ERROR_STOP=1 "$app_url" <<SQL
BEGIN;
SET LOCAL search_path = lexos_portal, public;
SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '$cid', true) \gset
EXPLAIN (ANALYZE, BUFFERS) $(sed "s/:client/$cid/; s/:matter/$first_matter/; s/;\$//" <<<"$q");
COMMIT;
SQL
      done
    fi
  fi

  # --- measure ---------------------------------------------------------------------------------
  local wrk_out rps
  http_rps() {  # page seconds -> req/s in $rps; adds the 2xx views to served[] (so: no subshell)
    local page="$1" secs="$2" line o b rate
    wrk_out="$(BENCH_USERS="$out/users.tsv" BENCH_PAGE="$page" BENCH_SECONDS="$secs" \
      wrk -t"$CONNECTIONS" -c"$CONNECTIONS" -d"$((secs + 3))s" --timeout 30s -s "$tmp/portal.lua" "http://127.0.0.1:$port")" ||
      { echo "$wrk_out" >&2; die "$backend: wrk failed on $page"; }
    line="$(grep '^BENCH ' <<<"$wrk_out")" || { echo "$wrk_out" >&2; die "$backend: no figures from wrk ($page)"; }
    o="$(sed 's/.* ok=\([0-9]*\).*/\1/' <<<"$line")"
    b="$(sed 's/.* bad=\([0-9]*\).*/\1/' <<<"$line")"
    rate="$(sed 's/.* rate=\([0-9.]*\).*/\1/' <<<"$line")"
    case "$page" in
      list) served[portal.cases.view]=$((${served[portal.cases.view]} + o)) ;;
      matter) served[portal.case.view]=$((${served[portal.case.view]} + o)) ;;
      invoices) served[portal.invoices.view]=$((${served[portal.invoices.view]} + o)) ;;
    esac
    ((b == 0)) && ! grep -qE 'Socket errors|Non-2xx' <<<"$wrk_out" || { echo "$wrk_out" >&2; die "$backend: errors from $page ($b non-2xx)"; }
    rps="$rate"
  }
  pg_tps() {  # seconds scripts... -> tps of one pgbench run as lexos_app
    local secs="$1" res
    shift
    res="$(pgbench -n -M prepared -c "$CONNECTIONS" -j "$CONNECTIONS" -T "$secs" "$@" "$app_url" 2>&1)" ||
      { echo "$res" >&2; die "pgbench failed"; }
    grep -qE 'aborted|error' <<<"$res" && { echo "$res" >&2; die "pgbench: errors"; }
    grep -qE 'number of failed transactions: 0 ' <<<"$res" || { echo "$res" >&2; die "pgbench: failed transactions"; }
    # The audit variant's events are not the portal's: out of the pending list before a sweep
    # of lexosd's sequencer chains them (any it did chain keep their own action name).
    psql -X -q -At "$app_url" -c "BEGIN; SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '', true); DELETE FROM audit_pending WHERE action = 'bench.pgbench.view'; COMMIT;" >/dev/null
    awk '/^tps = / { printf "%.1f", $3 }' <<<"$res"
  }

  local -a pages=(me list matter)
  ((has_billing)) && pages+=(invoices)
  ((has_documents)) && pages+=(documents)
  # Warm-up: caches, prepared statements, lexosd's pool (its views count too).
  local p
  for p in "${pages[@]}"; do http_rps "$p" 2; done
  if [[ "$backend" == postgresql ]]; then
    pg_tps 2 "${pg_list[@]}" >/dev/null
    pg_tps 2 "${pg_matter[@]}" >/dev/null
  fi
  if [[ "${HOLD:-0}" == 1 ]]; then
    touch "$tmp/hold"
    echo "# $backend: holding; lexosd on 127.0.0.1:$port; app $app_url; owner $owner_url; scripts and users.tsv in $out; rm $tmp/hold to go on"
    while [[ -e "$tmp/hold" ]]; do sleep 1; done
  fi

  echo "# $backend: $ROUNDS rounds of $DURATION s; $CONNECTIONS clients browsing at once (wrk -t$CONNECTIONS -c$CONNECTIONS, each thread its own client$([[ "$backend" == postgresql ]] && echo "; pgbench -M prepared -c$CONNECTIONS -j$CONNECTIONS as lexos_app, one script per page, the client drawn per transaction"))"
  local -A fig=()
  local r rates
  for r in $(seq "$ROUNDS"); do
    rates=()
    for p in "${pages[@]}"; do
      http_rps "$p" "$DURATION"
      fig[$p.$r]="$rps"
      rates+=("$p $(printf '%.0f' "${fig[$p.$r]}")")
    done
    if [[ "$backend" == postgresql ]]; then
      fig[pg_list.$r]="$(pg_tps "$DURATION" "${pg_list[@]}")"
      fig[pg_list_audit.$r]="$(pg_tps "$DURATION" "${pg_list_audit[@]}")"
      fig[pg_matter.$r]="$(pg_tps "$DURATION" "${pg_matter[@]}")"
      fig[pg_matter_audit.$r]="$(pg_tps "$DURATION" "${pg_matter_audit[@]}")"
      rates+=("pgbench list ${fig[pg_list.$r]%.*} (+audit ${fig[pg_list_audit.$r]%.*})"
              "matter ${fig[pg_matter.$r]%.*} (+audit ${fig[pg_matter_audit.$r]%.*})")
    fi
    local line="round $r (load $(cut -d' ' -f1 /proc/loadavg)): $(IFS=,; echo "${rates[*]}" | sed 's/,/, /g') req/s"
    line+="; list $(ratio "${fig[list.$r]}" "${fig[me.$r]}")x of me, matter $(ratio "${fig[matter.$r]}" "${fig[me.$r]}")x of me"
    [[ "$backend" == postgresql ]] &&
      line+="; list $(ratio "${fig[list.$r]}" "${fig[pg_list.$r]}")x of pgbench, matter $(ratio "${fig[matter.$r]}" "${fig[pg_matter.$r]}")x of pgbench"
    echo "$line"
  done

  col() { local key="$1" r; for r in $(seq "$ROUNDS"); do echo "${fig[$key.$r]}"; done | median; }
  rcol() { local a="$1" b="$2" r; for r in $(seq "$ROUNDS"); do ratio "${fig[$a.$r]}" "${fig[$b.$r]}"; echo; done | median; }
  echo
  echo "$backend, medians of $ROUNDS rounds ($CLIENTS portal clients x $MATTERS matters, $CONNECTIONS browsing):"
  printf '  GET /api/v1/me                        %9s req/s\n' "$(col me)"
  local lm mm lp mp
  lm="$(rcol list me)"; mm="$(rcol matter me)"
  if [[ "$backend" == postgresql ]]; then
    lp="$(rcol list pg_list)"; mp="$(rcol matter pg_matter)"
    printf '  GET /api/v1/portal/cases              %9s req/s: %sx of me, %s; pgbench %s tps: %sx, %s\n' \
      "$(col list)" "$lm" "$(verdict "$lm" 0.3)" "$(col pg_list)" "$lp" "$(verdict "$lp" 0.5)"
    printf '  GET /api/v1/portal/cases/{id}         %9s req/s: %sx of me, %s; pgbench %s tps: %sx, %s\n' \
      "$(col matter)" "$mm" "$(verdict "$mm" 0.3)" "$(col pg_matter)" "$mp" "$(verdict "$mp" 0.5)"
    printf '    against pgbench with the audit write (informational): list %s tps, %sx; matter %s tps, %sx\n' \
      "$(col pg_list_audit)" "$(rcol list pg_list_audit)" "$(col pg_matter_audit)" "$(rcol matter pg_matter_audit)"
    summary+=("postgresql: list $(col list) req/s = ${lm}x of me ($(col me)), ${lp}x of pgbench ($(col pg_list)); matter $(col matter) req/s = ${mm}x of me, ${mp}x of pgbench ($(col pg_matter))")
  else
    printf '  GET /api/v1/portal/cases              %9s req/s: %sx of me, %s (no pgbench on SQLite)\n' "$(col list)" "$lm" "$(verdict "$lm" 0.3)"
    printf '  GET /api/v1/portal/cases/{id}         %9s req/s: %sx of me, %s (no pgbench on SQLite)\n' "$(col matter)" "$mm" "$(verdict "$mm" 0.3)"
    summary+=("sqlite: list $(col list) req/s = ${lm}x of me ($(col me)); matter $(col matter) req/s = ${mm}x of me")
  fi
  ((has_billing)) && printf '  GET /api/v1/portal/invoices           %9s req/s: %sx of me (informational: the client has no invoices)\n' "$(col invoices)" "$(rcol invoices me)"
  ((has_documents)) && printf '  GET /api/v1/portal/cases/{id}/documents %7s req/s: %sx of me (informational: nothing shared; not audited)\n' "$(col documents)" "$(rcol documents me)"

  # --- the audit: chained, intact, one event per view ---------------------------------------------
  echo
  local verify rc=0
  verify="$("${ctl[@]}" audit verify --firm bench 2>&1)" || rc=$?
  sed 's/^/  lexosctl audit verify: /' <<<"$verify"
  if ((rc != 0)); then
    echo "  lexosctl audit verify: FAILED (exit status $rc)"
    audit_bad=1
  fi
  local counts action logged pending all_ok=yes
  if [[ "$backend" == postgresql ]]; then
    counts="$(psql -X -At -F' ' "$owner_url" <<SQL | tail -n +2
SELECT set_config('lexos.firm_id', '$firm', false) IS NULL;
SELECT a, (SELECT count(*) FROM audit_log WHERE action = a), (SELECT count(*) FROM audit_pending WHERE action = a)
FROM unnest(ARRAY['portal.cases.view', 'portal.case.view', 'portal.invoices.view', 'bench.pgbench.view']) a;
SQL
)"
  else
    counts="$(python3 -c "import sqlite3,sys; d = sqlite3.connect(sys.argv[1]); f = int(sys.argv[2])
for a in ('portal.cases.view', 'portal.case.view', 'portal.invoices.view', 'bench.pgbench.view'):
    print(a, d.execute('SELECT count(*) FROM lexos_t_audit_log WHERE firm_id = ? AND action = ?', (f, a)).fetchone()[0],
          d.execute('SELECT count(*) FROM lexos_t_audit_pending WHERE firm_id = ? AND action = ?', (f, a)).fetchone()[0])" "$state/lexos.db" "$firm")"
  fi
  while read -r action logged pending; do
    if [[ "$action" == bench.pgbench.view ]]; then
      ((logged + pending > 0)) && echo "  ($logged pgbench reference events were chained by a sweep before they were deleted; their own action)"
      continue
    fi
    local want_n="${served[$action]}"
    ((want_n == 0 && logged == 0 && pending == 0)) && continue
    local same=yes
    [[ "$logged" == "$want_n" && "$pending" == 0 ]] || { same=no; all_ok=no; }
    echo "  $action: audit rows = views served: $same ($logged chained + $pending pending vs $want_n served)"
  done <<<"$counts"
  [[ "$all_ok" == yes ]] || audit_bad=1
  summary+=("$backend: audit verify exit status $rc; audit rows = views served: $all_ok")

  kill -TERM "$lexosd_pid"
  wait "$lexosd_pid" 2>/dev/null || true
  lexosd_pid=""
  if [[ "$backend" == postgresql ]]; then
    bash "$ROOT/tests/support/pg-cluster.sh" stop "$pg_dir" >/dev/null 2>&1 || true
    pg_dir=""
  fi
  echo "# $backend: $((SECONDS - t_start)) s"
  echo
}

echo "# bench/portal.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ); wrk, pgbench, lexosd and PostgreSQL on the same machine; plugins $plugins"
for b in "${backends[@]}"; do run_backend "$b"; done
printf '%s\n' "${summary[@]}"
((audit_bad == 0)) || { echo "bench/portal.sh: the audit log does not match the views served, or does not verify (above)" >&2; exit 3; }
