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
// The SDK has no JSON library on purpose; real plugins bring their own (the bundled ones use
// Poco::JSON). This example writes its few fields by hand with a tiny escaper.
//
// Build and install it out of tree (see README.md beside this file):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<lexos prefix> && cmake --build build && cmake --install build

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "lexos/sdk/lexos.h"  // the umbrella header: all of the SDK, standard library only

namespace {

using namespace lexos::sdk;

// JSON string literal for `s`, quotes included. Escapes what RFC 8259 requires (quote,
// backslash, control characters); other bytes, UTF-8 included, pass through unchanged.
std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// The body of POST /api/v1/hello/notes: {"client_id": N, "text": "..."}, nothing else.
// A small strict reader for exactly this shape; errors name the field, as the host's 400s do.
struct NoteInput {
  std::int64_t client_id = 0;
  std::string text;

  static NoteInput parse(const std::string& body) {
    NoteInput in;
    std::size_t i = 0;
    bool haveClient = false, haveText = false;
    auto ws = [&] { while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r')) ++i; };
    auto expect = [&](char ch) {
      ws();
      if (i >= body.size() || body[i] != ch) throw BadRequest("body", "The body must be a JSON object {\"client_id\": N, \"text\": \"...\"}.");
      ++i;
    };
    auto string = [&](const std::string& field) {
      expect('"');
      std::string out;
      while (i < body.size() && body[i] != '"') {
        char ch = body[i++];
        if (static_cast<unsigned char>(ch) < 0x20) throw BadRequest(field, field + " holds a control character.");
        if (ch == '\\') {
          if (i >= body.size()) break;
          const char e = body[i++];
          if (e == 'n') ch = '\n';
          else if (e == 't') ch = '\t';
          else if (e == '"' || e == '\\' || e == '/') ch = e;
          else throw BadRequest(field, field + ": only the escapes \\n \\t \\\" \\\\ \\/ are accepted here.");
        }
        out += ch;
      }
      expect('"');
      return out;
    };
    expect('{');
    ws();
    if (i < body.size() && body[i] == '}') ++i;
    else {
      for (;;) {
        const std::string key = string("body");
        expect(':');
        ws();
        if (key == "client_id" && !haveClient) {
          std::size_t start = i;
          while (i < body.size() && body[i] >= '0' && body[i] <= '9') ++i;
          const std::string digits = body.substr(start, i - start);
          if (digits.empty() || digits.size() > 18 || digits[0] == '0')
            throw BadRequest("client_id", "client_id must be a client's id (a whole number).");
          in.client_id = std::stoll(digits);
          haveClient = true;
        } else if (key == "text" && !haveText) {
          in.text = string("text");
          haveText = true;
        } else {
          throw BadRequest(key, key == "client_id" || key == "text" ? key + " is given twice." : "Unknown field " + key + ".");
        }
        ws();
        if (i < body.size() && body[i] == ',') { ++i; continue; }
        expect('}');
        break;
      }
    }
    ws();
    if (i != body.size()) throw BadRequest("body", "Nothing may follow the JSON object.");
    if (!haveClient) throw BadRequest("client_id", "client_id is required.");
    std::size_t begin = in.text.find_first_not_of(" \t\n"), end = in.text.find_last_not_of(" \t\n");
    in.text = begin == std::string::npos ? "" : in.text.substr(begin, end - begin + 1);
    if (in.text.empty()) throw BadRequest("text", "Write the note.");
    if (in.text.size() > 4000) throw BadRequest("text", "A note holds at most 4000 bytes.");
    return in;
  }
};

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
    Route whoami;
    whoami.method = Method::Get;
    whoami.path = "/api/v1/hello/whoami";
    whoami.audience = Audience::Staff;
    whoami.permission = "hello.read";
    whoami.max_body_bytes = 0;
    whoami.summary = "The signed-in staff user's e-mail and firm (example)";
    whoami.handler = [](Context& c) { whoAmI(c); };
    r.addRoute(whoami);

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

    std::string json = "{\"message\": " + jsonString("Hello from a LexOS plugin") +
                       ", \"greeting\": " + jsonString(greeting);
    if (auto to = c.request().query("to")) {
      // Throwing a typed HttpError is how a handler answers with an error: the host turns
      // this into 400 {"error": {"code": "invalid", "message": ..., "field": "to"}}.
      if (to->empty() || to->size() > 64) throw BadRequest("to", "to must be 1 to 64 characters.");
      json += ", \"to\": " + jsonString(*to);
    }
    // The request id also appears in the host's log line for this request.
    json += ", \"request_id\": " + jsonString(c.request().requestId()) + "}";
    c.response().sendJson(json);
  }

  static std::int64_t clientIdFrom(const std::string& text) {
    std::int64_t id = 0;
    if (text.empty() || text.size() > 18) return 0;
    for (char ch : text) {
      if (ch < '0' || ch > '9') return 0;
      id = id * 10 + (ch - '0');
    }
    return id;
  }

  static std::string noteJson(const std::vector<Value>& row) {
    return "{\"id\": " + std::to_string(asInt(row[0])) + ", \"client_id\": " + std::to_string(asInt(row[1])) +
           ", \"text\": " + jsonString(asText(row[2])) + ", \"author\": " + jsonString(asText(row[3])) +
           ", \"created_at\": " + jsonString(asText(row[4])) + "}";
  }

  static void listNotes(Context& c) {
    const std::int64_t client = clientIdFrom(c.request().query("client_id").value_or(""));
    if (!client) throw BadRequest("client_id", "client_id must be a client's id.");
    // No firm in the WHERE clause: the host's scoping adds it below this SQL.
    auto rs = c.db().query("SELECT id, client_id, text, author, created_at FROM hello_notes "
                           "WHERE client_id = $1 ORDER BY id DESC LIMIT 50", {client});
    std::string json = "{\"items\": [";
    for (std::size_t i = 0; i < rs.rows.size(); ++i) json += (i ? ", " : "") + noteJson(rs.rows[i]);
    c.response().sendJson(json + "]}");
  }

  static void addNote(Context& c) {
    const NoteInput in = NoteInput::parse(c.request().body());
    // The client must exist in the caller's firm (the clients table is scoped too, so another
    // firm's client id finds nothing): 404, as for any record the caller cannot see.
    if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {in.client_id}).empty()) throw NotFound();
    const std::int64_t id = c.db().newId();
    const std::string now = c.db().now();
    const std::string author = c.principal().display_name.empty() ? c.principal().email : c.principal().display_name;
    c.db().execute("INSERT INTO hello_notes (firm_id, id, client_id, text, author, created_at) "
                   "VALUES (lexos_firm(), $1, $2, $3, $4, $5)",
                   {id, in.client_id, in.text, author, now});
    // Written in the same transaction as the note: both or neither.
    c.audit().record("hello.note.create", "client", std::to_string(in.client_id));
    auto row = c.db().query("SELECT id, client_id, text, author, created_at FROM hello_notes WHERE id = $1", {id});
    c.response().sendJson(noteJson(row.rows.at(0)), 201);
  }

  // GET /api/v1/hello/whoami
  static void whoAmI(Context& c) {
    // The principal comes from the session, set by the guard; never trust a header, query
    // parameter or body field to say who the caller is or which firm they belong to.
    const Principal& p = c.principal();
    c.log(LogLevel::Debug, "whoami for user " + std::to_string(p.user_id));
    c.response().sendJson("{\"email\": " + jsonString(p.email) +
                          ", \"firm_id\": " + std::to_string(p.firm_id) + "}");
  }
};

}  // namespace

// Exports the C gate `lexos_plugin_gate`: magic, ABI numbers, the id (must equal the file stem,
// hello.so), this plugin's version and the build fingerprint. Exactly once per plugin.
LEXOS_PLUGIN(HelloPlugin, "hello", "1.0.0")
