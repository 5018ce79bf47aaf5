#pragma once
/// @file registrar.h
/// What a plugin declares to the host at load time: permissions, routes, tables and their
/// tenancy, migrations, navigation entries. The host validates each declaration and refuses the
/// whole plugin (it does not load, lexosd does not start) when one is wrong: deny by default.
///
/// The Registrar is implemented by the host, valid only during Plugin::registerWith, and used
/// from the host's main thread only.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lexos/sdk/context.h"
#include "lexos/sdk/http.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Who may call a route.
/// - Public: anyone, no session needed (login, activation). Declare permission kPublic.
/// - Staff: a signed-in staff user of the firm holding the permission.
/// - Portal: a signed-in portal user holding the permission; their data access is scoped to
///   their own client by the host.
enum class Audience { Public, Staff, Portal };

/// The permission a Public route declares. No other route may use it.
inline constexpr const char* kPublic = "public";

/// A handler: called once per request that passed the guard. May throw HttpError subclasses
/// (mapped to their status) or anything else (mapped to 500). Called concurrently from many
/// threads: keep shared state in the database or guard it yourself.
using Handler = std::function<void(Context&)>;

/// A route. `path` is a template under "/api/", segments in braces are parameters:
/// "/api/v1/clients/{id}". `permission` is required; for Staff and Portal routes it must be a
/// permission this plugin declared.
struct Route {
  Method method = Method::Get;
  std::string path;
  Audience audience = Audience::Staff;
  std::string permission;
  Handler handler;
  std::size_t max_body_bytes = 1024 * 1024;  ///< Larger bodies get 413 before the handler.
  std::string summary;                       ///< One line for `lexosctl routes`.
};

/// A permission, named "<plugin>.<what>" (e.g. "clients.read"), with the roles that hold it
/// unless a firm changes the grant.
struct Permission {
  std::string name;
  std::string description;
  std::vector<std::string> default_roles;
};

/// How a table is scoped to tenants. Every tenant table has a `firm_id` column that leads its
/// primary key.
enum class Tenancy {
  Firm,        ///< Staff of the firm only; invisible to portal users (internal notes).
  FirmShared,  ///< Staff of the firm; portal users of the firm may read (phase names).
  Client,      ///< Staff of the firm; portal users read the rows of their own client whose
               ///< visibility column (if named) is true.
};

/// A table the plugin creates in its migrations, with its tenancy.
struct Table {
  std::string name;
  Tenancy tenancy = Tenancy::Firm;
  std::string client_column;      ///< Tenancy::Client: the column holding the client id.
  std::string visibility_column;  ///< Tenancy::Client, optional: boolean column; portal users
                                  ///< see only rows where it is true.
  std::vector<std::string> primary_key;  ///< Columns, starting with "firm_id".
};

/// A numbered migration. Versions start at 1 and increase by 1 per plugin; each is applied in
/// one transaction and recorded. `sql` serves both engines unless a dialect text is given.
/// Statements are separated by semicolons at line ends.
struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
  std::string sql_sqlite;      ///< Overrides `sql` on SQLite when not empty.
  std::string sql_postgresql;  ///< Overrides `sql` on PostgreSQL when not empty.
};

/// An entry of the web apps' navigation, shown to principals holding `permission`.
struct NavEntry {
  Audience audience = Audience::Staff;  ///< Staff app or portal app.
  std::string section;                  ///< e.g. "Practice Management".
  std::string label;                    ///< e.g. "Clients".
  std::string href;                     ///< e.g. "#/clients".
  std::string permission;
  int order = 100;
};

// ---- ABI 1.2: screens ----

/// A screen of a web app, shipped by the plugin as an ES module in its `web/` folder (installed
/// under `share/lexos/web/plugins/<id>/`, served at `/plugins/<id>/...` to principals of firms
/// that have the module switched on). The shell imports the module when its route is opened and
/// calls its `render(mount, kit, ctx)` export (docs/web-kit.md).
struct View {
  Audience audience = Audience::Staff;  ///< Staff app or portal (not Public).
  std::string route;       ///< Hash route without "#/", literal segments and {params}:
                           ///< "notes", "notes/{id}". Must not clash with another view's route.
  std::string module;      ///< Path of the ES module in the plugin's web folder: "notes.js".
  std::string permission;  ///< Shown only to principals holding it (a permission the plugin
                           ///< declared, or one of a plugin it requires).
  std::string title;       ///< The page's name, for the document title ("Notes").
};

/// The extension points the two shells define. A contribution is an ES module whose
/// `render(mount, kit, ctx)` fills one card (staff) or section (portal) of a host page.
/// - "staff.client.cards": cards on the staff client profile; ctx.client_id.
/// - "staff.case.cards":   cards on the staff case page; ctx.case_id, ctx.client_id.
/// - "portal.matter.sections": sections of the portal's matter page; ctx.case_id.
/// - "portal.home.cards":  cards on the portal's home page.
/// Portal navigation is a NavEntry with Audience::Portal.
struct Contribution {
  std::string point;       ///< One of the extension points above.
  std::string module;      ///< Path of the ES module in the plugin's web folder: "card.js".
  std::string permission;  ///< Shown only to principals holding it.
  std::string title;       ///< The card's heading ("Notes").
  int order = 100;         ///< Position among the point's contributions (lower first).
};

// ---- ABI 1.2: columns portal sessions may read; per-firm data steps ----

/// The columns of a client-owned (Tenancy::Client) or firm-shared (Tenancy::FirmShared) table
/// that a portal session may read. Every other column reads as NULL in a portal scope, on both
/// backends, whatever the SQL (`SELECT *`, joins, subqueries): staff-only fields (internal
/// notes, billing details, the responsible lawyer) stay out of a portal session's reach below
/// the plugin's SQL. The table's keys (primary key, client column, visibility column) are always
/// readable and need not be listed. A table without a declaration shows portal sessions its keys
/// only (deny by default; the host logs a warning naming it). Staff scopes read every column.
struct PortalColumns {
  std::string table;                 ///< A table this plugin declared with addTable.
  std::vector<std::string> columns;  ///< Column names, each an existing column of the table.
};

/// A column of a `Tenancy::Client` table holding a UTC time ("YYYY-MM-DDTHH:MM:SSZ", as every
/// time the SDK writes) after which portal sessions no longer see the row; NULL: no end. The
/// database enforces it below the plugin's SQL, with the client column and the visibility
/// column: a portal scope reads a row of its own client, marked visible, and not yet expired
/// (SQLite: in the scoped view; PostgreSQL: in the portal's row-level policy), on the clock of
/// the database (lexos_now()). Staff scopes read every row. The column is readable by portal
/// sessions. SDK 1.3.
struct PortalUntil {
  std::string table;   ///< A Tenancy::Client table this plugin declared with addTable.
  std::string column;  ///< A TEXT column of it.
};

/// A data step of a migration that the host runs once per firm, with that firm's (staff) scope
/// set, in the migration's transaction, right after the migration's own SQL. Tenant tables are
/// under forced row-level security (PostgreSQL) and their scoped views (SQLite) for the
/// migration's role too, so a data migration written as plain SQL sees no rows without a firm:
/// this is how a migration fills a new column or moves rows for every firm. Steps of one
/// version run in the order declared; a firm created later starts with the current schema and
/// needs none of them.
struct PerFirmStep {
  int version = 0;             ///< The migration (of this plugin) the step belongs to.
  std::string sql;             ///< Statements separated by semicolons at line ends.
  std::string sql_sqlite;      ///< Overrides `sql` on SQLite when not empty.
  std::string sql_postgresql;  ///< Overrides `sql` on PostgreSQL when not empty.
};

// ---- ABI 1.6: tables a portal session writes to ----

/// A `Tenancy::Client` table into which a portal session may INSERT rows of its own client (a
/// message to the firm). The database checks every such row below the plugin's SQL: its firm is
/// the scope's, its client column is the scope's client, and (if the table has a visibility
/// column) it is visible, so the portal can read back what it wrote. Nothing else changes for
/// portal sessions: they still UPDATE and DELETE no row of any table, and INSERT into no other
/// table. On PostgreSQL the row goes through the table's portal view, so a portal INSERT may name
/// only the keys and the columns declared with addPortalColumns (the others take their DEFAULT).
/// SDK 1.6.
struct PortalInsert {
  std::string table;  ///< A Tenancy::Client table this plugin declared with addTable.
};

// ---- ABI 1.7: the API described ----

/// What a route takes and answers, for the OpenAPI description the host serves at
/// `GET /api/v1/openapi.json` (docs/http-api.md). Optional: a route without one is still
/// described (its path, audience, permission, summary) with a generic answer. Schemas are JSON
/// Schema 2020-12 texts (schema.h builds them); each must be a JSON object, and the host refuses
/// the plugin at load time when one is not. A schema may refer to the host's shared components
/// with `{"$ref": "#/components/schemas/Error"}` (the error body) or `.../ListCursor`.
///
/// The struct carries its `version` as its first field (like SendOptions): fields are only ever
/// appended, and the host reads no field newer than the `version` of the copy a plugin hands it.
/// Leave `version` at its default. SDK 1.7.
struct RouteDescription {
  int version = 1;
  Method method = Method::Get;  ///< With `path`: a route this plugin added with addRoute.
  std::string path;             ///< Exactly as given to addRoute ("/api/v1/notes/{id}").
  std::string description;      ///< Longer text than Route::summary (CommonMark); optional.
  /// A schema of type object whose properties are the query parameters (each becomes one
  /// `in: query` parameter; names in its `required` are required). Empty: none declared.
  std::string query_schema;
  /// The request body's schema; empty: no body is described.
  std::string request_schema;
  /// The request body's media type (`application/json`; `application/octet-stream` or
  /// `multipart/form-data` for uploads).
  std::string request_content_type = "application/json";
  /// The success answer's status (200, 201, 204) and, unless 204, its body's schema. Empty
  /// schema: a generic answer of `response_content_type`.
  int response_status = 200;
  std::string response_schema;
  std::string response_content_type = "application/json";
};

/// Work the host runs on its own, without a request: for every firm that has the plugin's module
/// on, every `every_seconds`, in a transaction bound to that firm as a staff scope without a user
/// (principal().firm_id is the firm, user_id 0), like a public route after Context::bindFirm. What
/// the handler writes, the audit events it records and the mail it sends commit together (mail
/// goes through the durable queue); when it throws, all of it is rolled back and the run counts
/// as failed (logged; the next run comes at the next interval). Context::request() and response()
/// throw in a job. On several lexosd nodes sharing one database a firm's run of a job is claimed
/// in the database, so one node runs it per interval. A handler must be idempotent over what it
/// finds (a run may find nothing to do, or what a failed run left). Intervals are at least 10 s.
///
/// The struct carries its `version` as its first field (like RouteDescription): fields are only
/// ever appended. Leave `version` at its default. SDK 1.8.
struct Job {
  int version = 1;
  std::string id;              ///< Lower-case, unique in the plugin ("reminders").
  int every_seconds = 60;      ///< How often, per firm; 10 to 86400.
  Handler handler;             ///< Runs once per firm and interval.
  std::string summary;         ///< One line, for `lexosctl jobs` and the log.
};

/// A portal GET route whose answer the host may keep and serve again (SDK 1.9 addCachedRead).
/// Declaring it promises: the answer of this GET route (Audience::Portal, added by this plugin)
/// depends only on the request's path and query, the principal, and rows the portal scope reads
/// from the database; not on the clock, config changes at run time, or anything else. The host
/// may then answer a repeat from memory until one of those rows changes: every write to a
/// declared tenant table announces the client (Tenancy::Client) or the firm (FirmShared) whose
/// portal answers it may change, on every node (docs/portal-cache.md). Audit events the handler
/// records are recorded again for each answer served from memory.
///
/// Never declare a route whose answer depends on time (a share's expiry through addPortalUntil,
/// a due date compared with today, a schedule's "upcoming"), on files outside the database, on
/// headers other than the session's, or whose handler writes: nothing announces the clock.
///
/// The struct carries its `version` as its first field (like Job): fields are only ever
/// appended. Leave `version` at its default. SDK 1.9.
struct CachedRead {
  int version = 1;
  std::string path;  ///< The route's path pattern exactly as given to addRoute ("/api/v1/portal/x/{id}").
};

/// Collects a plugin's declarations.
class Registrar {
 public:
  virtual ~Registrar() = default;
  /// The id of the plugin being registered.
  virtual const std::string& pluginId() const = 0;
  virtual void addPermission(const Permission& permission) = 0;
  virtual void addRoute(const Route& route) = 0;
  virtual void addTable(const Table& table) = 0;
  virtual void addMigration(const Migration& migration) = 0;
  virtual void addNav(const NavEntry& entry) = 0;
  /// A key of the plugin's config section `[plugin.<id>]`, or `fallback`.
  virtual std::string config(const std::string& key, const std::string& fallback = {}) const = 0;

  // ---- ABI 1.1 ----
  /// Declares that this plugin needs plugin `id` (its tables, for foreign keys). The host then
  /// refuses to start unless `id` is enabled too, and applies `id`'s migrations first.
  virtual void requirePlugin(const std::string& id) = 0;

  // ---- ABI 1.2 ----
  /// Declares a screen (see View). The plugin's web folder must hold `view.module`.
  virtual void addView(const View& view) = 0;
  /// Declares a card or section on an extension point of a shell (see Contribution).
  virtual void addContribution(const Contribution& contribution) = 0;
  /// Declares the columns of one of this plugin's tables that portal sessions may read.
  virtual void addPortalColumns(const PortalColumns& columns) = 0;
  /// Declares a per-firm data step of one of this plugin's migrations.
  virtual void addPerFirmStep(const PerFirmStep& step) = 0;

  // ---- ABI 1.3 ----
  /// Declares a column after whose time a client-owned row leaves the portal's reach (a share's
  /// expiry). Needs SDK ABI 1.3.
  virtual void addPortalUntil(const PortalUntil& until) = 0;

  // ---- ABI 1.6 ----
  /// Declares a client-owned table that portal sessions may insert their own client's rows into
  /// (see PortalInsert). Needs SDK ABI 1.6.
  virtual void addPortalInsert(const PortalInsert& insert) = 0;

  // ---- ABI 1.7 ----
  /// Describes what a route of this plugin takes and answers (see RouteDescription), for
  /// `GET /api/v1/openapi.json`. At most once per route; call it after addRoute or before, in
  /// the same registerWith. Needs SDK ABI 1.7.
  virtual void describeRoute(const RouteDescription& description) = 0;

  // ---- ABI 1.8 ----
  /// Declares work the host runs for every firm with this module on (see Job). Needs SDK ABI 1.8.
  virtual void addJob(const Job& job) = 0;

  // ---- ABI 1.9 ----
  /// Declares that the answers of one of this plugin's portal GET routes may be served from the
  /// host's portal read cache (see CachedRead for the promise it makes). At most once per route;
  /// the route must be a GET route with Audience::Portal added by this plugin (the host refuses
  /// to load the plugin otherwise, naming the path). Needs SDK ABI 1.9.
  virtual void addCachedRead(const CachedRead& read) = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
