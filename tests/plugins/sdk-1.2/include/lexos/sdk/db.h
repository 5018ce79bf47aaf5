#pragma once
/// @file db.h
/// The tenant-scoped database a handler gets through Context::db().
///
/// Every request runs in one transaction, opened by the host and bound to the request's firm
/// (and, for portal users, to their client). The host commits it when the handler returns and
/// rolls it back when the handler throws. The binding is enforced below the plugin's SQL: on
/// PostgreSQL by row-level security, on SQLite by views and an authorizer installed by the host.
/// So `SELECT * FROM clients` returns only the current firm's rows, and an INSERT for another
/// firm fails. Write the same SQL text for both backends: placeholders `$1`, `$2`, ... in
/// increasing order, standard SQL, no RETURNING of generated ids (use newId()).
///
/// Not thread-safe; valid only during the handler call.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// A SQL value: NULL, integer, real, text or boolean.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, bool>;

/// Which engine serves the database.
enum class Backend { SQLite, PostgreSQL };

/// The result of a query: column names and rows of values. Plain data; owned by the caller.
/// Integer columns come back as int64, booleans as bool on PostgreSQL and as int64 on SQLite
/// (use asBool), text and timestamps as text (UTC, ISO 8601).
struct ResultSet {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;

  /// Index of a column by name; throws std::out_of_range when absent.
  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i] == name) return i;
    throw std::out_of_range("no column " + name);
  }
  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
};

/// True when the value is NULL.
inline bool isNull(const Value& v) { return std::holds_alternative<std::nullptr_t>(v); }
/// Integer value (booleans as 0/1, numeric text parsed); throws std::invalid_argument for NULL.
inline std::int64_t asInt(const Value& v) {
  if (auto p = std::get_if<std::int64_t>(&v)) return *p;
  if (auto p = std::get_if<bool>(&v)) return *p ? 1 : 0;
  if (auto p = std::get_if<double>(&v)) return static_cast<std::int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::stoll(*p);
  throw std::invalid_argument("NULL is not an integer");
}
/// Text value (numbers formatted); empty string for NULL.
inline std::string asText(const Value& v) {
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<bool>(&v)) return *p ? "true" : "false";
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}
/// Boolean value (integers: non-zero is true; text "t"/"true"/"1"); false for NULL.
inline bool asBool(const Value& v) {
  if (auto p = std::get_if<bool>(&v)) return *p;
  if (auto p = std::get_if<std::int64_t>(&v)) return *p != 0;
  if (auto p = std::get_if<std::string>(&v)) return *p == "t" || *p == "true" || *p == "1";
  return false;
}

/// A database error the handler may want to react to (constraint violations). The host maps an
/// uncaught DbError to 409 for constraint violations, 404 for tenancy violations (a row of
/// another tenant is treated as not there) and 500 otherwise.
class LEXOS_SDK_VISIBLE DbError : public std::runtime_error {
 public:
  enum class Kind { Constraint, TenancyViolation, Other };
  DbError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

/// The request's tenant-scoped transaction.
class Db {
 public:
  virtual ~Db() = default;
  /// Runs a query and returns all rows. Throws DbError.
  virtual ResultSet query(const std::string& sql, const std::vector<Value>& params = {}) = 0;
  /// Runs a statement and returns the number of rows it changed. Throws DbError.
  virtual std::int64_t execute(const std::string& sql, const std::vector<Value>& params = {}) = 0;
  /// A new id for a row's primary key: positive, below 2^53 (exact as a JSON number), unique
  /// within the firm and increasing in the order ids are drawn. Each firm has its own counter
  /// starting at a random point, so ids reveal nothing about other firms; keys lead with
  /// `firm_id`, as every tenant table's must (see docs/ids.md).
  virtual std::int64_t newId() = 0;
  /// The engine behind this database.
  virtual Backend backend() const = 0;
  /// The current UTC time as the database formats it ("2026-11-29T18:43:05Z").
  virtual std::string now() const = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
