#pragma once
// Throttling of password and token guesses (docs/throttling.md).
//
// Every attempt is reserved before the secret is checked, in a short write transaction of its
// own that counts and inserts under a lock, so N parallel guesses count N; a successful attempt
// gives its reservation back. Limits are sliding windows of kWindowSeconds over the reserved
// (not given back) attempts of a key.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace lexos::core {

namespace throttle {

inline constexpr long kWindowSeconds = 15 * 60;
// Sign-in from a device without a valid device cookie for the account: all three apply.
inline constexpr int kPairLimit = 5;       ///< one account from one address
inline constexpr int kAccountLimit = 20;   ///< one account from anywhere (untrusted devices)
inline constexpr int kAddressLimit = 100;  ///< one address, any accounts (a NAT, an office)
// Sign-in from a device holding a valid device cookie for the account: only its own count.
inline constexpr int kDeviceLimit = 10;
inline constexpr int kCurrentPasswordLimit = 5;  ///< change password: per signed-in account
inline constexpr int kActivationLimit = 10;      ///< portal activation tokens: per address

/// The address part of a throttle key. An IPv6 client usually holds a whole /64 (SLAAC, privacy
/// addresses): counting single addresses would give it 2^64 allowances, so IPv6 is counted per
/// /64 ("2001:db8:1:2::/64"); IPv4 (also IPv4-mapped IPv6) per address.
std::string addressKey(const std::string& address);

}  // namespace throttle

/// One counted key and the number of reserved attempts it allows per window.
struct ThrottleRule {
  std::string key;
  int limit = 0;
};

/// The outcome of Throttle::reserve: granted (an id to give back on success) or refused with the
/// seconds until every exceeded rule has room again.
struct Reservation {
  std::string id;
  long retry_after = 0;
  bool granted() const { return !id.empty(); }
};

class Throttle {
 public:
  /// Reserves one attempt against every rule, or none when any rule is at its limit (a refused
  /// attempt checks nothing, so it is not counted: the lock-out ends on time). Runs its own
  /// write transaction: the caller's connection must not be inside one.
  static Reservation reserve(Connection& c, std::vector<ThrottleRule> rules,
                             std::time_t now = std::time(nullptr));
  /// Gives a successful attempt's reservation back, inside the caller's (write) transaction.
  static void release(Connection& c, const std::string& reservation);
  /// release() in a transaction of its own (the caller's connection must not be inside one).
  static void releaseAlone(Connection& c, const std::string& reservation);
};

/// The OWASP "device cookie": proof that this browser signed in to an account before. A request
/// carrying a valid one for the account it signs in to is judged by that device's own failures,
/// so a stranger's failures cannot lock the owner out of a device they have used.
class DeviceCookie {
 public:
  static constexpr const char* kName = "__Host-lexos_device";
  static constexpr long kMaxAgeSeconds = 180L * 24 * 3600;
  struct Device {
    std::int64_t firm_id = 0;
    std::int64_t user_id = 0;
    std::string id;  ///< random, names the device in the throttle's keys
  };
  /// The device named by a valid, correctly signed cookie in `cookieHeader`; nothing otherwise.
  static std::optional<Device> read(Connection& c, const std::string& cookieHeader);
  /// The Set-Cookie header value naming (firm, user) for device `deviceId` (a new device when
  /// empty).
  static std::string issue(Connection& c, std::int64_t firmId, std::int64_t userId,
                           std::string deviceId = {});

 private:
  static std::string sign(const std::string& secret, const std::string& payload);
  static std::string secret(Connection& c);
};

}  // namespace lexos::core
