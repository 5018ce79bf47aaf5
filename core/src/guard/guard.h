#pragma once
// The tenancy guard: establishes who calls (from the session cookie only) and decides whether
// they may call the route, before any plugin code runs.

#include <Poco/Net/HTTPServerRequest.h>

#include <string>

#include "data/connection.h"
#include "lexos/sdk/principal.h"
#include "plugins/registry.h"

namespace lexos::core {

struct Config;

/// The session cookie's name. `__Host-` pins it to this host, path / and Secure.
inline constexpr const char* kSessionCookie = "__Host-lexos_session";

/// What authenticate() found.
struct SessionInfo {
  sdk::Principal principal;
  std::int64_t session_id = 0;
  std::string csrf_token;
  bool needs_touch = false;  ///< last_seen_at is stale; the host refreshes it.
  std::string firm_slug;
  std::string firm_name;
};

class Guard {
 public:
  Guard(const Config& config, const Registry& registry);

  /// Reads the session cookie and, inside `c`'s transaction, the session and its user. Binds
  /// the transaction to the session's firm. Anonymous when there is no valid session.
  SessionInfo authenticate(const Poco::Net::HTTPServerRequest& req, Connection& c) const;

  /// Checks audience, CSRF, module enablement for the firm and the route's permission. Throws
  /// Unauthorized (401), Forbidden (403) or NotFound (404, module off for this firm).
  void authorize(const RouteEntry& route, const SessionInfo& s, const Poco::Net::HTTPServerRequest& req,
                 Connection& c) const;

  /// Effective permissions of a role (sorted).
  std::vector<std::string> permissionsOf(const std::string& role) const;

  /// SHA-256 hex of a token, as stored.
  static std::string hashToken(const std::string& token);
  /// `n` random bytes, base64url without padding.
  static std::string randomToken(std::size_t n = 32);
  /// Constant-time string comparison.
  static bool safeEquals(const std::string& a, const std::string& b);
  /// Extracts a cookie's value from a Cookie header.
  static std::string cookieValue(const std::string& header, const std::string& name);

 private:
  const Config& config_;
  const Registry& registry_;
  std::map<std::string, std::vector<std::string>> grants_;
};

}  // namespace lexos::core
