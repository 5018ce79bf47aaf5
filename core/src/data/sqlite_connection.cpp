#include "data/sqlite_connection.h"

#include <sqlite3.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>

#include "common/time.h"
#include "data/change_feed.h"

namespace lexos::core {

namespace {

void scopeFunction(sqlite3_context* ctx, int, sqlite3_value**, bool client) {
  auto* self = static_cast<SqliteConnection*>(sqlite3_user_data(ctx));
  std::int64_t v = client ? self->scope().client_id : self->scope().firm_id;
  if (v == 0) sqlite3_result_null(ctx);
  else sqlite3_result_int64(ctx, v);
}
void firmFn(sqlite3_context* c, int n, sqlite3_value** v) { scopeFunction(c, n, v, false); }
void clientFn(sqlite3_context* c, int n, sqlite3_value** v) { scopeFunction(c, n, v, true); }
// lexos_now(): the UTC time as the SDK writes times ("YYYY-MM-DDTHH:MM:SSZ"); the portal's
// expiry columns (Registrar::addPortalUntil) are compared with it in the scoped views.
void nowFn(sqlite3_context* c, int, sqlite3_value**) {
  const std::string now = utcTimestamp();
  sqlite3_result_text(c, now.c_str(), static_cast<int>(now.size()), SQLITE_TRANSIENT);
}
// lexos_guard_changed(firm): the triggers on sessions, users and firms call it for each row
// changed; the connection publishes those firms to the change feed once the change commits.
void guardChangedFn(sqlite3_context* c, int n, sqlite3_value** v) {
  auto* self = static_cast<SqliteConnection*>(sqlite3_user_data(c));
  if (!self->announcesGuardChanges()) {
    // Refused at the statement (autocommit ones too), not only at COMMIT.
    sqlite3_result_error(c, "lexos: this change to sessions, users, firms, module switches or rows portal answers are "
                            "cached from cannot be announced to running lexosd processes (the change file beside the database is not usable)", -1);
    return;
  }
  self->noteGuardChange(n == 1 ? sqlite3_value_int64(v[0]) : 0);
  sqlite3_result_null(c);
}

// Where a firm's id counter starts: uniform in [2^40, 2^50), as on PostgreSQL (core_schema.h).
std::int64_t randomIdBase() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  constexpr std::int64_t kLow = std::int64_t{1} << 40, kHigh = std::int64_t{1} << 50;
  return std::uniform_int_distribution<std::int64_t>(kLow, kHigh - 1)(gen);
}

// The statement rules come from the tenancy layer through the constructor; host statements
// (hostOp_) and raw connections are not asked.
int authorizeStatement(void* ud, int action, const char* a1, const char* a2, const char* dbName, const char* inner) {
  return static_cast<const SqliteConnection*>(ud)->authorize(action, a1, a2, dbName, inner);
}

// The writer lock of a database file, shared by this process's connections to it.
std::shared_ptr<std::timed_mutex> writerLock(const std::string& file) {
  static std::mutex m;
  static std::map<std::string, std::weak_ptr<std::timed_mutex>> locks;
  std::error_code ec;
  const std::string key = std::filesystem::weakly_canonical(file, ec).string();
  std::lock_guard<std::mutex> g(m);
  auto& weak = locks[ec ? file : key];
  auto lock = weak.lock();
  if (!lock) {
    lock = std::make_shared<std::timed_mutex>();
    weak = lock;
  }
  return lock;
}

}  // namespace

SqliteConnection::SqliteConnection(const std::string& file, SqliteStatementRules rules) : file_(file), rules_(rules) {
  // Memory statistics take a process-wide mutex on every allocation; with many request
  // threads that mutex is the bottleneck. Must be set before SQLite initialises.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  int rc = sqlite3_open_v2(file.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("database.url = sqlite:" + file + ": cannot open the SQLite file: " + msg +
                             " (expected a writable folder; see state.dir / database.url)");
  }
  sqlite3_busy_timeout(db_, 10000);
  sqlite3_extended_result_codes(db_, 1);
  hostExec("PRAGMA journal_mode=WAL");
  hostExec("PRAGMA synchronous=NORMAL");
  hostExec("PRAGMA foreign_keys=ON");
  sqlite3_create_function(db_, "lexos_firm", 0, SQLITE_UTF8, this, &firmFn, nullptr, nullptr);
  sqlite3_create_function(db_, "lexos_client", 0, SQLITE_UTF8, this, &clientFn, nullptr, nullptr);
  sqlite3_create_function(db_, "lexos_now", 0, SQLITE_UTF8, this, &nowFn, nullptr, nullptr);
  sqlite3_create_function(db_, "lexos_guard_changed", 1, SQLITE_UTF8, this, &guardChangedFn, nullptr, nullptr);
  feed_ = &ChangeFeed::forDatabase("sqlite:" + file);
  if (rules_) sqlite3_set_authorizer(db_, &authorizeStatement, this);
  writer_ = writerLock(file);
}

SqliteConnection::~SqliteConnection() {
  releaseWriter();
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
  if (db_) sqlite3_close_v2(db_);
}

sqlite3_stmt* SqliteConnection::prepared(const std::string& sql) {
  const std::string key = (enforcing() ? "E" : "H") + sql;
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    sqlite3_reset(it->second);
    sqlite3_clear_bindings(it->second);
    return it->second;
  }
  // A conflict resolved by deleting rows would run inside the views' INSTEAD OF triggers too,
  // beyond the scope's reach (replacesRows, sqlite_connection.h).
  if (enforcing() && replacesRows(sql.c_str()))
    throw dbError(sdk::DbError::Kind::TenancyViolation,
                  "lexos: OR REPLACE / REPLACE INTO is not allowed (it deletes conflicting rows); use INSERT or UPDATE");
  sqlite3_stmt* st = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &st, &tail);
  if (rc != SQLITE_OK) {
    std::string msg = sqlite3_errmsg(db_);
    auto kind = (rc & 0xff) == SQLITE_AUTH ? sdk::DbError::Kind::TenancyViolation : sdk::DbError::Kind::Other;
    throw dbError(kind, msg);
  }
  if (!st) return nullptr;
  for (const char* p = tail; p && *p; ++p)
    if (!std::isspace(static_cast<unsigned char>(*p)) && *p != ';') {
      sqlite3_finalize(st);
      throw dbError(sdk::DbError::Kind::Other, "one statement per call: found more after the first");
    }
  if (cache_.size() >= 128) {
    auto old = cache_.find(cacheOrder_.front());
    if (old != cache_.end()) {
      sqlite3_finalize(old->second);
      cache_.erase(old);
    }
    cacheOrder_.pop_front();
  }
  cache_.emplace(key, st);
  cacheOrder_.push_back(key);
  return st;
}

void SqliteConnection::hostExec(const char* sql) {
  hostOp_ = true;
  try {
    run(sql, {}, nullptr);  // prepared once per connection, like every statement
  } catch (const sdk::DbError& e) {
    hostOp_ = false;
    throw dbError(e.kind(), std::string(sql) + ": " + e.what());
  }
  hostOp_ = false;
}

sdk::ResultSet SqliteConnection::run(const std::string& sql, const std::vector<sdk::Value>& params,
                                     std::int64_t* changes) {
  sqlite3_stmt* st = prepared(sql);
  if (!st) return {};
  // Leave the statement reset (locks released) whatever happens below.
  struct Reset {
    sqlite3_stmt* s;
    ~Reset() { sqlite3_reset(s); }
  } reset{st};
  int rc = SQLITE_OK;
  const int n = sqlite3_bind_parameter_count(st);
  for (int i = 1; i <= n; ++i) {
    const char* name = sqlite3_bind_parameter_name(st, i);
    std::size_t idx = static_cast<std::size_t>(i);
    if (name && name[0] == '$') idx = static_cast<std::size_t>(std::atoi(name + 1));
    if (idx < 1 || idx > params.size())
      throw dbError(sdk::DbError::Kind::Other, "statement uses parameter " + std::string(name ? name : "?") +
                                                   " but " + std::to_string(params.size()) + " were given");
    const sdk::Value& v = params[idx - 1];
    if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(st, i);
    else if (auto p = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(st, i, *p);
    else if (auto p = std::get_if<double>(&v)) sqlite3_bind_double(st, i, *p);
    else if (auto p = std::get_if<bool>(&v)) sqlite3_bind_int64(st, i, *p ? 1 : 0);
    else if (auto p = std::get_if<std::string>(&v))
      sqlite3_bind_text(st, i, p->data(), static_cast<int>(p->size()), SQLITE_TRANSIENT);
  }
  sdk::ResultSet rs;
  const int cols = sqlite3_column_count(st);
  for (int c = 0; c < cols; ++c) rs.columns.emplace_back(sqlite3_column_name(st, c));
  const auto before = sqlite3_total_changes64(db_);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    std::vector<sdk::Value> row;
    row.reserve(static_cast<std::size_t>(cols));
    for (int c = 0; c < cols; ++c) {
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(st, c))); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, c)); break;
        case SQLITE_NULL: row.emplace_back(nullptr); break;
        default: {
          const char* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          row.emplace_back(std::string(t ? t : "", static_cast<std::size_t>(sqlite3_column_bytes(st, c))));
        }
      }
    }
    rs.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    std::string msg = sqlite3_errmsg(db_);
    const int primary = rc & 0xff;
    auto kind = sdk::DbError::Kind::Other;
    if (msg.find("lexos: tenancy") != std::string::npos) kind = sdk::DbError::Kind::TenancyViolation;
    else if (primary == SQLITE_CONSTRAINT) kind = sdk::DbError::Kind::Constraint;
    throw dbError(kind, msg);
  }
  // total_changes counts rows changed by the INSTEAD OF triggers behind the views too.
  if (changes) *changes = sqlite3_total_changes64(db_) - before;
  if (!guardChanges_.empty() && sqlite3_get_autocommit(db_)) publishGuardChanges();
  return rs;
}

sdk::ResultSet SqliteConnection::query(const std::string& sql, const std::vector<sdk::Value>& params) {
  return run(sql, params, nullptr);
}

std::int64_t SqliteConnection::execute(const std::string& sql, const std::vector<sdk::Value>& params) {
  std::int64_t changes = 0;
  run(sql, params, &changes);
  return changes;
}

void SqliteConnection::executeScript(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw dbError(sdk::DbError::Kind::Other, msg);
  }
  if (!guardChanges_.empty() && sqlite3_get_autocommit(db_)) publishGuardChanges();
}

bool SqliteConnection::announcesGuardChanges() const { return feed_->announces(); }

void SqliteConnection::publishGuardChanges() {
  feed_->publish(guardChanges_);
  guardChanges_.clear();
}

void SqliteConnection::begin(bool write) {
  scope_ = {};
  guardChanges_.clear();
  if (write && !holdsWriter_) {
    // As long as SQLite's own busy timeout: then the same error it would give.
    if (!writer_->try_lock_for(std::chrono::seconds(10)))
      throw dbError(sdk::DbError::Kind::Other, "database is locked (another writer held it for 10 s)");
    holdsWriter_ = true;
  }
  try {
    hostExec(write ? "BEGIN IMMEDIATE" : "BEGIN");
  } catch (...) {
    releaseWriter();
    throw;
  }
  inTx_ = true;
}

void SqliteConnection::releaseWriter() {
  if (holdsWriter_) {
    holdsWriter_ = false;
    writer_->unlock();
  }
}

void SqliteConnection::commit() {
  if (!guardChanges_.empty() && !feed_->announces()) {
    // The change would end or alter sessions that running lexosd processes may hold in their
    // cache, and this process cannot tell them: commit nothing rather than leave them stale.
    rollback();
    throw dbError(sdk::DbError::Kind::Other,
                  "this change to sessions, users, firms or module switches cannot be announced to running lexosd "
                  "processes (" + feed_->problem() + "); nothing was changed. Every process using the database must "
                  "be able to read and write that file, like the database file itself.");
  }
  inTx_ = false;
  try {
    hostExec("COMMIT");
  } catch (...) {
    if (!sqlite3_get_autocommit(db_)) {
      try {
        hostExec("ROLLBACK");
      } catch (...) {
      }
    }
    releaseWriter();
    throw;
  }
  releaseWriter();
  scope_ = {};
  if (!guardChanges_.empty()) publishGuardChanges();
}

void SqliteConnection::rollback() {
  inTx_ = false;
  scope_ = {};
  guardChanges_.clear();
  struct Release {
    SqliteConnection* c;
    ~Release() { c->releaseWriter(); }
  } release{this};
  if (!sqlite3_get_autocommit(db_)) hostExec("ROLLBACK");
}

std::int64_t SqliteConnection::newId() {
  hostOp_ = true;
  try {
    // A firm's rows take ids from the firm's own counter (docs/ids.md); the random start only
    // counts when the firm draws its first id. One statement, so it is atomic even outside a
    // transaction.
    auto rs =
        scope_.firm_id
            ? run("INSERT INTO lexos_firm_ids (firm_id, next_id) VALUES ($1, $2) ON CONFLICT "
                  "(firm_id) DO UPDATE SET next_id = next_id + 1 RETURNING next_id",
                  {scope_.firm_id, randomIdBase()}, nullptr)
            : run("UPDATE lexos_ids SET next_id = next_id + 1 RETURNING next_id", {}, nullptr);
    hostOp_ = false;
    return sdk::asInt(rs.rows.at(0).at(0));
  } catch (...) {
    hostOp_ = false;
    throw;
  }
}

bool SqliteConnection::ping() {
  try {
    hostOp_ = true;
    run("SELECT 1", {}, nullptr);
    hostOp_ = false;
    return true;
  } catch (...) {
    hostOp_ = false;
    return false;
  }
}

bool replacesRows(const char* sql) {
  // Words of the statement, upper-cased, with strings, quoted names and comments skipped.
  std::string prev;
  for (const char* p = sql; p && *p;) {
    const char c = *p;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      const char close = c == '[' ? ']' : c;
      for (++p; *p && *p != close; ++p) {
      }
      if (*p) ++p;
      prev.clear();
      continue;
    }
    if (c == '-' && p[1] == '-') {
      while (*p && *p != '\n') ++p;
      continue;
    }
    if (c == '/' && p[1] == '*') {
      p += 2;
      while (*p && !(*p == '*' && p[1] == '/')) ++p;
      if (*p) p += 2;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::string word;
      while (*p && (std::isalnum(static_cast<unsigned char>(*p)) || *p == '_' || *p == '$'))
        word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(*p++))));
      if ((prev == "OR" && word == "REPLACE") || (prev == "REPLACE" && word == "INTO")) return true;
      prev = word;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) prev.clear();
    ++p;
  }
  return false;
}

}  // namespace lexos::core
