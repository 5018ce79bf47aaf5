// SDK 1.8: a plugin's jobs (Registrar::addJob; http/job_runner.h) and Context::bindPortalUser, on
// both backends, with the probe plugin (tests/plugins/probe.cpp): its `tick` job writes a note,
// records an audit event and sends a mail; its `fails` job writes and then throws.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "app/host.h"
#include "data/connection.h"
#include "http/job_runner.h"
#include "identity/accounts.h"
#include "lexosd_process.h"
#include "test_host.h"

using namespace lexos::test;
using lexos::core::JobRunner;
namespace fs = std::filesystem;

namespace {

// Rows of `sql` in firm `firm`'s staff scope, through the database's tenancy.
lexos::sdk::ResultSet rowsIn(TestHost& t, std::int64_t firm, const std::string& sql) {
  auto c = t.host->pool().acquire();
  c->begin(false);
  c->setScope({firm, 0});
  auto rs = c->query(sql, {});
  c->commit();
  return rs;
}

std::size_t countIn(TestHost& t, std::int64_t firm, const std::string& sql) { return rowsIn(t, firm, sql).size(); }

// Outbox messages (mail.transport = outbox) whose text holds `what`.
int outboxWith(TestHost& t, const std::string& what) {
  int n = 0;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(fs::path(t.dir.path) / "state" / "outbox", ec)) {
    std::ifstream in(f.path());
    std::stringstream ss;
    ss << in.rdbuf();
    if (ss.str().find(what) != std::string::npos) ++n;
  }
  return n;
}

const JobRunner::Outcome* outcome(const std::vector<JobRunner::Outcome>& all, const std::string& job, std::int64_t firm) {
  for (const auto& o : all)
    if (o.job == job && o.firm == firm) return &o;
  return nullptr;
}

const char* kJobsOn = "[plugin.probe]\njobs = on\n";
const char* kThreadOff = "[jobs]\nenabled = false\n";

}  // namespace

TEST_CASE("a plugin job runs for each firm with its module on once per interval and commits its work with its audit and mail") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  // The runner's own thread is off: this test drives the passes.
  TestHost t(db, "probe", std::string(kJobsOn) + kThreadOff);
  const auto alpha = t.firm("alpha");
  const auto beta = t.firm("beta");
  const auto gamma = t.firm("gamma");
  lexos::core::Accounts(*t.host).setModule("gamma", "probe", false);
  auto& runner = t.host->jobRunner();

  auto first = runner.runOnce(false);
  for (auto firm : {alpha, beta}) {
    INFO("firm " << firm);
    auto tick = outcome(first, "probe.tick", firm);
    REQUIRE(tick);
    CHECK(tick->ran);
    CHECK(tick->ok);
    CHECK(tick->error.empty());
    CHECK(countIn(t, firm, "SELECT id FROM probe_notes WHERE text = 'tick'") == 1);
  }
  // The firm that switched the module off: not run, no row.
  auto off = outcome(first, "probe.tick", gamma);
  REQUIRE(off);
  CHECK_FALSE(off->ran);
  CHECK(countIn(t, gamma, "SELECT id FROM probe_notes") == 0);
  CHECK(countIn(t, gamma, "SELECT job FROM job_runs") == 0);

  // Its mail went through the durable queue (the outbox transport writes the file at once).
  CHECK(waitFor([&] { return outboxWith(t, "probe tick " + std::to_string(alpha)) == 1; }, 10));
  CHECK(outboxWith(t, "probe tick " + std::to_string(beta)) == 1);
  CHECK(outboxWith(t, "probe tick " + std::to_string(gamma)) == 0);
  // Its audit event, chained by the sequencer (or still pending).
  CHECK(waitFor([&] {
    return countIn(t, alpha, "SELECT action FROM audit_log WHERE action = 'probe.tick' UNION ALL "
                             "SELECT action FROM audit_pending WHERE action = 'probe.tick'") == 1;
  }, 10));

  // The job that throws: none of its writes, audit events or mail stay; the run is recorded.
  auto failed = outcome(first, "probe.fails", alpha);
  REQUIRE(failed);
  CHECK(failed->ran);
  CHECK_FALSE(failed->ok);
  CHECK_THAT(failed->error, Catch::Contains("a job has no request"));
  CHECK(countIn(t, alpha, "SELECT id FROM probe_notes WHERE text = 'fails'") == 0);
  CHECK(countIn(t, alpha, "SELECT action FROM audit_pending WHERE action = 'probe.fails' UNION ALL "
                          "SELECT action FROM audit_log WHERE action = 'probe.fails'") == 0);
  auto runs = rowsIn(t, alpha, "SELECT job, last_status, runs, failures, last_error FROM job_runs ORDER BY job");
  REQUIRE(runs.rows.size() == 2);
  CHECK(lexos::sdk::asText(runs.rows[0][0]) == "probe.fails");
  CHECK(lexos::sdk::asText(runs.rows[0][1]) == "failed");
  CHECK(lexos::sdk::asInt(runs.rows[0][3]) == 1);
  CHECK_THAT(lexos::sdk::asText(runs.rows[0][4]), Catch::Contains("a job has no request"));
  CHECK(lexos::sdk::asText(runs.rows[1][0]) == "probe.tick");
  CHECK(lexos::sdk::asText(runs.rows[1][1]) == "ok");
  CHECK(lexos::sdk::asInt(runs.rows[1][2]) == 1);
  CHECK(lexos::sdk::asInt(runs.rows[1][3]) == 0);
  // Another firm's scope never reads alpha's runs.
  CHECK(countIn(t, beta, "SELECT job FROM job_runs WHERE firm_id = " + std::to_string(alpha)) == 0);

  // At once again: not due (every 10 s), nothing runs.
  auto second = runner.runOnce(false);
  for (const auto& o : second) {
    INFO(o.job << " firm " << o.firm);
    CHECK_FALSE(o.ran);
  }
  CHECK(countIn(t, alpha, "SELECT id FROM probe_notes WHERE text = 'tick'") == 1);
  // Forced: runs again.
  auto forced = runner.runOnce(true);
  REQUIRE(outcome(forced, "probe.tick", alpha));
  CHECK(outcome(forced, "probe.tick", alpha)->ok);
  CHECK(countIn(t, alpha, "SELECT id FROM probe_notes WHERE text = 'tick'") == 2);
  CHECK_FALSE(outcome(forced, "probe.tick", gamma)->ran);  // forced or not, the module is off
  CHECK(runner.succeeded() == 4);
  CHECK(runner.failedRuns() == 4);
}

TEST_CASE("two job runners on one database claim each firm's run once") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe", std::string(kJobsOn) + kThreadOff);
  std::vector<std::int64_t> firms;
  for (int i = 0; i < 6; ++i) firms.push_back(t.firm("firm" + std::to_string(i)));
  // A second runner beside the host's: what a second lexosd on the same database does.
  lexos::core::Services& services = t.host->services();
  JobRunner other(services);
  std::vector<JobRunner::Outcome> a, b;
  std::thread ta([&] { a = t.host->jobRunner().runOnce(false); });
  std::thread tb([&] { b = other.runOnce(false); });
  ta.join();
  tb.join();
  for (auto firm : firms) {
    INFO("firm " << firm);
    const auto* x = outcome(a, "probe.tick", firm);
    const auto* y = outcome(b, "probe.tick", firm);
    REQUIRE(x);
    REQUIRE(y);
    CHECK(int(x->ran) + int(y->ran) == 1);
    CHECK(countIn(t, firm, "SELECT id FROM probe_notes WHERE text = 'tick'") == 1);
    CHECK(lexos::sdk::asInt(rowsIn(t, firm, "SELECT runs FROM job_runs WHERE job = 'probe.tick'").rows.at(0).at(0)) == 1);
  }
}

TEST_CASE("lexosd runs the jobs on its own thread and jobs.enabled = false leaves them to other nodes") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  {
    TestHost t(db, "probe", kJobsOn);
    const auto alpha = t.firm("alpha");
    CHECK(waitFor([&] { return countIn(t, alpha, "SELECT id FROM probe_notes WHERE text = 'tick'") >= 1; }, 30));
  }
  {
    TestHost t(db, "probe", std::string(kJobsOn) + kThreadOff);
    const auto alpha = t.firm("alpha");
    std::this_thread::sleep_for(std::chrono::seconds(12));  // two ticks of the thread, were it on
    CHECK(countIn(t, alpha, "SELECT id FROM probe_notes") == 0);
    CHECK(countIn(t, alpha, "SELECT job FROM job_runs") == 0);
  }
}

TEST_CASE("jobs.enabled takes true or false and a wrong value names the key") {
  // (The registry's checks of a job's declaration: tests/unit/plugins/registry_descriptions_test.cpp.)
  const Db db = Db::SQLite;
  bool refused = false;
  try {
    TestHost t(db, "probe", "[jobs]\nenabled = maybe\n");
  } catch (const std::exception& e) {
    refused = true;
    CHECK_THAT(e.what(), Catch::Contains("jobs.enabled"));
  }
  CHECK(refused);
}

TEST_CASE("bindPortalUser narrows a public request to one portal user's scope in the database") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "probe,clients,portal", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  const auto alpha = t.firm("alpha");
  const auto beta = t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  auto staff = t.signedIn("alpha", "owner@alpha.test");
  const std::string c1 = jsonField(staff.post("/api/v1/clients", R"({"name":"Client One"})").body, "id");
  const std::string c2 = jsonField(staff.post("/api/v1/clients", R"({"name":"Client Two"})").body, "id");
  REQUIRE(!c1.empty());
  // Client one: a visible and a hidden item; client two: a visible one.
  REQUIRE(staff.request("POST", "/api/v1/probe/items?client_id=" + c1 + "&visible=1&label=mine", "", "text/plain").status == 201);
  REQUIRE(staff.request("POST", "/api/v1/probe/items?client_id=" + c1 + "&visible=0&label=hidden", "", "text/plain").status == 201);
  REQUIRE(staff.request("POST", "/api/v1/probe/items?client_id=" + c2 + "&visible=1&label=theirs", "", "text/plain").status == 201);
  const auto user1 = t.portalUser("alpha", std::stoll(c1), "one@client.test");
  const auto staffId = t.staff("alpha", "para@alpha.test", "paralegal");
  HttpClient anon = t.client();
  const std::string base = "/api/v1/probe/as-portal?firm=" + std::to_string(alpha) + "&user=";

  auto r = anon.get(base + std::to_string(user1));
  INFO(r.body);
  REQUIRE(r.status == 200);
  Poco::JSON::Parser parser;
  auto o = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
  CHECK(o->getValue<int>("staff_scope_items") == 3);  // before: the firm's staff scope
  CHECK(o->getValue<bool>("portal"));
  CHECK(o->getValue<std::int64_t>("user_id") == user1);
  CHECK(std::to_string(o->getValue<std::int64_t>("client_id")) == c1);
  CHECK(o->getValue<bool>("can_read"));
  CHECK_FALSE(o->getValue<bool>("can_write"));
  // After: the database gives only client one's visible item, and only its portal columns.
  const std::string rows = o->getValue<std::string>("rows");
  CHECK_THAT(rows, Catch::Contains("\"label\":\"mine\""));
  CHECK_THAT(rows, !Catch::Contains("hidden") && !Catch::Contains("theirs"));
  auto notes = parser.parse(anon.get(base + std::to_string(user1) + "&sql=SELECT%20*%20FROM%20probe_notes").body)
                   .extract<Poco::JSON::Object::Ptr>();
  CHECK((notes->has("refused") || notes->getValue<std::string>("rows") == "{\"items\":[]}"));

  // Not a portal user of the bound firm: a member of staff, another firm's binding, nobody.
  CHECK(anon.get(base + std::to_string(staffId)).status == 404);
  CHECK(anon.get("/api/v1/probe/as-portal?firm=" + std::to_string(beta) + "&user=" + std::to_string(user1)).status == 404);
  CHECK(anon.get(base + "0").status == 404);
  // Before bindFirm, or twice: refused.
  CHECK(anon.get(base + std::to_string(user1) + "&step=user-first").status == 403);
  CHECK(anon.get(base + std::to_string(user1) + "&twice=1").status == 403);
  // A signed-in request is not a public, unbound one: its own scope stays.
  CHECK(staff.get(base + std::to_string(user1)).status == 403);
  // The firm's portal switched off: no portal user can be bound.
  lexos::core::Accounts(*t.host).setModule("alpha", "portal", false);
  CHECK(anon.get(base + std::to_string(user1)).status == 404);
}

TEST_CASE("lexosctl jobs lists the jobs and each firm's runs and jobs run runs them now") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe", kJobsOn);
  std::string out;
  REQUIRE(lexosctl(config, "migrate", out) == 0);
  REQUIRE(lexosctl(config, "firm create --slug alpha --name Alpha", out) == 0);
  REQUIRE(lexosctl(config, "firm create --slug beta --name Beta", out) == 0);
  REQUIRE(lexosctl(config, "jobs", out) == 0);
  CHECK_THAT(out, Catch::Contains("probe.tick\tevery 10 s\ta note, an audit event and a mail"));
  CHECK_THAT(out, Catch::Contains("probe.fails\tevery 10 s"));
  CHECK_THAT(out, !Catch::Contains("alpha\t"));  // nothing has run yet
  // One firm, one job: ok, exit 0.
  CHECK(lexosctl(config, "jobs run --firm alpha --job probe.tick", out) == 0);
  CHECK_THAT(out, Catch::Contains("probe.tick\tfirm ") && Catch::Contains("\tok"));
  CHECK_THAT(out, !Catch::Contains("probe.fails"));
  // Everything: the failing job fails in each firm, exit 3, with its error.
  CHECK(lexosctl(config, "jobs run", out) == 3);
  CHECK_THAT(out, Catch::Contains("probe.fails\tfirm ") && Catch::Contains("failed: a job has no request"));
  REQUIRE(lexosctl(config, "jobs --firm alpha", out) == 0);
  CHECK_THAT(out, Catch::Contains("alpha\tprobe.tick\tlast ") && Catch::Contains("runs 2\tfailures 0"));
  CHECK_THAT(out, Catch::Contains("alpha\tprobe.fails\tlast ") && Catch::Contains("runs 1\tfailures 1"));
  CHECK_THAT(out, !Catch::Contains("beta\t"));
  // Bad names are refused, naming the option.
  CHECK(lexosctl(config, "jobs run --job probe.nope", out) != 0);
  CHECK_THAT(out, Catch::Contains("--job: no job 'probe.nope'"));
  CHECK(lexosctl(config, "jobs --firm gamma", out) != 0);
  CHECK_THAT(out, Catch::Contains("gamma"));
}

TEST_CASE("a schedules reminder_seconds outside 10 to 3600 stops start-up naming the key") {
  for (const std::string bad : {"5", "3601", "soon"}) {
    INFO(bad);
    TempDir plugins;
    bool refused = false;
    try {
      TestHost t(Db::SQLite, "clients,cases,schedules",
                 "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[plugin.schedules]\nreminder_seconds = " + bad + "\n");
    } catch (const std::exception& e) {
      refused = true;
      CHECK_THAT(e.what(), Catch::Contains("reminder_seconds"));
    }
    CHECK(refused);
  }
}
