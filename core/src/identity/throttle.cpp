#include "identity/throttle.h"

#include <Poco/Net/IPAddress.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "common/signed_value.h"
#include "common/tokens.h"

namespace lexos::core {

std::string throttle::addressKey(const std::string& address) {
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(address, ip)) return address;
  if (ip.family() != Poco::Net::IPAddress::IPv6) return ip.toString();
  if (ip.isIPv4Mapped()) return ip.toString();
  // By hand: Poco 1.11's IPAddress::mask() throws "Not implemented" for IPv6.
  unsigned char bytes[16];
  std::memcpy(bytes, ip.addr(), sizeof bytes);
  std::memset(bytes + 8, 0, 8);
  return Poco::Net::IPAddress(bytes, sizeof bytes).toString() + "/64";
}

Reservation Throttle::reserve(Connection& c, std::vector<ThrottleRule> rules, std::time_t now) {
  std::sort(rules.begin(), rules.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  rules.erase(std::unique(rules.begin(), rules.end(),
                          [](const auto& a, const auto& b) { return a.key == b.key; }),
              rules.end());
  const bool pg = c.backend() == sdk::Backend::PostgreSQL;
  const std::int64_t since = static_cast<std::int64_t>(now) - throttle::kWindowSeconds;
  Reservation out;
  // SQLite: begin(true) is BEGIN IMMEDIATE, so the count and the insert below run under the
  // database's write lock. PostgreSQL: one transaction-scoped advisory lock per key, taken in
  // one statement in hash order (never two orders, so never a deadlock), serialises the
  // reservations of a key across connections and nodes; after the lock the next statement's
  // snapshot sees every earlier holder's committed rows.
  c.begin(true);
  try {
    if (pg) {
      std::string values;
      std::vector<sdk::Value> params;
      for (const auto& r : rules) {
        params.push_back(r.key);
        values += (values.empty() ? "($" : ", ($") + std::to_string(params.size()) + "::text)";
      }
      c.query("SELECT pg_advisory_xact_lock(7345009, h) FROM "
              "(SELECT DISTINCT hashtext(k) AS h FROM (VALUES " + values + ") v (k) ORDER BY h) s",
              params);
    }
    for (const auto& r : rules) {
      // The limit-th newest attempt inside the window: while it exists the key is full, and the
      // key has room again when it ages out.
      auto full = c.query(
          "SELECT at FROM auth_attempts WHERE key = $1 AND at > $2 "
          "ORDER BY at DESC LIMIT 1 OFFSET $3",
          {r.key, since, static_cast<std::int64_t>(r.limit - 1)});
      if (!full.empty())
        out.retry_after = std::max(
            out.retry_after,
            static_cast<long>(sdk::asInt(full.rows[0][0]) + throttle::kWindowSeconds - now));
    }
    if (out.retry_after == 0) {
      out.id = randomToken(18);
      for (const auto& r : rules)
        c.execute("INSERT INTO auth_attempts (key, reservation, at) VALUES ($1, $2, $3)",
                  {r.key, out.id, static_cast<std::int64_t>(now)});
    }
    // Attempts outside the window count for nothing: sweep some. On PostgreSQL rows another
    // sweep holds are skipped rather than waited for (no lock waits besides the keys' own).
    c.execute(pg ? "DELETE FROM auth_attempts WHERE ctid = ANY (ARRAY ("
                   "SELECT ctid FROM auth_attempts WHERE at <= $1 LIMIT 200 FOR UPDATE SKIP LOCKED))"
                 : "DELETE FROM auth_attempts WHERE rowid IN ("
                   "SELECT rowid FROM auth_attempts WHERE at <= $1 LIMIT 200)",
              {since});
    c.commit();
  } catch (...) {
    if (c.inTransaction()) c.rollback();
    throw;
  }
  return out;
}

void Throttle::release(Connection& c, const std::string& reservation) {
  if (!reservation.empty())
    c.execute("DELETE FROM auth_attempts WHERE reservation = $1", {reservation});
}

void Throttle::releaseAlone(Connection& c, const std::string& reservation) {
  c.begin(true);
  try {
    release(c, reservation);
    c.commit();
  } catch (...) {
    if (c.inTransaction()) c.rollback();
    throw;
  }
}

std::string DeviceCookie::secret(Connection& c) {
  auto rs = c.query("SELECT value FROM lexos_secrets WHERE name = 'device_cookie'", {});
  if (rs.empty() || sdk::asText(rs.rows[0][0]).size() < 32)
    throw std::runtime_error("lexos_secrets has no device_cookie key; run lexosctl migrate");
  return sdk::asText(rs.rows[0][0]);
}

std::string DeviceCookie::sign(const std::string& secret, const std::string& payload) {
  return hmacSha256Hex(secret, payload);
}

std::optional<DeviceCookie::Device> DeviceCookie::read(Connection& c,
                                                       const std::string& cookieHeader) {
  // <firm id>.<user id>.<device id>.<hex HMAC-SHA256 of "lexos-device-v1|firm|user|device">
  const std::string v = cookieValue(cookieHeader, kName);
  const auto split = splitSignedValue(v, 3);
  if (!split || (*split)[2].empty()) return std::nullopt;
  const auto& parts = *split;
  Device d;
  const auto firm = wholeNumber(parts[0]), user = wholeNumber(parts[1]);
  if (!firm || !user || *firm <= 0 || *user <= 0) return std::nullopt;
  d.firm_id = *firm;
  d.user_id = *user;
  d.id = parts[2];
  const std::string want =
      sign(secret(c), "lexos-device-v1|" + parts[0] + "|" + parts[1] + "|" + parts[2]);
  if (CRYPTO_memcmp(want.data(), parts[3].data(), want.size()) != 0) return std::nullopt;
  return d;
}

std::string DeviceCookie::issue(Connection& c, std::int64_t firmId, std::int64_t userId,
                                std::string deviceId) {
  if (deviceId.empty()) deviceId = randomToken(18);
  const std::string payload =
      std::to_string(firmId) + "." + std::to_string(userId) + "." + deviceId;
  const std::string sig = sign(secret(c), "lexos-device-v1|" + std::to_string(firmId) + "|" +
                                              std::to_string(userId) + "|" + deviceId);
  return std::string(kName) + "=" + payload + "." + sig +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(kMaxAgeSeconds);
}

}  // namespace lexos::core
