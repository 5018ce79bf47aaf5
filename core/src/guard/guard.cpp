#include "guard/guard.h"

#include <cstdio>
#include <functional>
#include <sstream>

#include "common/time.h"
#include "config/config.h"
#include "data/change_feed.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

namespace {

// "YYYY-MM-DDTHH:MM:SSZ" (as stored) to seconds since the epoch; 0 when malformed.
std::time_t parseUtc(const std::string& t) {
  std::tm tm{};
  if (std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

// Session, user, firm and the firm's module switches in one statement; `schema` qualifies them.
// Column 16 is the token hash (the batcher sorts a batch's rows out by it).
std::string sessionLookup(const std::string& schema, const std::string& where) {
  return "SELECT s.id, s.user_id, s.csrf_token, s.expires_at, s.last_seen_at, u.kind, u.role, u.client_id, u.email, "
         "u.display_name, u.status, f.slug, f.name, m.module, m.enabled, s.firm_id, s.token_hash FROM " + schema +
         "sessions s JOIN " + schema + "users u ON u.firm_id = s.firm_id AND u.id = s.user_id JOIN " + schema +
         "firms f ON f.id = s.firm_id LEFT JOIN " + schema + "firm_modules m ON m.firm_id = s.firm_id WHERE " + where;
}

}  // namespace

Guard::Guard(const Config& config, const Registry& registry)
    : config_(config), registry_(registry), batcher_(std::make_unique<LookupBatcher>(16)) {
  for (const auto& role : knownRoles()) grants_[role] = registry.defaultGrants(role);
  if (config.session_cache_seconds > 0) feed_ = &ChangeFeed::forDatabase(config.database_url);
}

bool Guard::cacheLive() const { return feed_ && feed_->live(); }

std::size_t Guard::cacheEntries() const {
  std::size_t n = 0;
  for (auto& sh : shards_) {
    std::lock_guard<std::mutex> lock(sh.mu);
    n += sh.entries.size();
  }
  return n;
}

Guard::Shard& Guard::shardOf(const std::string& hash) const {
  return shards_[std::hash<std::string>{}(hash) % kShards];
}

void Guard::touched(const SessionInfo& s) const {
  if (!feed_ || s.token_hash.empty()) return;
  Shard& sh = shardOf(s.token_hash);
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.entries.find(s.token_hash);
  if (it != sh.entries.end() && it->second.info.session_id == s.session_id) it->second.last_seen_at = std::time(nullptr);
}

std::vector<std::string> Guard::permissionsOf(const std::string& role) const {
  auto it = grants_.find(role);
  return it == grants_.end() ? std::vector<std::string>{} : it->second;
}

bool Guard::parseSessionCookie(const std::string& cookie, std::int64_t& firm, std::string& token) {
  // Cookie: <firm id>.<token>. The firm id only chooses the scope the lookup runs in; the
  // token must then be found inside that firm, so a forged firm id finds nothing.
  const auto dot = cookie.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 19 || cookie.size() - dot < 20) return false;
  try {
    firm = std::stoll(cookie.substr(0, dot));
  } catch (...) {
    return false;
  }
  if (firm <= 0) return false;
  token = cookie.substr(dot + 1);
  return true;
}

Guard::Resolve Guard::resolve(const std::string& cookieHeader, SessionInfo& s, SessionLookup& lookup) const {
  std::int64_t firm = 0;
  std::string token;
  if (!parseSessionCookie(cookieValue(cookieHeader, kSessionCookie), firm, token)) return Resolve::kAnonymous;
  const std::string hash = hashToken(token);
  const std::time_t now = std::time(nullptr);
  const long idleSeconds = 60L * config_.session_idle_minutes;
  // The cache answers only while the change feed is live, and only with an entry whose firm
  // generation has not moved since it was read from the database; anything doubtful goes to
  // the database, which has the last word.
  const bool cache = feed_ && feed_->live();
  std::uint64_t generation = 0;
  if (cache) {
    generation = feed_->generation(firm);  // read BEFORE the database is: see change_feed.h
    Shard& sh = shardOf(hash);
    std::lock_guard<std::mutex> lock(sh.mu);
    auto it = sh.entries.find(hash);
    // A cookie naming another firm than its token's is not answered from here (nor does it
    // evict the real entry): the database lookup in that firm finds nothing.
    if (it != sh.entries.end() && it->second.info.principal.firm_id == firm) {
      const Cached& e = it->second;
      if (e.generation == generation && e.expires_at > now &&
          e.last_seen_at > now - idleSeconds &&
          std::chrono::steady_clock::now() - e.loaded < std::chrono::seconds(config_.session_cache_seconds)) {
        s = e.info;
        s.needs_touch = e.last_seen_at <= now - 60;
        s.from_cache = true;
        ++hits_;
        return Resolve::kCached;
      }
      sh.entries.erase(it);
    }
  }
  ++misses_;
  lookup.firm = firm;
  lookup.hash = hash;
  lookup.generation = generation;
  lookup.cache = cache;
  return Resolve::kLookup;
}

sdk::ResultSet Guard::readSessions(Connection& c, std::int64_t firm, const std::vector<std::string>& hashes) {
  // The firm's module switches come along (one row each; one row of NULLs without any), so that
  // authorize() needs no second round trip. On PostgreSQL the tables are named with their schema
  // (the read sets no search_path); on SQLite the names must resolve to the tenancy views.
  if (c.backend() == sdk::Backend::PostgreSQL) {
    static const std::string kBatchLookup = sessionLookup("public.", "s.token_hash = ANY($1::text[])");
    std::string array = "{";
    for (const auto& k : hashes) array += (array.size() > 1 ? ",\"" : "\"") + k + "\"";  // hex: nothing to escape
    array += "}";
    return c.readScoped({firm, 0}, kBatchLookup, {array});
  }
  static const std::string kLookup = sessionLookup("", "s.token_hash = $1");
  if (hashes.size() != 1) throw std::logic_error("Guard::readSessions: one token at a time on SQLite");
  return c.readScoped({firm, 0}, kLookup, {hashes[0]});
}

SessionInfo Guard::authenticate(const std::string& cookieHeader, Connection& c) const {
  SessionInfo s;
  SessionLookup lookup;
  if (resolve(cookieHeader, s, lookup) != Resolve::kLookup) return s;
  sdk::ResultSet rs;
  if (c.backend() == sdk::Backend::PostgreSQL) {
    // Concurrent checks of one firm share a statement (guard/lookup_batcher.h).
    rs = batcher_->lookup(lookup.firm, lookup.hash, c,
                          [](Connection& conn, std::int64_t f, const std::vector<std::string>& keys) {
                            return readSessions(conn, f, keys);
                          });
  } else {
    rs = readSessions(c, lookup.firm, {lookup.hash});
  }
  return fromRows(lookup, rs);
}

SessionInfo Guard::fromRows(const SessionLookup& lookup, const sdk::ResultSet& rs) const {
  SessionInfo s;
  const std::int64_t firm = lookup.firm;
  const std::string& hash = lookup.hash;
  const long idleSeconds = 60L * config_.session_idle_minutes;
  if (rs.empty()) return s;
  const auto& r = rs.rows[0];
  // The database's tenancy did not hold, or a row of another token: refuse.
  if (r.size() < 17 || sdk::asInt(r[15]) != firm || sdk::asText(r[16]) != hash) return s;
  const std::string nowText = utcTimestamp();
  const std::string idleCutoff = utcTimestamp(-idleSeconds);
  if (sdk::asText(r[3]) <= nowText || sdk::asText(r[4]) <= idleCutoff || sdk::asText(r[10]) != "active") return s;
  s.session_id = sdk::asInt(r[0]);
  s.csrf_token = sdk::asText(r[2]);
  s.needs_touch = sdk::asText(r[4]) <= utcTimestamp(-60);
  s.firm_slug = sdk::asText(r[11]);
  s.firm_name = sdk::asText(r[12]);
  s.token_hash = hash;
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
    return SessionInfo{};
  }
  auto modules = std::make_shared<std::map<std::string, bool>>();
  for (const auto& row : rs.rows) {
    // Every row must be this session's (the batched read hands each caller only its own).
    if (row.size() < 17 || sdk::asInt(row[15]) != firm || sdk::asText(row[16]) != hash) return SessionInfo{};
    if (!sdk::isNull(row[13])) (*modules)[sdk::asText(row[13])] = sdk::asBool(row[14]);
  }
  s.modules = modules;
  if (lookup.cache) {
    const std::uint64_t generation = lookup.generation;
    // The switches were read after `generation` too: they are as good for the switch cache.
    auto sw = std::make_shared<Switches>();
    sw->enabled = *modules;
    sw->generation = generation;
    sw->loaded = std::chrono::steady_clock::now();
    {
      std::lock_guard<std::mutex> lock(switchesMu_);
      if (switches_.size() >= 65536) switches_.clear();
      switches_[firm] = std::move(sw);
    }
    Cached e;
    e.info = s;
    e.info.needs_touch = false;
    e.info.modules = nullptr;  // the switch cache answers for them
    e.expires_at = parseUtc(sdk::asText(r[3]));
    e.last_seen_at = parseUtc(sdk::asText(r[4]));
    e.generation = generation;
    e.loaded = std::chrono::steady_clock::now();
    Shard& sh = shardOf(hash);
    std::lock_guard<std::mutex> lock(sh.mu);
    if (sh.entries.size() >= kMaxPerShard) sh.entries.clear();  // bounded memory; refilled on demand
    sh.entries[hash] = std::move(e);
  }
  return s;
}

std::shared_ptr<const Guard::Switches> Guard::switchesOf(std::int64_t firm, Connection& c) const {
  const bool cache = feed_ && feed_->live();
  std::uint64_t generation = 0;
  if (cache) {
    generation = feed_->generation(firm);  // before the database read, as for sessions
    std::lock_guard<std::mutex> lock(switchesMu_);
    auto it = switches_.find(firm);
    if (it != switches_.end() && it->second->generation == generation &&
        std::chrono::steady_clock::now() - it->second->loaded < std::chrono::seconds(config_.session_cache_seconds))
      return it->second;
  }
  auto sw = std::make_shared<Switches>();
  for (const auto& row : c.readScoped({firm, 0}, "SELECT module, enabled FROM firm_modules", {}).rows)
    sw->enabled[sdk::asText(row[0])] = sdk::asBool(row[1]);
  sw->generation = generation;
  sw->loaded = std::chrono::steady_clock::now();
  if (cache) {
    std::lock_guard<std::mutex> lock(switchesMu_);
    if (switches_.size() >= 65536) switches_.clear();
    switches_[firm] = sw;
  }
  return sw;
}

void Guard::authorize(const RouteEntry& route, const SessionInfo& s, const Poco::Net::HTTPServerRequest& req,
                      Connection& c) const {
  const auto& r = route.route;
  const auto& p = s.principal;
  const std::string& m = req.getMethod();
  const bool unsafe = !(m == "GET" || m == "HEAD" || m == "OPTIONS");
  // The firm's module switches: those the session lookup brought along, else read once (from
  // the switch cache) and only when a check needs them.
  std::shared_ptr<const Switches> sw;
  const std::map<std::string, bool>* enabled = s.modules.get();
  auto off = [&](const std::string& module) {
    if (!enabled) {
      sw = switchesOf(p.firm_id, c);
      enabled = &sw->enabled;
    }
    auto it = enabled->find(module);
    return it != enabled->end() && !it->second;
  };
  // Portal users exist only through the portal module: with it off, a portal session counts for
  // nothing on any route, the public ones such as /api/v1/me included (401, as when signed out).
  // Signing in (as someone else) and out stay possible from that browser.
  const bool signInOrOut = route.plugin == "core" &&
                           (r.path == "/api/v1/auth/login" || r.path == "/api/v1/auth/logout");
  if (p.isPortal() && !signInOrOut && off("portal")) throw sdk::Unauthorized();
  // CSRF: any unsafe request that carries a valid session must prove it comes from our page.
  if (unsafe && s.session_id != 0 && !safeEquals(req.get("X-CSRF-Token", ""), s.csrf_token))
    throw sdk::HttpError(403, "csrf", "Missing or wrong X-CSRF-Token header.");
  if (r.audience == sdk::Audience::Public) return;
  if (p.kind == sdk::PrincipalKind::Anonymous) throw sdk::Unauthorized();
  if (r.audience == sdk::Audience::Staff && !p.isStaff())
    throw sdk::Forbidden("This page is for the firm's staff.");
  if (r.audience == sdk::Audience::Portal && !p.isPortal())
    throw sdk::Forbidden("This page is for portal clients.");
  if (route.plugin != "core" && off(route.plugin)) throw sdk::NotFound();
  if (!p.can(r.permission)) throw sdk::Forbidden();
}

bool Guard::moduleOn(const SessionInfo& s, const std::string& module, Connection& c) const {
  if (s.principal.kind == sdk::PrincipalKind::Anonymous) return false;
  std::shared_ptr<const Switches> sw;
  const std::map<std::string, bool>* enabled = s.modules.get();
  if (!enabled) {
    sw = switchesOf(s.principal.firm_id, c);
    enabled = &sw->enabled;
  }
  auto off = [&](const std::string& m) {
    auto it = enabled->find(m);
    return it != enabled->end() && !it->second;
  };
  if (s.principal.isPortal() && off("portal")) return false;
  return !off(module);
}

}  // namespace lexos::core
