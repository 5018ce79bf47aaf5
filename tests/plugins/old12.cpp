// A plugin built against the kept SDK 1.2 headers (tests/plugins/sdk-1.2): a 1.3 host must load
// it and serve its routes (the ABI promise of an additive minor step).
#include <string>

#include "lexos/sdk/lexos.h"

#if LEXOS_SDK_ABI_MINOR != 2
#error "old12 must be compiled against the SDK 1.2 headers in tests/plugins/sdk-1.2"
#endif

using namespace lexos::sdk;

namespace {

class Old12 : public Plugin {
 public:
  void registerWith(Registrar& r) override {
    r.addRoute({Method::Get, "/api/v1/old12/hello", Audience::Public, kPublic,
                [](Context& c) {
                  JsonWriter w;
                  w.beginObject().member("sdk", LEXOS_SDK_VERSION).member("id", c.request().requestId().empty() ? 0 : 1).endObject();
                  sendJson(c, w);
                },
                0, "hello from a 1.2 plugin"});
    r.addRoute({Method::Post, "/api/v1/old12/echo", Audience::Public, kPublic,
                [](Context& c) {
                  const std::string body = c.request().body();
                  c.response().setContentType("text/plain");
                  c.response().send(std::to_string(body.size()) + ":" + body.substr(0, 16));
                },
                4 << 20, "length and head of the body"});
    r.addRoute({Method::Get, "/api/v1/old12/stream", Audience::Public, kPublic,
                [](Context& c) {
                  c.response().setContentType("text/plain");
                  auto& out = c.response().stream();
                  for (int i = 0; i < 1000; ++i) out << "line " << i << "\n";
                },
                0, "a chunked answer"});
  }
};

}  // namespace

LEXOS_PLUGIN(Old12, "old12", "1.2.0")
