#include "app/openapi.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "guard/guard.h"
#include "lexos/sdk/version.h"
#include "plugins/registry.h"

namespace lexos::core {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr obj() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// A schema text the registry already checked to be a JSON object.
Object::Ptr parseSchema(const std::string& text) {
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
  return parser.parse(text).extract<Object::Ptr>();
}

Object::Ptr ref(const std::string& where) {
  auto o = obj();
  o->set("$ref", where);
  return o;
}

const char* audienceName(sdk::Audience a) {
  switch (a) {
    case sdk::Audience::Public: return "public";
    case sdk::Audience::Staff: return "staff";
    case sdk::Audience::Portal: return "portal";
  }
  return "?";
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "/api/v1/clients/{id}/portal/invite" -> "clients.postClientsIdPortalInvite": unique per
// method and path, stable across releases as long as the route is.
std::string operationId(const std::string& plugin, sdk::Method method, const std::string& path) {
  std::string id = plugin + "." + lower(sdk::methodName(method));
  std::string rest = path.rfind("/api/v1/", 0) == 0 ? path.substr(8) : path.substr(1);
  bool up = true;
  for (char c : rest) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      id += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      up = false;
    } else {
      up = true;
    }
  }
  return id;
}

std::vector<std::string> pathParams(const std::string& path) {
  std::vector<std::string> out;
  for (std::size_t i = path.find('{'); i != std::string::npos; i = path.find('{', i + 1)) {
    const auto end = path.find('}', i);
    if (end == std::string::npos) break;
    out.push_back(path.substr(i + 1, end - i - 1));
  }
  return out;
}

bool unsafe(sdk::Method m) { return m != sdk::Method::Get; }

Object::Ptr errorSchema() {
  return parseSchema(R"({"type":"object","description":"Every error answer: a code for programs, a message for people, and the field it is about when there is one.","properties":{"error":{"type":"object","properties":{"code":{"type":"string","description":"bad_request, unauthorized, forbidden, not_found, conflict, too_large, ..."},"message":{"type":"string"},"field":{"type":"string","description":"The request field, parameter or header the error is about (dotted path: billing.email)."},"request_id":{"type":"string"}},"required":["code","message"]}},"required":["error"]})");
}

Object::Ptr errorResponse(const std::string& description) {
  auto r = obj();
  r->set("description", description);
  auto content = obj();
  auto json = obj();
  json->set("schema", ref("#/components/schemas/Error"));
  content->set("application/json", json);
  r->set("content", content);
  return r;
}

Object::Ptr operation(const RouteEntry& e, const sdk::RouteDescription* d) {
  const sdk::Route& r = e.route;
  auto op = obj();
  op->set("operationId", operationId(e.plugin, r.method, r.path));
  op->set("summary", r.summary.empty() ? std::string(sdk::methodName(r.method)) + " " + r.path : r.summary);
  if (d && !d->description.empty()) op->set("description", d->description);
  Array tags;
  tags.add(e.plugin);
  op->set("tags", tags);
  op->set("x-lexos-plugin", e.plugin);
  op->set("x-lexos-audience", audienceName(r.audience));
  op->set("x-lexos-permission", r.permission);
  // Who may call it: public routes need nothing; others the session cookie, and unsafe methods
  // the CSRF token too (the guard refuses them with 403 without it).
  Array security;
  if (r.audience != sdk::Audience::Public) {
    auto req = obj();
    req->set("session", Array());
    if (unsafe(r.method)) req->set("csrf", Array());
    security.add(req);
  }
  op->set("security", security);

  Array parameters;
  if (d && !d->query_schema.empty()) {
    auto q = parseSchema(d->query_schema);
    std::set<std::string> required;
    if (auto req = q->getArray("required"))
      for (std::size_t i = 0; i < req->size(); ++i) required.insert(req->getElement<std::string>(i));
    if (auto props = q->getObject("properties"))
      for (const auto& name : props->getNames()) {
        auto p = obj();
        p->set("name", name);
        p->set("in", "query");
        p->set("required", required.count(name) > 0);
        auto schema = props->getObject(name);
        if (schema && schema->has("description")) p->set("description", schema->get("description"));
        p->set("schema", schema ? schema : obj());
        parameters.add(p);
      }
  }
  if (r.method != sdk::Method::Get && r.method != sdk::Method::Delete) {
    // An Idempotency-Key is honoured by every writing request of a signed-in user (http-api.md).
    if (r.audience != sdk::Audience::Public) parameters.add(ref("#/components/parameters/IdempotencyKey"));
  }
  if (parameters.size() > 0) op->set("parameters", parameters);

  if (d && !d->request_schema.empty()) {
    auto body = obj();
    body->set("required", true);
    auto content = obj();
    auto media = obj();
    media->set("schema", parseSchema(d->request_schema));
    content->set(d->request_content_type, media);
    body->set("content", content);
    op->set("requestBody", body);
  } else if (r.max_body_bytes > 0 && r.method != sdk::Method::Get) {
    auto body = obj();
    body->set("required", false);
    body->set("description", "Not described by the module (up to " + std::to_string(r.max_body_bytes) + " bytes).");
    auto content = obj();
    content->set("*/*", obj());
    body->set("content", content);
    op->set("requestBody", body);
  }

  auto responses = obj();
  const int status = d ? d->response_status : 200;
  auto ok = obj();
  ok->set("description", d && !d->response_schema.empty() ? "Success" : "Success (the answer is not described by the module)");
  if (status != 204) {
    auto content = obj();
    auto media = obj();
    if (d && !d->response_schema.empty()) media->set("schema", parseSchema(d->response_schema));
    content->set(d ? d->response_content_type : "application/json", media);
    ok->set("content", content);
  }
  responses->set(std::to_string(status), ok);
  const bool takesInput = (d && (!d->request_schema.empty() || !d->query_schema.empty())) || r.max_body_bytes > 0 ||
                          !pathParams(r.path).empty();
  if (takesInput) responses->set("400", ref("#/components/responses/BadRequest"));
  if (r.audience != sdk::Audience::Public) {
    responses->set("401", ref("#/components/responses/Unauthorized"));
    responses->set("403", ref("#/components/responses/Forbidden"));
    responses->set("404", ref("#/components/responses/NotFound"));
  } else if (!pathParams(r.path).empty()) {
    responses->set("404", ref("#/components/responses/NotFound"));
  }
  responses->set("default", ref("#/components/responses/Error"));
  op->set("responses", responses);
  return op;
}

Object::Ptr components() {
  auto c = obj();
  auto schemas = obj();
  schemas->set("Error", errorSchema());
  schemas->set("ListCursor", parseSchema(R"({"type":["string","null"],"description":"The next page's cursor (pass it as ?cursor=), null on the last page."})"));
  c->set("schemas", schemas);

  auto responses = obj();
  responses->set("BadRequest", errorResponse("Bad input: error.field names the field, nothing was changed"));
  responses->set("Unauthorized", errorResponse("Not signed in, or the session ended"));
  responses->set("Forbidden", errorResponse("Signed in without the route's permission, or an unsafe request without X-CSRF-Token"));
  responses->set("NotFound", errorResponse("No such resource for this principal (another firm's or client's too), or the module is off for the firm"));
  responses->set("Error", errorResponse("Any other error (409, 413, 415, 429, 500, 503, ...)"));
  c->set("responses", responses);

  auto parameters = obj();
  auto idem = obj();
  idem->set("name", "Idempotency-Key");
  idem->set("in", "header");
  idem->set("required", false);
  idem->set("description", "One key per user action (a UUID): a repeat gets the first answer (docs/http-api.md).");
  idem->set("schema", parseSchema(R"({"type":"string","minLength":1,"maxLength":255})"));
  parameters->set("IdempotencyKey", idem);
  c->set("parameters", parameters);

  auto security = obj();
  auto session = obj();
  session->set("type", "apiKey");
  session->set("in", "cookie");
  session->set("name", kSessionCookie);
  session->set("description", "The session cookie set by POST /api/v1/auth/login.");
  security->set("session", session);
  auto csrf = obj();
  csrf->set("type", "apiKey");
  csrf->set("in", "header");
  csrf->set("name", "X-CSRF-Token");
  csrf->set("description", "The csrf_token of the login answer or GET /api/v1/me; every unsafe request of a session carries it.");
  security->set("csrf", csrf);
  c->set("securitySchemes", security);
  return c;
}

}  // namespace

std::string openApiDocument(const Registry& registry, const OpenApiOptions& options) {
  auto on = [&](const std::string& plugin) {
    const bool builtin = std::any_of(registry.plugins().begin(), registry.plugins().end(),
                                     [&](const PluginInfo& p) { return p.id == plugin && p.builtin; });
    return builtin || !options.module_on || options.module_on(plugin);
  };

  auto doc = obj();
  doc->set("openapi", "3.1.0");
  doc->set("jsonSchemaDialect", "https://json-schema.org/draft/2020-12/schema");
  auto info = obj();
  info->set("title", "LexOS HTTP API");
  info->set("version", LEXOS_VERSION);
  info->set("description",
            "Generated by lexosd from the routes its modules registered, for the modules switched on for the caller's "
            "firm. Errors answer {\"error\": {\"code\", \"message\", \"field\"?}}; lists {\"items\", \"next_cursor\"}. "
            "x-lexos-audience (public, staff, portal) and x-lexos-permission say who may call an operation.");
  info->set("x-lexos-sdk", LEXOS_SDK_VERSION);
  doc->set("info", info);
  if (!options.server_url.empty()) {
    Array servers;
    auto s = obj();
    s->set("url", options.server_url);
    servers.add(s);
    doc->set("servers", servers);
  }

  Array tags;
  for (const auto& p : registry.plugins()) {
    if (!on(p.id)) continue;
    auto t = obj();
    t->set("name", p.id);
    t->set("description", p.builtin ? "The host's own routes (sign-in, the firm, its users)"
                                    : "Module " + p.id + " " + p.version);
    tags.add(t);
  }
  doc->set("tags", tags);

  // path -> method order -> route index; sorted for a stable document.
  std::map<std::string, std::map<int, std::size_t>> byPath;
  const auto& routes = registry.routes();
  for (std::size_t i = 0; i < routes.size(); ++i)
    if (on(routes[i].plugin)) byPath[routes[i].route.path][static_cast<int>(routes[i].route.method)] = i;
  auto paths = obj();
  for (const auto& [path, methods] : byPath) {
    auto item = obj();
    Array params;
    for (const auto& name : pathParams(path)) {
      auto p = obj();
      p->set("name", name);
      p->set("in", "path");
      p->set("required", true);
      p->set("schema", parseSchema(R"({"type":"string"})"));
      params.add(p);
    }
    if (params.size() > 0) item->set("parameters", params);
    for (const auto& [m, index] : methods)
      item->set(lower(sdk::methodName(routes[index].route.method)), operation(routes[index], registry.description(index)));
    paths->set(path, item);
  }
  doc->set("paths", paths);
  doc->set("components", components());
  std::ostringstream out;
  doc->stringify(out);
  return out.str();
}

}  // namespace lexos::core
