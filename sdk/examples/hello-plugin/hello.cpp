// hello.cpp — the smallest useful LexOS plugin, written to be read.
//
// It shows the whole life of a plugin:
//   1. a class deriving from lexos::sdk::Plugin,
//   2. registerWith(): declare a permission, then routes that each name an audience and a
//      permission (the host refuses routes without them: deny by default),
//   3. handlers that read the request, the principal and the plugin's config section, and
//      answer JSON,
//   4. the LEXOS_PLUGIN macro, which exports the C gate the host checks before it calls any
//      C++ in this file.
//
// JSON goes out through the SDK's JsonWriter (lexos/sdk/json.h), which escapes everything
// correctly; request bodies come in through readJsonObject (lexos/sdk/params.h). Both are part of
// the SDK's header-only toolbox, which the bundled plugins use too.
//
// Build and install it out of tree (see README.md beside this file):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<lexos prefix> && cmake --build build && cmake --install build

#include <string>

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
    r.addPermission({"hello.read", "See who you are signed in as (hello example)",
                     {kRoleOwner, kRoleAttorney, kRoleParalegal, kRoleBilling}});

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
    // The same kind of declaration with the SDK's RouteBuilder (builders.h), which names each
    // part as C++20's designated initialisers would; TableBuilder and MigrationBuilder do the
    // same for tables and migrations.
    r.addRoute(RouteBuilder(Method::Get, "/api/v1/hello/whoami")
                   .staff("hello.read")
                   .noBody()
                   .summary("The signed-in staff user's e-mail and firm (example)")
                   .handler([](Context& c) { whoAmI(c); }));
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
