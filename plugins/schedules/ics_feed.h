#pragma once
// An RFC 5545 calendar (VCALENDAR with one VEVENT per event and a VTIMEZONE per zone its timed
// events use), built with libical.

#include <cstdint>
#include <string>
#include <vector>

namespace lexos::schedules {

/// One event as the feed shows it. Times as the store keeps them.
struct IcsEvent {
  std::string uid;          ///< stable for the event's life
  std::string summary;
  std::string description;
  std::string location;
  bool cancelled = false;
  bool all_day = false;
  std::string starts_at, ends_at;      ///< timed: UTC "YYYY-MM-DDTHH:MM:SSZ" (ends_at may be empty)
  std::string start_date, end_date;    ///< all-day: first and last day, inclusive
  std::string time_zone;               ///< the zone a timed event is shown in (TZID)
  std::int64_t sequence = 0;
  std::string created_at, updated_at;  ///< UTC
};

/// The calendar as text (CRLF line ends, folded as RFC 5545 wants). `name` is the calendar's
/// display name (X-WR-CALNAME).
std::string buildCalendar(const std::string& name, const std::vector<IcsEvent>& events);

}  // namespace lexos::schedules
