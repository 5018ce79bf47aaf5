// The billing module (issue 12, first part): time and expenses on a case at the right rate,
// invoices drafted from unbilled work or by hand in the client's currency (minor units per
// ISO 4217), issued with a gap-free number per firm and year (also under concurrent issues),
// voided with the number kept, and the portal's view: the client's own issued invoices and
// balance, never drafts, never another client's, never the time entries. Both backends, a real
// lexosd on a real port.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "http/idempotency.h"
#include "lexos/sdk/json.h"
#include "test_host.h"

using namespace lexos::test;
using lexos::sdk::Json;

namespace {

Json parsed(const HttpResult& r) { return lexos::sdk::parseJson(r.body); }

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE((r.status == 200 || r.status == 201));
  return jsonField(r.body, "id");
}

std::string errorField(const HttpResult& r) {
  const Json j = parsed(r);
  const Json* e = j.find("error");
  if (!e || !e->find("field")) return {};
  return e->find("field")->asString();
}

std::int64_t intOf(const Json& o, const char* key) {
  const Json* v = o.find(key);
  REQUIRE(v);
  return *v->toInt64();
}
std::string textOf(const Json& o, const char* key) {
  const Json* v = o.find(key);
  REQUIRE(v);
  return v->isNull() ? std::string("null") : v->asString();
}

struct Firm {
  explicit Firm(Db db)
      : t(db, "clients,cases,portal,billing", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n") {
    alpha = t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "owner@alpha.test", "owner");
    booksId = t.staff("alpha", "books@alpha.test", "billing");
    paraId = t.staff("alpha", "para@alpha.test", "paralegal");
    t.staff("beta", "owner@beta.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    books = std::make_unique<HttpClient>(t.signedIn("alpha", "books@alpha.test"));
    para = std::make_unique<HttpClient>(t.signedIn("alpha", "para@alpha.test"));
    other = std::make_unique<HttpClient>(t.signedIn("beta", "owner@beta.test"));
    anderson = idOf(staff->post("/api/v1/clients",
                                R"({"name":"Thomas Anderson","billing":{"currency":"EUR","hourly_rate_minor":30000,"payment_terms_days":14}})"));
    smith = idOf(staff->post("/api/v1/clients", R"({"name":"Agent Smith","billing":{"currency":"JPY"}})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson + R"(,"title":"Anderson v. Metacortex"})"));
    smithCase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + smith + R"(,"title":"Smith matter"})"));
    t.portalUser("alpha", std::stoll(anderson), "anderson@client.test");
    t.portalUser("alpha", std::stoll(smith), "smith@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
    smithPortal = std::make_unique<HttpClient>(t.signedIn("alpha", "smith@client.test"));
  }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, books, para, other, portal, smithPortal;
  std::string anderson, smith, kase, smithCase;
  std::int64_t alpha = 0, paraId = 0, booksId = 0;
};

}  // namespace

TEST_CASE("time is billed at the entry's rate, else the client's, else the staff member's default, in minor units") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  // The client's rate (EUR 300.00/h): 50 minutes = 250.00.
  auto r = f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":50,"description":"Read the contract","date":"2026-11-02"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto e = parsed(r);
  CHECK(intOf(e, "amount_minor") == 25000);
  CHECK(intOf(e, "rate_minor") == 30000);
  CHECK(textOf(e, "rate_source") == "client");
  CHECK(textOf(e, "currency") == "EUR");
  // The entry's own rate wins: 7 minutes at 100.00 = 11.666... -> 11.67 (half away from zero).
  e = parsed(f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":7,"description":"Call","rate_minor":10000})"));
  CHECK(intOf(e, "amount_minor") == 1167);
  CHECK(textOf(e, "rate_source") == "entry");
  // Smith has no hourly rate: without a staff default there is no rate, and the error says so.
  r = f.para->post("/api/v1/cases/" + f.smithCase + "/time", R"({"minutes":60,"description":"Meeting"})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "rate_minor");
  // The paralegal's default (set by the bookkeeper), in Smith's currency: yen have no minor unit.
  const std::string paraId = std::to_string(f.paraId);
  CHECK(f.para->request("PUT", "/api/v1/billing/rates/" + paraId, R"({"rate_minor":20000})").status == 403);
  REQUIRE(f.books->request("PUT", "/api/v1/billing/rates/" + paraId, R"({"rate_minor":20000})").status == 200);
  e = parsed(f.para->post("/api/v1/cases/" + f.smithCase + "/time", R"({"minutes":90,"description":"Meeting"})"));
  CHECK(intOf(e, "amount_minor") == 30000);
  CHECK(textOf(e, "currency") == "JPY");
  CHECK(textOf(e, "rate_source") == "user");
  // Bad input names its field and keeps nothing.
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"minutes":0,"description":"x"})", "minutes"},
           {R"({"minutes":1441,"description":"x"})", "minutes"},
           {R"({"minutes":30})", "description"},
           {R"({"minutes":30,"description":"x","date":"2026-02-30"})", "date"},
           {R"({"minutes":30,"description":"x","rate_minor":-1})", "rate_minor"},
           {R"({"minutes":30,"description":"x","colour":"red"})", "colour"}}) {
    r = f.para->post("/api/v1/cases/" + f.kase + "/time", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  // Time for someone else: only the books may record it.
  r = f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":5,"description":"x","rate_minor":1,"user_id":)" +
                                                        std::to_string(f.booksId) + "}");
  CHECK(r.status == 403);
  r = f.books->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":5,"description":"For the paralegal","rate_minor":100,"user_id":)" +
                                                         paraId + "}");
  REQUIRE(r.status == 201);
  CHECK(intOf(parsed(r), "user_id") == f.paraId);
  CHECK(f.para->request("DELETE", "/api/v1/time/" + std::to_string(intOf(parsed(r), "id"))).status == 204);  // it is hers
  // Deleting: one's own entry, or anyone's for the books; never one on an invoice.
  const std::string ownersEntry = idOf(f.staff->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":5,"description":"Owner's note","rate_minor":100})"));
  CHECK(f.para->request("DELETE", "/api/v1/time/" + ownersEntry).status == 403);
  CHECK(f.books->request("DELETE", "/api/v1/time/" + ownersEntry).status == 204);
  const std::string parasEntry = idOf(f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":5,"description":"Typo","rate_minor":100})"));
  CHECK(f.para->request("DELETE", "/api/v1/time/" + parasEntry).status == 204);
  CHECK(f.para->request("DELETE", "/api/v1/time/" + parasEntry).status == 404);
  auto list = parsed(f.staff->get("/api/v1/cases/" + f.kase + "/time"));
  CHECK(list.find("items")->size() == 2);
  CHECK(intOf(list, "unbilled_minor") == 25000 + 1167);
  // Another firm sees no such case.
  CHECK(f.other->get("/api/v1/cases/" + f.kase + "/time").status == 404);
  CHECK(f.other->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":5,"description":"x","rate_minor":1})").status == 404);
}

TEST_CASE("an invoice drafted from unbilled work is issued with the next number, due by the client's terms, and seen in the portal") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  REQUIRE(f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":50,"description":"Internal: opposing counsel is bluffing","date":"2026-11-02"})").status == 201);
  REQUIRE(f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":30,"description":"Not billable","billable":false})").status == 201);
  REQUIRE(f.para->post("/api/v1/cases/" + f.kase + "/expenses", R"({"amount_minor":4250,"description":"Court filing fee","date":"2026-11-03"})").status == 201);
  // Drafting takes the billable work; a paralegal may record time but not invoice.
  const std::string body = R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase +
                           R"(],"lines":[{"description":"Fixed fee: filing","quantity":1,"unit_price_minor":10000}],"tax_name":"VAT","tax_rate_bp":2000,"discount_bp":1000})";
  CHECK(f.para->post("/api/v1/invoices", body).status == 403);
  auto r = f.books->post("/api/v1/invoices", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto inv = parsed(r);
  const std::string id = std::to_string(intOf(inv, "id"));
  CHECK(textOf(inv, "status") == "draft");
  CHECK(textOf(inv, "number") == "null");
  CHECK(textOf(inv, "currency") == "EUR");
  CHECK(inv.find("lines")->size() == 3);
  // 250.00 time + 42.50 expense + 100.00 fee = 392.50; 10% off = 39.25; taxable 350.00 carries
  // 35.00 of it; VAT 20% of 315.00 = 63.00; total 392.50 - 39.25 + 63.00 = 416.25.
  CHECK(intOf(inv, "subtotal_minor") == 39250);
  CHECK(intOf(inv, "discount_minor") == 3925);
  CHECK(intOf(inv, "tax_minor") == 6300);
  CHECK(intOf(inv, "total_minor") == 41625);
  // The entries are on the draft now: a second draft finds nothing unbilled.
  r = f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase + "]}");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "case_ids");
  // A draft is invisible in the portal, whatever is asked.
  CHECK(parsed(f.portal->get("/api/v1/portal/invoices")).find("items")->size() == 0);
  CHECK(f.portal->get("/api/v1/portal/invoices/" + id).status == 404);
  // Issue: number 2026-0001, due 14 days later (Anderson's terms).
  r = f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-11-30"})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  inv = parsed(r);
  CHECK(textOf(inv, "status") == "issued");
  CHECK(textOf(inv, "number") == "2026-0001");
  CHECK(textOf(inv, "issued_on") == "2026-11-30");
  CHECK(textOf(inv, "due_on") == "2026-12-14");
  CHECK(intOf(inv, "balance_minor") == 41625);
  CHECK(f.books->post("/api/v1/invoices/" + id + "/issue", "").status == 409);  // once only
  CHECK(f.books->request("DELETE", "/api/v1/invoices/" + id).status == 409);    // void it instead
  const std::string billed = std::to_string(intOf(inv.find("lines")->at(0), "time_entry_id"));
  CHECK(f.books->request("DELETE", "/api/v1/time/" + billed).status == 409);     // it is on the invoice
  // The portal: Anderson sees it with his balance, its lines, and no internal detail.
  auto mine = parsed(f.portal->get("/api/v1/portal/invoices"));
  REQUIRE(mine.find("items")->size() == 1);
  CHECK(intOf(mine, "balance_minor") == 41625);
  CHECK(textOf(mine, "currency") == "EUR");
  r = f.portal->get("/api/v1/portal/invoices/" + id);
  REQUIRE(r.status == 200);
  const auto seen = parsed(r);
  CHECK(seen.find("lines")->size() == 3);
  CHECK(seen.find("client_id") == nullptr);
  CHECK(r.body.find("time_entry_id") == std::string::npos);
  CHECK(r.body.find("Not billable") == std::string::npos);
  // Smith sees none of it; another firm's staff neither.
  CHECK(parsed(f.smithPortal->get("/api/v1/portal/invoices")).find("items")->size() == 0);
  CHECK(f.smithPortal->get("/api/v1/portal/invoices/" + id).status == 404);
  CHECK(f.other->get("/api/v1/invoices/" + id).status == 404);
  CHECK(parsed(f.other->get("/api/v1/invoices")).find("items")->size() == 0);
  // Time entries never reach a portal session, even by a route that exists for staff.
  CHECK(f.portal->get("/api/v1/cases/" + f.kase + "/time").status == 403);
  // Void keeps the number and frees the work for a new invoice; the next number follows.
  CHECK(f.books->post("/api/v1/invoices/" + id + "/void", R"({"why":"x"})").status == 400);  // unknown field
  r = f.books->post("/api/v1/invoices/" + id + "/void", R"({"reason":"Wrong matter"})");
  REQUIRE(r.status == 200);
  CHECK(textOf(parsed(r), "status") == "void");
  CHECK(textOf(parsed(r), "number") == "2026-0001");
  CHECK(intOf(parsed(f.portal->get("/api/v1/portal/invoices")), "balance_minor") == 0);
  r = f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase + "]}");
  REQUIRE(r.status == 201);
  const std::string again = std::to_string(intOf(parsed(r), "id"));
  CHECK(intOf(parsed(r), "subtotal_minor") == 29250);
  CHECK(textOf(parsed(f.books->post("/api/v1/invoices/" + again + "/issue", R"({"issued_on":"2026-12-01"})")), "number") == "2026-0002");
}

TEST_CASE("invoices in yen and dinars keep their currency's minor units, bad lines name their field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  // 1.5 x 3,333 yen = 4,999.5 -> 5,000 yen; tax 10% = 500.
  auto r = f.books->post("/api/v1/invoices", R"({"client_id":)" + f.smith +
                                                R"(,"lines":[{"description":"Advice","quantity":1.5,"unit_price_minor":3333}],"tax_name":"Consumption tax","tax_rate_bp":1000})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto inv = parsed(r);
  CHECK(textOf(inv, "currency") == "JPY");
  CHECK(intOf(inv, "minor_units") == 0);
  CHECK(intOf(inv, "subtotal_minor") == 5000);
  CHECK(intOf(inv, "tax_minor") == 500);
  const std::string kwd = idOf(f.staff->post("/api/v1/clients", R"({"name":"Gulf Trading","billing":{"currency":"KWD"}})"));
  inv = parsed(f.books->post("/api/v1/invoices", R"({"client_id":)" + kwd + R"(,"lines":[{"description":"Retainer","unit_price_minor":1250500}]})"));
  CHECK(textOf(inv, "currency") == "KWD");
  CHECK(intOf(inv, "minor_units") == 3);
  CHECK(intOf(inv, "total_minor") == 1250500);
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"lines":[{"description":"x","unit_price_minor":1}]})", "client_id"},
           {R"({"client_id":)" + f.smith + "}", "lines"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"unit_price_minor":1}]})", "lines[0].description"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"description":"x"}]})", "lines[0].unit_price_minor"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"description":"x","quantity":0.0001,"unit_price_minor":1}]})", "lines[0].quantity"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"description":"x","unit_price_minor":1}],"tax_rate_bp":2000})", "tax_name"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"description":"x","unit_price_minor":1}],"discount_bp":10,"discount_minor":1})", "discount_minor"},
           {R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.smithCase + "]}", "case_ids[0]"},
           {R"({"client_id":)" + f.smith + R"(,"lines":[{"description":"x","quantity":1000000,"unit_price_minor":1000000000000},{"description":"y","quantity":1000000,"unit_price_minor":1000000000000}]})", "lines"}}) {
    r = f.books->post("/api/v1/invoices", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(parsed(f.books->get("/api/v1/invoices")).find("items")->size() == 2);
}

TEST_CASE("invoices issued in parallel get consecutive numbers: no gap, no duplicate, per firm and year") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  // The year's counter exists once the first invoice is issued; then 12 drafts are issued at once.
  const auto first = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"lines":[{"description":"First","unit_price_minor":100}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + first + "/issue", R"({"issued_on":"2026-06-01"})").status == 200);
  std::vector<std::string> drafts;
  for (int i = 0; i < 12; ++i)
    drafts.push_back(idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                                 R"(,"lines":[{"description":"Fee","unit_price_minor":100}]})")));
  std::vector<HttpResult> results(drafts.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < drafts.size(); ++i)
    threads.emplace_back([&, i] {
      HttpClient c(f.t.port());
      c.cookie = f.books->cookie;
      c.csrf = f.books->csrf;
      // Each draft issued twice at once: one of the two wins, the other is told it is issued.
      results[i] = c.post("/api/v1/invoices/" + drafts[i] + "/issue", R"({"issued_on":"2026-06-02"})");
    });
  std::vector<HttpResult> twice(drafts.size());
  for (std::size_t i = 0; i < drafts.size(); ++i)
    threads.emplace_back([&, i] {
      HttpClient c(f.t.port());
      c.cookie = f.books->cookie;
      c.csrf = f.books->csrf;
      twice[i] = c.post("/api/v1/invoices/" + drafts[i] + "/issue", R"({"issued_on":"2026-06-02"})");
    });
  for (auto& th : threads) th.join();
  std::set<std::string> numbers;
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    INFO(results[i].status << " " << results[i].body << " / " << twice[i].status << " " << twice[i].body);
    const bool a = results[i].status == 200, b = twice[i].status == 200;
    CHECK(a != b);  // exactly one of the two issues won
    CHECK((a ? twice[i] : results[i]).status == 409);
    numbers.insert(textOf(parsed(a ? results[i] : twice[i]), "number"));
  }
  std::set<std::string> expected;
  for (int n = 2; n <= 13; ++n) expected.insert("2026-" + std::string(n < 10 ? "000" : "00") + std::to_string(n));
  CHECK(numbers == expected);
  // Another firm numbers from 1, and another year too.
  const std::string beta = idOf(f.other->post("/api/v1/clients", R"({"name":"Beta client"})"));
  const auto bi = idOf(f.other->post("/api/v1/invoices", R"({"client_id":)" + beta + R"(,"lines":[{"description":"Fee","unit_price_minor":100}]})"));
  CHECK(textOf(parsed(f.other->post("/api/v1/invoices/" + bi + "/issue", R"({"issued_on":"2026-06-03"})")), "number") == "2026-0001");
  const auto next = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"lines":[{"description":"Fee","unit_price_minor":100}]})"));
  CHECK(textOf(parsed(f.books->post("/api/v1/invoices/" + next + "/issue", R"({"issued_on":"2027-01-02"})")), "number") == "2027-0001");
}

TEST_CASE("payments: part then the rest, each with its receipt number, no overpaying, even at once, refunds, the portal's receipts") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Retainer","unit_price_minor":100000}]})"));
  // A draft takes no payment.
  auto r = f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":100,"method":"cash"})");
  CHECK(r.status == 409);
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-11-30"})").status == 200);
  // Bad input names its field.
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"method":"cash"})", "amount_minor"},
           {R"({"amount_minor":0,"method":"cash"})", "amount_minor"},
           {R"({"amount_minor":100,"method":"bitcoin"})", "method"},
           {R"({"amount_minor":100})", "method"},
           {R"({"amount_minor":100000000,"method":"cash"})", "amount_minor"},  // more than the balance
           {R"({"amount_minor":100,"method":"cash","received_on":"yesterday"})", "received_on"}}) {
    r = f.books->post("/api/v1/invoices/" + id + "/payments", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(f.para->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":100,"method":"cash"})").status == 403);
  // 400.00 by check, then the rest by wire: partially paid, then paid; receipts R-2026-0001, -0002.
  r = f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":40000,"method":"check","reference":"Check 1041","received_on":"2026-12-01"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto p = parsed(r);
  CHECK(textOf(p, "receipt_number") == "R-2026-0001");
  CHECK(intOf(p, "receipt_id") == intOf(p, "id"));
  CHECK(textOf(*p.find("invoice"), "status") == "partially_paid");
  CHECK(intOf(*p.find("invoice"), "balance_minor") == 60000);
  // Two payments of 400.00 at once against 600.00 left: exactly one is taken.
  std::vector<HttpResult> both(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      HttpClient c(f.t.port());
      c.cookie = f.books->cookie;
      c.csrf = f.books->csrf;
      both[i] = c.post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":40000,"method":"wire","received_on":"2026-12-01"})");
    });
  for (auto& th : threads) th.join();
  INFO(both[0].status << " " << both[0].body << " / " << both[1].status << " " << both[1].body);
  CHECK(((both[0].status == 201) != (both[1].status == 201)));
  const auto& lost = both[0].status == 201 ? both[1] : both[0];
  CHECK((lost.status == 400 || lost.status == 409));
  const auto won = parsed(both[0].status == 201 ? both[0] : both[1]);
  CHECK(textOf(won, "receipt_number") == "R-2026-0002");  // the lost one left no gap
  r = f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":20000,"method":"cash","received_on":"2026-12-01"})");
  REQUIRE(r.status == 201);
  p = parsed(r);
  CHECK(textOf(p, "receipt_number") == "R-2026-0003");
  CHECK(textOf(*p.find("invoice"), "status") == "paid");
  CHECK(intOf(*p.find("invoice"), "balance_minor") == 0);
  CHECK(f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":1,"method":"cash"})").status == 400);
  // Paid: it cannot be voided; a refund first.
  CHECK(f.books->post("/api/v1/invoices/" + id + "/void", "").status == 409);
  const std::string cashId = std::to_string(intOf(p, "id"));
  r = f.books->post("/api/v1/payments/" + cashId + "/refunds", R"({"amount_minor":20001})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "amount_minor");
  r = f.books->post("/api/v1/payments/" + cashId + "/refunds", R"({"amount_minor":5000,"reason":"Overcharged"})");
  REQUIRE(r.status == 200);
  CHECK(intOf(parsed(r), "refunded_minor") == 5000);
  const auto inv = parsed(f.books->get("/api/v1/invoices/" + id));
  CHECK(textOf(inv, "status") == "partially_paid");
  CHECK(intOf(inv, "balance_minor") == 5000);
  CHECK(parsed(f.books->get("/api/v1/invoices/" + id + "/payments")).find("items")->size() == 3);
  // The portal: Anderson's receipts and balance; Smith sees none; no check reference.
  r = f.portal->get("/api/v1/portal/receipts");
  REQUIRE(r.status == 200);
  CHECK(parsed(r).find("items")->size() == 3);
  CHECK(r.body.find("Check 1041") == std::string::npos);
  CHECK(intOf(parsed(f.portal->get("/api/v1/portal/invoices")), "balance_minor") == 5000);
  CHECK(parsed(f.smithPortal->get("/api/v1/portal/receipts")).find("items")->size() == 0);
  // Another firm cannot pay, list or refund any of it.
  CHECK(f.other->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":1,"method":"cash"})").status == 404);
  CHECK(f.other->get("/api/v1/invoices/" + id + "/payments").status == 404);
  CHECK(f.other->post("/api/v1/payments/" + cashId + "/refunds", R"({"amount_minor":1})").status == 404);
}

namespace {
// The text of a PDF as poppler's pdftotext reads it (Debian poppler-utils).
std::string pdfText(const std::string& pdf) {
  if (std::system("command -v pdftotext >/dev/null 2>&1") != 0)
    FAIL("pdftotext not found: scripts/deps.sh installs Debian's poppler-utils");
  TempDir d;
  const std::string file = d.path + "/doc.pdf";
  {
    std::ofstream out(file, std::ios::binary);
    out << pdf;
  }
  FILE* p = ::popen(("pdftotext -enc UTF-8 '" + file + "' - 2>/dev/null").c_str(), "r");
  REQUIRE(p);
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  CHECK(::pclose(p) == 0);
  return text;
}
}  // namespace

TEST_CASE("invoices and official receipts as PDF carry the firm, the client's name as written, the figures, the portal gets only its own") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string zoe = idOf(f.staff->post("/api/v1/clients", R"({"name":"Zoë Ångström-Дмитриева","billing":{"currency":"EUR"}})"));
  f.t.portalUser("alpha", std::stoll(zoe), "zoe@client.test");
  auto zoePortal = f.t.signedIn("alpha", "zoe@client.test");
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + zoe +
                                                             R"(,"lines":[{"description":"Conseil juridique — été","quantity":2.5,"unit_price_minor":12000},{"description":"Filing","unit_price_minor":5000,"taxable":false}],"tax_name":"VAT","tax_rate_bp":2000})"));
  // A draft: staff may print it (marked), the portal never sees it.
  auto r = f.books->get("/api/v1/invoices/" + id + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type").rfind("application/pdf", 0) == 0);
  CHECK(r.body.rfind("%PDF-", 0) == 0);
  CHECK(pdfText(r.body).find("Draft invoice") != std::string::npos);
  CHECK(zoePortal.get("/api/v1/portal/invoices/" + id + "/pdf").status == 404);
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-11-30"})").status == 200);
  r = f.books->get("/api/v1/invoices/" + id + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-disposition").find("invoice-2026-0001.pdf") != std::string::npos);
  std::string text = pdfText(r.body);
  INFO(text);
  CHECK(text.find("Invoice 2026-0001") != std::string::npos);
  CHECK(text.find("Firm alpha") != std::string::npos);  // the firm's name
  CHECK(text.find("Zoë Ångström-Дмитриева") != std::string::npos);
  CHECK(text.find("Conseil juridique — été") != std::string::npos);
  // 2.5 x 120.00 = 300.00 taxable, 50.00 not; VAT 60.00; total 410.00.
  CHECK(text.find("300.00") != std::string::npos);
  CHECK(text.find("60.00 EUR") != std::string::npos);
  CHECK(text.find("410.00 EUR") != std::string::npos);
  CHECK(text.find("2026-12-30") != std::string::npos);  // due in 30 days (the default terms)
  // The portal: the client's own, the same document; another client: 404.
  r = zoePortal.get("/api/v1/portal/invoices/" + id + "/pdf");
  REQUIRE(r.status == 200);
  CHECK(pdfText(r.body).find("Invoice 2026-0001") != std::string::npos);
  CHECK(f.portal->get("/api/v1/portal/invoices/" + id + "/pdf").status == 404);
  CHECK(f.other->get("/api/v1/invoices/" + id + "/pdf").status == 404);
  // A payment's receipt.
  r = f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":10000,"method":"wire","received_on":"2026-12-01"})");
  REQUIRE(r.status == 201);
  const std::string receipt = std::to_string(intOf(parsed(r), "receipt_id"));
  r = zoePortal.get("/api/v1/portal/receipts/" + receipt + "/pdf");
  REQUIRE(r.status == 200);
  text = pdfText(r.body);
  INFO(text);
  CHECK(text.find("Official receipt R-2026-0001") != std::string::npos);
  CHECK(text.find("Zoë Ångström-Дмитриева") != std::string::npos);
  CHECK(text.find("Bank transfer") != std::string::npos);
  CHECK(text.find("100.00 EUR") != std::string::npos);
  CHECK(text.find("310.00 EUR") != std::string::npos);  // the balance after it
  CHECK(f.books->get("/api/v1/receipts/" + receipt + "/pdf").status == 200);
  CHECK(f.portal->get("/api/v1/portal/receipts/" + receipt + "/pdf").status == 404);
  CHECK(f.other->get("/api/v1/receipts/" + receipt + "/pdf").status == 404);
}

TEST_CASE("billing's other inputs: rates, expenses, issue dates and list filters name their field and change nothing") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string para = std::to_string(f.paraId);
  auto expectField = [&](const HttpResult& r, int status, const std::string& field) {
    INFO(r.status << " " << r.body);
    CHECK(r.status == status);
    CHECK(errorField(r) == field);
  };
  // Rates.
  expectField(f.books->request("PUT", "/api/v1/billing/rates/" + para, R"({"rate_minor":-1})"), 400, "rate_minor");
  expectField(f.books->request("PUT", "/api/v1/billing/rates/" + para, R"({"rate_minor":"fifty"})"), 400, "rate_minor");
  expectField(f.books->request("PUT", "/api/v1/billing/rates/" + para, R"({"rate":100})"), 400, "rate");
  CHECK(f.books->request("PUT", "/api/v1/billing/rates/999999999", R"({"rate_minor":100})").status == 404);
  const auto rates = parsed(f.books->get("/api/v1/billing/rates"));
  for (std::size_t i = 0; i < rates.find("items")->size(); ++i)
    CHECK(rates.find("items")->at(i).find("rate_minor")->isNull());  // nothing was set
  // Expenses.
  const std::string exp = "/api/v1/cases/" + f.kase + "/expenses";
  expectField(f.para->post(exp, R"({"amount_minor":0,"description":"x"})"), 400, "amount_minor");
  expectField(f.para->post(exp, R"({"description":"x"})"), 400, "amount_minor");
  expectField(f.para->post(exp, R"({"amount_minor":100})"), 400, "description");
  expectField(f.para->post(exp, R"({"amount_minor":100,"description":"x","date":"2026-02-29"})"), 400, "date");
  expectField(f.para->post(exp, R"({"amount_minor":100,"description":"x","billable":"yes"})"), 400, "billable");
  CHECK(parsed(f.staff->get(exp)).find("items")->size() == 0);
  // Issuing: a bad date leaves the draft a draft, with no number drawn.
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Fee","unit_price_minor":100}]})"));
  expectField(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-13-01"})"), 400, "issued_on");
  expectField(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"on":"2026-12-01"})"), 400, "on");
  CHECK(textOf(parsed(f.books->get("/api/v1/invoices/" + id)), "status") == "draft");
  CHECK(textOf(parsed(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-12-01"})")), "number") == "2026-0001");
  CHECK(f.books->post("/api/v1/invoices/999999999/issue", "").status == 404);
  // List filters.
  expectField(f.books->get("/api/v1/invoices?status=late"), 400, "status");
  expectField(f.books->get("/api/v1/invoices?cursor=abc"), 400, "cursor");
  expectField(f.books->get("/api/v1/invoices?limit=0"), 400, "limit");
  expectField(f.books->get("/api/v1/invoices?client_id=x"), 400, "client_id");
  // Payments and refunds of what does not exist.
  CHECK(f.books->post("/api/v1/invoices/999999999/payments", R"({"amount_minor":1,"method":"cash"})").status == 404);
  CHECK(f.books->post("/api/v1/payments/999999999/refunds", R"({"amount_minor":1})").status == 404);
  expectField(f.books->post("/api/v1/payments/999999999/refunds", R"({"amount":1})"), 400, "amount");
}

namespace {
// The .eml files of the outbox (the default mail transport), oldest first.
std::vector<std::string> outboxMails(const std::string& stateDir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  const fs::path dir = fs::path(stateDir) / "outbox";
  if (fs::exists(dir))
    for (const auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".eml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> out;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}
std::string headerOf(const std::string& mail, const std::string& name) {
  const auto at = mail.find("\n" + name + ": ");
  if (at == std::string::npos) return {};
  const auto start = at + name.size() + 3;
  return mail.substr(start, mail.find('\n', start) - start);
}
}  // namespace

TEST_CASE("credit notes correct an issued invoice by at most what is owed, numbered CN-YYYY-NNNN, the portal sees them") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Drafting","unit_price_minor":50000}]})"));
  auto r = f.books->post("/api/v1/invoices/" + id + "/credit-notes", R"({"amount_minor":100,"reason":"x"})");
  CHECK(r.status == 409);  // a draft is edited, not credited
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-11-30"})").status == 200);
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"reason":"Goodwill"})", "amount_minor"},
           {R"({"amount_minor":-5,"reason":"Goodwill"})", "amount_minor"},
           {R"({"amount_minor":50001,"reason":"Goodwill"})", "amount_minor"},
           {R"({"amount_minor":100})", "reason"},
           {R"({"amount_minor":100,"reason":"Goodwill","issued_on":"2026-11-01"})", "issued_on"}}) {
    r = f.books->post("/api/v1/invoices/" + id + "/credit-notes", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(f.para->post("/api/v1/invoices/" + id + "/credit-notes", R"({"amount_minor":100,"reason":"x"})").status == 403);
  CHECK(f.other->post("/api/v1/invoices/" + id + "/credit-notes", R"({"amount_minor":100,"reason":"x"})").status == 404);
  // 100.00 paid, 150.00 credited: 250.00 left, partly paid; then the rest credited: "credited"
  // only when nothing was paid, so here it reads paid.
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":10000,"method":"wire"})").status == 201);
  r = f.books->post("/api/v1/invoices/" + id + "/credit-notes", R"({"amount_minor":15000,"reason":"Hours billed twice","issued_on":"2026-12-01"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto note = parsed(r);
  CHECK(textOf(note, "number") == "CN-2026-0001");
  CHECK(intOf(*note.find("invoice"), "credited_minor") == 15000);
  CHECK(intOf(*note.find("invoice"), "balance_minor") == 25000);
  CHECK(textOf(*note.find("invoice"), "status") == "partially_paid");
  // A payment can no longer take more than what is left after the credit.
  CHECK(f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":25001,"method":"wire"})").status == 400);
  r = f.books->post("/api/v1/invoices/" + id + "/credit-notes", R"({"amount_minor":25000,"reason":"Settlement"})");
  REQUIRE(r.status == 201);
  CHECK(textOf(parsed(r), "number") == "CN-2026-0002");
  auto inv = parsed(f.books->get("/api/v1/invoices/" + id));
  CHECK(textOf(inv, "status") == "paid");
  CHECK(intOf(inv, "balance_minor") == 0);
  CHECK(inv.find("credit_notes")->size() == 2);
  // The portal: the notes and the balance; Smith gets nothing of it.
  auto pinv = parsed(f.portal->get("/api/v1/portal/invoices/" + id));
  CHECK(pinv.find("credit_notes")->size() == 2);
  CHECK(intOf(pinv, "credited_minor") == 40000);
  CHECK(intOf(parsed(f.portal->get("/api/v1/portal/invoices")), "balance_minor") == 0);
  CHECK(f.smithPortal->get("/api/v1/portal/invoices/" + id).status == 404);
  // The credit note as PDF: staff, and the client's own in the portal; the invoice's PDF shows
  // what was credited and the balance left.
  const std::string noteId = std::to_string(intOf(note, "id"));
  auto pdf = f.books->get("/api/v1/credit-notes/" + noteId + "/pdf");
  REQUIRE(pdf.status == 200);
  std::string text = pdfText(pdf.body);
  CHECK(text.find("Credit note CN-2026-0001") != std::string::npos);
  CHECK(text.find("Hours billed twice") != std::string::npos);
  CHECK(text.find("-150.00 EUR") != std::string::npos);
  CHECK(f.portal->get("/api/v1/portal/credit-notes/" + noteId + "/pdf").status == 200);
  CHECK(f.smithPortal->get("/api/v1/portal/credit-notes/" + noteId + "/pdf").status == 404);
  CHECK(f.other->get("/api/v1/credit-notes/" + noteId + "/pdf").status == 404);
  text = pdfText(f.books->get("/api/v1/invoices/" + id + "/pdf").body);
  CHECK(text.find("Credited") != std::string::npos);
  CHECK(text.find("-400.00 EUR") != std::string::npos);
  // A fully credited invoice without payments reads "credited".
  const auto second = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                                 R"(,"lines":[{"description":"Call","unit_price_minor":1000}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + second + "/issue", "").status == 200);
  REQUIRE(f.books->post("/api/v1/invoices/" + second + "/credit-notes", R"({"amount_minor":1000,"reason":"Waived"})").status == 201);
  CHECK(textOf(parsed(f.books->get("/api/v1/invoices/" + second)), "status") == "credited");
}

TEST_CASE("trust: deposits, applications to invoices with a receipt, refunds, never negative, even at once, the portal reads its own") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string trust = "/api/v1/clients/" + f.anderson + "/trust";
  auto r = f.books->get(trust);
  REQUIRE(r.status == 200);
  CHECK(intOf(parsed(r), "balance_minor") == 0);
  CHECK(textOf(parsed(r), "currency") == "EUR");
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"amount_minor":100})", "kind"},
           {R"({"kind":"gift","amount_minor":100})", "kind"},
           {R"({"kind":"deposit"})", "amount_minor"},
           {R"({"kind":"deposit","amount_minor":0})", "amount_minor"},
           {R"({"kind":"refund","amount_minor":1})", "amount_minor"},  // nothing in trust
           {R"({"kind":"deposit","amount_minor":100,"entry_date":"31/12/2026"})", "entry_date"}}) {
    r = f.books->post(trust, body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(f.para->post(trust, R"({"kind":"deposit","amount_minor":100})").status == 403);
  CHECK(f.other->post(trust, R"({"kind":"deposit","amount_minor":100})").status == 404);
  CHECK(f.other->get(trust).status == 404);
  r = f.books->post(trust, R"({"kind":"deposit","amount_minor":200000,"reference":"Wire 77","description":"Retainer"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(intOf(parsed(r), "balance_after_minor") == 200000);
  CHECK(textOf(parsed(r), "kind") == "deposit");
  // An invoice of 500.00 paid from trust: a payment with method trust and its receipt.
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Motion","unit_price_minor":50000}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", "").status == 200);
  r = f.books->post("/api/v1/invoices/" + id + "/trust-applications", R"({"amount_minor":50001})");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "amount_minor");
  r = f.books->post("/api/v1/invoices/" + id + "/trust-applications", R"({"amount_minor":30000})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto pay = parsed(r);
  CHECK(textOf(pay, "method") == "trust");
  CHECK(textOf(pay, "receipt_number").rfind("R-", 0) == 0);
  CHECK(intOf(*pay.find("invoice"), "balance_minor") == 20000);
  CHECK(intOf(parsed(f.books->get(trust)), "balance_minor") == 170000);
  // Two refunds of 1,000.00 at once against 1,700.00: exactly one is taken.
  std::vector<HttpResult> both(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      HttpClient c(f.t.port());
      c.cookie = f.books->cookie;
      c.csrf = f.books->csrf;
      both[i] = c.post(trust, R"({"kind":"refund","amount_minor":100000})");
    });
  for (auto& th : threads) th.join();
  INFO(both[0].status << " " << both[0].body << " / " << both[1].status << " " << both[1].body);
  CHECK(((both[0].status == 201) != (both[1].status == 201)));
  auto ledger = parsed(f.books->get(trust));
  CHECK(intOf(ledger, "balance_minor") == 70000);
  REQUIRE(ledger.find("items")->size() == 3);
  CHECK(textOf((*ledger.find("items")).at(0), "kind") == "refund");
  CHECK(intOf((*ledger.find("items")).at(0), "balance_after_minor") == 70000);
  CHECK(textOf((*ledger.find("items")).at(1), "kind") == "application");
  // Refunding the trust payment puts the money back in trust, not in the client's hand.
  r = f.books->post("/api/v1/payments/" + std::to_string(intOf(pay, "id")) + "/refunds", R"({"amount_minor":10000})");
  REQUIRE(r.status == 200);
  ledger = parsed(f.books->get(trust));
  CHECK(intOf(ledger, "balance_minor") == 80000);
  CHECK(textOf((*ledger.find("items")).at(0), "kind") == "returned");
  // The portal: Anderson's balance and entries, without who recorded them; Smith: nothing.
  r = f.portal->get("/api/v1/portal/trust");
  REQUIRE(r.status == 200);
  CHECK(intOf(parsed(r), "balance_minor") == 80000);
  CHECK(parsed(r).find("items")->size() == 4);
  CHECK(intOf(parsed(f.portal->get("/api/v1/portal/invoices")), "trust_balance_minor") == 80000);
  CHECK(intOf(parsed(f.smithPortal->get("/api/v1/portal/invoices")), "trust_balance_minor") == 0);
  CHECK(r.body.find("created_at") == std::string::npos);
  r = f.smithPortal->get("/api/v1/portal/trust");
  REQUIRE(r.status == 200);
  CHECK(intOf(parsed(r), "balance_minor") == 0);
  CHECK(parsed(r).find("items")->size() == 0);
}

TEST_CASE("aging puts each client's open balance in buckets by days past due, with totals per currency") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  // Anderson (EUR, 14 days' terms): issued 2026-08-01 (due 08-15), 2026-10-20 (due 11-03),
  // 2026-11-25 (due 12-09). Smith (JPY): issued 2026-11-01 with 30 days (due 12-01).
  auto invoice = [&](const std::string& client, std::int64_t minor, const std::string& issued) {
    const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + client + R"(,"lines":[{"description":"Work","unit_price_minor":)" +
                                                               std::to_string(minor) + "}]}"));
    auto r = f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":")" + issued + R"("})");
    INFO(r.body);
    REQUIRE(r.status == 200);
    return id;
  };
  invoice(f.anderson, 10000, "2026-08-01");
  const auto oct = invoice(f.anderson, 20000, "2026-10-20");
  invoice(f.anderson, 40000, "2026-11-25");
  invoice(f.smith, 5000, "2026-11-01");
  const auto draft = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                                R"(,"lines":[{"description":"Draft","unit_price_minor":99}]})"));
  (void)draft;
  REQUIRE(f.books->post("/api/v1/invoices/" + oct + "/payments", R"({"amount_minor":5000,"method":"cash"})").status == 201);
  auto r = f.books->get("/api/v1/billing/aging?as_of=2026-12-05");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto a = parsed(r);
  const Json& items = *a.find("items");
  REQUIRE(items.size() == 2);
  const Json* and_ = nullptr;
  const Json* smi = nullptr;
  for (std::size_t i = 0; i < items.size(); ++i)
    (std::to_string(intOf(items.at(i), "client_id")) == f.anderson ? and_ : smi) = &items.at(i);
  REQUIRE(and_);
  REQUIRE(smi);
  CHECK(intOf(*and_, "current_minor") == 40000);
  CHECK(intOf(*and_, "d1_30_minor") == 0);
  CHECK(intOf(*and_, "d31_60_minor") == 15000);  // due 11-03: 32 days past
  CHECK(intOf(*and_, "d61_90_minor") == 0);
  CHECK(intOf(*and_, "d90_plus_minor") == 10000);  // due 08-15: 112 days past
  CHECK(intOf(*and_, "total_minor") == 65000);
  CHECK(textOf(*and_, "currency") == "EUR");
  CHECK(intOf(*smi, "d1_30_minor") == 5000);  // due 12-01: 4 days past
  CHECK(textOf(*smi, "currency") == "JPY");
  CHECK(a.find("totals")->size() == 2);
  // One client; a date before the later invoices were issued leaves them out.
  r = f.books->get("/api/v1/billing/aging?as_of=2026-10-31&client_id=" + f.anderson);
  REQUIRE(r.status == 200);
  REQUIRE(parsed(r).find("items")->size() == 1);
  CHECK(intOf((*parsed(r).find("items")).at(0), "total_minor") == 25000);
  r = f.books->get("/api/v1/billing/aging?as_of=tomorrow");
  CHECK(r.status == 400);
  CHECK(errorField(r) == "as_of");
  CHECK(f.para->get("/api/v1/billing/aging").status == 403);
  CHECK(parsed(f.other->get("/api/v1/billing/aging")).find("items")->size() == 0);
}

TEST_CASE("a payment e-mails the client a receipt notice: receipt, invoice and balance in the text, no amount in the subject") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  REQUIRE(f.staff->request("PATCH", "/api/v1/clients/" + f.anderson, R"({"email":"thomas@anderson.test"})").status == 200);
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Advice","unit_price_minor":123456}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", R"({"issued_on":"2026-11-30"})").status == 200);
  const std::string state = f.t.dir.path + "/state";
  const auto before = outboxMails(state).size();
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/payments", R"({"amount_minor":23456,"method":"wire","received_on":"2026-12-01"})").status == 201);
  const auto mails = outboxMails(state);
  REQUIRE(mails.size() == before + 1);
  const std::string& m = mails.back();
  CHECK(headerOf(m, "To").find("thomas@anderson.test") != std::string::npos);
  const std::string subject = headerOf(m, "Subject");
  CHECK(subject.find("R-2026-0001") != std::string::npos);
  CHECK(subject.find("234") == std::string::npos);
  CHECK(subject.find("EUR") == std::string::npos);
  CHECK(m.find("234.56 EUR") != std::string::npos);
  CHECK(m.find("1000.00 EUR") != std::string::npos);  // the balance after it
  // A client without an address: the payment stands, no mail.
  const auto smithInv = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.smith +
                                                                   R"(,"lines":[{"description":"Advice","unit_price_minor":500}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + smithInv + "/issue", "").status == 200);
  REQUIRE(f.books->post("/api/v1/invoices/" + smithInv + "/payments", R"({"amount_minor":500,"method":"cash"})").status == 201);
  CHECK(outboxMails(state).size() == before + 1);
}

TEST_CASE("Idempotency-Key: a repeated payment is recorded once and answered alike, the key with another body is refused, a refused request frees its key") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Brief","unit_price_minor":90000}]})"));
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", "").status == 200);
  const std::string path = "/api/v1/invoices/" + id + "/payments";
  const std::string body = R"({"amount_minor":30000,"method":"wire","received_on":"2026-12-01"})";
  auto send = [&](HttpClient& c, const std::string& b, const std::string& key) {
    return c.request("POST", path, b, "application/json", {{"Idempotency-Key", key}});
  };
  auto first = send(*f.books, body, "7b0c6c1e-pay-1");
  INFO(first.body);
  REQUIRE(first.status == 201);
  CHECK(first.header("idempotent-replayed").empty());
  auto again = send(*f.books, body, "7b0c6c1e-pay-1");
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.header("idempotent-replayed") == "true");
  CHECK(parsed(f.books->get(path)).find("items")->size() == 1);
  // Another body with the same key: 409 naming the header; nothing recorded.
  auto other = send(*f.books, R"({"amount_minor":1,"method":"cash"})", "7b0c6c1e-pay-1");
  CHECK(other.status == 409);
  CHECK(errorField(other) == "Idempotency-Key");
  CHECK(parsed(other).find("error")->find("code")->asString() == "idempotency_key_reused");
  // Keys are the caller's own: the owner's request with the same key is a request of its own.
  auto owners = send(*f.staff, body, "7b0c6c1e-pay-1");
  CHECK(owners.status == 201);
  CHECK(parsed(f.books->get(path)).find("items")->size() == 2);
  // A request refused (400) leaves its key free for the corrected request.
  auto refused = send(*f.books, R"({"amount_minor":30000,"method":"bitcoin"})", "7b0c6c1e-pay-2");
  CHECK(refused.status == 400);
  auto fixed = send(*f.books, R"({"amount_minor":30000,"method":"bitcoin"})", "7b0c6c1e-pay-2");
  CHECK(fixed.status == 400);
  CHECK(fixed.header("idempotent-replayed").empty());
  CHECK(send(*f.books, body.substr(0, body.size() - 1) + R"(,"reference":"retry"})", "7b0c6c1e-pay-2").status == 201);
  // Bad keys name the header.
  for (const std::string& key : {std::string("has space"), std::string(256, 'k')}) {
    auto r = send(*f.books, body, key);
    CHECK(r.status == 400);
    CHECK(errorField(r) == "Idempotency-Key");
  }
  CHECK(parsed(f.books->get(path)).find("items")->size() == 3);
}

TEST_CASE("a draft is edited in place: its cases' work drawn again, its lines by hand replaced, figures kept in step, an issued invoice is not") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  REQUIRE(f.books->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":60,"description":"Research","date":"2026-11-02"})").status == 201);
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase +
                                                             R"(],"lines":[{"description":"Filing fee","unit_price_minor":5000}]})"));
  auto inv = parsed(f.books->get("/api/v1/invoices/" + id));
  CHECK(intOf(inv, "total_minor") == 35000);  // 300.00 + 50.00
  // More time recorded after the draft; the edit draws the case again and replaces the fee.
  REQUIRE(f.books->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":30,"description":"Call","date":"2026-11-03"})").status == 201);
  auto r = f.books->request("PATCH", "/api/v1/invoices/" + id,
                            R"({"case_ids":[)" + f.kase + R"(],"lines":[{"description":"Courier","unit_price_minor":2000},{"description":"Copies","quantity":10,"unit_price_minor":10}],"tax_name":"VAT","tax_rate_bp":2000,"notes":"Thank you"})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  inv = parsed(r);
  CHECK(std::to_string(intOf(inv, "id")) == id);
  const Json& lines = *inv.find("lines");
  REQUIRE(lines.size() == 4);
  CHECK(textOf(lines.at(0), "kind") == "time");
  CHECK(textOf(lines.at(1), "kind") == "time");
  CHECK(textOf(lines.at(2), "description") == "Courier");
  CHECK(textOf(lines.at(3), "description") == "Copies");
  CHECK(intOf(inv, "subtotal_minor") == 30000 + 15000 + 2000 + 100);
  CHECK(intOf(inv, "tax_minor") == 9420);
  CHECK(textOf(inv, "notes") == "Thank you");
  // Only the header: the lines stay.
  r = f.books->request("PATCH", "/api/v1/invoices/" + id, R"({"discount_bp":1000})");
  REQUIRE(r.status == 200);
  CHECK(parsed(r).find("lines")->size() == 4);
  CHECK(intOf(parsed(r), "discount_minor") == 4710);
  // Dropping the case releases its time for another invoice.
  r = f.books->request("PATCH", "/api/v1/invoices/" + id, R"({"case_ids":[]})");
  REQUIRE(r.status == 200);
  CHECK(parsed(r).find("lines")->size() == 2);
  CHECK(intOf(parsed(f.books->get("/api/v1/cases/" + f.kase + "/time")), "unbilled_minutes") == 90);
  // Bad input names its field and changes nothing; no lines at all is refused.
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"lines":[{"description":"","unit_price_minor":1}]})", "lines[0].description"},
           {R"({"case_ids":[)" + f.smithCase + "]}", "case_ids[0]"},
           {R"({"tax_rate_bp":2000,"tax_name":""})", "tax_name"},
           {R"({"lines":[]})", "lines"},
           {R"({"client_id":1})", "client_id"}}) {
    r = f.books->request("PATCH", "/api/v1/invoices/" + id, body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  CHECK(parsed(f.books->get("/api/v1/invoices/" + id)).find("lines")->size() == 2);
  CHECK(f.para->request("PATCH", "/api/v1/invoices/" + id, R"({"notes":"x"})").status == 403);
  CHECK(f.other->request("PATCH", "/api/v1/invoices/" + id, R"({"notes":"x"})").status == 404);
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", "").status == 200);
  r = f.books->request("PATCH", "/api/v1/invoices/" + id, R"({"notes":"after"})");
  CHECK(r.status == 409);
  // The list: client names, and what a clerk filters by.
  auto list = parsed(f.books->get("/api/v1/invoices?status=open"));
  REQUIRE(list.find("items")->size() == 1);
  CHECK(textOf(list.find("items")->at(0), "client_name") == "Thomas Anderson");
  CHECK(parsed(f.books->get("/api/v1/invoices?status=paid")).find("items")->size() == 0);
  CHECK(f.books->get("/api/v1/invoices?status=late").status == 400);
}

TEST_CASE("a paralegal lists the time and expenses they recorded, deletes their own unbilled expense, not another's") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  REQUIRE(f.books->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":60,"description":"Books' time"})").status == 201);
  REQUIRE(f.para->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":15,"description":"Para's time"})").status == 201);
  const auto mine = idOf(f.para->post("/api/v1/cases/" + f.kase + "/expenses", R"({"amount_minor":700,"description":"Taxi"})"));
  const auto theirs = idOf(f.books->post("/api/v1/cases/" + f.kase + "/expenses", R"({"amount_minor":900,"description":"Courier"})"));
  auto t = f.para->get("/api/v1/cases/" + f.kase + "/time");
  REQUIRE(t.status == 200);
  REQUIRE(parsed(t).find("items")->size() == 1);
  CHECK(textOf(parsed(t).find("items")->at(0), "description") == "Para's time");
  CHECK(parsed(f.books->get("/api/v1/cases/" + f.kase + "/time")).find("items")->size() == 2);
  CHECK(parsed(f.para->get("/api/v1/cases/" + f.kase + "/expenses")).find("items")->size() == 1);
  CHECK(f.para->request("DELETE", "/api/v1/expenses/" + theirs).status == 403);
  CHECK(f.para->request("DELETE", "/api/v1/expenses/" + mine).status == 204);
  CHECK(f.para->request("DELETE", "/api/v1/expenses/" + mine).status == 404);
  // On an invoice: not deleted.
  const auto inv = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase + "]}"));
  (void)inv;
  CHECK(f.books->request("DELETE", "/api/v1/expenses/" + theirs).status == 409);
  CHECK(f.other->request("DELETE", "/api/v1/expenses/" + theirs).status == 404);
}

TEST_CASE("the firm's billing settings: address and tax id on its PDFs (the portal's too), a default tax rate for new invoices") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  for (const auto& [body, field] : std::vector<std::pair<std::string, std::string>>{
           {R"({"tax_rates":[{"name":"VAT"}]})", "tax_rates[0].rate_bp"},
           {R"({"tax_rates":[{"name":"VAT","rate_bp":10001}]})", "tax_rates[0].rate_bp"},
           {R"({"tax_rates":[{"rate_bp":2000}]})", "tax_rates[0].name"},
           {R"({"tax_rates":[{"name":"A","rate_bp":1,"default":true},{"name":"B","rate_bp":2,"default":true}]})", "tax_rates[1].default"},
           {R"({"tax_rates":[{"name":"A","rate_bp":1},{"name":"A","rate_bp":2}]})", "tax_rates[1].name"},
           {R"({"colour":"blue"})", "colour"}}) {
    auto r = f.books->request("PUT", "/api/v1/billing/settings", body);
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  }
  auto r = f.books->request("PUT", "/api/v1/billing/settings",
                            R"({"address":"Rue de l'Été 12\n1000 Bruxelles","tax_id":"BE0123.456.789",)"
                            R"("tax_rates":[{"name":"TVA 21%","rate_bp":2100,"default":true},{"name":"TVA 6%","rate_bp":600}]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(parsed(r).find("tax_rates")->size() == 2);
  CHECK(f.para->request("PUT", "/api/v1/billing/settings", R"({"tax_id":"x"})").status == 403);
  // The other firm has its own (none).
  CHECK(textOf(parsed(f.other->get("/api/v1/billing/settings")), "tax_id").empty());
  // A new invoice without a tax takes the default; one that names another keeps it.
  const auto id = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                             R"(,"lines":[{"description":"Advice","unit_price_minor":10000}]})"));
  auto inv = parsed(f.books->get("/api/v1/invoices/" + id));
  CHECK(textOf(inv, "tax_name") == "TVA 21%");
  CHECK(intOf(inv, "tax_minor") == 2100);
  const auto zero = idOf(f.books->post("/api/v1/invoices", R"({"client_id":)" + f.anderson +
                                                               R"(,"tax_rate_bp":0,"lines":[{"description":"Advice","unit_price_minor":10000}]})"));
  CHECK(intOf(parsed(f.books->get("/api/v1/invoices/" + zero)), "tax_minor") == 0);
  // The PDFs, staff's and the portal's, carry the address and tax id.
  REQUIRE(f.books->post("/api/v1/invoices/" + id + "/issue", "").status == 200);
  auto pdf = f.books->get("/api/v1/invoices/" + id + "/pdf");
  REQUIRE(pdf.status == 200);
  std::string text = pdfText(pdf.body);
  CHECK(text.find("Rue de l\xE2\x80\x99\xC3\x89t\xC3\xA9 12") == std::string::npos);  // not typographic: as written
  CHECK(text.find("Rue de l'\xC3\x89t\xC3\xA9 12") != std::string::npos);
  CHECK(text.find("1000 Bruxelles") != std::string::npos);
  CHECK(text.find("Tax ID BE0123.456.789") != std::string::npos);
  pdf = f.portal->get("/api/v1/portal/invoices/" + id + "/pdf");
  REQUIRE(pdf.status == 200);
  text = pdfText(pdf.body);
  CHECK(text.find("1000 Bruxelles") != std::string::npos);
  CHECK(text.find("Tax ID BE0123.456.789") != std::string::npos);
}

TEST_CASE("Idempotency-Key: only the request holding a claim completes it, an answer too large to keep is not redone, sign-in ignores keys") {
  Firm f(Db::SQLite);
  // The claim primitive: a stale claim taken over leaves the old request unable to finish.
  auto conn = f.t.host->ownerConnection();
  lexos::sdk::Principal p;
  p.kind = lexos::sdk::PrincipalKind::Staff;
  p.firm_id = f.alpha;
  p.user_id = f.booksId;
  const auto first = lexos::core::Idempotency::claim(*conn, p, "k-stale", "fp");
  REQUIRE(!first.token.empty());
  CHECK_THROWS_WITH(lexos::core::Idempotency::claim(*conn, p, "k-stale", "fp"), Catch::Contains("still being processed"));
  conn->begin(true);
  conn->setScope({f.alpha, 0});
  conn->execute("UPDATE idempotency_keys SET created_at = $1 WHERE idem_key = 'k-stale'", {std::string("2000-01-01T00:00:00Z")});
  conn->commit();
  const auto second = lexos::core::Idempotency::claim(*conn, p, "k-stale", "fp");
  REQUIRE(!second.token.empty());
  CHECK(second.token != first.token);
  conn->begin(true);
  lexos::core::StoredAnswer a{201, "application/json", "{\"first\":true}"};
  CHECK_THROWS_WITH(lexos::core::Idempotency::complete(*conn, p, "k-stale", first.token, &a), Catch::Contains("still being processed"));
  conn->rollback();
  lexos::core::Idempotency::release(*conn, p, "k-stale", first.token);  // not the old request's any more: no effect
  conn->begin(true);
  lexos::core::StoredAnswer b{201, "application/json", "{\"second\":true}"};
  lexos::core::Idempotency::complete(*conn, p, "k-stale", second.token, &b);
  conn->commit();
  const auto replay = lexos::core::Idempotency::claim(*conn, p, "k-stale", "fp");
  REQUIRE(replay.replay);
  CHECK(replay.replay->body == "{\"second\":true}");

  // An answer over 256 KiB is not kept: the repeat is told so, and nothing is drafted twice.
  std::string desc(600, 'w');
  for (int i = 0; i < 450; ++i)
    REQUIRE(f.books->post("/api/v1/cases/" + f.kase + "/time", R"({"minutes":6,"description":")" + desc + R"("})").status == 201);
  const std::string body = R"({"client_id":)" + f.anderson + R"(,"case_ids":[)" + f.kase + "]}";
  auto big = f.books->request("POST", "/api/v1/invoices", body, "application/json", {{"Idempotency-Key", "draft-big-1"}});
  REQUIRE(big.status == 201);
  REQUIRE(big.body.size() > 256 * 1024);
  auto again = f.books->request("POST", "/api/v1/invoices", body, "application/json", {{"Idempotency-Key", "draft-big-1"}});
  CHECK(again.status == 409);
  CHECK(parsed(again).find("error")->find("code")->asString() == "idempotency_answer_not_kept");
  CHECK(parsed(f.books->get("/api/v1/invoices?status=draft")).find("items")->size() == 1);

  // Sign-in is public: a key is ignored, a wrong password is never replayed as a success.
  const std::string wrong = R"({"firm":"alpha","email":"books@alpha.test","password":"not the password!"})";
  auto r1 = f.books->request("POST", "/api/v1/auth/login", wrong, "application/json", {{"Idempotency-Key", "login-1"}});
  auto r2 = f.books->request("POST", "/api/v1/auth/login", wrong, "application/json", {{"Idempotency-Key", "login-1"}});
  CHECK(r1.status == 401);
  CHECK(r2.status == 401);
  CHECK(r2.header("idempotent-replayed").empty());
}
