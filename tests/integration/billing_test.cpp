// The billing module (issue 12, first part): time and expenses on a case at the right rate,
// invoices drafted from unbilled work or by hand in the client's currency (minor units per
// ISO 4217), issued with a gap-free number per firm and year (also under concurrent issues),
// voided with the number kept, and the portal's view: the client's own issued invoices and
// balance, never drafts, never another client's, never the time entries. Both backends, a real
// lexosd on a real port.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

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

TEST_CASE("invoices in yen and dinars keep their currency's minor units; bad lines name their field") {
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

TEST_CASE("payments: part then the rest, each with its receipt number; no overpaying, even at once; refunds; the portal's receipts") {
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

TEST_CASE("invoices and official receipts as PDF carry the firm, the client's name as written, the figures; the portal gets only its own") {
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
  expectField(f.books->get("/api/v1/invoices?status=paid"), 400, "status");
  expectField(f.books->get("/api/v1/invoices?cursor=abc"), 400, "cursor");
  expectField(f.books->get("/api/v1/invoices?limit=0"), 400, "limit");
  expectField(f.books->get("/api/v1/invoices?client_id=x"), 400, "client_id");
  // Payments and refunds of what does not exist.
  CHECK(f.books->post("/api/v1/invoices/999999999/payments", R"({"amount_minor":1,"method":"cash"})").status == 404);
  CHECK(f.books->post("/api/v1/payments/999999999/refunds", R"({"amount_minor":1})").status == 404);
  expectField(f.books->post("/api/v1/payments/999999999/refunds", R"({"amount":1})"), 400, "amount");
}
