// Registers a route without a permission: deny by default, the plugin must not load.
#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

class NoPermission : public Plugin {
 public:
  void registerWith(Registrar& r) override {
    r.addRoute({Method::Get, "/api/v1/nopermission", Audience::Staff, "", [](Context& c) { c.response().send("x"); }, 0, ""});
  }
};

LEXOS_PLUGIN(NoPermission, "nopermission", "1.0")
