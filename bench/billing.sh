#!/usr/bin/env bash
# bench/billing.sh — the billing module on PostgreSQL with a firm of 100,000 issued invoices and
# 300,000 payments: the portal's invoice list for one client and the firm's aging report through
# lexosd's HTTP API, against pgbench running the same SQL as the runtime role with the same
# tenant settings, in the same run, on 127.0.0.1 (issue 12).
#
#   bench/billing.sh                       (needs a build with the billing plugin: scripts/build.sh --bench)
#   BUILD_DIR=/tmp/b bench/billing.sh      another build folder
#   DURATION=10 bench/billing.sh           seconds per wrk / pgbench run (default 10)
#   ROUNDS=3 bench/billing.sh              rounds (default 3; the median ratio per endpoint counts)
#   CONNECTIONS=8 bench/billing.sh         wrk connections = pgbench clients (default 8: lexosd's
#                                          worker threads on this 2-core machine, server.threads = auto)
#   INVOICES=100000 PAYMENTS=300000 CLIENTS=300 bench/billing.sh
#   EXPLAIN=1 bench/billing.sh             also EXPLAIN (ANALYZE, BUFFERS) the three statements as
#                                          lexos_app in their scopes, before measuring
#
# 1. A throwaway PostgreSQL cluster (tests/support/pg-cluster.sh: lexos_owner migrates, lexos_app
#    is the runtime role, neither SUPERUSER nor BYPASSRLS). lexosctl migrates and creates the
#    firm, an owner and a billing user; lexosd starts (clients, cases, portal, billing; the
#    product's defaults otherwise). Through the API (Python, keep-alive): CLIENTS clients (GBP,
#    every tenth EUR, every tenth USD), and client 0 invited to the portal, activated from the
#    e-mailed link and signed in.
# 2. In SQL (generate_series, as the owner role with the firm's scope set: row-level security is
#    forced on the owner too; ids from lexos_new_id(), the firm's own counter): INVOICES issued
#    invoices spread over the clients (so each has INVOICES / CLIENTS, ~333: the portal list
#    answers all of them, at most 500), issued over the last 395 days, due 14 or 30 days later,
#    1-3 lines each, VAT 20% (GBP, EUR); PAYMENTS payments, ~3 per invoice: nine in ten invoices
#    issued more than 45 days ago are settled, the rest half paid (~21% of the invoices owe
#    something, in every aging bucket); gap-free numbers and receipt numbers per year. Then
#    VACUUM ANALYZE.
# 3. ROUNDS rounds of, DURATION seconds each, CONNECTIONS concurrent clients:
#      lexosd  GET /api/v1/portal/invoices as the portal user (wrk, session cookie)
#      pgbench the list's two statements (PortalInvoiceHandlers::list: the invoice SELECT and the
#              balance SUM), as lexos_app, the transaction begun as PgConnection::beginScoped
#              begins a portal scope (BEGIN, SET LOCAL search_path = lexos_portal, public,
#              row_security, TIME ZONE, set_config of lexos.firm_id / lexos.client_id /
#              lexos.guard_changed: one round trip, a pipeline here), prepared statements
#              (-M prepared: the host prepares per connection), COMMIT
#      pgbench the same, plus the audit write the host adds after a portal list (a second
#              transaction, staff scope: pg_advisory_xact_lock on the firm's chain, the last
#              seq, INSERT INTO audit_log, COMMIT) -- informational: where lexosd's time goes
#      lexosd  GET /api/v1/billing/aging as the billing user
#      pgbench LedgerHandlers::aging's statement, staff scope (search_path public, lexos.firm_id
#              set, lexos.client_id empty), the same as_of and bucket dates as parameters
#    The answers are checked first: lexosd's list has as many invoices as pgbench's statement
#    returns as lexos_app in that scope, and the aging report as many rows.
# Prints req/s (tps for pgbench) per run and round, the ratio lexosd / pgbench per round and the
# median per endpoint, and a verdict against the goal (>= 0.5x). Prints figures; never fails on
# them (CONVENTIONS.md). Everything is removed on exit.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/lib.sh
ROOT="$(pwd)"
BUILD_DIR="$(realpath -m "${BUILD_DIR:-build}")"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-8}"
INVOICES="${INVOICES:-100000}"
PAYMENTS="${PAYMENTS:-300000}"
CLIENTS="${CLIENTS:-300}"
LEXOSD="$BUILD_DIR/bin/lexosd"
LEXOSCTL="$BUILD_DIR/bin/lexosctl"
PASSWORD="correct horse battery staple"
PORTAL_PASSWORD="amber river lantern 42"

for tool in wrk curl python3 psql pgbench; do
  command -v "$tool" >/dev/null || die "$tool not found; run scripts/deps.sh --bench"
done
[[ -x "$LEXOSD" && -x "$LEXOSCTL" ]] || die "no lexosd/lexosctl in $BUILD_DIR/bin; build first or set BUILD_DIR"
for p in clients cases portal billing; do
  [[ -f "$BUILD_DIR/plugins/$p.so" ]] || die "no $BUILD_DIR/plugins/$p.so; build first or set BUILD_DIR"
done
((CLIENTS >= 1 && INVOICES >= CLIENTS && PAYMENTS >= 1)) || die "need CLIENTS >= 1, INVOICES >= CLIENTS, PAYMENTS >= 1"

tmp="$(mktemp -d /tmp/lexos-bench-billing.XXXXXX)"
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

echo "# bench/billing.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ); wrk, pgbench, lexosd and PostgreSQL on the same machine"
t_start=$SECONDS

# --- PostgreSQL and lexosd --------------------------------------------------------------------
pg_dir="$tmp/pg"
vars="$(bash "$ROOT/tests/support/pg-cluster.sh" start "$pg_dir" 2>"$tmp/pg-start.log")" ||
  { cat "$tmp/pg-start.log" >&2; die "PostgreSQL did not start"; }
app_url="$(sed -n 's/^LEXOS_TEST_PG_URL=//p' <<<"$vars")"
owner_url="$(sed -n 's/^LEXOS_TEST_PG_OWNER_URL=//p' <<<"$vars")"
port="$(free_port)"
state="$tmp/state"
mkdir -p "$state"
env=(LEXOS_SERVER_LISTEN="127.0.0.1:$port" LEXOS_STATE_DIR="$state" LEXOS_PLUGINS_DIR="$BUILD_DIR/plugins"
     LEXOS_PLUGINS_ENABLED=clients,cases,portal,billing LEXOS_LOG_LEVEL=warning
     LEXOS_DATABASE_URL="$app_url" LEXOS_DATABASE_MIGRATION_URL="$owner_url")
# A minimal config of our own (the environment sets the rest): the checkout's etc/lexos.ini
# does not decide what is measured. Mail goes to the outbox (state/outbox), where the portal
# invitation's link is read.
printf '[server]\nlisten = 127.0.0.1:0\n[web]\ndir = %s/web\n[mail]\ntransport = outbox\n[log]\nlevel = warning\n' "$ROOT" >"$tmp/lexos.ini"
ctl=(env "${env[@]}" "$LEXOSCTL" --config "$tmp/lexos.ini")
"${ctl[@]}" migrate >/dev/null
"${ctl[@]}" firm create --slug bench --name "Bench Billing LLP" >/dev/null
echo "$PASSWORD" | "${ctl[@]}" user create --firm bench --email owner@bench.test --role owner --password-stdin >/dev/null
echo "$PASSWORD" | "${ctl[@]}" user create --firm bench --email billing@bench.test --role billing --password-stdin >/dev/null
firm="$(psql -X -At "$owner_url" -c "SELECT id FROM firms WHERE slug = 'bench'")"
[[ "$firm" =~ ^[0-9]+$ ]] || die "no firm id"

env "${env[@]}" "$LEXOSD" --config "$tmp/lexos.ini" >"$tmp/lexosd.log" 2>&1 &
lexosd_pid=$!
ok=0
for _ in $(seq 300); do
  [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" == 200 ]] && { ok=1; break; }
  kill -0 "$lexosd_pid" 2>/dev/null || break
  sleep 0.1
done
((ok)) || { tail -n 20 "$tmp/lexosd.log" >&2; die "lexosd did not become ready"; }

# --- through the API: clients, the portal user, the sessions ----------------------------------
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

def login(email, pw):
    r, body = call("POST", "/api/v1/auth/login", {"firm": "bench", "email": email, "password": pw})
    cookie = r.getheader("Set-Cookie").split(";")[0]
    return cookie, body.get("csrf_token", "")

cookie, csrf = login("owner@bench.test", password)
staff = {"Cookie": cookie, "X-CSRF-Token": csrf}

def currency(k):
    return "EUR" if k % 10 == 1 else "USD" if k % 10 == 2 else "GBP"

with open(f"{out}/clients.tsv", "w") as f:
    for k in range(n):
        terms = 14 if k % 4 == 3 else 30
        _, c = call("POST", "/api/v1/clients",
                    {"name": f"Bench Client {k:04d} Ltd", "email": f"client{k:04d}@bench.test",
                     "billing": {"currency": currency(k), "payment_terms_days": terms}}, staff, (200, 201))
        f.write(f"{k}\t{c['id']}\t{currency(k)}\t{terms}\n")
        if k == 0:
            portal_client = c["id"]

# Client 0 gets a portal account as a firm gives one: the invitation, then the e-mailed link.
call("POST", f"/api/v1/clients/{portal_client}/portal/invite", {}, staff, (200, 201))
mails = sorted(glob.glob(f"{state}/outbox/*.eml"))
if not mails:
    sys.exit("no invitation in the outbox")
raw = open(mails[-1], encoding="utf-8", errors="replace").read()
text = re.sub(r"=\r?\n", "", raw).replace("=3D", "=")
m = re.search(r"/portal/(?:[a-z0-9-]+/)?#/activate/([0-9]+\.[A-Za-z0-9_-]+)", text)
if not m:
    sys.exit("no activation link in the invitation")
call("POST", "/api/v1/portal/activate", {"token": urllib.parse.unquote(m.group(1)), "password": portal_password})
portal_cookie, _ = login("client0000@bench.test", portal_password)
billing_cookie, _ = login("billing@bench.test", password)
for name, value in (("portal_client", portal_client), ("portal.cookie", portal_cookie), ("billing.cookie", billing_cookie)):
    with open(f"{out}/{name}", "w") as f:
        f.write(str(value))
PY
BENCH_PASSWORD="$PASSWORD" BENCH_PORTAL_PASSWORD="$PORTAL_PASSWORD" python3 "$tmp/api.py" "$port" "$state" "$tmp" "$CLIENTS"
portal_client="$(cat "$tmp/portal_client")"
portal_cookie="$(cat "$tmp/portal.cookie")"
billing_cookie="$(cat "$tmp/billing.cookie")"
echo "# $CLIENTS clients and the portal user made through the API in $((SECONDS - t_start)) s"

# --- in SQL: invoices, lines, payments ---------------------------------------------------------
t0=$SECONDS
today="$(date -u +%F)"
psql -X -q -v ON_ERROR_STOP=1 -v firm="$firm" -v today="$today" -v invoices="$INVOICES" -v payments="$PAYMENTS" \
  -v clients="$CLIENTS" "$owner_url" >/dev/null <<SQL
SELECT set_config('lexos.firm_id', :'firm', false);
CREATE TEMP TABLE bc (k int PRIMARY KEY, id bigint, currency text, terms int);
\copy bc FROM '$tmp/clients.tsv'
CREATE TEMP TABLE creator AS SELECT id FROM users WHERE email = 'billing@bench.test';
-- The invoices: n = 0 .. INVOICES-1, client n % CLIENTS, issued over the last 395 days in n's order.
CREATE TEMP TABLE inv AS
  SELECT n, lexos_new_id() AS id, c.id AS client_id, c.currency, c.terms,
         date :'today' - 395 + (n::bigint * 394 / :invoices)::int AS issued
  FROM generate_series(0, :invoices - 1) AS n JOIN bc c ON c.k = n % :clients;
CREATE TEMP TABLE lin AS
  SELECT i.n, i.id AS invoice_id, i.client_id, p AS position, lexos_new_id() AS id,
         1000 * (1 + (i.n + p) % 4) AS quantity_milli, 5000 + ((i.n * 37 + p * 11) % 200) * 100 AS unit_price_minor
  FROM inv i, generate_series(1, 1 + i.n % 3) AS p;
CREATE TEMP TABLE tot AS
  SELECT i.*, s.subtotal, CASE WHEN i.currency = 'USD' THEN 0 ELSE 2000 END AS tax_bp,
         row_number() OVER (PARTITION BY extract(year FROM i.issued) ORDER BY i.n) AS seq
  FROM inv i JOIN (SELECT invoice_id, sum(quantity_milli * unit_price_minor / 1000) AS subtotal FROM lin GROUP BY 1) s
    ON s.invoice_id = i.id;
ALTER TABLE tot ADD COLUMN tax bigint, ADD COLUMN total bigint;
UPDATE tot SET tax = (subtotal * tax_bp + 5000) / 10000;
UPDATE tot SET total = subtotal + tax;
CREATE UNIQUE INDEX ON tot (n);
-- The payments: k = 0 .. PAYMENTS-1 pays invoice k % INVOICES (its j-th payment, of np); nine in
-- ten invoices issued more than 45 days ago are settled, the others half paid.
CREATE TEMP TABLE pay AS
  SELECT k, lexos_new_id() AS id, t.id AS invoice_id, t.client_id, t.currency, j,
         greatest(t.issued, least(t.issued + 5 + 9 * j, date :'today')) AS received,
         target / np + CASE WHEN j = np - 1 THEN target % np ELSE 0 END AS amount
  FROM (SELECT k, k / :invoices AS j, k % :invoices AS n FROM generate_series(0, :payments - 1) AS k) g
  JOIN LATERAL (SELECT tot.*, (:payments / :invoices + CASE WHEN tot.n < :payments % :invoices THEN 1 ELSE 0 END) AS np,
                       CASE WHEN tot.n % 10 <> 0 AND tot.issued < date :'today' - 45 THEN tot.total ELSE tot.total / 2 END AS target
                FROM tot WHERE tot.n = g.n) t ON true;
INSERT INTO billing_invoices (firm_id, id, client_id, status, number, currency, issued_on, due_on, payment_terms_days,
    subtotal_minor, discount_bp, discount_minor, tax_name, tax_rate_bp, tax_minor, total_minor, paid_minor, notes,
    client_visible, created_at, created_by, updated_at, credited_minor)
  SELECT :firm, t.id, t.client_id, 'issued', to_char(t.issued, 'YYYY') || '-' || CASE WHEN t.seq < 10000 THEN lpad(t.seq::text, 4, '0') ELSE t.seq::text END, t.currency,
         to_char(t.issued, 'YYYY-MM-DD'), to_char(t.issued + t.terms, 'YYYY-MM-DD'), t.terms, t.subtotal, NULL, 0,
         CASE WHEN t.tax_bp > 0 THEN 'VAT' ELSE '' END, t.tax_bp, t.tax, t.total, coalesce(p.paid, 0), '', TRUE,
         to_char(t.issued, 'YYYY-MM-DD') || 'T09:00:00Z', (SELECT id FROM creator), to_char(t.issued, 'YYYY-MM-DD') || 'T09:00:00Z', 0
  FROM tot t LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM pay GROUP BY 1) p ON p.invoice_id = t.id;
INSERT INTO billing_invoice_lines (firm_id, id, invoice_id, client_id, position, kind, description, quantity_milli,
    unit_price_minor, amount_minor, taxable, case_id, time_entry_id, expense_id, client_visible)
  SELECT :firm, l.id, l.invoice_id, l.client_id, l.position, 'flat', 'Professional services, stage ' || l.position,
         l.quantity_milli, l.unit_price_minor, l.quantity_milli * l.unit_price_minor / 1000, TRUE, NULL, NULL, NULL, TRUE
  FROM lin l;
INSERT INTO billing_payments (firm_id, id, client_id, invoice_id, method, amount_minor, currency, received_on, reference,
    receipt_number, refunded_minor, client_visible, created_at, created_by)
  SELECT :firm, p.id, p.client_id, p.invoice_id, (ARRAY['wire', 'check', 'card_present', 'cash'])[1 + p.k % 4], p.amount,
         p.currency, to_char(p.received, 'YYYY-MM-DD'), 'REF-' || p.k,
         'R-' || to_char(p.received, 'YYYY') || '-' || CASE WHEN p.rn < 10000 THEN lpad(p.rn::text, 4, '0') ELSE p.rn::text END,
         0, TRUE, to_char(p.received, 'YYYY-MM-DD') || 'T10:00:00Z', (SELECT id FROM creator)
  FROM (SELECT pay.*, row_number() OVER (PARTITION BY extract(year FROM received) ORDER BY received, k) AS rn FROM pay) p;
INSERT INTO billing_invoice_counters (firm_id, year, last_number)
  SELECT :firm, extract(year FROM issued)::bigint, count(*) FROM tot GROUP BY 2;
INSERT INTO billing_receipt_counters (firm_id, year, last_number)
  SELECT :firm, extract(year FROM received)::bigint, count(*) FROM pay GROUP BY 2;
SQL
# Autovacuum gets there in its own time; the benchmark measures the steady state.
psql -X -q "$owner_url" -c "VACUUM ANALYZE billing_invoices, billing_invoice_lines, billing_payments, clients" >/dev/null
read -r n_inv n_lines n_pay n_open n_mine < <(psql -X -At -F' ' "$owner_url" <<SQL | tail -n1
SELECT set_config('lexos.firm_id', '$firm', false) IS NULL;
SELECT (SELECT count(*) FROM billing_invoices), (SELECT count(*) FROM billing_invoice_lines), (SELECT count(*) FROM billing_payments),
       (SELECT count(*) FROM billing_invoices WHERE total_minor - paid_minor - credited_minor > 0),
       (SELECT count(*) FROM billing_invoices WHERE client_id = $portal_client);
SQL
)
echo "# seeded in $((SECONDS - t0)) s: $n_inv invoices ($n_open owing something), $n_lines lines, $n_pay payments; the portal client has $n_mine invoices"

# --- the reference: the handlers' statements, as the host runs them -----------------------------
# core/src/data/pg_connection.cpp, PgConnection::beginScoped: one round trip that begins the
# transaction and sets the scope (portal: firm and client, search_path lexos_portal first;
# staff: firm, search_path public). The statements are PortalInvoiceHandlers::list's and
# LedgerHandlers::aging's, copied (kInvoiceColumns from billing_common.cpp).
begin_scope() {  # client_id or "" -> the pipelined BEGIN as beginScoped sends it
  local path="public"
  [[ -n "$1" ]] && path="lexos_portal, public"
  printf '%s\n' '\startpipeline' 'BEGIN;' "SET LOCAL search_path = $path;" 'SET LOCAL row_security = on;' \
    "SET LOCAL TIME ZONE 'UTC';" \
    "SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '$1', true), set_config('lexos.guard_changed', '', true);" \
    '\endpipeline'
}
cols="i.id, i.client_id, i.status, i.number, i.currency, i.issued_on, i.due_on, i.payment_terms_days, i.subtotal_minor, i.discount_bp, i.discount_minor, i.tax_name, i.tax_rate_bp, i.tax_minor, i.total_minor, i.paid_minor, i.notes, i.voided_at, i.void_reason, i.created_at, i.updated_at, i.credited_minor"
list_sql="SELECT $cols FROM billing_invoices i WHERE i.client_id = :client AND i.status <> 'draft' ORDER BY i.id DESC LIMIT 500;"
sum_sql="SELECT currency, SUM(CASE WHEN total_minor - paid_minor - credited_minor > 0 THEN total_minor - paid_minor - credited_minor ELSE 0 END) FROM billing_invoices WHERE client_id = :client AND status = 'issued' GROUP BY currency;"
b="i.total_minor - i.paid_minor - i.credited_minor"
aging_sql="SELECT i.client_id, cl.name, i.currency, SUM(CASE WHEN i.due_on >= :asof THEN $b ELSE 0 END), SUM(CASE WHEN i.due_on < :asof AND i.due_on >= :d30 THEN $b ELSE 0 END), SUM(CASE WHEN i.due_on < :d30 AND i.due_on >= :d60 THEN $b ELSE 0 END), SUM(CASE WHEN i.due_on < :d60 AND i.due_on >= :d90 THEN $b ELSE 0 END), SUM(CASE WHEN i.due_on < :d90 THEN $b ELSE 0 END), SUM($b) FROM billing_invoices i JOIN clients cl ON cl.id = i.client_id WHERE i.status = 'issued' AND $b > 0 AND i.issued_on <= :asof GROUP BY i.client_id, cl.name, i.currency ORDER BY 9 DESC, cl.name, i.client_id;"
portal_user="$(psql -X -At "$owner_url" -c "SELECT set_config('lexos.firm_id', '$firm', false) IS NULL; SELECT id FROM users WHERE client_id = $portal_client" 2>/dev/null | tail -n1 || true)"
trust_sql="SELECT balance_minor, currency FROM billing_trust_accounts WHERE client_id = :client;"
{ echo "\\set client $portal_client"; begin_scope "$portal_client"; echo "$list_sql"; echo "$sum_sql"; echo "$trust_sql"; echo 'COMMIT;'; } >"$tmp/portal.sql"
# The audit write lexosd adds after the list (Dispatcher::respondStage, AuditLog::append): a
# second transaction in the staff scope: one call of lexos_audit_append (core migration 10: the
# chain's lock, last row, hash and insert in the database), then the commit.
{ cat "$tmp/portal.sql"; begin_scope ""
  echo "SELECT lexos_audit_append($firm, '${today}T12:00:00Z', 'portal:${portal_user:-0} client0000@bench.test', 'portal.invoices.view', 'client', '$portal_client', '127.0.0.1', 'pgbench', '');"
  printf '%s\n' '\startpipeline' "SELECT current_setting('lexos.guard_changed', true);" 'COMMIT;' '\endpipeline'
} >"$tmp/portal_audit.sql"
{ begin_scope ""; echo "$aging_sql"; echo 'COMMIT;'; } >"$tmp/aging.sql"
days_ago() { date -u -d "$today - $1 days" +%F; }
aging_vars=(-D asof="$today" -D d30="$(days_ago 30)" -D d60="$(days_ago 60)" -D d90="$(days_ago 90)")

# --- the answers agree ----------------------------------------------------------------------------
scoped_count() {  # client-or-empty sql -> rows the statement returns as lexos_app in that scope
  local path="public"
  [[ -n "$1" ]] && path="lexos_portal, public"
  psql -X -q -At -v ON_ERROR_STOP=1 "$app_url" <<SQL | tail -n1
BEGIN;
SET LOCAL search_path = $path;
SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '$1', true);
SELECT count(*) FROM ($2) q;
COMMIT;
SQL
}
sub() { sed -e "s/:client/$portal_client/g; s/:asof/'$today'/g; s/:d30/'$(days_ago 30)'/g; s/:d60/'$(days_ago 60)'/g; s/:d90/'$(days_ago 90)'/g; s/;\$//" <<<"$1"; }
want_list="$(scoped_count "$portal_client" "$(sub "$list_sql")")"
want_aging="$(scoped_count "" "$(sub "$aging_sql")")"
got_list="$(curl -s -H "Cookie: $portal_cookie" "http://127.0.0.1:$port/api/v1/portal/invoices" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')"
got_aging="$(curl -s -H "Cookie: $billing_cookie" "http://127.0.0.1:$port/api/v1/billing/aging" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')"
[[ "$got_list" == "$want_list" && "$want_list" -gt 0 ]] ||
  die "the portal list has $got_list invoices, the statement as lexos_app in the portal scope $want_list"
[[ "$got_aging" == "$want_aging" && "$want_aging" -gt 0 ]] ||
  die "the aging report has $got_aging rows, the statement as lexos_app in the staff scope $want_aging"
echo "# the portal list answers $got_list invoices, the aging report $got_aging client/currency rows (the same as the statements in pgbench's scope)"

# EXPLAIN=1: the plans of the three statements as lexos_app in their scopes (where time goes).
if [[ "${EXPLAIN:-0}" == 1 ]]; then
  explain() {  # client-or-empty sql
    local path="public"
    [[ -n "$1" ]] && path="lexos_portal, public"
    psql -X -q -v ON_ERROR_STOP=1 "$app_url" <<SQL
BEGIN;
SET LOCAL search_path = $path;
SELECT set_config('lexos.firm_id', '$firm', true), set_config('lexos.client_id', '$1', true) \gset
EXPLAIN (ANALYZE, BUFFERS) $2;
COMMIT;
SQL
  }
  echo "## portal list"; explain "$portal_client" "$(sub "$list_sql")"
  echo "## portal balance"; explain "$portal_client" "$(sub "$sum_sql")"
  echo "## aging"; explain "" "$(sub "$aging_sql")"
fi

# --- measure ----------------------------------------------------------------------------------------
cat >"$tmp/cookie.lua" <<'LUA'
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
LUA
jobs=$((CONNECTIONS < 2 ? 1 : 2))
http_rps() {  # cookie path [seconds] -> req/s of one wrk run
  local out
  out="$(BENCH_COOKIE="$1" wrk -t"$jobs" -c"$CONNECTIONS" -d"${3:-$DURATION}s" --timeout 60s -s "$tmp/cookie.lua" "http://127.0.0.1:$port$2")"
  grep -qE 'Non-2xx|Socket errors' <<<"$out" && { echo "$out" >&2; die "wrk: errors from $2"; }
  awk '/^Requests\/sec:/ { printf "%.1f", $2 }' <<<"$out"
}
pg_tps() {  # script [seconds] -> tps of one pgbench run as lexos_app
  local out
  out="$(pgbench -n -M prepared -c "$CONNECTIONS" -j "$jobs" -T "${2:-$DURATION}" "${aging_vars[@]}" -f "$1" "$app_url" 2>&1)" ||
    { echo "$out" >&2; die "pgbench $1 failed"; }
  grep -qE 'aborted|error' <<<"$out" && { echo "$out" >&2; die "pgbench $1: errors"; }
  grep -qE 'number of failed transactions: 0 ' <<<"$out" || { echo "$out" >&2; die "pgbench $1: failed transactions"; }
  awk '/^tps = / { printf "%.1f", $3 }' <<<"$out"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Warm-up: caches, prepared statements, lexosd's pool.
http_rps "$portal_cookie" /api/v1/portal/invoices 2 >/dev/null
http_rps "$billing_cookie" /api/v1/billing/aging 2 >/dev/null
pg_tps "$tmp/portal.sql" 2 >/dev/null
pg_tps "$tmp/aging.sql" 2 >/dev/null

echo "# $ROUNDS rounds of $DURATION s each; $CONNECTIONS concurrent clients (wrk -t$jobs -c$CONNECTIONS; pgbench -M prepared -c$CONNECTIONS -j$jobs as lexos_app)"
: >"$tmp/portal.ratios"
: >"$tmp/aging.ratios"
: >"$tmp/audit.ratios"
for r in $(seq "$ROUNDS"); do
  lp="$(http_rps "$portal_cookie" /api/v1/portal/invoices)"
  pp="$(pg_tps "$tmp/portal.sql")"
  pa="$(pg_tps "$tmp/portal_audit.sql")"
  la="$(http_rps "$billing_cookie" /api/v1/billing/aging)"
  pg="$(pg_tps "$tmp/aging.sql")"
  ratio "$lp" "$pp" >>"$tmp/portal.ratios"; echo >>"$tmp/portal.ratios"
  ratio "$lp" "$pa" >>"$tmp/audit.ratios"; echo >>"$tmp/audit.ratios"
  ratio "$la" "$pg" >>"$tmp/aging.ratios"; echo >>"$tmp/aging.ratios"
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg)): portal list lexosd $lp req/s, pgbench $pp tps: $(ratio "$lp" "$pp")x (pgbench with the audit write $pa tps: $(ratio "$lp" "$pa")x); aging lexosd $la req/s, pgbench $pg tps: $(ratio "$la" "$pg")x"
  echo "$lp $pp $pa $la $pg" >>"$tmp/figures"
done

echo
portal_ratio="$(median <"$tmp/portal.ratios")"
audit_ratio="$(median <"$tmp/audit.ratios")"
aging_ratio="$(median <"$tmp/aging.ratios")"
verdict() { awk -v r="$1" 'BEGIN { print (r >= 0.5) ? "meets the goal (>= 0.5x)" : "BELOW the goal (>= 0.5x)" }'; }
col_median() { awk -v c="$1" '{ print $c }' "$tmp/figures" | median; }
printf 'portal invoice list (%s invoices of %s): lexosd %s req/s, pgbench %s tps (medians): %sx, %s\n' \
  "$got_list" "$n_inv" "$(col_median 1)" "$(col_median 2)" "$portal_ratio" "$(verdict "$portal_ratio")"
printf '  against pgbench with the audit write lexosd adds (%s tps): %sx (informational)\n' "$(col_median 3)" "$audit_ratio"
printf 'aging report (%s rows over %s invoices owing):  lexosd %s req/s, pgbench %s tps (medians): %sx, %s\n' \
  "$got_aging" "$n_open" "$(col_median 4)" "$(col_median 5)" "$aging_ratio" "$(verdict "$aging_ratio")"
echo "# total $((SECONDS - t_start)) s; load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
