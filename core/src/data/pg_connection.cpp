#include "data/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <exception>
#include <cstring>
#include <sstream>
#include <memory>
#include <stdexcept>

#include "data/change_feed.h"

namespace lexos::core {

namespace {
// Type OIDs from pg_type.h (stable across versions).
constexpr Oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701,
              kNumeric = 1700, kOid = 26;

std::string redact(const std::string& url) {
  // postgresql://user:secret@host -> postgresql://user:***@host
  auto at = url.find('@');
  auto scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}
}  // namespace

PgConnection::PgConnection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    for (auto& c : msg)
      if (c == '\n') c = ' ';
    PQfinish(conn_);
    conn_ = nullptr;
    throw std::runtime_error("database.url = " + redact(url) + ": cannot connect: " + msg);
  }
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  feed_ = &ChangeFeed::forDatabase(url);
  run("SET TIME ZONE 'UTC'", {}, nullptr);
}

PgConnection::~PgConnection() {
  if (conn_) PQfinish(conn_);
}

// A statement's parameters as libpq takes them: text values with their type OIDs (integers,
// floats and booleans typed, text left for the server to infer), and the key its prepared
// statement is cached under (the SQL and those types).
struct PgConnection::Bound {
  std::vector<std::string> texts;
  std::vector<const char*> values;
  std::vector<Oid> types;
  std::string key;
  Bound(const std::string& sql, const std::vector<sdk::Value>& params)
      : texts(params.size()), values(params.size(), nullptr), types(params.size(), 0), key(sql) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& v = params[i];
      if (std::holds_alternative<std::nullptr_t>(v)) continue;
      if (auto p = std::get_if<std::int64_t>(&v)) { texts[i] = std::to_string(*p); types[i] = kInt8; }
      else if (auto p = std::get_if<double>(&v)) { texts[i] = std::to_string(*p); types[i] = kFloat8; }
      else if (auto p = std::get_if<bool>(&v)) { texts[i] = *p ? "t" : "f"; types[i] = kBool; }
      else if (auto p = std::get_if<std::string>(&v)) { texts[i] = *p; }
      values[i] = texts[i].c_str();
    }
    for (Oid t : types) key += "|" + std::to_string(t);
  }
  int count() const { return static_cast<int>(values.size()); }
};

namespace {

// The error for a failed statement, as an exception_ptr so that its type survives being kept
// and thrown later: DatabaseUnavailable when the connection is gone or the server is shutting
// down or starting (SQLSTATE classes 08 and 57P; the dispatcher answers 503), else a DbError.
std::exception_ptr failure(sdk::DbError::Kind kind, const std::string& message, const char* state, PGconn* conn) {
  const bool gone = !conn || PQstatus(conn) != CONNECTION_OK ||
                    (state && (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0));
  if (gone) return std::make_exception_ptr(DatabaseUnavailable(message));
  return std::make_exception_ptr(dbError(kind, message));
}

std::exception_ptr resultError(const PGresult* r, PGconn* conn) {
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  auto kind = sdk::DbError::Kind::Other;
  if (state && std::strncmp(state, "23", 2) == 0) kind = sdk::DbError::Kind::Constraint;
  if (state && std::strcmp(state, "42501") == 0) kind = sdk::DbError::Kind::TenancyViolation;
  return failure(kind, msg.empty() ? std::string("database connection lost") : msg, state, conn);
}

sdk::ResultSet toResultSet(const PGresult* r) {
  sdk::ResultSet rs;
  const int cols = PQnfields(r), rows = PQntuples(r);
  for (int c = 0; c < cols; ++c) rs.columns.emplace_back(PQfname(r, c));
  rs.rows.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    std::vector<sdk::Value> row;
    row.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) { row.emplace_back(nullptr); continue; }
      const char* t = PQgetvalue(r, i, c);
      switch (PQftype(r, c)) {
        case kBool: row.emplace_back(t[0] == 't'); break;
        case kInt2: case kInt4: case kInt8: case kOid: row.emplace_back(static_cast<std::int64_t>(std::strtoll(t, nullptr, 10))); break;
        case kFloat4: case kFloat8: case kNumeric: row.emplace_back(std::strtod(t, nullptr)); break;
        default: row.emplace_back(std::string(t, static_cast<std::size_t>(PQgetlength(r, i, c))));
      }
    }
    rs.rows.push_back(std::move(row));
  }
  return rs;
}

struct Clear {
  PGresult* r;
  ~Clear() { PQclear(r); }
};

// The settings a guard read needs, as one statement pipelined with the read, in one implicit
// transaction (is_local = true: they end with it). Fewer than beginScoped() sets, each a cost on
// every uncached session check: the read names its tables with their schema (search_path does not
// matter), keeps its timestamps as text (the time zone does not), and row_security is set because
// a session-level "off" left by plugin SQL would make the read fail rather than filter.
constexpr const char* kReadSettings =
    "SELECT set_config('row_security', 'on', true), set_config('lexos.firm_id', $1, true), "
    "set_config('lexos.client_id', $2, true)";

}  // namespace

std::string PgConnection::preparedName(const std::string& sql, const Bound& b) {
  // A statement is prepared once per search path too: a portal scope resolves names in
  // lexos_portal first (its views), a staff scope in public, and one plan must not serve both
  // (PostgreSQL would re-plan at every switch, and refuse when the result type changed).
  const std::string key = (portalPath_ ? "P|" : "S|") + b.key;
  auto it = prepared_.find(key);
  if (it != prepared_.end()) return it->second;
  if (prepared_.size() >= 512 || !preparedStatements()) return {};
  if (seenOnce_.insert(key).second) {
    if (seenOnce_.size() > 4096) seenOnce_.clear();
    return {};
  }
  seenOnce_.erase(key);
  const std::string name = "lx" + std::to_string(prepared_.size());
  Clear p{PQprepare(conn_, name.c_str(), sql.c_str(), b.count(), b.types.data())};
  if (PQresultStatus(p.r) != PGRES_COMMAND_OK) std::rethrow_exception(resultError(p.r, conn_));
  prepared_.emplace(key, name);
  return name;
}

sdk::ResultSet PgConnection::run(const std::string& sql, const std::vector<sdk::Value>& params,
                                  std::int64_t* changes) {
  const Bound b(sql, params);
  const std::string name = preparedName(sql, b);
  Clear clear{!name.empty()
                  ? PQexecPrepared(conn_, name.c_str(), b.count(), b.values.data(), nullptr, nullptr, 0)
                  : PQexecParams(conn_, sql.c_str(), b.count(), b.types.data(), b.values.data(), nullptr, nullptr, 0)};
  PGresult* r = clear.r;
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) std::rethrow_exception(resultError(r, conn_));
  sdk::ResultSet rs = toResultSet(r);
  if (changes) {
    const char* n = PQcmdTuples(r);
    *changes = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
  }
  return rs;
}

sdk::ResultSet PgConnection::readScoped(const Scope& scope, const std::string& sql,
                                        const std::vector<sdk::Value>& params) {
  if (inTx_) throw std::logic_error("readScoped() inside a transaction");
  // One round trip instead of three (BEGIN with the settings, the statement, COMMIT): the
  // settings and the statement are pipelined and end with one Sync. Without an explicit BEGIN
  // the messages up to the Sync run as one implicit transaction, which the Sync commits (or,
  // after an error, rolls back): the tenant set with is_local = true ends there, as it would at
  // COMMIT, so nothing carries over to the connection's next borrower.
  const Bound settings(kReadSettings, {scope.firm_id ? std::to_string(scope.firm_id) : std::string(),
                                       scope.client_id ? std::to_string(scope.client_id) : std::string()});
  const Bound stmt(sql, params);
  // Preparing is a round trip of its own, once per connection and statement.
  const std::string settingsName = preparedName(kReadSettings, settings), stmtName = preparedName(sql, stmt);
  auto send = [&](const std::string& text, const Bound& b, const std::string& name) {
    const int ok = !name.empty() ? PQsendQueryPrepared(conn_, name.c_str(), b.count(), b.values.data(), nullptr, nullptr, 0)
                                 : PQsendQueryParams(conn_, text.c_str(), b.count(), b.types.data(), b.values.data(),
                                                     nullptr, nullptr, 0);
    if (ok != 1) std::rethrow_exception(resultError(nullptr, conn_));
  };
  if (PQenterPipelineMode(conn_) != 1) std::rethrow_exception(resultError(nullptr, conn_));
  try {
    send(kReadSettings, settings, settingsName);
    send(sql, stmt, stmtName);
    if (PQpipelineSync(conn_) != 1) std::rethrow_exception(resultError(nullptr, conn_));
  } catch (...) {
    broken_ = true;  // part of a pipeline may have gone out: the pool drops this connection
    throw;
  }
  // Results: each statement's, each followed by a null; then the Sync's.
  sdk::ResultSet rs;
  std::exception_ptr fault;
  for (int i = 0; i < 2; ++i) {
    while (PGresult* r = PQgetResult(conn_)) {
      Clear clear{r};
      const auto st = PQresultStatus(r);
      if (st == PGRES_TUPLES_OK && i == 1) rs = toResultSet(r);
      else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !fault)
        fault = resultError(r, conn_);
    }
  }
  bool synced = false;
  for (int i = 0; i < 4 && !synced; ++i) {  // nulls before it, if any, are skipped
    PGresult* r = PQgetResult(conn_);
    if (!r && PQstatus(conn_) != CONNECTION_OK) break;
    synced = r && PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
  }
  if (!synced || PQexitPipelineMode(conn_) != 1 || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    broken_ = true;
    if (!fault) fault = resultError(nullptr, conn_);
  }
  if (fault) std::rethrow_exception(fault);
  return rs;
}

sdk::ResultSet PgConnection::query(const std::string& sql, const std::vector<sdk::Value>& params) {
  return run(sql, params, nullptr);
}

std::int64_t PgConnection::execute(const std::string& sql, const std::vector<sdk::Value>& params) {
  std::int64_t changes = 0;
  run(sql, params, &changes);
  return changes;
}

void PgConnection::executeScript(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const auto status = PQresultStatus(r);
  std::string msg = PQresultErrorMessage(r);
  const char* code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = code ? code : "";
  PQclear(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    if (msg.empty()) msg = PQerrorMessage(conn_);
    std::rethrow_exception(failure(sdk::DbError::Kind::Other, msg, state.empty() ? nullptr : state.c_str(), conn_));
  }
}

void PgConnection::begin(bool write) { beginScoped(write, {}); }

void PgConnection::beginScoped(bool write, const Scope& scope) {
  // One round trip: start the transaction, override for this transaction every session-level
  // setting an earlier request's SQL could have left on this pooled connection that matters
  // here (tenant, search path, row security, time zone), and bind it to its tenant (or to none
  // until setScope()). (RESET ALL did the same for all settings but cost ~0.2 ms per request.)
  // The ids are integers formatted here, never text from a request.
  const std::string firm = scope.firm_id ? std::to_string(scope.firm_id) : std::string();
  const std::string client = scope.client_id ? std::to_string(scope.client_id) : std::string();
  executeScript(
      std::string("BEGIN; SET LOCAL search_path = ") + (scope.client_id ? "lexos_portal, public" : "public") +
      "; SET LOCAL row_security = on; SET LOCAL TIME ZONE 'UTC'; "
      "SELECT set_config('lexos.firm_id', '" + firm + "', true), set_config('lexos.client_id', '" + client + "', true), "
      "set_config('lexos.guard_changed', '', true)");
  inTx_ = true;
  write_ = write;
  portalPath_ = scope.client_id != 0;
}

void PgConnection::commit() {
  inTx_ = false;
  if (!write_) {
    run("COMMIT", {}, nullptr);
    return;
  }
  // A write transaction learns, in the same round trip as its COMMIT, which firms' sessions,
  // users or firm rows the guard triggers saw change, and publishes them at once: this node's
  // session cache never answers from a row this node has already changed. (Other nodes hear of
  // it through NOTIFY.)
  if (PQsendQuery(conn_, "SELECT current_setting('lexos.guard_changed', true); COMMIT") != 1)
    std::rethrow_exception(failure(sdk::DbError::Kind::Other, PQerrorMessage(conn_), nullptr, conn_));
  std::string changed, error, state;
  bool committed = false;
  while (PGresult* r = PQgetResult(conn_)) {
    const auto st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) changed = PQgetvalue(r, 0, 0);
    else if (st == PGRES_COMMAND_OK) committed = true;
    else if (st != PGRES_TUPLES_OK && error.empty()) {
      error = PQresultErrorMessage(r);
      const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      state = code ? code : "";
    }
    PQclear(r);
  }
  if (!committed || !error.empty()) {
    while (!error.empty() && error.back() == '\n') error.pop_back();
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      PGresult* r = PQexec(conn_, "ROLLBACK");
      PQclear(r);
    }
    const bool constraint = state.rfind("23", 0) == 0;
    std::rethrow_exception(failure(constraint ? sdk::DbError::Kind::Constraint : sdk::DbError::Kind::Other,
                                   error.empty() ? std::string("COMMIT failed") : error,
                                   state.empty() ? nullptr : state.c_str(), conn_));
  }
  if (!changed.empty()) {
    std::vector<std::int64_t> firms;
    std::istringstream in(changed);
    std::int64_t f = 0;
    while (in >> f) firms.push_back(f);
    feed_->publish(firms);
  }
}

void PgConnection::rollback() {
  inTx_ = false;
  write_ = false;
  // A lost connection has no transaction left to roll back (the server ended it); throwing here
  // would turn the 503 of the error being handled into a 500.
  if (PQstatus(conn_) != CONNECTION_OK) return;
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) run("ROLLBACK", {}, nullptr);
}

void PgConnection::setScope(const Scope& s) {
  // is_local = true: the setting ends with the transaction, so a pooled connection (or
  // PgBouncer in transaction mode) never carries one request's tenant into the next.
  // A portal scope resolves table names in lexos_portal first: its views project the columns a
  // portal session may not read as NULL (tenancy/tenancy_sql.h); the tables themselves give a
  // portal scope no rows.
  run("SELECT set_config('lexos.firm_id', $1, true), set_config('lexos.client_id', $2, true), "
      "set_config('search_path', $3, true)",
      {s.firm_id ? std::to_string(s.firm_id) : std::string(),
       s.client_id ? std::to_string(s.client_id) : std::string(),
       std::string(s.client_id ? "lexos_portal, public" : "public")},
      nullptr);
  portalPath_ = s.client_id != 0;
}

std::int64_t PgConnection::newId() {
  // The firm's own sequence when the transaction is scoped to a firm (core_schema.h, kV6).
  auto rs = run("SELECT lexos_new_id()", {}, nullptr);
  return sdk::asInt(rs.rows.at(0).at(0));
}

bool PgConnection::usable() const { return conn_ && !broken_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::stillConnected() {
  if (!usable()) return false;
  // An idle pooled connection has nothing outstanding and does not LISTEN, so anything the
  // server sends now is its goodbye (FATAL "terminating connection due to administrator
  // command", then EOF). Dropping a connection wrongly costs one reconnect; lending a dead one
  // costs a failed request.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

bool PgConnection::ping() {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  try {
    run("SELECT 1", {}, nullptr);
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace lexos::core
