// Route descriptions (SDK 1.7 describeRoute): the registry refuses a description of a route the
// plugin did not add, a schema that is not a JSON object, a second description of one route,
// and keeps the valid ones beside their route; the OpenAPI generator (app/openapi.h) turns
// them into operations with the route's audience, permission and plugin; JsonSchema writes
// the JSON Schema text it is asked for.
#include <catch2/catch.hpp>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <functional>
#include <memory>

#include "app/openapi.h"
#include "lexos/sdk/builders.h"
#include "lexos/sdk/schema.h"
#include "plugins/registry.h"

using namespace lexos;

namespace {

class Declares : public sdk::Plugin {
 public:
  explicit Declares(std::function<void(sdk::Registrar&)> f) : f_(std::move(f)) {}
  void registerWith(sdk::Registrar& r) override {
    r.addPermission({r.pluginId() + ".read", "Read", {sdk::kRoleOwner}});
    r.addRoute(sdk::RouteBuilder(sdk::Method::Get, "/api/v1/" + r.pluginId() + "/{id}")
                   .staff(r.pluginId() + ".read")
                   .noBody()
                   .summary("A " + r.pluginId())
                   .handler([](sdk::Context&) {}));
    r.addRoute(sdk::RouteBuilder(sdk::Method::Post, "/api/v1/" + r.pluginId())
                   .staff(r.pluginId() + ".read")
                   .handler([](sdk::Context&) {}));
    f_(r);
  }

 private:
  std::function<void(sdk::Registrar&)> f_;
};

core::PluginInfo info(const std::string& id) {
  core::PluginInfo i;
  i.id = id;
  i.file = "/plugins/" + id + ".so";
  return i;
}

std::string refusal(core::Registry& reg, const std::string& id, std::function<void(sdk::Registrar&)> f) {
  try {
    reg.registerPlugin(info(id), std::make_unique<Declares>(std::move(f)));
  } catch (const core::LoadError& e) {
    return e.what();
  }
  return "";
}

Poco::JSON::Object::Ptr parse(const std::string& text) {
  Poco::JSON::Parser p;
  return p.parse(text).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST_CASE("a route description that does not fit its plugin's routes is refused by name") {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  core::Registry reg;
  auto refused = [&](std::function<void(sdk::Registrar&)> f) { return refusal(reg, "notes", std::move(f)); };
  CHECK_THAT(refused([](sdk::Registrar& r) {
               r.describeRoute(DescriptionBuilder(sdk::Method::Get, "/api/v1/nosuch").response(S::object()));
             }),
             Catch::Contains("description of route GET /api/v1/nosuch: this plugin adds no such route"));
  CHECK_THAT(refused([](sdk::Registrar& r) {
               sdk::RouteDescription d;
               d.method = sdk::Method::Get;
               d.path = "/api/v1/notes/{id}";
               d.response_schema = "{\"type\": \"object\",}";
               r.describeRoute(d);
             }),
             Catch::Contains("response_schema must be a JSON Schema object; it is not JSON"));
  CHECK_THAT(refused([](sdk::Registrar& r) {
               sdk::RouteDescription d;
               d.method = sdk::Method::Post;
               d.path = "/api/v1/notes";
               d.request_schema = "[1, 2]";
               r.describeRoute(d);
             }),
             Catch::Contains("request_schema must be a JSON Schema object; it is JSON but not an object"));
  CHECK_THAT(refused([](sdk::Registrar& r) {
               r.describeRoute(DescriptionBuilder(sdk::Method::Get, "/api/v1/notes/{id}"));
               r.describeRoute(DescriptionBuilder(sdk::Method::Get, "/api/v1/notes/{id}"));
             }),
             Catch::Contains("described twice"));
  CHECK_THAT(refused([](sdk::Registrar& r) {
               r.describeRoute(DescriptionBuilder(sdk::Method::Post, "/api/v1/notes").response(S::object(), 404));
             }),
             Catch::Contains("response_status must be a success status (200-299), found 404"));
  CHECK_THAT(refused([](sdk::Registrar& r) {
               r.describeRoute(DescriptionBuilder(sdk::Method::Post, "/api/v1/notes").response(S::object(), 204));
             }),
             Catch::Contains("a 204 answer has no body"));
  // Nothing of the refused attempts stayed.
  CHECK(reg.routes().empty());
  CHECK(reg.descriptions().empty());
}

TEST_CASE("the OpenAPI document describes every route with its audience, permission, plugin and declared schemas") {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  core::Registry reg;
  REQUIRE(refusal(reg, "notes", [](sdk::Registrar& r) {
            r.describeRoute(DescriptionBuilder(sdk::Method::Post, "/api/v1/notes")
                                .request(S::object().field("text", S::string().maxLength(50)).closed())
                                .response(S::object().field("id", S::id()), 201));
          }) == "");
  REQUIRE(refusal(reg, "memos", [](sdk::Registrar&) {}) == "");
  REQUIRE(reg.descriptions().size() == 1);
  REQUIRE(reg.description(1) != nullptr);  // POST /api/v1/notes, the plugin's second route
  CHECK(reg.description(0) == nullptr);

  core::OpenApiOptions all;
  auto doc = parse(core::openApiDocument(reg, all));
  CHECK(doc->getValue<std::string>("openapi") == "3.1.0");
  auto paths = doc->getObject("paths");
  REQUIRE(paths->has("/api/v1/notes/{id}"));
  REQUIRE(paths->has("/api/v1/memos"));
  auto get = paths->getObject("/api/v1/notes/{id}")->getObject("get");
  CHECK(get->getValue<std::string>("x-lexos-permission") == "notes.read");
  CHECK(get->getValue<std::string>("x-lexos-audience") == "staff");
  CHECK(get->getValue<std::string>("x-lexos-plugin") == "notes");
  CHECK(get->getValue<std::string>("summary") == "A notes");
  // Not described: a generic answer without a schema.
  CHECK_FALSE(get->getObject("responses")->getObject("200")->getObject("content")->getObject("application/json")->has("schema"));
  // The path parameter, once for the path.
  CHECK(paths->getObject("/api/v1/notes/{id}")->getArray("parameters")->getObject(0)->getValue<std::string>("name") == "id");
  auto post = paths->getObject("/api/v1/notes")->getObject("post");
  auto body = post->getObject("requestBody")->getObject("content")->getObject("application/json")->getObject("schema");
  CHECK(body->getObject("properties")->getObject("text")->getValue<int>("maxLength") == 50);
  CHECK(body->getValue<bool>("additionalProperties") == false);
  auto created = post->getObject("responses")->getObject("201");
  CHECK(created->getObject("content")->getObject("application/json")->getObject("schema")->getArray("required")->getElement<std::string>(0) == "id");
  // A session for staff routes, and the CSRF token for unsafe ones.
  CHECK(get->getArray("security")->getObject(0)->has("session"));
  CHECK_FALSE(get->getArray("security")->getObject(0)->has("csrf"));
  CHECK(post->getArray("security")->getObject(0)->has("csrf"));

  // A module the firm switched off is not described.
  core::OpenApiOptions notesOff;
  notesOff.module_on = [](const std::string& p) { return p != "notes"; };
  auto partial = parse(core::openApiDocument(reg, notesOff));
  CHECK_FALSE(partial->getObject("paths")->has("/api/v1/notes/{id}"));
  CHECK(partial->getObject("paths")->has("/api/v1/memos"));
}

TEST_CASE("JsonSchema writes required fields, nullable types, closed objects and list answers") {
  using S = sdk::JsonSchema;
  CHECK(S::string().orNull().maxLength(3).text() == R"({"type":["string","null"],"maxLength":3})");
  CHECK(S::object().field("a", S::integer()).optionalField("b", S::boolean()).closed().text() ==
        R"({"type":"object","additionalProperties":false,"properties":{"a":{"type":"integer"},"b":{"type":"boolean"}},"required":["a"]})");
  CHECK(S::list(S::id()).text() ==
        R"({"type":"object","properties":{"items":{"type":"array","items":{"type":"integer","minimum":1}},"next_cursor":{"type":["string","null"]}},"required":["items","next_cursor"]})");
  CHECK(S::string().oneOf({"a\"b"}).describe("x").text() == R"({"type":"string","enum":["a\"b"],"description":"x"})");
  CHECK(S::ref("Error").text() == R"({"$ref":"#/components/schemas/Error"})");
}

// SDK 1.8 jobs: declared beside the routes, checked at load like them.
TEST_CASE("a job with a bad id, interval or no handler is refused by name and a good one is kept") {
  core::Registry reg;
  auto job = [](std::string id, int every, bool handler) {
    sdk::Job j;
    j.id = std::move(id);
    j.every_seconds = every;
    if (handler) j.handler = [](sdk::Context&) {};
    j.summary = "test job";
    return j;
  };
  CHECK_THAT(refusal(reg, "jobsa", [&](sdk::Registrar& r) { r.addJob(job("Bad Id", 60, true)); }),
             Catch::Contains("job 'Bad Id'") && Catch::Contains("lower-case"));
  CHECK_THAT(refusal(reg, "jobsb", [&](sdk::Registrar& r) { r.addJob(job("tick", 5, true)); }),
             Catch::Contains("job 'tick'") && Catch::Contains("every_seconds must be between 10 and 86400, found 5"));
  CHECK_THAT(refusal(reg, "jobsc", [&](sdk::Registrar& r) { r.addJob(job("tick", 86401, true)); }),
             Catch::Contains("every_seconds"));
  CHECK_THAT(refusal(reg, "jobsd", [&](sdk::Registrar& r) { r.addJob(job("tick", 60, false)); }),
             Catch::Contains("job 'tick': it has no handler"));
  CHECK_THAT(refusal(reg, "jobse", [&](sdk::Registrar& r) {
               r.addJob(job("tick", 60, true));
               r.addJob(job("tick", 120, true));
             }),
             Catch::Contains("job 'tick' declared twice"));
  CHECK(reg.jobs().empty());  // nothing of a refused plugin stays
  CHECK(refusal(reg, "jobsf", [&](sdk::Registrar& r) { r.addJob(job("tick", 60, true)); }) == "");
  CHECK(refusal(reg, "jobsg", [&](sdk::Registrar& r) { r.addJob(job("tick", 10, true)); }) == "");  // same id, other plugin
  REQUIRE(reg.jobs().size() == 2);
  CHECK(reg.jobs()[0].plugin == "jobsf");
  CHECK(reg.jobs()[0].job.every_seconds == 60);
  CHECK(reg.jobs()[0].job.summary == "test job");
  CHECK(reg.jobs()[1].plugin == "jobsg");
  CHECK(static_cast<bool>(reg.jobs()[1].job.handler));
}

// SDK 1.9 cached reads: only a portal GET route of the declaring plugin, once.
TEST_CASE("a cached read of a route that is not a portal GET route of the plugin is refused by path and a good one is marked") {
  core::Registry reg;
  auto portalRoute = [](sdk::Registrar& r, sdk::Method m, const std::string& path) {
    r.addRoute(sdk::RouteBuilder(m, path).portal(r.pluginId() + ".read").handler([](sdk::Context&) {}));
  };
  auto cached = [](const std::string& path) {
    sdk::CachedRead c;
    c.path = path;
    return c;
  };
  CHECK_THAT(refusal(reg, "cra", [&](sdk::Registrar& r) { r.addCachedRead(cached("/api/v1/cra/{id}")); }),
             Catch::Contains("cached read of '/api/v1/cra/{id}'") && Catch::Contains("portal"));  // a staff route
  CHECK_THAT(refusal(reg, "crb", [&](sdk::Registrar& r) {
               portalRoute(r, sdk::Method::Post, "/api/v1/portal/crb");
               r.addCachedRead(cached("/api/v1/portal/crb"));
             }),
             Catch::Contains("cached read of '/api/v1/portal/crb'"));  // not a GET
  CHECK_THAT(refusal(reg, "crc", [&](sdk::Registrar& r) { r.addCachedRead(cached("/api/v1/portal/nowhere")); }),
             Catch::Contains("cached read of '/api/v1/portal/nowhere'"));
  CHECK_THAT(refusal(reg, "crd", [&](sdk::Registrar& r) {
               portalRoute(r, sdk::Method::Get, "/api/v1/portal/crd");
               r.addCachedRead(cached("/api/v1/portal/crd"));
               r.addCachedRead(cached("/api/v1/portal/crd"));
             }),
             Catch::Contains("cached read of '/api/v1/portal/crd' declared twice"));
  CHECK(refusal(reg, "cre", [&](sdk::Registrar& r) {
          portalRoute(r, sdk::Method::Get, "/api/v1/portal/cre");
          portalRoute(r, sdk::Method::Get, "/api/v1/portal/cre/{id}");
          r.addCachedRead(cached("/api/v1/portal/cre/{id}"));
        }) == "");
  // Another plugin's route is not this plugin's to declare.
  CHECK_THAT(refusal(reg, "crf", [&](sdk::Registrar& r) { r.addCachedRead(cached("/api/v1/portal/cre")); }),
             Catch::Contains("cached read of '/api/v1/portal/cre'"));
  int marked = 0;
  for (const auto& e : reg.routes()) {
    if (e.cached_read) {
      ++marked;
      CHECK(e.route.path == "/api/v1/portal/cre/{id}");
    }
  }
  CHECK(marked == 1);
}
