#pragma once
// Time as the host stores and shows it.

#include <string>

namespace lexos::core {

/// Current UTC time (plus `offsetSeconds`) as "YYYY-MM-DDTHH:MM:SSZ", the form every timestamp
/// column holds on both backends. Thread-safe.
std::string utcTimestamp(long offsetSeconds = 0);

}  // namespace lexos::core
