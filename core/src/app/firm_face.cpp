#include "app/firm_face.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "common/json.h"
#include "common/time.h"
#include "common/tokens.h"
#include "data/connection.h"
#include "http/request_context.h"
#include "identity/identity_service.h"
#include "lexos/sdk/errors.h"
#include "vault/content_types.h"
#include "vault/database_blob_store.h"

namespace lexos::core {

namespace {

RequestContext& host(sdk::Context& c) { return static_cast<RequestContext&>(c); }

// libmagic's database, loaded once for the process (detect() locks; a magic_t is not
// thread-safe).
vault::ContentTypes& types() {
  static vault::ContentTypes t;
  return t;
}

// The firm of a public address's slug, or 0. `firms` is not a tenant table (sign-in reads it
// the same way).
std::int64_t firmOfSlug(Connection& conn, const std::string& slug) {
  if (slug.empty() || slug.size() > 63) return 0;
  for (char ch : slug)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')) return 0;
  auto rs = conn.query("SELECT id FROM firms WHERE slug = $1", {slug});
  return rs.empty() ? 0 : sdk::asInt(rs.rows[0][0]);
}

}  // namespace

std::optional<FirmLogo> readFirmLogo(Connection& c, std::int64_t firm, bool withBytes) {
  auto rs = c.query(std::string("SELECT content_type, size, sha256, updated_at") + (withBytes ? ", data" : "") +
                        " FROM firm_logos WHERE firm_id = $1",
                    {firm});
  if (rs.empty()) return std::nullopt;
  const auto& r = rs.rows[0];
  FirmLogo l;
  l.content_type = sdk::asText(r[0]);
  l.size = sdk::asInt(r[1]);
  l.sha256 = sdk::asText(r[2]);
  l.updated_at = sdk::asText(r[3]);
  if (withBytes) l.bytes = vault::base64Decode(sdk::asText(r[4]));
  return l;
}

FirmLogo writeFirmLogo(Connection& c, std::int64_t firm, const std::string& bytes) {
  if (bytes.empty()) throw sdk::BadRequest("logo", "Choose an image file for the logo (PNG or JPEG).");
  if (bytes.size() > kMaxLogoBytes)
    throw sdk::BadRequest("logo", "The logo is " + std::to_string((bytes.size() + 1023) / 1024) +
                                      " KiB; use an image of at most " + std::to_string(kMaxLogoBytes / 1024) + " KiB.");
  // The bytes decide, never the name or the Content-Type header. SVG is refused on purpose: it
  // is a document that can carry script and external references, and it is shown to
  // clients before they sign in.
  const std::string type =
      types().detect(bytes.substr(0, std::min(bytes.size(), vault::ContentTypes::kHeadBytes)));
  if (type != "image/png" && type != "image/jpeg")
    throw sdk::BadRequest("logo", "The file is not a PNG or JPEG image (it reads as " + type.substr(0, 64) +
                                      "); save the logo as PNG or JPEG.");
  FirmLogo l;
  l.content_type = type;
  l.bytes = bytes;
  l.size = static_cast<std::int64_t>(bytes.size());
  l.sha256 = hashToken(bytes);
  l.updated_at = utcTimestamp();
  c.execute("DELETE FROM firm_logos WHERE firm_id = $1", {firm});
  c.execute("INSERT INTO firm_logos (firm_id, content_type, data, size, sha256, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            {firm, l.content_type, vault::base64Encode(bytes.data(), bytes.size()), l.size, l.sha256, l.updated_at});
  return l;
}

bool deleteFirmLogo(Connection& c, std::int64_t firm) {
  return c.execute("DELETE FROM firm_logos WHERE firm_id = $1", {firm}) > 0;
}

std::string firmLogoPath(const std::string& slug, const std::string& sha256) {
  return "/api/v1/public/firms/" + slug + "/logo?v=" + sha256.substr(0, 16);
}

namespace firm_face {

void putLogo(sdk::Context& c) {
  Connection& conn = host(c).connection();
  const auto firm = c.principal().firm_id;
  const FirmLogo l = writeFirmLogo(conn, firm, c.request().body());
  auto slug = conn.query("SELECT slug FROM firms WHERE id = $1", {firm});
  c.audit().record("firm.logo", "firm", std::to_string(firm), l.content_type + " " + std::to_string(l.size));
  Poco::JSON::Object o;
  o.set("content_type", l.content_type);
  o.set("size", l.size);
  o.set("logo_url", firmLogoPath(slug.empty() ? "" : sdk::asText(slug.rows[0][0]), l.sha256));
  o.set("updated_at", l.updated_at);
  c.response().sendJson(toJson(o), 200);
}

void deleteLogo(sdk::Context& c) {
  const auto firm = c.principal().firm_id;
  if (!deleteFirmLogo(host(c).connection(), firm)) throw sdk::NotFound("The firm has no logo.");
  c.audit().record("firm.logo.remove", "firm", std::to_string(firm));
  c.response().setStatus(204);
  c.response().send("");
}

void publicFace(sdk::Context& c) {
  Connection& conn = host(c).connection();
  const std::string slug = c.request().pathParam("slug");
  const auto firm = firmOfSlug(conn, slug);
  if (!firm) throw sdk::NotFound("No firm has this portal address.");
  conn.setScope({firm, 0});
  ScopeRestore unscoped{conn, {}};
  auto name = conn.query("SELECT name FROM firms WHERE id = $1", {firm});
  const auto logo = readFirmLogo(conn, firm, false);
  Poco::JSON::Object o;
  o.set("slug", slug);
  o.set("name", name.empty() ? slug : sdk::asText(name.rows[0][0]));
  if (logo) o.set("logo_url", firmLogoPath(slug, logo->sha256));
  else o.set("logo_url", Poco::Dynamic::Var());
  c.response().setHeader("Cache-Control", "no-cache");
  c.response().sendJson(toJson(o), 200);
}

void publicLogo(sdk::Context& c) {
  Connection& conn = host(c).connection();
  // One answer for "no such firm" and "no logo": the logo address tells nothing more.
  const auto firm = firmOfSlug(conn, c.request().pathParam("slug"));
  if (!firm) throw sdk::NotFound("No logo here.");
  conn.setScope({firm, 0});
  ScopeRestore unscoped{conn, {}};
  const auto logo = readFirmLogo(conn, firm, true);
  if (!logo) throw sdk::NotFound("No logo here.");
  const std::string etag = "\"" + logo->sha256.substr(0, 32) + "\"";
  auto& res = c.response();
  res.setHeader("ETag", etag);
  res.setHeader("X-Content-Type-Options", "nosniff");
  // The address the API hands out carries the hash (?v=): a changed logo is a new address, so
  // a day's caching is safe; without ?v= a client revalidates with If-None-Match.
  res.setHeader("Cache-Control", c.request().query("v") ? "public, max-age=86400" : "public, no-cache");
  res.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  if (auto inm = c.request().header("If-None-Match"); inm && inm->find(etag) != std::string::npos) {
    res.setStatus(304);
    res.send("");
    return;
  }
  res.setContentType(logo->content_type);
  res.setStatus(200);
  res.send(logo->bytes);
}

void activationCheck(sdk::Context& c) {
  if (c.request().contentType() != "application/json") throw sdk::BadRequest("body", "Send the request as application/json.");
  Poco::JSON::Object::Ptr body;
  try {
    Poco::JSON::Parser parser;
    body = parser.parse(c.request().body()).extract<Poco::JSON::Object::Ptr>();
  } catch (...) {
    throw sdk::BadRequest("body", "The body is not a JSON object.");
  }
  if (!body || !body->has("token") || !body->get("token").isString())
    throw sdk::BadRequest("token", "The activation link is incomplete.");
  const std::string token = body->getValue<std::string>("token");
  if (token.empty()) throw sdk::BadRequest("token", "The activation link is incomplete.");
  const std::string state = static_cast<IdentityService&>(c.identity()).activationState(token);
  Poco::JSON::Object o;
  o.set("state", state);
  c.response().sendJson(toJson(o), 200);
}

}  // namespace firm_face

}  // namespace lexos::core
