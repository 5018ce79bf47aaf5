// GET /metrics (docs/operations.md, "Metrics"): off by default; on metrics.listen, a listener of
// its own that answers /metrics only, in a text the Prometheus client's own parser reads
// (tests/integration/metrics_parse.py, Debian's python3-prometheus-client); requests counted by
// route template (never a path, which may hold a token), method and status, with latency
// buckets; the pool, the session cache, workers, mail, plugins, build and process figures.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/ServerSocket.h>
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "lexosd_process.h"
#include "test_host.h"

using namespace lexos::test;
using Poco::JSON::Object;

namespace {

constexpr const char* kToken = "tok3n-5ecret-9f1b2c7d";

/// One scrape, as the Prometheus client's parser read it.
struct Scrape {
  std::string text;
  Object::Ptr parsed;

  /// The sum of the samples named `name` whose labels include `labels` (0 when none).
  double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    double sum = 0;
    auto samples = parsed->getArray("samples");
    for (std::size_t i = 0; i < samples->size(); ++i) {
      auto s = samples->getObject(i);
      if (s->getValue<std::string>("name") != name) continue;
      auto l = s->getObject("labels");
      bool match = true;
      for (const auto& [k, v] : labels) match = match && l->has(k) && l->getValue<std::string>(k) == v;
      if (match) sum += s->getValue<double>("value");
    }
    return sum;
  }
  bool has(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    auto samples = parsed->getArray("samples");
    for (std::size_t i = 0; i < samples->size(); ++i) {
      auto s = samples->getObject(i);
      if (s->getValue<std::string>("name") != name) continue;
      auto l = s->getObject("labels");
      bool match = true;
      for (const auto& [k, v] : labels) match = match && l->has(k) && l->getValue<std::string>(k) == v;
      if (match) return true;
    }
    return false;
  }
  std::string type(const std::string& family) const {
    auto f = parsed->getObject("families");
    return f->has(family) ? f->getValue<std::string>(family) : "";
  }
  /// A label of the first sample named `name`.
  std::string label(const std::string& name, const std::string& key) const {
    auto samples = parsed->getArray("samples");
    for (std::size_t i = 0; i < samples->size(); ++i) {
      auto s = samples->getObject(i);
      if (s->getValue<std::string>("name") == name && s->getObject("labels")->has(key))
        return s->getObject("labels")->getValue<std::string>(key);
    }
    return "";
  }
};

Scrape parse(const std::string& text) {
  TempDir tmp;
  const std::string file = tmp.path + "/metrics.txt";
  std::ofstream(file, std::ios::binary) << text;
  // Debian's python3, where Debian's python3-prometheus-client is (not a pyenv or venv python3).
  const std::string cmd =
      std::string("/usr/bin/python3 ") + LEXOS_SOURCE_DIR + "/tests/integration/metrics_parse.py " + file + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int rc = ::pclose(p);
  INFO("the Prometheus client's parser (Debian python3-prometheus-client, installed by scripts/deps.sh): " << out);
  INFO("the text: " << text);
  REQUIRE(rc == 0);
  Poco::JSON::Parser parser;
  return Scrape{text, parser.parse(out).extract<Object::Ptr>()};
}

Scrape scrape(int metricsPort) {
  REQUIRE(metricsPort > 0);
  HttpClient c(metricsPort);
  auto r = c.get("/metrics");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  return parse(r.body);
}

std::string metricsOn(TempDir& plugins) {
  return "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[metrics]\nlisten = 127.0.0.1:0\n";
}

int runShell(const std::string& cmd, std::string& out) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

}  // namespace

TEST_CASE("metrics are off unless metrics.listen is set, and the API listener never answers /metrics") {
  TestHost t(Db::SQLite);
  CHECK(t.host->metricsPort() == 0);
  CHECK(t.host->services().http_metrics == nullptr);
  HttpClient c = t.client();
  REQUIRE(c.get("/healthz").status == 200);
  const auto r = c.get("/metrics");
  CHECK(r.status == 404);
  CHECK(r.body.find("lexos_") == std::string::npos);
}

TEST_CASE("/metrics counts requests by route template, method and status, and the Prometheus parser reads it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "probe,clients", metricsOn(plugins));
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  const int mport = t.host->metricsPort();
  REQUIRE(mport > 0);
  REQUIRE(mport != t.port());

  const Scrape before = scrape(mport);
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const auto made = owner.post("/api/v1/clients", R"({"name":"Metrics Client"})");
  REQUIRE(made.status == 201);
  const std::string id = jsonField(made.body, "id");
  for (int i = 0; i < 3; ++i) REQUIRE(owner.get("/api/v1/clients").status == 200);
  REQUIRE(owner.get("/api/v1/clients/" + id).status == 200);
  REQUIRE(owner.get(std::string("/api/v1/calendar/feeds/") + kToken).status == 404);
  REQUIRE(owner.get(std::string("/api/v1/") + kToken).status == 404);
  REQUIRE(owner.get("/metrics").status == 404);  // the API listener: counted, as "(no route)"
  REQUIRE(owner.get("/healthz").status == 200);
  REQUIRE(owner.post("/api/v1/users", R"({"email":"pat@alpha.test","role":"paralegal","name":"Pat"})").status == 201);
  const Scrape after = scrape(mport);

  auto delta = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    return after.value(name, labels) - before.value(name, labels);
  };
  const std::string req = "lexos_http_requests_total";
  CHECK(delta(req, {{"route", "/api/v1/auth/login"}, {"method", "POST"}, {"status", "200"}}) == 1);
  CHECK(delta(req, {{"route", "/api/v1/clients"}, {"method", "POST"}, {"status", "201"}}) == 1);
  CHECK(delta(req, {{"route", "/api/v1/clients"}, {"method", "GET"}, {"status", "200"}}) == 3);
  CHECK(delta(req, {{"route", "/api/v1/clients/{id}"}, {"method", "GET"}, {"status", "200"}}) == 1);
  CHECK(delta(req, {{"route", "(no route)"}, {"method", "GET"}, {"status", "404"}}) == 3);
  CHECK(delta(req, {{"route", "/healthz"}, {"method", "GET"}, {"status", "200"}}) == 1);
  CHECK(delta(req, {{"route", "/api/v1/users"}, {"method", "POST"}, {"status", "201"}}) == 1);
  CHECK(delta(req, {}) == 11);  // nothing else was counted, and nothing twice
  CHECK(after.type("lexos_http_request_duration_seconds") == "histogram");
  CHECK(delta("lexos_http_request_duration_seconds_count", {{"route", "/api/v1/clients"}, {"method", "GET"}}) == 3);
  CHECK(delta("lexos_http_request_duration_seconds_sum", {{"route", "/api/v1/clients"}, {"method", "GET"}}) > 0);
  // Paths never become labels: neither the token nor the client's id is anywhere in the text.
  CHECK(after.text.find(kToken) == std::string::npos);
  CHECK(after.text.find("/api/v1/clients/" + id) == std::string::npos);
  CHECK(after.text.find("/metrics\"") == std::string::npos);

  // Session checks of the signed-in requests (6 reached the guard), answered by the cache or
  // the database; the cache is in exactly one state.
  CHECK(delta("lexos_session_cache_hits_total", {}) + delta("lexos_session_cache_misses_total", {}) >= 6);
  CHECK(after.value("lexos_session_cache_state") == 1);
  CHECK(after.value("lexos_session_cache_state", {{"state", "disabled"}}) == 0);
  if (after.value("lexos_session_cache_state", {{"state", "on"}}) == 1)
    CHECK(after.value("lexos_session_cache_entries") >= 1);  // the owner's session
  // The invitation went through the outbox.
  CHECK(delta("lexos_mail_messages_total", {{"result", "sent"}}) == 1);
  CHECK(delta("lexos_mail_messages_total", {{"result", "failed"}}) == 0);
  // The pool (database.pool_size = 8 in the tests' config), workers (threads = 32), nothing busy.
  CHECK(after.value("lexos_db_pool_size") == 8);
  CHECK(after.value("lexos_db_pool_open") >= 1);
  CHECK(after.value("lexos_db_pool_in_use") >= 0);
  CHECK(after.value("lexos_db_pool_in_use") <= after.value("lexos_db_pool_open"));
  CHECK(after.type("lexos_db_pool_waits") == "counter");  // the parser names a counter without _total
  CHECK(after.value("lexos_http_workers") == 32);
  CHECK(after.value("lexos_http_workers_busy") == 0);
  CHECK(delta("lexos_http_connections_accepted_total", {}) >= 11);
  CHECK(after.has("lexos_http_connections_open"));
  // What is loaded and built, and the process.
  CHECK(after.value("lexos_plugins_loaded") == 2);
  CHECK(after.value("lexos_plugin_info", {{"plugin", "clients"}}) == 1);
  CHECK(after.value("lexos_build_info", {{"version", LEXOS_VERSION}}) == 1);
  CHECK(after.value("lexos_database_info", {{"backend", dbName(db)}}) == 1);
  CHECK(after.value("process_resident_memory_bytes") > 1e6);
  CHECK(after.value("process_open_fds") >= 3);
  const double now = static_cast<double>(std::time(nullptr));
  CHECK(after.value("process_start_time_seconds") > now - 3600);
  CHECK(after.value("process_start_time_seconds") <= now + 1);
  CHECK(after.value("process_cpu_seconds_total") > 0);
}

TEST_CASE("the metrics listener answers GET /metrics only, and shows a slow request as a busy worker and in its bucket") {
  TempDir plugins;
  TestHost t(Db::SQLite, "probe", metricsOn(plugins));
  const int mport = t.host->metricsPort();
  HttpClient m(mport);
  auto r = m.get("/api/v1/probe/ping");
  CHECK(r.status == 404);
  CHECK(r.body.find("greeting") == std::string::npos);
  CHECK(m.get("/").status == 404);
  CHECK(m.get("/healthz").status == 404);
  r = m.request("POST", "/metrics", "{}");
  CHECK(r.status == 405);
  CHECK(r.header("allow") == "GET, HEAD");
  r = m.request("HEAD", "/metrics");
  CHECK(r.status == 200);
  CHECK(r.body.empty());
  CHECK(m.get("/metrics?name=x").status == 200);
  CHECK(t.client().get("/api/v1/probe/ping").status == 200);

  // A request of 1.5 s: a worker is busy while it runs; then one observation in (1, 2.5].
  const std::string slow = "/api/v1/probe/slow";
  int slowStatus = 0;
  std::thread th([&] { slowStatus = t.client().get(slow + "?ms=1500").status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const Scrape during = scrape(mport);
  th.join();
  REQUIRE(slowStatus == 200);
  CHECK(during.value("lexos_http_workers_busy") >= 1);
  const Scrape after = scrape(mport);
  const std::map<std::string, std::string> route{{"route", slow}, {"method", "GET"}};
  auto bucket = [&](const char* le) {
    auto l = route;
    l["le"] = le;
    return after.value("lexos_http_request_duration_seconds_bucket", l);
  };
  CHECK(bucket("0.5") == 0);
  CHECK(bucket("1.0") == 0);
  CHECK(bucket("2.5") == 1);
  CHECK(bucket("+Inf") == 1);
  CHECK(after.value("lexos_http_request_duration_seconds_sum", route) >= 1.5);
  CHECK(after.value("lexos_http_request_duration_seconds_sum", route) < 10);
  CHECK(after.value("lexos_http_workers_busy") == 0);
}

TEST_CASE("/metrics shows a borrower waiting for the database pool in lexos_db_pool_in_use and waits_total") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  // No session cache: the guard reads every session, so the request needs a connection at once.
  TestHost t(db, "probe", metricsOn(plugins) + "[session]\ncache_seconds = 0\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const Scrape before = scrape(t.host->metricsPort());
  std::vector<lexos::core::ConnectionPool::Lease> held;
  for (int i = 0; i < 8; ++i) held.push_back(t.host->pool().acquire());  // database.pool_size = 8
  int status = 0;
  std::thread th([&] { status = owner.get("/api/v1/probe/items").status; });
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  const Scrape during = scrape(t.host->metricsPort());
  held.clear();
  th.join();
  CHECK(status == 200);
  CHECK(during.value("lexos_db_pool_in_use") == 8);
  CHECK(during.value("lexos_db_pool_open") == 8);
  if (db == Db::SQLite)  // the worker waits for a connection
    CHECK(during.value("lexos_http_workers_busy") >= 1);
  else  // PostgreSQL: the request is parked, no worker held, while its session read waits
    CHECK(during.value("lexos_http_requests_parked_total") - before.value("lexos_http_requests_parked_total") >= 1);
  CHECK(during.value("lexos_db_pool_waits_total") - before.value("lexos_db_pool_waits_total") >= 1);
  const Scrape after = scrape(t.host->metricsPort());
  CHECK(after.value("lexos_db_pool_in_use") == 0);
  CHECK(after.value("lexos_db_pool_wait_timeouts_total") == 0);
  CHECK(after.value("lexos_session_cache_state", {{"state", "disabled"}}) == 1);
}

TEST_CASE("/metrics escapes label values and help texts so that the parser reads them back unchanged") {
  TempDir plugins;
  TestHost t(Db::SQLite, "probe", metricsOn(plugins));
  const std::string nasty = "a \"quoted\" \\ back\\slash\nand a new line, {braces}=";
  t.host->metrics().gauge("lexos_test_escaping", "help with \\ and \n new line", {{"value", nasty}}).set(2.5);
  t.host->metrics().counter("lexos_test_events_total", "a counter").inc(3);
  const Scrape s = scrape(t.host->metricsPort());
  CHECK(s.label("lexos_test_escaping", "value") == nasty);
  CHECK(s.value("lexos_test_escaping") == 2.5);
  CHECK(s.value("lexos_test_events_total") == 3);
  // A collector that fails leaves its families out; the scrape still answers the rest.
  t.host->metrics().addCollector([](lexos::core::MetricsWriter& w) {
    w.family("lexos_test_broken", "gauge", "half written");
    throw std::runtime_error("the part it reads is gone");
  });
  // A collector that writes a family already written is refused the same way.
  t.host->metrics().addCollector([](lexos::core::MetricsWriter& w) { w.family("lexos_db_pool_size", "gauge", "again"); });
  const Scrape again = scrape(t.host->metricsPort());
  CHECK(again.type("lexos_test_broken").empty());
  CHECK(again.value("lexos_db_pool_size") == 8);
  CHECK(again.has("process_open_fds"));
}

TEST_CASE("/metrics counts mail the transport fails to send as failed, and shows it waiting in the mail queue") {
  // SMTP to a port nobody listens on: the invitation is still made (mail follows the commit),
  // the failure is logged and counted.
  Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
  const int port = closed.address().port();
  closed.close();
  TempDir plugins;
  TestHost t(Db::SQLite, "probe", metricsOn(plugins) + "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " +
                                      std::to_string(port) + "\nsmtp_tls = off\n");
  t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.post("/api/v1/users", R"({"email":"pat@alpha.test","role":"paralegal","name":"Pat"})").status == 201);
  // The durable queue's sender tries it right after the commit, on its own thread: wait for it.
  Scrape s = scrape(t.host->metricsPort());
  // (Two counters, counted one after the other by that thread: wait for both.)
  for (int i = 0; i < 100 && (s.value("lexos_mail_messages_total", {{"result", "failed"}}) < 1 ||
                              s.value("lexos_mail_sender_attempts_total", {{"result", "retried"}}) < 1);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = scrape(t.host->metricsPort());
  }
  CHECK(s.value("lexos_mail_messages_total", {{"result", "failed"}}) == 1);
  CHECK(s.value("lexos_mail_messages_total", {{"result", "sent"}}) == 0);
  // The message waits in the queue for its retry: the sender says so, and so does the queue
  // (its depth is read at most every 5 s: wait for a fresh reading).
  CHECK(s.value("lexos_mail_sender_attempts_total", {{"result", "retried"}}) == 1);
  CHECK(s.value("lexos_mail_sender_attempts_total", {{"result", "sent"}}) == 0);
  for (int i = 0; i < 70 && s.value("lexos_mail_queue_depth", {{"status", "queued"}}) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s = scrape(t.host->metricsPort());
  }
  CHECK(s.type("lexos_mail_queue_depth") == "gauge");
  CHECK(s.value("lexos_mail_queue_depth", {{"status", "queued"}}) == 1);
  CHECK(s.value("lexos_mail_queue_depth", {{"status", "sent"}}) == 0);
  CHECK(s.value("lexos_mail_queue_oldest_seconds") >= 0);
}

TEST_CASE("metrics.listen on the address of server.listen stops lexosd at start-up with one line naming the key") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe");
  for (const std::string metrics : {"127.0.0.1:18461", "0.0.0.0:18461"}) {
    std::string out;
    const int rc = runShell("LEXOS_SERVER_LISTEN=127.0.0.1:18461 LEXOS_METRICS_LISTEN=" + metrics + " " +
                                LEXOS_BINARY_DIR + "/bin/lexosd --config " + config + " --check",
                            out);
    INFO(out);
    CHECK(rc == 1);
    CHECK(out.find("metrics.listen") != std::string::npos);
    CHECK(out.find("server.listen") != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\n') == 1);
  }
  std::string out;
  CHECK(runShell("LEXOS_METRICS_LISTEN=9464 " + std::string(LEXOS_BINARY_DIR) + "/bin/lexosd --config " + config +
                     " --check",
                 out) == 1);
  CHECK(out.find("metrics.listen") != std::string::npos);
  out.clear();
  CHECK(runShell("LEXOS_SERVER_LISTEN=127.0.0.1:18461 LEXOS_METRICS_LISTEN=127.0.0.1:18462 " +
                     std::string(LEXOS_BINARY_DIR) + "/bin/lexosd --config " + config + " --check",
                 out) == 0);
}

TEST_CASE("a metrics.listen port in use stops start-up naming the key, and the API listener is closed again") {
  Poco::Net::ServerSocket taken;
  taken.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true, false);
  taken.listen();
  TempDir dir;
  const auto cfg = lexos::core::Config::load(
      writeConfig(dir.path, Db::SQLite, "probe",
                  "[metrics]\nlisten = 127.0.0.1:" + std::to_string(taken.address().port()) + "\n"),
      {});
  lexos::core::Host host(cfg);
  host.prepareDatabase();
  try {
    host.startServer();
    FAIL("startServer() did not refuse a metrics port in use");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("metrics.listen = 127.0.0.1:" + std::to_string(taken.address().port())));
    CHECK_THAT(e.what(), Catch::Contains("cannot listen"));
  }
  CHECK(host.port() == 0);
  CHECK(host.metricsPort() == 0);
}

TEST_CASE("lexosd run as a daemon with LEXOS_METRICS_LISTEN logs where its metrics are and stops them cleanly on SIGTERM") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "probe");
  LexosdProcess d(config, dir.path + "/lexosd.log",
                  {{"LEXOS_LOG_LEVEL", "information"}, {"LEXOS_METRICS_LISTEN", "127.0.0.1:0"}});
  int mport = 0;
  const std::regex where("metrics on http://127\\.0\\.0\\.1:([0-9]+)/metrics \\(metrics\\.listen\\)");
  for (int i = 0; i < 100 && !mport; ++i) {
    std::smatch m;
    const std::string log = d.log();
    if (std::regex_search(log, m, where)) mport = std::stoi(m[1]);
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  INFO(d.log());
  REQUIRE(mport > 0);
  CHECK(mport != d.port());
  REQUIRE(HttpClient(d.port()).get("/api/v1/probe/ping").status == 200);
  const Scrape s = scrape(mport);
  CHECK(s.value("lexos_http_requests_total", {{"route", "/api/v1/probe/ping"}, {"status", "200"}}) == 1);
  const double now = static_cast<double>(std::time(nullptr));
  CHECK(s.value("process_start_time_seconds") > now - 60);  // the daemon's own start
  CHECK(s.value("lexos_plugins_loaded") == 1);
  d.signal(SIGTERM);
  REQUIRE(d.wait(30000).value_or(-1) == 0);
}
