#include "guard/guard.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <sstream>

#include "config/config.h"
#include "http/request_context.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

Guard::Guard(const Config& config, const Registry& registry) : config_(config), registry_(registry) {
  for (const auto& role : knownRoles()) grants_[role] = registry.defaultGrants(role);
}

std::vector<std::string> Guard::permissionsOf(const std::string& role) const {
  auto it = grants_.find(role);
  return it == grants_.end() ? std::vector<std::string>{} : it->second;
}

std::string Guard::hashToken(const std::string& token) {
  // OpenSSL directly: one call, no per-use library initialiser (Poco::Crypto's per-object
  // OpenSSLInitializer reference counting races under concurrent use).
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), md);
  static const char* hex = "0123456789abcdef";
  std::string out(2 * SHA256_DIGEST_LENGTH, '0');
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  return out;
}

std::string Guard::randomToken(std::size_t n) {
  std::string raw(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("no randomness available");
  static const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, acc = 0;
  for (unsigned char ch : raw) {
    acc = (acc << 8) | ch;
    bits += 8;
    while (bits >= 6) {
      out.push_back(a[(acc >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(a[(acc << (6 - bits)) & 63]);
  return out;
}

bool Guard::safeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

std::string Guard::cookieValue(const std::string& header, const std::string& name) {
  std::size_t i = 0;
  while (i < header.size()) {
    auto semi = header.find(';', i);
    if (semi == std::string::npos) semi = header.size();
    std::string part = header.substr(i, semi - i);
    auto b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    auto eq = part.find('=');
    if (eq != std::string::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    i = semi + 1;
  }
  return {};
}

SessionInfo Guard::authenticate(const Poco::Net::HTTPServerRequest& req, Connection& c) const {
  SessionInfo s;
  const std::string cookie = cookieValue(req.get("Cookie", ""), kSessionCookie);
  // Cookie: <firm id>.<token>. The firm id only chooses the scope the lookup runs in; the
  // token must then be found inside that firm, so a forged firm id finds nothing.
  const auto dot = cookie.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 19 || cookie.size() - dot < 20) return s;
  std::int64_t firm = 0;
  try {
    firm = std::stoll(cookie.substr(0, dot));
  } catch (...) {
    return s;
  }
  if (firm <= 0) return s;
  c.setScope({firm, 0});
  auto rs = c.query(
      "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, u.kind, u.role, "
      "u.client_id, u.email, u.display_name, u.status, f.slug, f.name FROM sessions s JOIN users u "
      "ON u.firm_id = s.firm_id AND u.id = s.user_id JOIN firms f ON f.id = s.firm_id WHERE s.token_hash = $1",
      {hashToken(cookie.substr(dot + 1))});
  if (rs.empty()) return s;
  const auto& r = rs.rows[0];
  const std::string now = utcTimestamp();
  const std::string idleCutoff = utcTimestamp(-60L * config_.session_idle_minutes);
  if (sdk::asText(r[3]) <= now || sdk::asText(r[4]) <= idleCutoff || sdk::asText(r[10]) != "active") return s;
  s.session_id = sdk::asInt(r[0]);
  s.csrf_token = sdk::asText(r[2]);
  s.needs_touch = sdk::asText(r[4]) <= utcTimestamp(-60);
  s.firm_slug = sdk::asText(r[11]);
  s.firm_name = sdk::asText(r[12]);
  auto& p = s.principal;
  p.kind = sdk::asText(r[5]) == "portal" ? sdk::PrincipalKind::Portal : sdk::PrincipalKind::Staff;
  p.user_id = sdk::asInt(r[1]);
  p.firm_id = firm;
  p.client_id = sdk::isNull(r[7]) ? 0 : sdk::asInt(r[7]);
  p.email = sdk::asText(r[8]);
  p.display_name = sdk::asText(r[9]);
  const std::string role = p.isPortal() ? sdk::kRolePortal : sdk::asText(r[6]);
  p.roles = {role};
  p.permissions = permissionsOf(role);
  if (p.isPortal() && p.client_id == 0) {  // a portal user always belongs to a client
    s = SessionInfo{};
  }
  return s;
}

void Guard::authorize(const RouteEntry& route, const SessionInfo& s, const Poco::Net::HTTPServerRequest& req,
                      Connection& c) const {
  const auto& r = route.route;
  const auto& p = s.principal;
  const std::string& m = req.getMethod();
  const bool unsafe = !(m == "GET" || m == "HEAD" || m == "OPTIONS");
  // CSRF: any unsafe request that carries a valid session must prove it comes from our page.
  if (unsafe && s.session_id != 0 && !safeEquals(req.get("X-CSRF-Token", ""), s.csrf_token))
    throw sdk::HttpError(403, "csrf", "Missing or wrong X-CSRF-Token header.");
  if (r.audience == sdk::Audience::Public) return;
  if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
  if (r.audience == sdk::Audience::Staff && !p.isStaff())
    throw sdk::Forbidden("This page is for the firm's staff.");
  if (r.audience == sdk::Audience::Portal && !p.isPortal())
    throw sdk::Forbidden("This page is for portal clients.");
  if (route.plugin != "core") {
    auto rs = c.query("SELECT enabled FROM firm_modules WHERE module = $1", {route.plugin});
    if (!rs.empty() && !sdk::asBool(rs.rows[0][0])) throw sdk::NotFound();
  }
  // Portal users exist only through the portal module: with it off, the whole portal is off.
  if (p.isPortal() && !c.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {}).empty())
    throw sdk::NotFound();
  if (!p.can(r.permission)) throw sdk::Forbidden();
}

}  // namespace lexos::core
