// Row ids tell nothing about other firms (issue 9, item 8; docs/ids.md): each firm draws from its
// own counter, which starts at a random point, on SQLite and PostgreSQL.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>

#include "data/connection.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

constexpr std::int64_t kLow = std::int64_t{1} << 40;   // where firms' counters start, at least
constexpr std::int64_t kHigh = std::int64_t{1} << 53;  // JSON numbers are exact below this

std::int64_t createClient(HttpClient& c, const std::string& name) {
  auto r = c.post("/api/v1/clients", "{\"name\":\"" + name + "\"}");
  INFO(name << " -> " << r.status << " " << r.body);
  REQUIRE(r.status == 201);
  REQUIRE(r.body.find("\"id\":\"") == std::string::npos);  // a JSON number, as the web apps expect
  return std::stoll(jsonField(r.body, "id"));
}

}  // namespace

TEST_CASE("a firm's consecutive ids reveal nothing about another firm's inserts in between") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TempDir plugins;
  TestHost t(db, "probe,clients", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n");
  t.firm("alpha");
  t.firm("beta");
  t.staff("alpha", "owner@alpha.test", "owner");
  t.staff("beta", "owner@beta.test", "owner");
  HttpClient alpha = t.signedIn("alpha", "owner@alpha.test");
  HttpClient beta = t.signedIn("beta", "owner@beta.test");

  // Alpha and beta take turns; beta inserts a varying number of clients between alpha's.
  std::vector<std::int64_t> a, b;
  for (int i = 0; i < 6; ++i) {
    a.push_back(createClient(alpha, "Alpha client " + std::to_string(i)));
    for (int k = 0; k < i; ++k)
      b.push_back(createClient(beta, "Beta client " + std::to_string(i) + "-" + std::to_string(k)));
  }
  // Each firm's ids follow each other without gaps: nothing of the other firm shows.
  for (std::size_t i = 1; i < a.size(); ++i) CHECK(a[i] == a[i - 1] + 1);
  for (std::size_t i = 1; i < b.size(); ++i) CHECK(b[i] == b[i - 1] + 1);
  // Random starting points, far apart: an id of one firm says nothing about the other's ids
  // either, and the two ranges do not meet.
  for (auto id : {a.front(), a.back(), b.front(), b.back()}) {
    CHECK(id >= kLow);
    CHECK(id < kHigh);
  }
  CHECK((a.back() < b.front() || b.back() < a.front()));
  // Ids are still unique within each firm's tables, and a firm finds its own clients by them.
  CHECK(alpha.get("/api/v1/clients/" + std::to_string(a.back())).status == 200);
  CHECK(beta.get("/api/v1/clients/" + std::to_string(a.back())).status == 404);
  // Beta's inserts in the meantime leave no trace in alpha's next id either.
  createClient(beta, "Beta last");
  const auto next = createClient(alpha, "Alpha after");
  CHECK(next == a.back() + 1);
}

TEST_CASE(
    "two transactions of one firm draw ids at the same time without waiting for each other "
    "(PostgreSQL)") {
  // SQLite has one writer at a time for the whole database anyway; PostgreSQL must not add a
  // per-firm queue (a counter row locked until COMMIT would).
  TestHost t(Db::PostgreSQL);
  const auto firm = t.firm("alpha");
  t.staff("alpha", "owner@alpha.test", "owner");  // draws the firm's first id
  auto c1 = t.host->pool().acquire();
  auto c2 = t.host->pool().acquire();
  c1->begin(true);
  c1->setScope({firm, 0});
  const auto first = c1->newId();
  c2->begin(true);
  c2->setScope({firm, 0});
  auto second = std::async(std::launch::async, [&] { return c2->newId(); });
  const bool answered = second.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  CHECK(answered);
  c1->commit();  // releases c2 if it was waiting after all
  const auto id2 = second.get();
  c2->rollback();
  CHECK(id2 == first + 1);
  // Ids drawn by a rolled-back transaction are not reused: gaps come from this firm only.
  c1->begin(true);
  c1->setScope({firm, 0});
  CHECK(c1->newId() == first + 2);
  c1->commit();
}
