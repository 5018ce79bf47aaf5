// utcTimestamp(): ISO 8601 UTC text, exact for any offset, also when a thread asks for more
// instants than it keeps (common/time.cpp keeps the last four per thread).
#include <catch2/catch.hpp>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "common/time.h"

namespace {
std::string expected(long offset) {
  const std::time_t t = std::time(nullptr) + offset;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}
}  // namespace

TEST_CASE("utcTimestamp gives the UTC instant of now plus an offset, whatever was asked before it") {
  const std::vector<long> offsets = {0, -60, -1800, 3600, -86400 * 30, 7, 0, -60, 86400 * 365};
  for (int round = 0; round < 3; ++round) {
    for (const long off : offsets) {
      // Both sides read the clock; retry once if a second boundary fell between them.
      std::string want = expected(off), got = lexos::core::utcTimestamp(off);
      if (got != want) {
        want = expected(off);
        got = lexos::core::utcTimestamp(off);
      }
      CHECK(got == want);
      CHECK(got.size() == 20);
    }
  }
  // Another thread has its own: it never sees this thread's entries.
  std::string other;
  std::thread([&] { other = lexos::core::utcTimestamp(-86400 * 2); }).join();
  const std::string want = expected(-86400 * 2);
  CHECK((other == want || other == expected(-86400 * 2 - 1)));
}
