#include "common/time.h"

#include <ctime>

namespace lexos::core {

std::string utcTimestamp(long offsetSeconds) {
  const std::time_t t = std::time(nullptr) + offsetSeconds;
  // A request asks for the same few instants (now, an idle cutoff, ...) many times a second;
  // gmtime_r takes glibc's time-zone lock, so each thread keeps its last few answers.
  struct Entry {
    std::time_t t = -1;
    char text[32] = {};
  };
  thread_local Entry recent[4];
  thread_local unsigned next = 0;
  for (const auto& e : recent)
    if (e.t == t) return e.text;
  Entry& e = recent[next++ % 4];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(e.text, sizeof e.text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  e.t = t;
  return e.text;
}

}  // namespace lexos::core
