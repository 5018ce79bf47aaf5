// The schedules module (issue 13, item 2): events per case in the firm's time zone, the
// client_visible flag enforced by the database, the portal's "Upcoming", private ICS feeds read
// back by an independent parser (python3-icalendar), revocation, and e-mail reminders queued as
// rows and sent by the dispatch route. Both backends, a real lexosd on a real port.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "app/host.h"
#include "data/connection_pool.h"
#include "identity/accounts.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

const char* kFeedSecret = "schedules-test-feed-secret-0123456789abcdef";
const char* kDispatchSecret = "schedules-test-dispatch-secret";

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE((r.status == 200 || r.status == 201));
  return jsonField(r.body, "id");
}

bool has(const std::string& body, const std::string& what) { return body.find(what) != std::string::npos; }

// The "field" of an error answer {"error": {"code", "message", "field"}}.
std::string errorField(const std::string& body) {
  const std::string key = "\"field\":\"";
  const auto p = body.find(key);
  if (p == std::string::npos) return "";
  return body.substr(p + key.size(), body.find('"', p + key.size()) - p - key.size());
}

// The feed's path from the URL the API gives (server.public_url is not this test's port).
std::string feedPath(const std::string& url) {
  const auto p = url.find("/api/v1/calendar/feeds/");
  REQUIRE(p != std::string::npos);
  return url.substr(p);
}

// A UTC instant `minutes` from now, "YYYY-MM-DDTHH:MM:00Z".
std::string utcIn(long minutes) {
  std::time_t t = std::time(nullptr) + minutes * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:00Z", &tm);
  return buf;
}

// The calendar as python3-icalendar reads it (tests/integration/ics_summary.py).
Object::Ptr parseIcs(const std::string& ics) {
  TempDir tmp;
  const std::string file = tmp.path + "/feed.ics";
  std::ofstream(file, std::ios::binary) << ics;
  // Debian's python3, where Debian's python3-icalendar is (not a python3 of pyenv or a venv on PATH).
  const std::string cmd = std::string("/usr/bin/python3 ") + LEXOS_SOURCE_DIR + "/tests/integration/ics_summary.py " + file + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = ::pclose(p);
  INFO("python3-icalendar (Debian python3-icalendar, installed by scripts/deps.sh): " << out);
  REQUIRE(rc == 0);
  Poco::JSON::Parser parser;
  return parser.parse(out).extract<Object::Ptr>();
}

Object::Ptr eventByUid(const Object::Ptr& cal, const std::string& uid) {
  auto events = cal->getArray("events");
  for (std::size_t i = 0; i < events->size(); ++i)
    if (events->getObject(i)->getValue<std::string>("uid") == uid) return events->getObject(i);
  return nullptr;
}

std::size_t eventCount(const Object::Ptr& cal) { return cal->getArray("events")->size(); }


struct Office {
  // jobs: whether lexosd's job runner sends reminders on its own (SDK 1.8); off, the dispatch
  // route alone sends them, so the tests of that route see every due reminder.
  explicit Office(Db db, bool jobs = false)
      : t(db, "clients,cases,portal,schedules",
          "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[plugin.schedules]\nfeed_secret = " + kFeedSecret +
              "\ndispatch_secret = " + kDispatchSecret + "\n" +
              (jobs ? "reminder_seconds = 10\n" : "[jobs]\nenabled = false\n")) {
    alpha = t.firm("alpha");
    beta = t.firm("beta");
    ownerId = t.staff("alpha", "owner@alpha.test", "owner");
    paralegalId = t.staff("alpha", "paralegal@alpha.test", "paralegal");
    t.staff("alpha", "billing@alpha.test", "billing");
    t.staff("beta", "owner@beta.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    // The firm's time zone is the host's firm setting (SDK 1.5 Context::firm).
    REQUIRE(staff->request("PATCH", "/api/v1/firm", R"({"time_zone":"America/Chicago"})").status == 200);
    paralegal = std::make_unique<HttpClient>(t.signedIn("alpha", "paralegal@alpha.test"));
    billing = std::make_unique<HttpClient>(t.signedIn("alpha", "billing@alpha.test"));
    other = std::make_unique<HttpClient>(t.signedIn("beta", "owner@beta.test"));
    anderson = idOf(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson","email":"neo@client.test"})"));
    smith = idOf(staff->post("/api/v1/clients", R"({"name":"Agent Smith"})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson + R"(,"title":"Anderson v. Metacortex"})"));
    smithCase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + smith + R"(,"title":"Smith matter"})"));
    andersonUser = t.portalUser("alpha", std::stoll(anderson), "anderson@client.test");
    t.portalUser("alpha", std::stoll(smith), "smith@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
    smithPortal = std::make_unique<HttpClient>(t.signedIn("alpha", "smith@client.test"));
  }
  HttpResult addEvent(const std::string& caseId, const std::string& json) {
    return staff->post("/api/v1/cases/" + caseId + "/events", json);
  }
  // Rows of `table` a scope reads (portal scope: client != 0), through the database's tenancy.
  lexos::sdk::ResultSet rowsIn(const std::string& sql, std::int64_t client) {
    auto c = t.host->pool().acquire();
    c->begin(false);
    c->setScope({alpha, client});
    auto rs = c->query(sql, {});
    c->commit();
    return rs;
  }
  std::string feedOf(HttpClient& who, const std::string& route) {
    auto r = who.get(route);
    INFO(r.status << " " << r.body);
    REQUIRE(r.status == 200);
    return jsonField(r.body, "url");
  }
  HttpResult fetchFeed(const std::string& url) {
    HttpClient anonymous = t.client();  // a calendar program: no cookie
    return anonymous.get(feedPath(url));
  }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, paralegal, billing, other, portal, smithPortal;
  std::string anderson, smith, kase, smithCase;
  std::int64_t alpha = 0, beta = 0, ownerId = 0, paralegalId = 0, andersonUser = 0;
};

std::string idIn(const std::string& body) { return jsonField(body, "id"); }

}  // namespace

TEST_CASE("a hearing marked visible shows in the portal and in the client's ICS feed, an internal one in neither") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  auto hearing = o.addEvent(o.kase, R"({"title":"Motion hearing","kind":"hearing","starts_at":"2030-03-12T09:30",)"
                                    R"("ends_at":"2030-03-12T10:15","location":"Courtroom 4B","client_visible":true,)"
                                    R"("notes":"MARKER-internal-strategy"})");
  REQUIRE(hearing.status == 201);
  const std::string hearingId = idIn(hearing.body);
  // Timed in the firm's zone: 09:30 in Chicago on 12 March 2030 (CDT, UTC-5) is 14:30 UTC.
  CHECK(jsonField(hearing.body, "starts_at") == "2030-03-12T14:30:00Z");
  CHECK(jsonField(hearing.body, "starts_local") == "2030-03-12T09:30");
  CHECK(jsonField(hearing.body, "time_zone") == "America/Chicago");
  CHECK(has(hearing.body, "\"client_visible\":true"));
  auto internal = o.addEvent(o.kase, R"({"title":"Strategy meeting","kind":"meeting","starts_at":"2030-03-11T16:00"})");
  REQUIRE(internal.status == 201);
  CHECK(has(internal.body, "\"client_visible\":false"));  // off by default
  const std::string internalId = idIn(internal.body);
  auto deadline = o.addEvent(o.kase, R"({"title":"Discovery cut-off","kind":"deadline","all_day":true,"starts_at":"2030-03-20","client_visible":true})");
  REQUIRE(deadline.status == 201);
  const std::string deadlineId = idIn(deadline.body);

  // The portal API: the visible events only, without the firm's notes.
  auto mine = o.portal->get("/api/v1/portal/events");
  REQUIRE(mine.status == 200);
  CHECK(has(mine.body, "Motion hearing"));
  CHECK(has(mine.body, "Discovery cut-off"));
  CHECK(!has(mine.body, "Strategy meeting"));
  CHECK(!has(mine.body, "MARKER-internal-strategy"));
  CHECK(!has(mine.body, "client_visible"));
  auto onMatter = o.portal->get("/api/v1/portal/events?case_id=" + o.kase);
  REQUIRE(onMatter.status == 200);
  CHECK(has(onMatter.body, "Motion hearing"));
  CHECK(!has(onMatter.body, "Strategy meeting"));
  // Another client of the firm sees none of it; their matter filter on this case is a 404.
  CHECK(!has(o.smithPortal->get("/api/v1/portal/events").body, "Motion hearing"));
  CHECK(o.smithPortal->get("/api/v1/portal/events?case_id=" + o.kase).status == 404);

  // The database itself: a portal scope reads the visible rows only, and NULL for the notes.
  auto portalRows = o.rowsIn("SELECT id, notes, created_by FROM schedule_events ORDER BY id", std::stoll(o.anderson));
  REQUIRE(portalRows.size() == 2);
  for (const auto& r : portalRows.rows) {
    CHECK(std::to_string(lexos::sdk::asInt(r[0])) != internalId);
    CHECK(lexos::sdk::isNull(r[1]));
    CHECK(lexos::sdk::isNull(r[2]));
  }
  CHECK(o.rowsIn("SELECT id FROM schedule_events", 0).size() == 3);
  CHECK(o.rowsIn("SELECT * FROM schedule_attendees", std::stoll(o.anderson)).size() == 0);
  CHECK(o.rowsIn("SELECT * FROM schedule_reminders", std::stoll(o.anderson)).size() == 0);
  CHECK(o.rowsIn("SELECT id FROM schedule_events", std::stoll(o.smith)).size() == 0);

  // The client's ICS feed, fetched without a cookie and read by python3-icalendar.
  const std::string clientUrl = o.feedOf(*o.portal, "/api/v1/portal/calendar/feed");
  auto feed = o.fetchFeed(clientUrl);
  REQUIRE(feed.status == 200);
  CHECK(feed.header("content-type").find("text/calendar") == 0);
  CHECK(!has(feed.body, "Strategy meeting"));
  CHECK(!has(feed.body, "MARKER-internal-strategy"));
  auto cal = parseIcs(feed.body);
  CHECK(cal->getValue<std::string>("version") == "2.0");
  CHECK(cal->getValue<bool>("crlf"));
  CHECK(cal->getValue<int>("longest_line") <= 75);
  CHECK(eventCount(cal) == 2);
  const std::string uid = "event-" + std::to_string(o.alpha) + "-" + hearingId + "@schedules.lexos";
  auto ev = eventByUid(cal, uid);
  REQUIRE(ev);
  CHECK(ev->getValue<std::string>("summary") == "Hearing: Motion hearing");
  CHECK(ev->getValue<std::string>("location") == "Courtroom 4B");
  CHECK(ev->getValue<std::string>("status") == "CONFIRMED");
  auto start = ev->getObject("start");
  CHECK(start->getValue<std::string>("tzid") == "America/Chicago");
  CHECK(start->getValue<std::string>("local") == "2030-03-12T09:30:00");
  CHECK(start->getValue<std::string>("utc") == "2030-03-12T14:30:00Z");
  CHECK(ev->getObject("end")->getValue<std::string>("utc") == "2030-03-12T15:15:00Z");
  auto zones = cal->getArray("timezones");
  REQUIRE(zones->size() == 1);
  CHECK(zones->getElement<std::string>(0) == "America/Chicago");
  // The all-day deadline: a DATE, DTEND the day after (exclusive).
  auto dl = eventByUid(cal, "event-" + std::to_string(o.alpha) + "-" + deadlineId + "@schedules.lexos");
  REQUIRE(dl);
  CHECK(dl->getObject("start")->getValue<std::string>("kind") == "date");
  CHECK(dl->getObject("start")->getValue<std::string>("local") == "2030-03-20");
  CHECK(dl->getObject("end")->getValue<std::string>("local") == "2030-03-21");
  // The client's feed is read as the client (SDK 1.8 bindPortalUser: the database's portal scope),
  // which only a request without a session can be: staff signed in who open it get a 404.
  CHECK(o.staff->get(feedPath(clientUrl)).status == 404);
  CHECK(o.portal->get(feedPath(clientUrl)).status == 404);

  // The owner's feed (they put the events in, so they attend): all three, notes included.
  const std::string staffUrl = o.feedOf(*o.staff, "/api/v1/calendar/feed");
  auto staffFeed = o.fetchFeed(staffUrl);
  REQUIRE(staffFeed.status == 200);
  CHECK(has(staffFeed.body, "MARKER-internal-strategy"));
  CHECK(eventCount(parseIcs(staffFeed.body)) == 3);
  // A paralegal attends none of them: an empty calendar, still valid.
  auto paraFeed = o.fetchFeed(o.feedOf(*o.paralegal, "/api/v1/calendar/feed"));
  REQUIRE(paraFeed.status == 200);
  CHECK(eventCount(parseIcs(paraFeed.body)) == 0);

  // Making the internal meeting visible brings it to the portal and the feed; back, and it goes.
  REQUIRE(o.staff->request("PATCH", "/api/v1/events/" + internalId, R"({"client_visible":true})").status == 200);
  CHECK(has(o.portal->get("/api/v1/portal/events").body, "Strategy meeting"));
  CHECK(eventCount(parseIcs(o.fetchFeed(clientUrl).body)) == 3);
  REQUIRE(o.staff->request("PATCH", "/api/v1/events/" + internalId, R"({"client_visible":false})").status == 200);
  CHECK(!has(o.portal->get("/api/v1/portal/events").body, "Strategy meeting"));
  CHECK(!has(o.fetchFeed(clientUrl).body, "Strategy meeting"));

  // Another firm: no such event, no such case.
  CHECK(o.other->get("/api/v1/events/" + hearingId).status == 404);
  CHECK(o.other->request("PATCH", "/api/v1/events/" + hearingId, R"({"title":"x"})").status == 404);
  CHECK(o.other->post("/api/v1/cases/" + o.kase + "/events", R"({"title":"x","kind":"meeting","starts_at":"2030-01-01T10:00"})").status == 404);
  CHECK(!has(o.other->get("/api/v1/events").body, "Motion hearing"));
}

TEST_CASE("an event's changes bump its SEQUENCE under the same UID, and a cancelled one is STATUS:CANCELLED in the feed") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  auto made = o.addEvent(o.kase, R"({"title":"Deposition","kind":"meeting","starts_at":"2030-11-04T13:00","client_visible":true})");
  REQUIRE(made.status == 201);
  const std::string id = idIn(made.body);
  CHECK(jsonField(made.body, "sequence") == "0");
  const std::string uid = "event-" + std::to_string(o.alpha) + "-" + id + "@schedules.lexos";
  const std::string url = o.feedOf(*o.portal, "/api/v1/portal/calendar/feed");
  auto first = eventByUid(parseIcs(o.fetchFeed(url).body), uid);
  REQUIRE(first);
  CHECK(first->getValue<int>("sequence") == 0);
  // 13:00 on 4 Nov 2030 in Chicago is after the change to standard time (CST, UTC-6).
  CHECK(first->getObject("start")->getValue<std::string>("utc") == "2030-11-04T19:00:00Z");

  auto moved = o.staff->request("PATCH", "/api/v1/events/" + id, R"({"starts_at":"2030-11-05T15:00","location":"Suite 300"})");
  REQUIRE(moved.status == 200);
  CHECK(jsonField(moved.body, "sequence") == "1");
  auto second = eventByUid(parseIcs(o.fetchFeed(url).body), uid);
  REQUIRE(second);
  CHECK(second->getValue<int>("sequence") == 1);
  CHECK(second->getObject("start")->getValue<std::string>("local") == "2030-11-05T15:00:00");
  CHECK(second->getValue<std::string>("location") == "Suite 300");

  auto cancelled = o.staff->request("PATCH", "/api/v1/events/" + id, R"({"status":"cancelled"})");
  REQUIRE(cancelled.status == 200);
  CHECK(jsonField(cancelled.body, "status") == "cancelled");
  auto third = eventByUid(parseIcs(o.fetchFeed(url).body), uid);
  REQUIRE(third);
  CHECK(third->getValue<std::string>("status") == "CANCELLED");
  CHECK(third->getValue<int>("sequence") == 2);
  // The portal's Upcoming and the staff's upcoming lists leave it out; the case's list keeps it.
  CHECK(!has(o.portal->get("/api/v1/portal/events").body, "Deposition"));
  CHECK(!has(o.staff->get("/api/v1/events").body, "Deposition"));
  CHECK(has(o.staff->get("/api/v1/cases/" + o.kase + "/events").body, "\"status\":\"cancelled\""));
  // The calendar range keeps it, marked.
  auto range = o.staff->get("/api/v1/events?from=2030-11-01&to=2030-11-30");
  REQUIRE(range.status == 200);
  CHECK(has(range.body, "Deposition"));
}

TEST_CASE("a feed address is revocable: reset by staff, stopped by the portal client, and dead for a revoked user") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  REQUIRE(o.addEvent(o.kase, R"({"title":"Status conference","kind":"hearing","starts_at":"2030-05-02T11:00","client_visible":true})").status == 201);
  // Staff: reset gives a new address; the old one is a 404 at once.
  const std::string before = o.feedOf(*o.staff, "/api/v1/calendar/feed");
  REQUIRE(o.fetchFeed(before).status == 200);
  CHECK(o.feedOf(*o.staff, "/api/v1/calendar/feed") == before);  // stable until reset
  auto reset = o.staff->request("DELETE", "/api/v1/calendar/feed");
  REQUIRE(reset.status == 200);
  const std::string after = jsonField(reset.body, "url");
  CHECK(after != before);
  CHECK(o.fetchFeed(before).status == 404);
  CHECK(o.fetchFeed(after).status == 200);
  // A forged or altered token is a 404, as is one signed for another firm's user id.
  std::string forged = feedPath(after);
  forged[forged.size() - 6] = forged[forged.size() - 6] == 'a' ? 'b' : 'a';
  CHECK(o.t.client().get(forged).status == 404);
  CHECK(o.t.client().get("/api/v1/calendar/feeds/" + std::to_string(o.beta) + "-1-0-" + std::string(64, 'a') + ".ics").status == 404);

  // The portal client stops their own address (holding it is the credential); a new one works.
  const std::string clientUrl = o.feedOf(*o.portal, "/api/v1/portal/calendar/feed");
  REQUIRE(o.fetchFeed(clientUrl).status == 200);
  HttpClient anonymous = o.t.client();
  CHECK(anonymous.request("DELETE", feedPath(clientUrl)).status == 204);
  CHECK(o.fetchFeed(clientUrl).status == 404);
  const std::string next = o.feedOf(*o.portal, "/api/v1/portal/calendar/feed");
  CHECK(next != clientUrl);
  CHECK(o.fetchFeed(next).status == 200);

  // A firm that switches the module off serves no feed (a public route skips the guard's check).
  lexos::core::Accounts(*o.t.host).setModule("alpha", "schedules", false);
  CHECK(o.fetchFeed(next).status == 404);
  CHECK(o.fetchFeed(after).status == 404);
  lexos::core::Accounts(*o.t.host).setModule("alpha", "schedules", true);
  CHECK(o.fetchFeed(next).status == 200);

  // Revoking the client's portal access ends the feed too.
  REQUIRE(o.staff->request("DELETE", "/api/v1/clients/" + o.anderson + "/portal").status < 300);
  CHECK(o.fetchFeed(next).status == 404);
}

TEST_CASE("bad event input is refused with 400 naming the field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  auto field = [&](const std::string& json) {
    auto r = o.addEvent(o.kase, json);
    INFO(json << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    return errorField(r.body);
  };
  CHECK(field(R"({"kind":"hearing","starts_at":"2030-01-01T10:00"})") == "title");
  CHECK(field(R"({"title":"x","kind":"party","starts_at":"2030-01-01T10:00"})") == "kind");
  CHECK(field(R"({"title":"x","kind":"hearing"})") == "starts_at");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-02-30T10:00"})") == "starts_at");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"tomorrow"})") == "starts_at");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01"})") == "starts_at");
  // 02:30 on 10 March 2030 does not exist in Chicago (the clocks go from 02:00 to 03:00).
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-03-10T02:30"})") == "starts_at");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","ends_at":"2030-01-01T09:00"})") == "ends_at");
  CHECK(field(R"({"title":"x","kind":"deadline","all_day":true,"starts_at":"2030-01-01T10:00"})") == "starts_at");
  CHECK(field(R"({"title":"x","kind":"deadline","all_day":true,"starts_at":"2030-01-05","ends_at":"2030-01-01"})") == "ends_at");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","attendee_ids":[999999999]})") == "attendee_ids[0]");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","reminder_minutes":-5})") == "reminder_minutes");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","client_visible":"yes"})") == "client_visible");
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","colour":"red"})") == "colour");
  // A portal user is no attendee.
  CHECK(field(R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00","attendee_ids":[)" +
              std::to_string(o.andersonUser) + "]}") == "attendee_ids[0]");
  // Moving an event needs its start.
  auto made = o.addEvent(o.kase, R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00"})");
  REQUIRE(made.status == 201);
  auto patch = o.staff->request("PATCH", "/api/v1/events/" + idIn(made.body), R"({"ends_at":"2030-01-01T11:00"})");
  CHECK(patch.status == 400);
  CHECK(errorField(patch.body) == "starts_at");
  auto status = o.staff->request("PATCH", "/api/v1/events/" + idIn(made.body), R"({"status":"postponed"})");
  CHECK(status.status == 400);
  CHECK(errorField(status.body) == "status");
  auto range = o.staff->get("/api/v1/events?from=2030-01-01");
  CHECK(range.status == 400);
  CHECK(errorField(range.body) == "to");
  // A billing clerk reads the calendar but does not write it.
  CHECK(o.billing->get("/api/v1/events").status == 200);
  CHECK(o.billing->post("/api/v1/cases/" + o.kase + "/events", R"({"title":"x","kind":"hearing","starts_at":"2030-01-01T10:00"})").status == 403);
}

TEST_CASE("the firm's time zone (its Firm settings) times new events, and an event keeps the zone it was set in") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  CHECK(jsonField(o.staff->get("/api/v1/calendar/settings").body, "time_zone") == "America/Chicago");
  auto chicago = o.addEvent(o.kase, R"({"title":"Before the move","kind":"meeting","starts_at":"2030-07-01T09:00"})");
  REQUIRE(chicago.status == 201);
  auto zone = o.staff->request("PATCH", "/api/v1/firm", R"({"time_zone":"Europe/Berlin"})");
  REQUIRE(zone.status == 200);
  CHECK(jsonField(o.staff->get("/api/v1/calendar/settings").body, "time_zone") == "Europe/Berlin");
  // The event made before keeps its zone and instant.
  auto kept = o.staff->get("/api/v1/events/" + idIn(chicago.body));
  CHECK(jsonField(kept.body, "time_zone") == "America/Chicago");
  CHECK(jsonField(kept.body, "starts_at") == "2030-07-01T14:00:00Z");
  auto e = o.addEvent(o.kase, R"({"title":"Mediation","kind":"meeting","starts_at":"2030-07-01T09:00","client_visible":true})");
  REQUIRE(e.status == 201);
  CHECK(jsonField(e.body, "starts_at") == "2030-07-01T07:00:00Z");  // CEST, UTC+2
  CHECK(jsonField(e.body, "time_zone") == "Europe/Berlin");
  // A UTC instant is taken as it is.
  auto u = o.addEvent(o.kase, R"({"title":"Call","kind":"meeting","starts_at":"2030-01-15T23:30Z"})");
  REQUIRE(u.status == 201);
  CHECK(jsonField(u.body, "starts_at") == "2030-01-15T23:30:00Z");
  CHECK(jsonField(u.body, "starts_local") == "2030-01-16T00:30");  // CET: the next day in Berlin
  CHECK(jsonField(u.body, "start_date") == "2030-01-16");
  auto cal = parseIcs(o.fetchFeed(o.feedOf(*o.portal, "/api/v1/portal/calendar/feed")).body);
  // The portal's feed shows no internal event: only the visible Mediation, in Berlin time.
  auto zones = cal->getArray("timezones");
  REQUIRE(zones->size() == 1);
  CHECK(zones->getElement<std::string>(0) == "Europe/Berlin");
  // The month view's range finds it by its local date.
  CHECK(has(o.staff->get("/api/v1/events?from=2030-01-16&to=2030-01-16").body, "\"title\":\"Call\""));
  CHECK(!has(o.staff->get("/api/v1/events?from=2030-01-15&to=2030-01-15").body, "\"title\":\"Call\""));
}

TEST_CASE("e-mail reminders are queued as rows and sent once by the dispatch route") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  // Starts in 30 minutes with a reminder an hour before: due already. Two attendees.
  const std::string body = R"({"title":"Filing call","kind":"meeting","starts_at":")" + utcIn(30) +
                           R"(","reminder_minutes":60,"attendee_ids":[)" + std::to_string(o.ownerId) + "," +
                           std::to_string(o.paralegalId) + "]}";
  auto made = o.addEvent(o.kase, body);
  REQUIRE(made.status == 201);
  // Another, whose reminder is not due yet, and one cancelled after it was queued.
  REQUIRE(o.addEvent(o.kase, R"({"title":"Later hearing","kind":"hearing","starts_at":")" + utcIn(60 * 24 * 10) +
                                 R"(","reminder_minutes":60})").status == 201);
  auto gone = o.addEvent(o.kase, R"({"title":"Called off","kind":"meeting","starts_at":")" + utcIn(20) + R"(","reminder_minutes":60})");
  REQUIRE(gone.status == 201);
  REQUIRE(o.staff->request("PATCH", "/api/v1/events/" + idIn(gone.body), R"({"status":"cancelled"})").status == 200);
  CHECK(o.rowsIn("SELECT id FROM schedule_reminders WHERE status = 'queued'", 0).size() == 3);

  HttpClient timer = o.t.client();
  const std::string firm = R"({"firm_id":)" + std::to_string(o.alpha) + "}";
  // Without the secret, or with a wrong one, the route is not there.
  CHECK(timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm).status == 404);
  CHECK(timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                      {{"Authorization", "Bearer wrong"}}).status == 404);
  auto sent = timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                            {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  INFO(sent.body);
  REQUIRE(sent.status == 200);
  CHECK(jsonField(sent.body, "sent") == "2");
  CHECK(jsonField(sent.body, "dropped") == "0");
  auto again = timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                             {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  REQUIRE(again.status == 200);
  CHECK(jsonField(again.body, "sent") == "0");
  CHECK(o.rowsIn("SELECT id FROM schedule_reminders WHERE status = 'sent'", 0).size() == 2);
  CHECK(o.rowsIn("SELECT id FROM schedule_reminders WHERE status = 'queued'", 0).size() == 1);  // the later hearing
  // A change of place does not remind anyone again; a new time does.
  REQUIRE(o.staff->request("PATCH", "/api/v1/events/" + idIn(made.body), R"({"location":"Room 5"})").status == 200);
  auto same = timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                            {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  CHECK(jsonField(same.body, "sent") == "0");
  REQUIRE(o.staff->request("PATCH", "/api/v1/events/" + idIn(made.body), R"({"starts_at":")" + utcIn(40) + R"("})").status == 200);
  auto moved = timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                             {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  CHECK(jsonField(moved.body, "sent") == "2");
  // An event that has begun by the time the timer comes: its reminder is dropped, not sent late.
  while (std::time(nullptr) % 60 > 50) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a start well ahead
  auto begun = o.addEvent(o.kase, R"({"title":"Already begun","kind":"meeting","starts_at":")" + utcIn(1) +
                                      R"(","reminder_minutes":30})");
  REQUIRE(begun.status == 201);
  // utcIn(1) is the start of the next minute: wait until just past it.
  const std::time_t startsAt = (std::time(nullptr) / 60 + 1) * 60;
  while (std::time(nullptr) <= startsAt) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto late = timer.request("POST", "/api/v1/calendar/reminders/dispatch", firm, "application/json",
                            {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  CHECK(jsonField(late.body, "sent") == "0");
  CHECK(jsonField(late.body, "dropped") == "1");

  // The two messages, in the outbox, after the commit.
  const fs::path outbox = fs::path(o.t.dir.path) / "state" / "outbox";
  std::string all;
  for (int i = 0; i < 50; ++i) {
    all.clear();
    int n = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(outbox, ec)) {
      std::ifstream in(f.path());
      std::stringstream ss;
      ss << in.rdbuf();
      if (ss.str().find("Filing call") != std::string::npos) ++n;
      all += ss.str();
    }
    if (n >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(has(all, "owner@alpha.test"));
  CHECK(has(all, "paralegal@alpha.test"));
  CHECK(!has(all, "Called off"));
  // Another firm's id with the secret: that firm has nothing due.
  auto beta = timer.request("POST", "/api/v1/calendar/reminders/dispatch", R"({"firm_id":)" + std::to_string(o.beta) + "}",
                            "application/json", {{"Authorization", std::string("Bearer ") + kDispatchSecret}});
  CHECK(beta.status == 200);
  CHECK(jsonField(beta.body, "sent") == "0");
}

TEST_CASE("lexosd sends due reminders on its own through the module's job, once, and none for a firm with schedules off") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db, true);
  lexos::core::Accounts(*o.t.host).setModule("beta", "schedules", false);
  // The runner may have run beta's job before the switch (a pass every few seconds since start):
  // from the switch on, no more runs for beta.
  auto betaRuns = [&] {
    auto c = o.t.host->pool().acquire();
    c->begin(false);
    c->setScope({o.beta, 0});
    auto rs = c->query("SELECT runs FROM job_runs WHERE job = 'schedules.reminders'", {});
    c->commit();
    return rs.empty() ? std::int64_t(0) : lexos::sdk::asInt(rs.rows[0][0]);
  };
  std::this_thread::sleep_for(std::chrono::seconds(1));  // a pass in flight at the switch ends
  const std::int64_t betaBefore = betaRuns();
  // Due already (starts in 30 minutes, reminder an hour before); and one not due for days.
  REQUIRE(o.addEvent(o.kase, R"({"title":"Job call","kind":"meeting","starts_at":")" + utcIn(30) +
                                 R"(","reminder_minutes":60,"attendee_ids":[)" + std::to_string(o.ownerId) + "," +
                                 std::to_string(o.paralegalId) + "]}")
              .status == 201);
  REQUIRE(o.addEvent(o.kase, R"({"title":"Far hearing","kind":"hearing","starts_at":")" + utcIn(60 * 24 * 10) +
                                 R"(","reminder_minutes":60})").status == 201);
  // No timer calls the dispatch route: the host's job runner (a pass every few seconds) sends it.
  bool sent = false;
  for (int i = 0; i < 300 && !sent; ++i) {
    sent = o.rowsIn("SELECT id FROM schedule_reminders WHERE status = 'sent'", 0).size() == 2;
    if (!sent) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(sent);
  CHECK(o.rowsIn("SELECT id FROM schedule_reminders WHERE status = 'queued'", 0).size() == 1);
  // The run's end is recorded in a transaction of its own after the run's (and after the outbox
  // is written): CI read it in between on a loaded machine. Wait for it.
  auto lastStatus = [&] {
    auto run = o.rowsIn("SELECT last_status, runs FROM job_runs WHERE job = 'schedules.reminders'", 0);
    return run.rows.size() == 1 ? lexos::sdk::asText(run.rows[0][0]) : std::string("(no row)");
  };
  waitFor([&] {
    const std::string s = lastStatus();
    return s == "ok" || s == "failed";
  }, 10);
  CHECK(lastStatus() == "ok");
  // The message, in the outbox, once, to the attendee; and nothing more on the next passes.
  const fs::path outbox = fs::path(o.t.dir.path) / "state" / "outbox";
  auto count = [&] {
    int n = 0;
    std::error_code ec;
    for (const auto& f : fs::directory_iterator(outbox, ec)) {
      std::ifstream in(f.path());
      std::stringstream ss;
      ss << in.rdbuf();
      if (ss.str().find("Job call") != std::string::npos && ss.str().find("paralegal@alpha.test") != std::string::npos) ++n;
    }
    return n;
  };
  for (int i = 0; i < 50 && count() < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(count() == 1);
  o.t.host->jobRunner().runOnce(true);
  CHECK(count() == 1);
  // The firm with schedules off: not run since the switch, forced or not.
  CHECK(betaRuns() == betaBefore);
  // The run is in the audit chain as the dispatch route's is.
  CHECK(o.rowsIn("SELECT action FROM audit_log WHERE action = 'calendar.reminders.dispatch' UNION ALL "
                 "SELECT action FROM audit_pending WHERE action = 'calendar.reminders.dispatch'", 0).size() == 1);
}

TEST_CASE("without a feed secret the feed routes say so and no address is made") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "clients,cases,portal,schedules", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  auto staff = t.signedIn("alpha", "owner@alpha.test");
  auto r = staff.get("/api/v1/calendar/feed");
  CHECK(r.status == 503);
  CHECK(has(r.body, "feed_secret"));
  CHECK(t.client().get("/api/v1/calendar/feeds/1-1-0-" + std::string(64, 'a') + ".ics").status == 404);
  // The time zone defaults to UTC.
  CHECK(jsonField(staff.get("/api/v1/calendar/settings").body, "time_zone") == "UTC");
}
