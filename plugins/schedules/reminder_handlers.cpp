#include "reminder_handlers.h"

#include <openssl/crypto.h>

#include "event_store.h"
#include "firm_time.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/mail_text.h"
#include "lexos/sdk/params.h"

namespace lexos::schedules {

namespace {

bool asciiAddress(const std::string& s) {
  for (unsigned char ch : s)
    if (ch >= 0x80 || ch < 0x21) return false;
  return s.find('@') != std::string::npos;
}

std::string whenText(const Event& e) {
  if (e.all_day) return e.start_date + (e.end_date != e.start_date ? " to " + e.end_date : "") + " (all day)";
  std::string local = utcToLocal(e.starts_at, e.time_zone);
  local[10] = ' ';
  return local + " (" + e.time_zone + ")";
}

}  // namespace

ReminderHandlers::Sent ReminderHandlers::sendDue(sdk::Context& c, std::int64_t limit) {
  const std::string now = nowUtc();
  auto due = c.db().query(
      "SELECT r.id, r.event_id, u.email, COALESCE(NULLIF(u.display_name, ''), u.email), u.status"
      " FROM schedule_reminders r LEFT JOIN users u ON u.firm_id = r.firm_id AND u.id = r.user_id"
      " WHERE r.status = 'queued' AND r.due_at <= $1 ORDER BY r.due_at, r.id LIMIT " + std::to_string(limit) +
          // Two senders at once (the job on two nodes' passes, or the job and the operator's
          // dispatch route): each takes rows the other has not, so no reminder goes twice.
          (c.db().backend() == sdk::Backend::PostgreSQL ? " FOR UPDATE OF r SKIP LOCKED" : ""),
      {now});
  EventStore store(c.db());
  int sent = 0, dropped = 0;
  for (const auto& r : due.rows) {
    const std::int64_t id = sdk::asInt(r[0]);
    auto e = store.byId(sdk::asInt(r[1]), false);
    const std::string email = sdk::asText(r[2]);
    // A reminder whose event has begun meanwhile (the timer stopped for a while) is dropped, not
    // sent late.
    const bool begun = e && (e->all_day ? localToUtc(e->start_date + "T00:00", e->time_zone, "starts_at") : e->starts_at) <= now;
    bool ok = e && !begun && e->status == "confirmed" && sdk::asText(r[4]) == "active" && asciiAddress(email);
    if (ok) {
      const std::string what = kindLabel(e->kind) + ": " + e->title;
      std::string text = "Hello " + sdk::asText(r[3]) + ",\n\nA reminder from LexOS:\n\n  " + what + "\n  When: " + whenText(*e) +
                         (e->location.empty() ? "" : "\n  Where: " + e->location) +
                         (e->case_title.empty() ? "" : "\n  Matter: " + e->case_title) + "\n\n" + c.publicUrl() +
                         "/app/#/calendar\n";
      try {
        c.mail().send({email, "Reminder: " + what + " — " + whenText(*e), text, ""});
      } catch (const sdk::BadRequest&) {
        ok = false;
      }
    }
    c.db().execute("UPDATE schedule_reminders SET status = $1, sent_at = $2 WHERE id = $3",
                   {std::string(ok ? "sent" : "dropped"), now, id});
    (ok ? sent : dropped) += 1;
  }
  if (sent || dropped)
    c.audit().record("calendar.reminders.dispatch", "firm", std::to_string(c.principal().firm_id),
                     "{\"sent\":" + std::to_string(sent) + ",\"dropped\":" + std::to_string(dropped) + "}");
  return {sent, dropped};
}

void ReminderHandlers::dispatch(sdk::Context& c) {
  const std::string secret = c.config("dispatch_secret");
  const std::string given = c.request().header("Authorization").value_or("");
  const std::string want = "Bearer " + secret;
  // Without the configured secret the route does not exist for anyone.
  if (secret.empty() || given.size() != want.size() || CRYPTO_memcmp(given.data(), want.data(), want.size()) != 0)
    throw sdk::NotFound();
  sdk::JsonObject body = sdk::readJsonObject(c, {"firm_id", "limit"});
  const std::int64_t firm = body["firm_id"].requiredId("Give the firm's id.");
  const std::int64_t limit = body["limit"].integer(1, 1000).value_or(200);
  c.bindFirm(firm);  // proven by the configured secret: the caller is the operator's timer
  // A firm that switched schedules off gets no reminders: they stay queued, and go out (late)
  // when the firm switches the module on again.
  if (!c.db().query("SELECT 1 FROM firm_modules WHERE module = 'schedules' AND NOT enabled").empty()) {
    sdk::JsonWriter w;
    w.beginObject().member("sent", 0).member("dropped", 0).member("module_off", true).endObject();
    return sdk::sendJson(c, w);
  }

  const Sent r = sendDue(c, limit);
  sdk::JsonWriter w;
  w.beginObject().member("sent", r.sent).member("dropped", r.dropped).endObject();
  sdk::sendJson(c, w);
}

void ReminderHandlers::job(sdk::Context& c) {
  // The host runs this for every firm with schedules on (SDK 1.8 addJob), bound to the firm as
  // the dispatch route binds it: the same work without an operator's timer.
  sendDue(c, 200);
}

}  // namespace lexos::schedules
