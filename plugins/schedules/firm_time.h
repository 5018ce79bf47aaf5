#pragma once
// Time zones for the schedules module, through libical's zone database (the system's tzdata):
// a firm's events are timed in the firm's zone, stored as UTC instants with the zone's name.
// libical's built-in zone cache is process-wide and not documented as thread-safe, so every call
// here holds one mutex (icalLock), as does the ICS writer.

#include <mutex>
#include <string>

#include "lexos/sdk/context.h"

namespace lexos::schedules {

/// The one lock around libical (zone cache, component building).
std::mutex& icalLock();

/// True when `zone` names a zone of the tz database ("America/Chicago", "UTC").
bool validZone(const std::string& zone);

/// "YYYY-MM-DDTHH:MM" (or with ":SS") read as a wall-clock time in `zone`, as a UTC instant
/// "YYYY-MM-DDTHH:MM:SSZ". Throws sdk::BadRequest(field) when it is not such a time.
std::string localToUtc(const std::string& local, const std::string& zone, const std::string& field);

/// A UTC instant "YYYY-MM-DDTHH:MM:SSZ" as wall-clock time in `zone`: "YYYY-MM-DDTHH:MM".
std::string utcToLocal(const std::string& utc, const std::string& zone);

/// Today's date in `zone` ("YYYY-MM-DD").
std::string todayIn(const std::string& zone);

/// The current UTC instant, "YYYY-MM-DDTHH:MM:SSZ".
std::string nowUtc();

/// A UTC instant moved by `minutes` (negative: earlier).
std::string addMinutes(const std::string& utc, long long minutes);

/// A date "YYYY-MM-DD" moved by `days`.
std::string addDays(const std::string& date, int days);

/// Checks a date "YYYY-MM-DD" (a real calendar day); throws sdk::BadRequest(field).
std::string checkDate(const std::string& v, const std::string& field);

/// Checks a UTC instant as the API takes it ("YYYY-MM-DDTHH:MM[:SS]Z"); normalised with seconds.
std::string checkUtc(const std::string& v, const std::string& field);

/// The request's firm's time zone (the host's firm settings, SDK 1.5 Context::firm; "UTC" until
/// the firm sets one, or when libical does not know the name).
std::string firmZone(sdk::Context& c);

}  // namespace lexos::schedules
