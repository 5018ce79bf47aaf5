// The durable mail queue (docs/operations.md, "Mail"; core migration 17): a request's mail is
// queued in its own transaction and sent by lexosd's sender thread, with retries, through a real
// SMTP server on a socket that refuses connections, answers 4xx or 5xx, is slow, and recovers;
// after a restart; with two lexosd processes on one PostgreSQL. On both backends.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>

#include "data/connection.h"
#include "lexosd_process.h"
#include "mail/mail_queue.h"
#include "pg_cluster.h"
#include "smtp_receiver.h"
#include "test_host.h"

using namespace lexos::test;
using lexos::core::MailQueue;
using lexos::core::MailQueueEntry;
namespace fs = std::filesystem;

namespace {

std::string smtpSection(const SmtpReceiver& smtp, const std::string& more = "") {
  return "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " + std::to_string(smtp.port()) +
         "\nretry_base_seconds = 1\nretry_max_seconds = 2\nmax_attempts = 20\npoll_seconds = 1\n" + more;
}

std::vector<MailQueueEntry> queueOf(TestHost& t, std::int64_t firm) {
  auto c = t.host->pool().acquire();
  return MailQueue::list(*c, firm, "", 100);
}

std::size_t outboxFiles(const std::string& stateDir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(stateDir) / "outbox", ec))
    if (e.path().extension() == ".eml") ++n;
  return n;
}

// How many received messages carry exactly this subject.
int withSubject(const std::vector<std::string>& messages, const std::string& subject) {
  int n = 0;
  for (const auto& m : messages)
    if (m.find("Subject: " + subject + "\n") != std::string::npos) ++n;
  return n;
}

}  // namespace

TEST_CASE("queued mail survives a relay that refuses connections, then answers 4xx, and arrives exactly once when it recovers") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  smtp.refuseConnections();
  TestHost t(db, "probe", smtpSection(smtp));
  const auto firm = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(owner.post("/api/v1/probe/mail?to=neo@alpha.test&subject=Recovering", "").status == 201);
  // The answer did not wait for the relay.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));

  // Connection refused: queued again, with the error and a later attempt.
  REQUIRE(waitFor([&] { auto q = queueOf(t, firm); return q.size() == 1 && q[0].attempts >= 1 && q[0].status == "queued"; }, 10));
  auto q = queueOf(t, firm);
  CHECK(q[0].recipient == "neo@alpha.test");
  CHECK(q[0].subject == "Recovering 1");
  CHECK_FALSE(q[0].last_error.empty());

  // The relay listens, but greets with 421 (busy), then answers 451 to the recipient: still
  // queued each time, the answer recorded.
  auto before = q[0].attempts;
  smtp.setMode(SmtpReceiver::Mode::Greet421);
  smtp.acceptConnections();
  REQUIRE(waitFor([&] { auto q = queueOf(t, firm); return q[0].attempts > before && q[0].last_error.find("421") != std::string::npos; }, 15));
  CHECK(queueOf(t, firm)[0].status == "queued");
  before = queueOf(t, firm)[0].attempts;
  smtp.setMode(SmtpReceiver::Mode::Reject451);
  REQUIRE(waitFor([&] { auto q = queueOf(t, firm); return q[0].attempts > before && q[0].last_error.find("451") != std::string::npos; }, 15));
  CHECK(queueOf(t, firm)[0].status == "queued");
  CHECK(smtp.connections() >= 1);
  CHECK(smtp.messages().empty());

  // Recovered: the message arrives, once.
  smtp.setMode(SmtpReceiver::Mode::Accept);
  REQUIRE(waitFor([&] { return smtp.messages().size() == 1; }, 15));
  REQUIRE(waitFor([&] { return queueOf(t, firm)[0].status == "sent"; }, 5));
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more retry periods: nothing more
  CHECK(smtp.messages().size() == 1);
  CHECK(withSubject(smtp.messages(), "Recovering 1") == 1);
  q = queueOf(t, firm);
  CHECK(q[0].status == "sent");
  CHECK(q[0].last_error.empty());
  CHECK_FALSE(q[0].sent_at.empty());
  // The body (it may hold a sign-in link) is gone once sent.
  auto c = t.host->pool().acquire();
  auto body = c->readScoped({firm, 0}, "SELECT body_text FROM mail_queue WHERE firm_id = $1", {firm});
  REQUIRE(body.size() == 1);
  CHECK(lexos::sdk::asText(body.rows[0][0]).empty());
  const auto stats = MailQueue::stats(*c);
  CHECK(stats.by_status.at("sent") == 1);
  CHECK(stats.by_status.at("queued") == 0);
  CHECK(stats.oldest_queued_seconds == 0);
}

TEST_CASE("a permanent 5xx refusal fails the message at once, and a retry sends it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  SmtpReceiver smtp;
  smtp.setMode(SmtpReceiver::Mode::Reject550);
  TestHost t(db, "probe", smtpSection(smtp));
  const auto firm = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  REQUIRE(owner.post("/api/v1/probe/mail?to=gone@alpha.test&subject=Refused", "").status == 201);
  REQUIRE(waitFor([&] { return queueOf(t, firm).at(0).status == "failed"; }, 10));
  auto q = queueOf(t, firm);
  CHECK(q[0].attempts == 1);  // not the 20 a transient failure would get
  CHECK_THAT(q[0].last_error, Catch::Contains("550"));
  {
    auto c = t.host->pool().acquire();
    const auto stats = MailQueue::stats(*c);
    CHECK(stats.by_status.at("failed") == 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(queueOf(t, firm).at(0).attempts == 1);  // failed stays failed

  smtp.setMode(SmtpReceiver::Mode::Accept);
  {
    auto c = t.host->pool().acquire();
    REQUIRE(MailQueue::retry(*c, firm, q[0].id));
    CHECK_FALSE(MailQueue::retry(*c, firm + 1, q[0].id));  // another firm's scope does not see it
  }
  REQUIRE(waitFor([&] { return smtp.messages().size() == 1; }, 10));  // the next sweep (poll_seconds = 1)
  REQUIRE(waitFor([&] { return queueOf(t, firm).at(0).status == "sent"; }, 5));
}

TEST_CASE("a request that fails after sending mail queues nothing, one that succeeds finds its outbox file written") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "probe");  // the outbox transport
  const auto firm = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");
  HttpClient owner = t.signedIn("alpha", "owner@alpha.test");
  const std::string state = t.dir.path + "/state";
  REQUIRE(owner.post("/api/v1/probe/mail?to=neo@alpha.test&subject=Rolled&n=3&fail=1", "").status == 409);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(queueOf(t, firm).empty());
  CHECK(outboxFiles(state) == 0);

  // Success: the .eml is there when the answer arrives (outbox: written right after the commit).
  REQUIRE(owner.post("/api/v1/probe/mail?to=neo@alpha.test&subject=Kept&n=2", "").status == 201);
  CHECK(outboxFiles(state) == 2);
  const auto q = queueOf(t, firm);
  REQUIRE(q.size() == 2);
  for (const auto& m : q) {
    CHECK(m.status == "sent");
    CHECK(m.attempts == 1);
  }
}

namespace {

// lexosd as a process on SQLite or the test PostgreSQL cluster (emptied first).
struct ProcessSite {
  TempDir dir;
  std::string config;
  ProcessSite(Db db, const std::string& extra) {
    if (db == Db::PostgreSQL) {
      auto owner = lexos::core::openConnection(pgCluster().owner, nullptr);
      owner->executeScript("DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO lexos_app");
    }
    config = writeConfig(dir.path, db, "probe", extra);
    std::string out;
    REQUIRE(lexosctl(config, "migrate", out) == 0);
    REQUIRE(lexosctl(config, "firm create --slug alpha --name Alpha", out) == 0);
    REQUIRE(lexosctl(config, "user create --firm alpha --email owner@alpha.test --role owner --password-stdin", out,
                     std::string(TestHost::kPassword) + "\n") == 0);
  }
  std::string queue(const std::string& args = "") {
    std::string out;
    REQUIRE(lexosctl(config, "mail queue --firm alpha " + args, out) == 0);
    return out;
  }
};

}  // namespace

TEST_CASE("mail queued when lexosd stops is sent after it starts again, and lexosctl mail queue shows it without its body") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const int stopSignal = GENERATE(SIGTERM, SIGKILL);
  INFO(dbName(db) << " stopped by signal " << stopSignal);
  SmtpReceiver smtp;
  smtp.refuseConnections();
  ProcessSite site(db, smtpSection(smtp));
  {
    LexosdProcess d(site.config, site.dir.path + "/lexosd1.log", {{"LEXOS_LOG_LEVEL", "information"}});
    HttpClient c(d.port());
    REQUIRE(c.login("alpha", "owner@alpha.test", TestHost::kPassword).status == 200);
    REQUIRE(c.request("POST", "/api/v1/probe/mail?to=neo@alpha.test&subject=Restart&n=2").status == 201);
    REQUIRE(waitFor([&] { return std::regex_search(site.queue(), std::regex("\tqueued\t[1-9]")); }, 10));
    d.signal(stopSignal);
    REQUIRE(d.wait(30000));
  }
  const std::string listed = site.queue();
  INFO(listed);
  CHECK_THAT(listed, Catch::Contains("neo@alpha.test") && Catch::Contains("Restart 1") && Catch::Contains("Restart 2"));
  CHECK_THAT(listed, !Catch::Contains("Probe message"));  // never a body
  std::string out;
  CHECK(lexosctl(site.config, "mail queue --status failed", out) == 0);
  CHECK_THAT(out, !Catch::Contains("Restart"));
  CHECK(lexosctl(site.config, "mail queue --status bogus", out) != 0);
  CHECK_THAT(out, Catch::Contains("--status"));

  smtp.acceptConnections();
  LexosdProcess again(site.config, site.dir.path + "/lexosd2.log", {{"LEXOS_LOG_LEVEL", "information"}});
  REQUIRE(waitFor([&] { return smtp.messages().size() >= 2; }, 15));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(smtp.messages().size() == 2);
  CHECK(withSubject(smtp.messages(), "Restart 1") == 1);
  CHECK(withSubject(smtp.messages(), "Restart 2") == 1);
  REQUIRE(waitFor([&] { return site.queue("--status sent --json").find("Restart 2") != std::string::npos; }, 5));
  const std::string json = site.queue("--json");
  CHECK_THAT(json, Catch::Contains("\"status\":\"sent\""));
  CHECK_THAT(json, !Catch::Contains("\"status\":\"queued\""));
  CHECK(lexosctl(site.config, "mail stats", out) == 0);
  CHECK_THAT(out, Catch::Contains("sent\t2"));
}

TEST_CASE("two lexosd processes on one PostgreSQL deliver each message exactly once through a slow relay") {
  SmtpReceiver smtp;
  smtp.refuseConnections();
  smtp.setDelay(std::chrono::milliseconds(150));
  ProcessSite site(Db::PostgreSQL, smtpSection(smtp));
  LexosdProcess a(site.config, site.dir.path + "/a.log", {{"LEXOS_LOG_LEVEL", "information"}});
  LexosdProcess b(site.config, site.dir.path + "/b.log", {{"LEXOS_LOG_LEVEL", "information"}});
  HttpClient ca(a.port()), cb(b.port());
  REQUIRE(ca.login("alpha", "owner@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(cb.login("alpha", "owner@alpha.test", TestHost::kPassword).status == 200);
  REQUIRE(ca.request("POST", "/api/v1/probe/mail?to=a@alpha.test&subject=FromA&n=20").status == 201);
  REQUIRE(cb.request("POST", "/api/v1/probe/mail?to=b@alpha.test&subject=FromB&n=20").status == 201);
  // Both nodes have tried (the relay refuses): every message waits for its retry on both.
  REQUIRE(waitFor([&] { return site.queue().find("\tqueued\t0\t") == std::string::npos; }, 15));
  smtp.acceptConnections();
  REQUIRE(waitFor([&] { return smtp.messages().size() >= 40; }, 60));
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // anything sent twice would be here now
  const auto got = smtp.messages();
  CHECK(got.size() == 40);
  for (int i = 1; i <= 20; ++i) {
    CHECK(withSubject(got, "FromA " + std::to_string(i)) == 1);
    CHECK(withSubject(got, "FromB " + std::to_string(i)) == 1);
  }
  // Both nodes sent some (they really competed for the queue).
  const auto sentBy = [](const std::string& log) {
    int n = 0;
    for (std::size_t p = log.find(" sent (attempt"); p != std::string::npos; p = log.find(" sent (attempt", p + 1)) ++n;
    return n;
  };
  const int byA = sentBy(a.log()), byB = sentBy(b.log());
  INFO("sent by a: " << byA << ", by b: " << byB);
  CHECK(byA + byB == 40);
  CHECK(byA > 0);
  CHECK(byB > 0);
}
