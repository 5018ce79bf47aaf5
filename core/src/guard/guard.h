#pragma once
// The tenancy guard: establishes who calls (from the session cookie only) and decides whether
// they may call the route, before any plugin code runs.

#include <Poco/Net/HTTPServerRequest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/tokens.h"
#include "data/connection.h"
#include "guard/lookup_batcher.h"
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
  std::string token_hash;        ///< SHA-256 hex of the session token (the cache's key)
  bool from_cache = false;       ///< answered by the session cache, without the database
  /// The firm's module switches (modules with a row; no row: enabled), when they were read with
  /// the session (a cache miss); null otherwise, and authorize() finds them itself.
  std::shared_ptr<const std::map<std::string, bool>> modules;
};

class ChangeFeed;

class Guard {
 public:
  Guard(const Config& config, const Registry& registry);

  /// Reads the session cookie and finds the session and its user: in the session cache when
  /// it holds them unchanged, else in the database, then caches them. Anonymous when there is
  /// no valid session. The database lookup is a read of its own (Connection::readScoped, bound
  /// to the cookie's firm) outside any transaction of the request: no write lock, and no pooled
  /// connection kept, while the request then waits on its client. One statement reads the
  /// session, its user, its firm and the firm's module switches (one round trip).
  SessionInfo authenticate(const Poco::Net::HTTPServerRequest& req, Connection& c) const {
    return authenticate(req.get("Cookie", ""), c);
  }
  /// The same, from a Cookie header's value.
  SessionInfo authenticate(const std::string& cookieHeader, Connection& c) const;

  // authenticate() in three steps, for a caller that reads the database itself and does not
  // wait for it in a thread (the connection layer parks the request: guard/session_prefetch.h).
  /// What a cookie needs: nothing (no well-formed session cookie: anonymous), nothing more (the
  /// cache answered, `s` holds the session) or a database read (`lookup` says which).
  enum class Resolve { kAnonymous, kCached, kLookup };
  /// A session to read: the cookie's firm, its token's hash, and the firm's change-feed
  /// generation read before the database is (whether the result may be cached).
  struct SessionLookup {
    std::int64_t firm = 0;
    std::string hash;
    std::uint64_t generation = 0;
    bool cache = false;
  };
  Resolve resolve(const std::string& cookieHeader, SessionInfo& s, SessionLookup& lookup) const;
  /// One statement reading the sessions of `hashes` (one firm), bound to that firm: session,
  /// user, firm and the firm's module switches; column 16 is the token hash. On SQLite one hash.
  static sdk::ResultSet readSessions(Connection& c, std::int64_t firm, const std::vector<std::string>& hashes);
  /// The session from the rows readSessions() returned for `lookup` (only its own rows; any row
  /// of another firm or token refuses), cached when `lookup.cache`. Anonymous when not valid.
  SessionInfo fromRows(const SessionLookup& lookup, const sdk::ResultSet& rows) const;

  /// The host refreshed the session's idle clock (last_seen_at) in the database.
  void touched(const SessionInfo& s) const;

  /// Whether the session cache is answering (session.cache_seconds > 0 and the change feed live).
  bool cacheLive() const;
  /// Whether the cache is configured at all (session.cache_seconds > 0).
  bool cacheEnabled() const { return feed_ != nullptr; }
  /// Hits and misses since start (tests, diagnostics).
  std::pair<std::uint64_t, std::uint64_t> cacheStats() const { return {hits_.load(), misses_.load()}; }
  /// Sessions the cache holds now (metrics; takes each shard's lock in turn).
  std::size_t cacheEntries() const;
  /// Statements and tokens of the batched PostgreSQL lookups since start (tests, diagnostics).
  std::pair<std::uint64_t, std::uint64_t> batchStats() const { return batcher_->stats(); }

  /// Checks audience, CSRF, module enablement for the firm and the route's permission. Throws
  /// Unauthorized (401), Forbidden (403) or NotFound (404, module off for this firm). Reads (the
  /// module switches, when neither the session nor the cache brought them) like authenticate().
  void authorize(const RouteEntry& route, const SessionInfo& s, const Poco::Net::HTTPServerRequest& req,
                 Connection& c) const;

  /// Whether the session's firm has `module` switched on (no row: on). A portal session of a
  /// firm whose portal module is off counts for nothing: false. Reads like authorize().
  bool moduleOn(const SessionInfo& s, const std::string& module, Connection& c) const;

  /// Effective permissions of a role (sorted).
  std::vector<std::string> permissionsOf(const std::string& role) const;

  /// The token helpers of common/tokens.h, kept here for the guard's callers.
  static std::string hashToken(const std::string& token) { return core::hashToken(token); }
  static std::string randomToken(std::size_t n = 32) { return core::randomToken(n); }
  static bool safeEquals(const std::string& a, const std::string& b) { return core::safeEquals(a, b); }
  static std::string cookieValue(const std::string& header, const std::string& name) {
    return core::cookieValue(header, name);
  }
  /// Splits a session cookie value "<firm id>.<token>"; false when it cannot be one.
  static bool parseSessionCookie(const std::string& cookie, std::int64_t& firm, std::string& token);

 private:
  const Config& config_;
  const Registry& registry_;
  std::map<std::string, std::vector<std::string>> grants_;

  // The session cache. Entries are good while their firm's change-feed generation is the one
  // read before the database lookup, for at most session.cache_seconds, and only while the
  // session is within its idle and absolute lifetimes.
  struct Cached {
    SessionInfo info;
    std::time_t expires_at = 0;
    std::time_t last_seen_at = 0;
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point loaded;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Cached> entries;
  };
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kMaxPerShard = 4096;  // 65,536 sessions in all
  Shard& shardOf(const std::string& hash) const;

  // Each firm's module switches (firm_modules), cached under the same rule.
  struct Switches {
    std::map<std::string, bool> enabled;  ///< modules with a row; no row: enabled
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point loaded;
  };
  /// The firm's switches, from the cache or read through `c` (a read scoped to the firm).
  std::shared_ptr<const Switches> switchesOf(std::int64_t firm, Connection& c) const;
  mutable std::mutex switchesMu_;
  mutable std::map<std::int64_t, std::shared_ptr<const Switches>> switches_;
  ChangeFeed* feed_ = nullptr;
  std::unique_ptr<LookupBatcher> batcher_;  // PostgreSQL's uncached lookups, read together
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::uint64_t> hits_{0}, misses_{0};
};

}  // namespace lexos::core
