#pragma once
/// @file builders.h
/// Builders for Route, Table and Migration that name every part, in C++17 (which has no
/// designated initialisers). Part of the SDK toolbox: header only; they only fill in the plain
/// structs of registrar.h, which stay exactly as they are (no ABI change). The Registrar still
/// validates everything at load time.
///
///     r.addRoute(RouteBuilder(Method::Post, "/api/v1/notes")
///                    .staff("notes.write")
///                    .maxBody(16 * 1024)
///                    .summary("Add a note {client_id, text}")
///                    .handler(&Notes::add));
///     r.addTable(TableBuilder("notes").clientOwned("client_id").primaryKey({"firm_id", "id"}));
///     r.addMigration(MigrationBuilder(1, "notes").sql(kNotesV1));
///
/// The same without builders, in plain C++17: assign the fields by name.
///
///     Route add;
///     add.method = Method::Post;
///     add.path = "/api/v1/notes";
///     add.audience = Audience::Staff;
///     add.permission = "notes.write";
///     ...
///     r.addRoute(add);
///
/// Builders are plain values; build them on the registering thread.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "lexos/sdk/registrar.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Builds a Route. Choose the audience with staff(), portal() or publicRoute(); every route
/// also needs a handler. A route that takes no body should say so with noBody().
class RouteBuilder {
 public:
  RouteBuilder(Method method, std::string path) {
    route_.method = method;
    route_.path = std::move(path);
  }
  /// Signed-in staff of the firm holding `permission`.
  RouteBuilder& staff(std::string permission) {
    return audience(Audience::Staff, std::move(permission));
  }
  /// Signed-in portal users holding `permission`; the path must start with /api/v1/portal/.
  RouteBuilder& portal(std::string permission) {
    return audience(Audience::Portal, std::move(permission));
  }
  /// Anyone, without a session (permission kPublic).
  RouteBuilder& publicRoute() { return audience(Audience::Public, kPublic); }
  /// Bodies larger than `bytes` get 413 before the handler (default 1 MiB).
  RouteBuilder& maxBody(std::size_t bytes) {
    route_.max_body_bytes = bytes;
    return *this;
  }
  /// The route takes no body (max_body_bytes 0).
  RouteBuilder& noBody() { return maxBody(0); }
  /// One line for `lexosctl routes`.
  RouteBuilder& summary(std::string text) {
    route_.summary = std::move(text);
    return *this;
  }
  RouteBuilder& handler(Handler h) {
    route_.handler = std::move(h);
    return *this;
  }
  /// The Route, for Registrar::addRoute (also converts implicitly).
  const Route& build() const { return route_; }
  operator const Route&() const { return route_; }

 private:
  RouteBuilder& audience(Audience a, std::string permission) {
    route_.audience = a;
    route_.permission = std::move(permission);
    return *this;
  }
  Route route_;
};

/// Builds a Table declaration: Tenancy::Firm unless firmShared() or clientOwned() says
/// otherwise. The primary key must start with "firm_id".
class TableBuilder {
 public:
  explicit TableBuilder(std::string name) { table_.name = std::move(name); }
  /// Staff of the firm only (the default).
  TableBuilder& firmOnly() { return tenancy(Tenancy::Firm); }
  /// Staff of the firm; portal users of the firm may read.
  TableBuilder& firmShared() { return tenancy(Tenancy::FirmShared); }
  /// Rows belong to the client in `clientColumn`: portal users read their own client's rows.
  TableBuilder& clientOwned(std::string clientColumn) {
    table_.client_column = std::move(clientColumn);
    return tenancy(Tenancy::Client);
  }
  /// With clientOwned(): portal users see only rows where this boolean column is true.
  TableBuilder& visibleWhen(std::string visibilityColumn) {
    table_.visibility_column = std::move(visibilityColumn);
    return *this;
  }
  TableBuilder& primaryKey(std::vector<std::string> columns) {
    table_.primary_key = std::move(columns);
    return *this;
  }
  const Table& build() const { return table_; }
  operator const Table&() const { return table_; }

 private:
  TableBuilder& tenancy(Tenancy t) {
    table_.tenancy = t;
    return *this;
  }
  Table table_;
};

/// Builds a Migration: its number (1, 2, ... per plugin), a name, and the SQL for both engines
/// (sql()) or per engine (sqlite(), postgresql()).
class MigrationBuilder {
 public:
  MigrationBuilder(int version, std::string name) {
    migration_.version = version;
    migration_.name = std::move(name);
  }
  /// SQL for both engines; statements end with ';' at the end of a line.
  MigrationBuilder& sql(std::string text) {
    migration_.sql = std::move(text);
    return *this;
  }
  /// SQL for SQLite, instead of sql().
  MigrationBuilder& sqlite(std::string text) {
    migration_.sql_sqlite = std::move(text);
    return *this;
  }
  /// SQL for PostgreSQL, instead of sql().
  MigrationBuilder& postgresql(std::string text) {
    migration_.sql_postgresql = std::move(text);
    return *this;
  }
  const Migration& build() const { return migration_; }
  operator const Migration&() const { return migration_; }

 private:
  Migration migration_;
};

}  // namespace v1
}  // namespace lexos::sdk
