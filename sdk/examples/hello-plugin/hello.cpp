// hello.cpp — the smallest useful LexOS plugin, written to be read.
//
// It shows the whole life of a plugin:
//   1. a class deriving from lexos::sdk::Plugin,
//   2. registerWith(): declare permissions, a table with its tenancy and its migration, routes
//      that each name an audience and a permission (the host refuses routes without them: deny
//      by default), a navigation entry, a screen (view) and a card on the staff client profile
//      (their ES modules are in web/, installed beside the staff app),
//   3. handlers that read the request, the principal and the plugin's config section, run SQL
//      that the host scopes to the caller's firm, and answer JSON; a JSON POST whose CSRF token
//      the host has checked before the handler runs,
//   4. the LEXOS_PLUGIN macro, which exports the C gate the host checks before it calls any
//      C++ in this file.
//
// JSON comes in through readJsonObject and goes out through JsonWriter, from the SDK's
// header-only toolbox (lexos/sdk/json.h, json_fields.h, params.h, lists.h; builders.h for
// routes, tables and migrations), which the bundled plugins use too: strict reading, errors
// that name the field, correct escaping.
//
// Build and install it out of tree (see README.md beside this file):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<lexos prefix> && cmake --build build && cmake --install build

#include <cstdint>
#include <string>
#include <vector>

#include "lexos/sdk/lexos.h"  // the umbrella header: all of the SDK, standard library only

namespace {

using namespace lexos::sdk;

class HelloPlugin : public Plugin {
 public:
  // Called once at start-up, on the host's main thread, before any request is served. Only
  // declare things here; if anything declared is wrong the host refuses the whole plugin and
  // lexosd does not start (the operator sees one line saying why).
  void registerWith(Registrar& r) override {
    // A permission is named "<plugin id>.<what>" and lists the staff roles that hold it by
    // default; a firm may change the grants later.
    r.addPermission({"hello.read", "See who you are signed in as, and notes on clients (hello example)",
                     {kRoleOwner, kRoleAttorney, kRoleParalegal, kRoleBilling}});
    r.addPermission({"hello.write", "Write notes on clients (hello example)", {kRoleOwner, kRoleAttorney, kRoleParalegal}});

    // Notes reference the clients module's table (a foreign key), so the clients module must be
    // enabled too; the host then applies its migrations first.
    r.requirePlugin("clients");

    // A table and its tenancy. Tenancy::Firm: staff of the firm only, never a portal user. The
    // host enforces it below this plugin's SQL (PostgreSQL row-level security, SQLite views),
    // so `SELECT * FROM hello_notes` without a WHERE clause still sees only the caller's firm.
    // firm_id leads the primary key, and every foreign key includes it.
    // (Declarations are plain structs: assign their fields by name, as here, or use the SDK's
    // builders, which name the same parts in a chain: TableBuilder("hello_notes").primaryKey(
    // {"firm_id", "id"}), MigrationBuilder(1, "notes on clients").sql(...), RouteBuilder below.)
    Table notes;
    notes.name = "hello_notes";
    notes.tenancy = Tenancy::Firm;
    notes.primary_key = {"firm_id", "id"};
    r.addTable(notes);

    // Migrations are numbered from 1 and never change once released; a new column is a new
    // migration. One SQL text serves SQLite and PostgreSQL.
    Migration v1;
    v1.version = 1;
    v1.name = "notes on clients";
    v1.sql = R"SQL(
CREATE TABLE hello_notes (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX hello_notes_by_client ON hello_notes (firm_id, client_id, id);
)SQL";
    r.addMigration(v1);

    // Screens (SDK 1.2). A navigation entry in the staff app's sidebar, the view it opens
    // (web/hello.js, route #/hello), and a card on every client's profile (web/client_card.js).
    // The host offers them only to principals holding the permission, in firms that have the
    // module switched on, and serves web/ at /plugins/hello/ to those principals only.
    r.addNav({Audience::Staff, "Examples", "Hello", "#/hello", "hello.read", 900});
    View screen;
    screen.audience = Audience::Staff;
    screen.route = "hello";
    screen.module = "hello.js";
    screen.permission = "hello.read";
    screen.title = "Hello";
    r.addView(screen);
    Contribution card;
    card.point = "staff.client.cards";
    card.module = "client_card.js";
    card.permission = "hello.read";
    card.title = "Notes (hello example)";
    card.order = 900;
    r.addContribution(card);

    // A public route: anyone may call it, no session needed. Public routes must declare the
    // permission kPublic ("public"), so that "no permission" can never mean "open".
    Route hello;
    hello.method = Method::Get;
    hello.path = "/api/v1/hello";
    hello.audience = Audience::Public;
    hello.permission = kPublic;
    hello.max_body_bytes = 0;  // a GET takes no body
    hello.summary = "Say hello (public example route)";
    hello.handler = [](Context& c) { sayHello(c); };
    r.addRoute(hello);

    // A staff route: the guard has already checked that the caller is a signed-in staff user
    // of a firm that has this module enabled and holds hello.read. Anyone else gets 401/403
    // (or 404 when the firm switched the module off) and this handler never runs.
    // This one is declared with the SDK's RouteBuilder (builders.h), which names each part as
    // C++20's designated initialisers would.
    r.addRoute(RouteBuilder(Method::Get, "/api/v1/hello/whoami")
                   .staff("hello.read")
                   .noBody()
                   .summary("The signed-in staff user's e-mail and firm (example)")
                   .handler([](Context& c) { whoAmI(c); }));

    // GET /api/v1/hello/notes?client_id=N: the notes on one client, newest first.
    Route list;
    list.method = Method::Get;
    list.path = "/api/v1/hello/notes";
    list.audience = Audience::Staff;
    list.permission = "hello.read";
    list.max_body_bytes = 0;
    list.summary = "Notes on a client (example): ?client_id=N";
    list.handler = [](Context& c) { listNotes(c); };
    r.addRoute(list);

    // POST /api/v1/hello/notes {"client_id": N, "text": "..."}: an unsafe method, so the guard
    // requires the session's CSRF token in X-CSRF-Token before this handler runs (403 without).
    Route add;
    add.method = Method::Post;
    add.path = "/api/v1/hello/notes";
    add.audience = Audience::Staff;
    add.permission = "hello.write";
    add.max_body_bytes = 8 * 1024;  // larger bodies get 413 before the handler
    add.summary = "Add a note on a client (example): {client_id, text}";
    add.handler = [](Context& c) { addNote(c); };
    r.addRoute(add);
  }

 private:
  // GET /api/v1/hello[?to=NAME]
  // Handlers run concurrently on many threads: this one keeps no state at all.
  static void sayHello(Context& c) {
    // Config of this plugin lives in the [plugin.hello] section of lexos.ini:
    //   [plugin.hello]
    //   greeting = Good morning
    const std::string greeting = c.config("greeting", "Hello");

    JsonWriter json;
    json.beginObject().member("message", "Hello from a LexOS plugin").member("greeting", greeting);
    // queryText checks the parameter like a text field: valid UTF-8, one line, trimmed, at most
    // 64 characters. Anything else throws BadRequest("to", ...), which is how a handler answers
    // with an error: the host turns it into 400 {"error": {"code": "invalid", "message": ...,
    // "field": "to"}}.
    if (auto to = queryText(c, "to", 64)) {
      if (to->empty()) throw BadRequest("to", "to must be 1 to 64 characters.");
      json.member("to", *to);
    }
    // The request id also appears in the host's log line for this request.
    json.member("request_id", c.request().requestId()).endObject();
    sendJson(c, json);
  }

  static void writeNote(JsonWriter& w, const std::vector<Value>& row) {
    w.beginObject()
        .member("id", asInt(row[0]))
        .member("client_id", asInt(row[1]))
        .member("text", asText(row[2]))
        .member("author", asText(row[3]))
        .member("created_at", asText(row[4]))
        .endObject();
  }

  static void listNotes(Context& c) {
    // 400 naming client_id unless it is a positive id.
    const auto client = queryId(c, "client_id", "client_id must be a client's id.");
    if (!client) throw BadRequest("client_id", "client_id must be a client's id.");
    // No firm in the WHERE clause: the host's scoping adds it below this SQL.
    auto rs = c.db().query("SELECT id, client_id, text, author, created_at FROM hello_notes "
                           "WHERE client_id = $1 ORDER BY id DESC LIMIT 50", {*client});
    // {"items": [...], "next_cursor": null}, the envelope of every LexOS list.
    sendList(c, rs.rows, writeNote);
  }

  static void addNote(Context& c) {
    // {"client_id": N, "text": "..."} and nothing else: any other field, a duplicate key, bad
    // UTF-8 or a body that is not JSON is refused with 400 naming the field (or "body").
    const JsonObject body = readJsonObject(c, {"client_id", "text"});
    const std::int64_t clientId = body["client_id"].requiredId("client_id must be a client's id.");
    const std::string text = body["text"].requiredText(4000, "Write the note.", Lines::Many);
    // The client must exist in the caller's firm (the clients table is scoped too, so another
    // firm's client id finds nothing): 404, as for any record the caller cannot see.
    if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty()) throw NotFound();
    const std::int64_t id = c.db().newId();
    const std::string now = c.db().now();
    const std::string author = c.principal().display_name.empty() ? c.principal().email : c.principal().display_name;
    c.db().execute("INSERT INTO hello_notes (firm_id, id, client_id, text, author, created_at) "
                   "VALUES (lexos_firm(), $1, $2, $3, $4, $5)",
                   {id, clientId, text, author, now});
    // Written in the same transaction as the note: both or neither.
    c.audit().record("hello.note.create", "client", std::to_string(clientId));
    auto row = c.db().query("SELECT id, client_id, text, author, created_at FROM hello_notes WHERE id = $1", {id});
    JsonWriter json;
    writeNote(json, row.rows.at(0));
    sendJson(c, json, 201);
  }

  // GET /api/v1/hello/whoami
  static void whoAmI(Context& c) {
    // The principal comes from the session, set by the guard; never trust a header, query
    // parameter or body field to say who the caller is or which firm they belong to.
    const Principal& p = c.principal();
    c.log(LogLevel::Debug, "whoami for user " + std::to_string(p.user_id));
    JsonWriter json;
    json.beginObject().member("email", p.email).member("firm_id", p.firm_id).endObject();
    sendJson(c, json);
  }
};

}  // namespace

// Exports the C gate `lexos_plugin_gate`: magic, ABI numbers, the id (must equal the file stem,
// hello.so), this plugin's version and the build fingerprint. Exactly once per plugin.
LEXOS_PLUGIN(HelloPlugin, "hello", "1.0.0")
