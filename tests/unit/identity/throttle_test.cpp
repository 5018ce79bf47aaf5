// The throttle's address buckets (core/src/identity/throttle.h).
#include "identity/throttle.h"

#include <catch2/catch.hpp>

using lexos::core::throttle::addressKey;

TEST_CASE("IPv6 clients are counted per /64 and IPv4 clients per address") {
  CHECK(addressKey("203.0.113.9") == "203.0.113.9");
  CHECK(addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(addressKey("2001:db8:1:2::1") == addressKey("2001:db8:1:2:ffff::7"));
  CHECK(addressKey("2001:db8:1:3::1") != addressKey("2001:db8:1:2::1"));
  CHECK(addressKey("::ffff:203.0.113.9") != addressKey("::ffff:203.0.113.10"));  // IPv4-mapped
  CHECK(addressKey("not an address") == "not an address");
}
