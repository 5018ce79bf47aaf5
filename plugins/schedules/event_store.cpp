#include "event_store.h"

#include "firm_time.h"

namespace lexos::schedules {

namespace {

const char* kSelect =
    "SELECT e.id, e.case_id, e.client_id, e.kind, e.title, e.location, e.all_day, e.starts_at, e.ends_at,"
    " e.start_date, e.end_date, e.time_zone, e.status, e.sequence, e.client_visible, e.notes, e.reminder_minutes,"
    " e.created_at, e.updated_at, c.title, c.matter_number"
    " FROM schedule_events e LEFT JOIN cases c ON c.firm_id = e.firm_id AND c.id = e.case_id";

Event fromRow(const std::vector<sdk::Value>& r) {
  Event e;
  e.id = sdk::asInt(r[0]);
  e.case_id = sdk::asInt(r[1]);
  e.client_id = sdk::asInt(r[2]);
  e.kind = sdk::asText(r[3]);
  e.title = sdk::asText(r[4]);
  e.location = sdk::asText(r[5]);
  e.all_day = sdk::asBool(r[6]);
  e.starts_at = sdk::asText(r[7]);
  e.ends_at = sdk::asText(r[8]);
  e.start_date = sdk::asText(r[9]);
  e.end_date = sdk::asText(r[10]);
  e.time_zone = sdk::asText(r[11]);
  e.status = sdk::asText(r[12]);
  e.sequence = sdk::isNull(r[13]) ? 0 : sdk::asInt(r[13]);
  e.client_visible = sdk::asBool(r[14]);
  e.notes = sdk::asText(r[15]);
  if (!sdk::isNull(r[16])) e.reminder_minutes = sdk::asInt(r[16]);
  e.created_at = sdk::asText(r[17]);
  e.updated_at = sdk::asText(r[18]);
  e.case_title = sdk::asText(r[19]);
  e.matter_number = sdk::asText(r[20]);
  return e;
}

sdk::Value textOrNull(const std::string& s) { return s.empty() ? sdk::Value(nullptr) : sdk::Value(s); }

}  // namespace

const std::vector<std::string>& eventKinds() {
  static const std::vector<std::string> k = {"hearing", "deadline", "meeting", "reminder"};
  return k;
}

std::string kindLabel(const std::string& kind) {
  if (kind.empty()) return kind;
  std::string s = kind;
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string eventUid(std::int64_t firmId, std::int64_t id) {
  return "event-" + std::to_string(firmId) + "-" + std::to_string(id) + "@schedules.lexos";
}

std::vector<Event> EventStore::find(const std::string& where, const std::vector<sdk::Value>& params, bool withAttendees,
                                    std::int64_t limit) {
  std::string sql = kSelect;
  if (!where.empty()) sql += " WHERE " + where;
  sql += " ORDER BY e.start_date, COALESCE(e.starts_at, ''), e.id LIMIT " + std::to_string(limit);
  auto rs = db_.query(sql, params);
  std::vector<Event> out;
  out.reserve(rs.size());
  for (const auto& r : rs.rows) out.push_back(fromRow(r));
  if (withAttendees && !out.empty()) {
    // One query for the page's attendees (ids are integers we read: safe to inline).
    std::string ids;
    for (const auto& e : out) ids += (ids.empty() ? "" : ",") + std::to_string(e.id);
    auto as = db_.query(
        "SELECT a.event_id, a.user_id, COALESCE(NULLIF(u.display_name, ''), u.email) FROM schedule_attendees a"
        " LEFT JOIN users u ON u.firm_id = a.firm_id AND u.id = a.user_id WHERE a.event_id IN (" + ids +
        ") ORDER BY a.event_id, a.user_id");
    for (const auto& r : as.rows)
      for (auto& e : out)
        if (e.id == sdk::asInt(r[0])) e.attendees.emplace_back(sdk::asInt(r[1]), sdk::asText(r[2]));
  }
  return out;
}

std::optional<Event> EventStore::byId(std::int64_t id, bool withAttendees) {
  auto v = find("e.id = $1", {id}, withAttendees, 1);
  if (v.empty()) return std::nullopt;
  return v.front();
}

void EventStore::save(Event& e, std::int64_t userId, bool isNew) {
  const std::string now = db_.now();
  e.updated_at = now;
  const sdk::Value reminder = e.reminder_minutes ? sdk::Value(*e.reminder_minutes) : sdk::Value(nullptr);
  if (isNew) {
    e.id = db_.newId();
    e.created_at = now;
    db_.execute(
        "INSERT INTO schedule_events (firm_id, id, case_id, client_id, kind, title, location, all_day, starts_at, ends_at,"
        " start_date, end_date, time_zone, status, sequence, client_visible, notes, reminder_minutes, created_at,"
        " created_by, updated_at, updated_by) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
        " $13, $14, $15, $16, $17, $18, $19, $20, $21)",
        {e.id, e.case_id, e.client_id, e.kind, e.title, e.location, e.all_day, textOrNull(e.starts_at),
         textOrNull(e.ends_at), e.start_date, e.end_date, e.time_zone, e.status, e.sequence, e.client_visible, e.notes,
         reminder, now, userId, now, userId});
  } else {
    db_.execute(
        "UPDATE schedule_events SET kind = $1, title = $2, location = $3, all_day = $4, starts_at = $5, ends_at = $6,"
        " start_date = $7, end_date = $8, time_zone = $9, status = $10, sequence = $11, client_visible = $12,"
        " notes = $13, reminder_minutes = $14, updated_at = $15, updated_by = $16 WHERE id = $17",
        {e.kind, e.title, e.location, e.all_day, textOrNull(e.starts_at), textOrNull(e.ends_at), e.start_date,
         e.end_date, e.time_zone, e.status, e.sequence, e.client_visible, e.notes, reminder, now, userId, e.id});
    db_.execute("DELETE FROM schedule_attendees WHERE event_id = $1", {e.id});
  }
  for (const auto& [uid, name] : e.attendees)
    db_.execute("INSERT INTO schedule_attendees (firm_id, event_id, user_id) VALUES (lexos_firm(), $1, $2)", {e.id, uid});
}

void EventStore::queueReminders(const Event& e) {
  db_.execute("DELETE FROM schedule_reminders WHERE event_id = $1 AND status = 'queued'", {e.id});
  if (!e.reminder_minutes || e.status != "confirmed") return;
  // An all-day event starts at midnight of its first day in the firm's zone.
  const std::string start = e.all_day ? localToUtc(e.start_date + "T00:00", e.time_zone, "starts_at") : e.starts_at;
  const std::string due = addMinutes(start, -*e.reminder_minutes);
  if (start <= nowUtc()) return;  // nothing to remind of any more
  const std::string now = db_.now();
  for (const auto& [uid, name] : e.attendees) {
    // An attendee already reminded of this start (the same due time) is not reminded again
    // when something else about the event changes (its place, its title).
    if (!db_.query("SELECT 1 FROM schedule_reminders WHERE event_id = $1 AND user_id = $2 AND status = 'sent' AND due_at = $3",
                   {e.id, uid, due}).empty())
      continue;
    db_.execute(
        "INSERT INTO schedule_reminders (firm_id, id, event_id, user_id, due_at, status, created_at)"
        " VALUES (lexos_firm(), $1, $2, $3, $4, 'queued', $5)",
        {db_.newId(), e.id, uid, due, now});
  }
}

IcsEvent EventStore::toIcs(const Event& e, std::int64_t firmId, bool forStaff) {
  IcsEvent i;
  i.uid = eventUid(firmId, e.id);
  i.summary = kindLabel(e.kind) + ": " + e.title;
  std::string desc = e.case_title.empty() ? "" : "Matter: " + e.case_title;
  if (forStaff && !e.matter_number.empty()) desc += " (" + e.matter_number + ")";
  if (forStaff && !e.notes.empty()) desc += (desc.empty() ? "" : "\n\n") + e.notes;
  i.description = desc;
  i.location = e.location;
  i.cancelled = e.status == "cancelled";
  i.all_day = e.all_day;
  i.starts_at = e.starts_at;
  i.ends_at = e.ends_at;
  i.start_date = e.start_date;
  i.end_date = e.end_date;
  i.time_zone = e.time_zone;
  i.sequence = e.sequence;
  i.created_at = e.created_at;
  i.updated_at = e.updated_at;
  return i;
}

void writeEvent(sdk::JsonWriter& w, const Event& e, bool forStaff) {
  w.beginObject()
      .member("id", e.id)
      .member("case_id", e.case_id)
      .member("case_title", e.case_title)
      .member("kind", e.kind)
      .member("title", e.title)
      .member("location", e.location)
      .member("all_day", e.all_day)
      .member("time_zone", e.time_zone)
      .member("status", e.status)
      .member("sequence", e.sequence);
  if (e.all_day) {
    w.member("starts_at", e.start_date).member("ends_at", e.end_date);
    w.member("starts_local", e.start_date).member("ends_local", e.end_date);
  } else {
    w.member("starts_at", e.starts_at);
    w.key("ends_at");
    if (e.ends_at.empty()) w.null(); else w.value(e.ends_at);
    w.member("starts_local", utcToLocal(e.starts_at, e.time_zone));
    w.key("ends_local");
    if (e.ends_at.empty()) w.null(); else w.value(utcToLocal(e.ends_at, e.time_zone));
  }
  w.member("start_date", e.start_date).member("end_date", e.end_date);
  if (forStaff) {
    w.member("client_id", e.client_id)
        .member("matter_number", e.matter_number)
        .member("client_visible", e.client_visible)
        .member("notes", e.notes);
    w.key("reminder_minutes");
    if (e.reminder_minutes) w.value(*e.reminder_minutes); else w.null();
    w.key("attendees").beginArray();
    for (const auto& [id, name] : e.attendees) w.beginObject().member("user_id", id).member("name", name).endObject();
    w.endArray();
  }
  w.member("created_at", e.created_at).member("updated_at", e.updated_at);
  w.endObject();
}

}  // namespace lexos::schedules
