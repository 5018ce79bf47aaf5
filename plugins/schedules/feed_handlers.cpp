#include "feed_handlers.h"

#include "event_store.h"
#include "feed_token.h"
#include "firm_time.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::schedules {

namespace {

std::string secretOf(sdk::Context& c) {
  std::string s = c.config("feed_secret");
  if (s.empty())
    throw sdk::HttpError(503, "feeds_not_configured",
                         "Calendar feeds are not set up on this server: an administrator sets [plugin.schedules] feed_secret.");
  return s;
}

std::int64_t generationOf(sdk::Context& c, std::int64_t userId) {
  auto rs = c.db().query("SELECT generation FROM schedule_feeds WHERE user_id = $1", {userId});
  return rs.empty() ? 0 : sdk::asInt(rs.rows[0][0]);
}

void sendAddress(sdk::Context& c, std::int64_t generation) {
  const auto& p = c.principal();
  const std::string token = signFeedToken({p.firm_id, p.user_id, generation}, secretOf(c));
  const std::string url = c.publicUrl() + "/api/v1/calendar/feeds/" + token + ".ics";
  sdk::JsonWriter w;
  std::string webcal = url;
  if (webcal.rfind("https://", 0) == 0) webcal = "webcal://" + webcal.substr(8);
  else if (webcal.rfind("http://", 0) == 0) webcal = "webcal://" + webcal.substr(7);
  w.beginObject().member("url", url).member("webcal_url", webcal).member("token", token).endObject();
  sdk::sendJson(c, w);
}

// Bumps a user's generation: every address made before stops answering.
void bump(sdk::Context& c, std::int64_t userId, const sdk::Value& clientId) {
  const std::string now = c.db().now();
  if (c.db().execute("UPDATE schedule_feeds SET generation = generation + 1, reset_at = $1 WHERE user_id = $2", {now, userId}) == 0)
    c.db().execute("INSERT INTO schedule_feeds (firm_id, user_id, client_id, generation, reset_at) VALUES (lexos_firm(), $1, $2, 1, $3)",
                   {userId, clientId, now});
}

struct FeedOwner {
  std::int64_t user_id = 0;
  std::int64_t client_id = 0;  // portal users
  bool portal = false;
  std::string name;
};

// The token's firm is proven by its signature (made with the configured secret), so the request
// may bind to it; then the user must still be active, of that firm, and the address current.
FeedOwner verified(sdk::Context& c) {
  const std::string secret = c.config("feed_secret");
  const auto token = verifyFeedToken(c.request().pathParam("token"), secret);
  if (!token) throw sdk::NotFound("No such calendar.");
  // A calendar program sends no cookie: the request is bound to the token's firm. A browser
  // signed in to LexOS sends its session, which fixes the request's scope: a staff session of
  // that firm reads as staff do; any other session cannot be bound to the firm (the SDK binds
  // public requests without a session only), so it gets the 404 a wrong address gets.
  const auto& p = c.principal();
  const bool anonymous = p.firm_id == 0;
  if (anonymous)
    c.bindFirm(token->firm_id);
  else if (!p.isStaff() || p.firm_id != token->firm_id)
    throw sdk::NotFound("This is a calendar feed address: open it in a calendar program, not where you are signed in.");
  // A public route skips the guard's module check: a firm that switched schedules off serves
  // no feeds (the host's firm_modules, read in the firm's scope as the guard reads it).
  if (!c.db().query("SELECT 1 FROM firm_modules WHERE module = 'schedules' AND NOT enabled").empty())
    throw sdk::NotFound("No such calendar.");
  auto u = c.db().query(
      "SELECT kind, client_id, COALESCE(NULLIF(display_name, ''), email) FROM users WHERE id = $1 AND status = 'active'",
      {token->user_id});
  if (u.empty() || generationOf(c, token->user_id) != token->generation) throw sdk::NotFound("No such calendar.");
  FeedOwner o;
  o.user_id = token->user_id;
  o.portal = sdk::asText(u.rows[0][0]) == "portal";
  o.client_id = sdk::isNull(u.rows[0][1]) ? 0 : sdk::asInt(u.rows[0][1]);
  o.name = sdk::asText(u.rows[0][2]);
  if (o.portal && o.client_id == 0) throw sdk::NotFound("No such calendar.");
  // A portal user's feed is read as that user (below): only a request without a session can be.
  if (o.portal && !anonymous)
    throw sdk::NotFound("This is a calendar feed address: open it in a calendar program, not where you are signed in.");
  return o;
}

}  // namespace

void FeedHandlers::staffAddress(sdk::Context& c) { sendAddress(c, generationOf(c, c.principal().user_id)); }

void FeedHandlers::staffReset(sdk::Context& c) {
  bump(c, c.principal().user_id, nullptr);
  c.audit().record("calendar.feed.reset", "user", std::to_string(c.principal().user_id));
  sendAddress(c, generationOf(c, c.principal().user_id));
}

void FeedHandlers::portalAddress(sdk::Context& c) { sendAddress(c, generationOf(c, c.principal().user_id)); }

void FeedHandlers::feed(sdk::Context& c) {
  if (c.config("feed_secret").empty()) throw sdk::NotFound("No such calendar.");
  const FeedOwner o = verified(c);
  EventStore store(c.db());
  // From two months back: a subscribed calendar keeps what it fetched before, and replaces the
  // rest at each refresh (events that left the feed leave the calendar).
  const std::string zone = firmZone(c);
  const std::string since = addDays(todayIn(zone), -62);
  std::vector<Event> events;
  if (o.portal) {
    // Read as the portal user (SDK 1.8 bindPortalUser): from here on the database gives this
    // request only the client's own events marked client_visible, and none of their staff-only
    // columns, whatever this query says; the filter below says the same (docs/schedules.md).
    c.bindPortalUser(o.user_id);
    events = store.find("e.client_id = $1 AND e.client_visible AND e.end_date >= $2", {o.client_id, since}, false, 2000);
  } else {
    events = store.find("e.end_date >= $1 AND e.id IN (SELECT event_id FROM schedule_attendees WHERE user_id = $2)",
                        {since, o.user_id}, false, 2000);
  }
  std::vector<IcsEvent> ics;
  ics.reserve(events.size());
  for (const auto& e : events) ics.push_back(EventStore::toIcs(e, c.principal().firm_id, !o.portal));
  const std::string body = buildCalendar(o.portal ? "Upcoming — " + o.name : "LexOS — " + o.name, ics);
  c.response().setHeader("Cache-Control", "private, no-store");
  c.response().setContentType("text/calendar; charset=utf-8");
  c.response().send(body);
}

void FeedHandlers::revoke(sdk::Context& c) {
  if (c.config("feed_secret").empty()) throw sdk::NotFound("No such calendar.");
  const FeedOwner o = verified(c);
  bump(c, o.user_id, o.portal ? sdk::Value(o.client_id) : sdk::Value(nullptr));
  c.audit().record("calendar.feed.revoke", "user", std::to_string(o.user_id));
  c.response().setStatus(204);
}

}  // namespace lexos::schedules
