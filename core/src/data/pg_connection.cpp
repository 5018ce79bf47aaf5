#include "data/pg_connection.h"

#include <libpq-fe.h>

#include <poll.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
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

sdk::ResultSet PgConnection::run(const std::string& sql, const std::vector<sdk::Value>& params,
                                  std::int64_t* changes) {
  std::vector<std::string> texts(params.size());
  std::vector<const char*> values(params.size(), nullptr);
  std::vector<Oid> types(params.size(), 0);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& v = params[i];
    if (std::holds_alternative<std::nullptr_t>(v)) continue;
    if (auto p = std::get_if<std::int64_t>(&v)) { texts[i] = std::to_string(*p); types[i] = kInt8; }
    else if (auto p = std::get_if<double>(&v)) { texts[i] = std::to_string(*p); types[i] = kFloat8; }
    else if (auto p = std::get_if<bool>(&v)) { texts[i] = *p ? "t" : "f"; types[i] = kBool; }
    else if (auto p = std::get_if<std::string>(&v)) { texts[i] = *p; }
    values[i] = texts[i].c_str();
  }
  std::string key = sql;
  for (Oid t : types) key += "|" + std::to_string(t);
  PGresult* r = nullptr;
  auto it = prepared_.find(key);
  if (it == prepared_.end() && prepared_.size() < 512 && preparedStatements()) {
    const std::string name = "lx" + std::to_string(prepared_.size());
    PGresult* p = PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(params.size()), types.data());
    const bool ok = PQresultStatus(p) == PGRES_COMMAND_OK;
    if (ok) it = prepared_.emplace(key, name).first;
    else r = p;  // report the preparation error below, like an execution error
    if (ok) PQclear(p);
  }
  if (!r) {
    r = it != prepared_.end()
            ? PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()), values.data(), nullptr, nullptr, 0)
            : PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), types.data(), values.data(), nullptr,
                           nullptr, 0);
  }
  struct Clear {
    PGresult* r;
    ~Clear() { PQclear(r); }
  } clear{r};
  const auto status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    auto kind = sdk::DbError::Kind::Other;
    if (state && std::strncmp(state, "23", 2) == 0) kind = sdk::DbError::Kind::Constraint;
    if (state && std::strcmp(state, "42501") == 0) kind = sdk::DbError::Kind::TenancyViolation;
    fail(kind, msg, state);
  }
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
  if (changes) {
    const char* n = PQcmdTuples(r);
    *changes = (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
  }
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
    fail(sdk::DbError::Kind::Other, msg, state.empty() ? nullptr : state.c_str());
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
      "BEGIN; SET LOCAL search_path = public; SET LOCAL row_security = on; SET LOCAL TIME ZONE 'UTC'; "
      "SELECT set_config('lexos.firm_id', '" + firm + "', true), set_config('lexos.client_id', '" + client + "', true), "
      "set_config('lexos.guard_changed', '', true)");
  inTx_ = true;
  write_ = write;
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
    fail(sdk::DbError::Kind::Other, PQerrorMessage(conn_), nullptr);
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
    fail(constraint ? sdk::DbError::Kind::Constraint : sdk::DbError::Kind::Other,
         error.empty() ? std::string("COMMIT failed") : error, state.empty() ? nullptr : state.c_str());
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
  run("SELECT set_config('lexos.firm_id', $1, true), set_config('lexos.client_id', $2, true)",
      {s.firm_id ? std::to_string(s.firm_id) : std::string(),
       s.client_id ? std::to_string(s.client_id) : std::string()},
      nullptr);
}

std::int64_t PgConnection::newId() {
  auto rs = run("SELECT nextval('lexos_ids')", {}, nullptr);
  return sdk::asInt(rs.rows.at(0).at(0));
}

bool PgConnection::usable() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

bool PgConnection::stillConnected() {
  if (!usable()) return false;
  // An idle pooled connection has nothing outstanding and does not LISTEN, so anything the
  // server sends now is its goodbye (FATAL "terminating connection due to administrator
  // command", then EOF). Dropping a connection wrongly costs one reconnect; lending a dead one
  // costs a failed request.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

void PgConnection::fail(sdk::DbError::Kind kind, const std::string& message, const char* sqlstate) const {
  const bool gone = PQstatus(conn_) != CONNECTION_OK ||
                    (sqlstate && (std::strncmp(sqlstate, "08", 2) == 0 || std::strncmp(sqlstate, "57P", 3) == 0));
  if (gone) throw DatabaseUnavailable(message);
  throw dbError(kind, message);
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
