#include "event_handlers.h"

#include <algorithm>

#include "event_store.h"
#include "firm_time.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::schedules {

using sdk::JsonField;
using sdk::JsonObject;
using sdk::JsonWriter;
using sdk::Lines;

namespace {

const std::initializer_list<std::string_view> kFields = {
    "title", "kind", "starts_at", "ends_at", "all_day", "location", "client_visible", "attendee_ids", "notes",
    "reminder_minutes", "status"};

std::string zoneOf(sdk::Context& c) { return firmZone(c); }

// Reads the timing fields into `e` (all of them: starts_at is required whenever timing changes).
void readTiming(Event& e, const JsonObject& body, const std::string& zone) {
  const auto startsText = body["starts_at"].text(32);
  if (!startsText || startsText->empty()) body["starts_at"].refuse(e.all_day ? "Enter the day as YYYY-MM-DD." : "Enter when it starts.");
  const auto endsText = body["ends_at"].text(32);
  if (e.all_day) {
    e.start_date = checkDate(*startsText, "starts_at");
    e.end_date = endsText && !endsText->empty() ? checkDate(*endsText, "ends_at") : e.start_date;
    if (e.end_date < e.start_date) body["ends_at"].refuse("The last day cannot be before the first.");
    e.starts_at.clear();
    e.ends_at.clear();
    e.time_zone = zone;
    return;
  }
  auto instant = [&](const std::string& v, const std::string& field) {
    if (!v.empty() && v.back() == 'Z') return checkUtc(v, field);
    if (v.size() == 10) throw sdk::BadRequest(field, "Enter a time too (YYYY-MM-DDTHH:MM), or mark the event all-day.");
    return localToUtc(v, zone, field);
  };
  e.starts_at = instant(*startsText, "starts_at");
  e.ends_at = endsText && !endsText->empty() ? instant(*endsText, "ends_at") : "";
  if (!e.ends_at.empty() && e.ends_at < e.starts_at) body["ends_at"].refuse("It cannot end before it starts.");
  e.time_zone = zone;
  e.start_date = utcToLocal(e.starts_at, zone).substr(0, 10);
  e.end_date = e.ends_at.empty() ? e.start_date : utcToLocal(e.ends_at, zone).substr(0, 10);
}

std::vector<std::pair<std::int64_t, std::string>> readAttendees(sdk::Context& c, const JsonField& f) {
  std::vector<std::pair<std::int64_t, std::string>> out;
  for (const JsonField item : f.array(50)) {
    const std::int64_t id = item.requiredId("Choose a member of staff.");
    auto rs = c.db().query(
        "SELECT COALESCE(NULLIF(display_name, ''), email) FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active'",
        {id});
    if (rs.empty()) item.refuse("Choose an active member of staff.");
    if (std::none_of(out.begin(), out.end(), [&](const auto& a) { return a.first == id; }))
      out.emplace_back(id, sdk::asText(rs.rows[0][0]));
  }
  return out;
}

// Applies the fields of a create or patch body to `e`. `creating`: required fields enforced.
void apply(sdk::Context& c, Event& e, const JsonObject& body, bool creating) {
  if (creating || body["title"].present()) e.title = body["title"].requiredText(200, "Enter a title.");
  if (creating || body["kind"].present()) {
    const std::string kind = body["kind"].requiredText(20, "Choose hearing, deadline, meeting or reminder.");
    const auto& k = eventKinds();
    if (std::find(k.begin(), k.end(), kind) == k.end()) body["kind"].refuse("Choose hearing, deadline, meeting or reminder.");
    e.kind = kind;
  }
  if (auto v = body["location"].text(200)) e.location = *v;
  else if (body["location"].isNull()) e.location.clear();
  if (auto v = body["client_visible"].boolean()) e.client_visible = *v;
  if (auto v = body["notes"].text(4000, Lines::Many)) e.notes = *v;
  else if (body["notes"].isNull()) e.notes.clear();
  if (body["reminder_minutes"].present())
    e.reminder_minutes = body["reminder_minutes"].integer(0, 60 * 24 * 28, "Enter minutes before the start, from 0 to 40320 (four weeks).");
  if (body["status"].present()) {
    const std::string status = body["status"].requiredText(20, "Choose confirmed or cancelled.");
    if (status != "confirmed" && status != "cancelled") body["status"].refuse("Choose confirmed or cancelled.");
    if (creating && status != "confirmed") body["status"].refuse("A new event is confirmed; cancel it afterwards.");
    e.status = status;
  }
  const bool wasAllDay = e.all_day;
  if (auto v = body["all_day"].boolean()) e.all_day = *v;
  const bool timing = creating || body["starts_at"].present() || body["ends_at"].present() || e.all_day != wasAllDay;
  if (timing) {
    if (!creating && !body["starts_at"].present())
      body["starts_at"].refuse("Enter when it starts again together with the new end or all-day choice.");
    readTiming(e, body, zoneOf(c));
  }
  if (body["attendee_ids"].present()) e.attendees = readAttendees(c, body["attendee_ids"]);
}

void answer(sdk::Context& c, const Event& e, int status) {
  JsonWriter w;
  writeEvent(w, e, true);
  sdk::sendJson(c, w, status);
}

void answerList(sdk::Context& c, const std::vector<Event>& events, const std::string& zone) {
  JsonWriter w;
  w.beginObject().key("items").beginArray();
  for (const auto& e : events) writeEvent(w, e, true);
  w.endArray().member("next_cursor", nullptr).member("time_zone", zone).member("today", todayIn(zone)).endObject();
  sdk::sendJson(c, w);
}

}  // namespace

void EventHandlers::listForCase(sdk::Context& c) {
  const auto caseId = sdk::pathId(c, "id", "No such case.");
  if (c.db().query("SELECT 1 FROM cases WHERE id = $1", {caseId}).empty()) throw sdk::NotFound("No such case.");
  EventStore store(c.db());
  std::string where = "e.case_id = $1";
  std::vector<sdk::Value> params{caseId};
  const std::string zone = zoneOf(c);
  if (c.request().query("upcoming").value_or("") == "1") {
    where += " AND e.status = 'confirmed' AND e.end_date >= $2";
    params.push_back(todayIn(zone));
  }
  const auto limit = sdk::queryInt(c, "limit", 1, 500, "limit must be a whole number from 1 to 500.").value_or(500);
  answerList(c, store.find(where, params, true, limit), zone);
}

void EventHandlers::create(sdk::Context& c) {
  const auto caseId = sdk::pathId(c, "id", "No such case.");
  auto kase = c.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
  if (kase.empty()) throw sdk::NotFound("No such case.");
  JsonObject body = sdk::readJsonObject(c, kFields);
  Event e;
  e.case_id = caseId;
  e.client_id = sdk::asInt(kase.rows[0][0]);
  e.status = "confirmed";
  apply(c, e, body, true);
  if (!body["attendee_ids"].present()) {  // the person who puts it in the calendar attends by default
    const auto& p = c.principal();
    e.attendees.emplace_back(p.user_id, p.display_name.empty() ? p.email : p.display_name);
  }
  EventStore store(c.db());
  store.save(e, c.principal().user_id, true);
  store.queueReminders(e);
  c.audit().record("event.create", "event", std::to_string(e.id),
                   std::string("{\"case_id\":") + std::to_string(caseId) + ",\"client_visible\":" +
                       (e.client_visible ? "true" : "false") + "}");
  auto saved = store.byId(e.id, true);
  answer(c, *saved, 201);
}

void EventHandlers::list(sdk::Context& c) {
  EventStore store(c.db());
  const std::string zone = zoneOf(c);
  std::string where = "1 = 1";
  std::vector<sdk::Value> params;
  auto param = [&](sdk::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  const auto from = c.request().query("from");
  const auto to = c.request().query("to");
  if (from || to) {
    if (!from || !to) throw sdk::BadRequest(from ? "to" : "from", "Give both from and to (YYYY-MM-DD).");
    const std::string f = checkDate(*from, "from"), t = checkDate(*to, "to");
    if (t < f) throw sdk::BadRequest("to", "to cannot be before from.");
    if (t > addDays(f, 62)) throw sdk::BadRequest("to", "Ask for at most 62 days at a time.");
    // Events that touch the range: start on or before its last day, end on or after its first.
    const std::string pt = param(t);
    where += " AND e.start_date <= " + pt;
    const std::string pf = param(f);
    where += " AND e.end_date >= " + pf;
  } else {  // upcoming: from today on, confirmed only
    const std::string pt = param(todayIn(zone));
    where += " AND e.status = 'confirmed' AND e.end_date >= " + pt;
  }
  if (auto id = sdk::queryId(c, "case_id", "case_id must be a case id.")) {
    const std::string p = param(*id);
    where += " AND e.case_id = " + p;
  }
  if (auto id = sdk::queryId(c, "client_id", "client_id must be a client id.")) {
    const std::string p = param(*id);
    where += " AND e.client_id = " + p;
  }
  if (c.request().query("mine").value_or("") == "1") {
    const std::string p = param(c.principal().user_id);
    where += " AND e.id IN (SELECT event_id FROM schedule_attendees WHERE user_id = " + p + ")";
  }
  const auto limit = sdk::queryInt(c, "limit", 1, 500, "limit must be a whole number from 1 to 500.").value_or(from ? 500 : 50);
  answerList(c, store.find(where, params, true, limit), zone);
}

void EventHandlers::get(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such event.");
  EventStore store(c.db());
  auto e = store.byId(id, true);
  if (!e) throw sdk::NotFound("No such event.");
  answer(c, *e, 200);
}

void EventHandlers::patch(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such event.");
  EventStore store(c.db());
  auto e = store.byId(id, true);
  if (!e) throw sdk::NotFound("No such event.");
  JsonObject body = sdk::readJsonObject(c, kFields);
  const std::string before = e->status;
  apply(c, *e, body, false);
  // Every change is a new revision for calendar programs (RFC 5545 SEQUENCE).
  e->sequence += 1;
  store.save(*e, c.principal().user_id, false);
  store.queueReminders(*e);
  const char* action = before != e->status ? (e->status == "cancelled" ? "event.cancel" : "event.restore") : "event.update";
  c.audit().record(action, "event", std::to_string(id),
                   std::string("{\"client_visible\":") + (e->client_visible ? "true" : "false") + "}");
  auto saved = store.byId(id, true);
  answer(c, *saved, 200);
}

void EventHandlers::staff(sdk::Context& c) {
  auto rs = c.db().query(
      "SELECT id, COALESCE(NULLIF(display_name, ''), email), email FROM users WHERE kind = 'staff' AND status = 'active'"
      " ORDER BY 2, id");
  sdk::sendList(c, rs.rows, [](JsonWriter& w, const std::vector<sdk::Value>& r) {
    w.beginObject().member("id", sdk::asInt(r[0])).member("name", sdk::asText(r[1])).member("email", sdk::asText(r[2])).endObject();
  });
}

void EventHandlers::getSettings(sdk::Context& c) {
  const std::string zone = zoneOf(c);
  JsonWriter w;
  w.beginObject().member("time_zone", zone).member("today", todayIn(zone)).endObject();
  sdk::sendJson(c, w);
}

}  // namespace lexos::schedules
