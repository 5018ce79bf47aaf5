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
// The SDK has no JSON library on purpose; real plugins bring their own (the bundled ones use
// Poco::JSON). This example writes its few fields by hand with a tiny escaper.
//
// Build and install it out of tree (see README.md beside this file):
//   cmake -S . -B build -DCMAKE_PREFIX_PATH=<lexos prefix> && cmake --build build && cmake --install build

#include <cstdio>
#include <string>

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
    Route whoami;
    whoami.method = Method::Get;
    whoami.path = "/api/v1/hello/whoami";
    whoami.audience = Audience::Staff;
    whoami.permission = "hello.read";
    whoami.max_body_bytes = 0;
    whoami.summary = "The signed-in staff user's e-mail and firm (example)";
    whoami.handler = [](Context& c) { whoAmI(c); };
    r.addRoute(whoami);
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
