#include "common/time.h"

#include <ctime>

namespace lexos::core {

std::string utcTimestamp(long offsetSeconds) {
  std::time_t t = std::time(nullptr) + offsetSeconds;
  char buf[32];
  std::tm tm {};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace lexos::core
