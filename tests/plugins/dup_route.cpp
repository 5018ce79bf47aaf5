// Registers GET /api/v1/probe/ping, which the probe plugin already has.
#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

class DupRoute : public Plugin {
 public:
  void registerWith(Registrar& r) override {
    r.addRoute({Method::Get, "/api/v1/probe/ping", Audience::Public, kPublic, [](Context& c) { c.response().send("x"); }, 0, ""});
  }
};

LEXOS_PLUGIN(DupRoute, "duproute", "1.0")
