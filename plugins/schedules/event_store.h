#pragma once
// Reading and writing events through the request's tenant-scoped Db, shared by the staff, portal
// and feed handlers. What a principal sees is decided by the database (docs/isolation.md); the
// queries filter what the caller asked for.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ics_feed.h"
#include "lexos/sdk/db.h"
#include "lexos/sdk/json.h"

namespace lexos::schedules {

/// The kinds of event, in the order the UI offers them.
const std::vector<std::string>& eventKinds();

struct Event {
  std::int64_t id = 0, case_id = 0, client_id = 0;
  std::string kind, title, location;
  bool all_day = false;
  std::string starts_at, ends_at;      // timed: UTC; empty for all-day (ends_at may be empty)
  std::string start_date, end_date;    // local dates (all-day: the days; timed: of the start/end)
  std::string time_zone, status;
  std::int64_t sequence = 0;
  bool client_visible = false;
  std::string notes;
  std::optional<std::int64_t> reminder_minutes;
  std::string created_at, updated_at;
  std::string case_title, matter_number;
  std::vector<std::pair<std::int64_t, std::string>> attendees;  // staff: user id, name
};

class EventStore {
 public:
  explicit EventStore(sdk::Db& db) : db_(db) {}
  /// Events matching `where` (SQL over alias e, the event, and c, its case; may be empty) in
  /// order, with `params`; attendees loaded when `withAttendees` (staff scopes only).
  std::vector<Event> find(const std::string& where, const std::vector<sdk::Value>& params, bool withAttendees,
                          std::int64_t limit = 500);
  /// One event, or nullopt when the scope does not reach it.
  std::optional<Event> byId(std::int64_t id, bool withAttendees);
  /// Inserts (id 0: a new id) or updates every column of the event, and its attendees.
  void save(Event& e, std::int64_t userId, bool isNew);
  /// Replaces the event's queued (not yet sent) reminders: one per attendee at
  /// reminder_minutes before the start, when that is still ahead and the event is confirmed.
  void queueReminders(const Event& e);
  /// The event for a feed.
  static IcsEvent toIcs(const Event& e, std::int64_t firmId, bool forStaff);

 private:
  sdk::Db& db_;
};

/// Writes an event as one JSON object: staff see notes, attendees, reminder and visibility.
void writeEvent(sdk::JsonWriter& w, const Event& e, bool forStaff);

/// The event's UID in feeds: stable for its life, the same in every feed.
std::string eventUid(std::int64_t firmId, std::int64_t id);

/// "Hearing", "Deadline", ...
std::string kindLabel(const std::string& kind);

}  // namespace lexos::schedules
