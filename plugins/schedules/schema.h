#pragma once
// The schedules module's tables. One SQL text for both engines.

namespace lexos::schedules::schema {

// schedule_events: client-owned (the case's client), visible to that client's portal users only
// when client_visible is true (the database enforces it, docs/isolation.md). Timed events keep the
// UTC instants (starts_at, ends_at) and the zone they were set in; all-day events keep dates.
// start_date/end_date are the local dates of either kind (calendar ranges, "upcoming").
// schedule_attendees, schedule_reminders: staff only. schedule_feeds: one row per user whose
// feed link was ever reset (the link's generation); client-owned so that a portal user reads
// their own client's rows and staff rows (client_id NULL) stay out of every portal scope.
inline constexpr const char* kV1 = R"SQL(
CREATE TABLE schedule_events (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('hearing', 'deadline', 'meeting', 'reminder')),
  title TEXT NOT NULL,
  location TEXT NOT NULL DEFAULT '',
  all_day BOOLEAN NOT NULL DEFAULT FALSE,
  starts_at TEXT,
  ends_at TEXT,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
  sequence BIGINT NOT NULL DEFAULT 0,
  client_visible BOOLEAN NOT NULL DEFAULT FALSE,
  notes TEXT NOT NULL DEFAULT '',
  reminder_minutes BIGINT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX schedule_events_by_date ON schedule_events (firm_id, start_date, id);
CREATE INDEX schedule_events_by_case ON schedule_events (firm_id, case_id, start_date, id);
CREATE INDEX schedule_events_by_client ON schedule_events (firm_id, client_id, start_date, id);
CREATE TABLE schedule_attendees (
  firm_id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  PRIMARY KEY (firm_id, event_id, user_id),
  FOREIGN KEY (firm_id, event_id) REFERENCES schedule_events (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX schedule_attendees_by_user ON schedule_attendees (firm_id, user_id, event_id);
CREATE TABLE schedule_reminders (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  event_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  due_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dropped')),
  sent_at TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, event_id) REFERENCES schedule_events (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX schedule_reminders_due ON schedule_reminders (firm_id, status, due_at, id);
CREATE TABLE schedule_feeds (
  firm_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  client_id BIGINT,
  generation BIGINT NOT NULL,
  reset_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, user_id)
);
)SQL";

}  // namespace lexos::schedules::schema
