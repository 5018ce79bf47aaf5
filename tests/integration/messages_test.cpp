// The messages module (issue 13, item 3): one secure conversation per matter between the
// client's portal users and the firm, the staff inbox with unread counts, e-mail notices without
// the text, every message in the audit chain, and the staff-only War Room, which no portal scope
// reads, on both backends, through the API and in SQL as the runtime role.
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "app/host.h"
#include "data/connection_pool.h"
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

std::int64_t intOf(const Json& j, const char* key) { return *j.find(key)->toInt64(); }

std::vector<std::string> texts(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  const Json j = parsed(r);
  const Json* items = j.find("items");
  for (std::size_t i = 0; i < items->size(); ++i) out.push_back(items->at(i).find("text")->asString());
  return out;
}

std::string sha256Hex(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

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

// The mail with its quoted-printable body decoded (soft line breaks joined, =XX as bytes), so that
// a search for the message's text cannot miss it because the encoding split or escaped it.
std::string decodedQp(const std::string& m) {
  std::string out;
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (m[i] == '=' && i + 1 < m.size() && (m[i + 1] == '\n' || m[i + 1] == '\r')) {
      i += (m[i + 1] == '\r' && i + 2 < m.size() && m[i + 2] == '\n') ? 2 : 1;
      continue;
    }
    if (m[i] == '=' && i + 2 < m.size() && std::isxdigit(static_cast<unsigned char>(m[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(m[i + 2]))) {
      out += static_cast<char>(std::stoi(m.substr(i + 1, 2), nullptr, 16));
      i += 2;
      continue;
    }
    out += m[i];
  }
  return out;
}

std::vector<std::string> mailsTo(const std::string& stateDir, const std::string& address) {
  std::vector<std::string> out;
  for (auto& raw : outboxMails(stateDir)) {
    const std::string m = decodedQp(raw);
    if (m.find("\nTo: " + address) != std::string::npos || m.rfind("To: " + address, 0) == 0 ||
        m.find("<" + address + ">") != std::string::npos)
      out.push_back(m);
  }
  return out;
}

struct Firm {
  explicit Firm(Db db, const std::string& extraConfig = "")
      : t(db, "clients,cases,portal,documents,messages",
          "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n" + extraConfig) {
    alpha = t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "owner@alpha.test", "owner");
    t.staff("alpha", "jane@alpha.test", "attorney");
    t.staff("alpha", "billing@alpha.test", "billing");
    t.staff("beta", "owner@beta.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    jane = std::make_unique<HttpClient>(t.signedIn("alpha", "jane@alpha.test"));
    other = std::make_unique<HttpClient>(t.signedIn("beta", "owner@beta.test"));
    anderson = idOf(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson"})"));
    smith = idOf(staff->post("/api/v1/clients", R"({"name":"Agent Smith"})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson + R"(,"title":"Anderson v. Metacortex"})"));
    smithCase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + smith + R"(,"title":"Smith matter"})"));
    t.portalUser("alpha", std::stoll(anderson), "anderson@client.test");
    t.portalUser("alpha", std::stoll(smith), "smith@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
    smithPortal = std::make_unique<HttpClient>(t.signedIn("alpha", "smith@client.test"));
  }
  std::string state() const { return t.dir.path + "/state"; }
  // A statement in a write transaction bound to `client` (0: staff scope) of firm alpha, as the
  // runtime role; rolled back. Returns the rows of a query, or throws what the database refused.
  lexos::sdk::ResultSet sql(std::int64_t client, const std::string& text, const std::vector<lexos::sdk::Value>& params = {},
                            bool write = false) {
    auto c = t.host->pool().acquire();
    c->begin(true);
    c->setScope({alpha, client});
    try {
      lexos::sdk::ResultSet rs;
      if (write) rs.rows.push_back({c->execute(text, params)});
      else rs = c->query(text, params);
      c->rollback();
      return rs;
    } catch (...) {
      c->rollback();
      throw;
    }
  }
  std::int64_t count(std::int64_t client, const std::string& table) {
    return lexos::sdk::asInt(sql(client, "SELECT count(*) FROM " + table).rows.at(0).at(0));
  }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, jane, other, portal, smithPortal;
  std::string anderson, smith, kase, smithCase;
  std::int64_t alpha = 0;
};

}  // namespace

TEST_CASE("a client writes on their matter, staff see it unread in the inbox, answer, and the client reads the answer") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string portalPath = "/api/v1/portal/cases/" + f.kase + "/messages";
  const std::string staffPath = "/api/v1/cases/" + f.kase + "/messages";

  CHECK(texts(f.portal->get(portalPath)).empty());
  auto sent = f.portal->post(portalPath, R"({"text":"Can we move the hearing?\nI am away that week."})");
  REQUIRE(sent.status == 201);
  const std::string first = jsonField(sent.body, "id");
  CHECK(jsonField(sent.body, "author_kind") == "client");
  CHECK(parsed(sent).find("mine")->asBool());

  // The inbox: one conversation, one unread, for each member of staff separately.
  auto inbox = parsed(f.staff->get("/api/v1/messages"));
  REQUIRE(inbox.find("items")->size() == 1);
  const Json& conv = inbox.find("items")->at(0);
  CHECK(std::to_string(intOf(conv, "case_id")) == f.kase);
  CHECK(conv.find("client_name")->asString() == "Thomas Anderson");
  CHECK(intOf(conv, "unread") == 1);
  CHECK(conv.find("last_message")->find("preview")->asString() == "Can we move the hearing?\nI am away that week.");
  CHECK(intOf(inbox, "unread_total") == 1);
  CHECK(intOf(parsed(f.jane->get("/api/v1/messages")), "unread_total") == 1);

  // The case's conversation, then "read": the count goes to zero for the owner only.
  auto convo = f.staff->get(staffPath);
  CHECK(texts(convo) == std::vector<std::string>{"Can we move the hearing?\nI am away that week."});
  CHECK(intOf(parsed(convo), "unread") == 1);
  auto read = f.staff->post(staffPath + "/read", R"({"last_id":)" + first + "}");
  INFO(read.body);
  REQUIRE(read.status == 200);
  CHECK(jsonField(read.body, "unread") == "0");
  CHECK(intOf(parsed(f.staff->get("/api/v1/messages")), "unread_total") == 0);
  CHECK(intOf(parsed(f.jane->get("/api/v1/messages")), "unread_total") == 1);

  // Staff answer; the client's poll with the cursor of its last answer brings the answer.
  const std::int64_t after = intOf(parsed(f.portal->get(portalPath)), "after");
  auto answer = f.jane->post(staffPath, R"({"text":"Yes, we will ask the court today."})");
  REQUIRE(answer.status == 201);
  auto poll = f.portal->get(portalPath + "?after=" + std::to_string(after));
  auto newTexts = texts(poll);
  REQUIRE(!newTexts.empty());
  CHECK(newTexts.back() == "Yes, we will ask the court today.");
  const Json polled = parsed(poll);
  const Json& last = polled.find("items")->at(polled.find("items")->size() - 1);
  CHECK(last.find("author_kind")->asString() == "staff");
  CHECK_FALSE(last.find("mine")->asBool());
  CHECK(last.find("staff_user_id") == nullptr);
  // The full conversation in order, for both sides.
  const std::vector<std::string> both = {"Can we move the hearing?\nI am away that week.", "Yes, we will ask the court today."};
  CHECK(texts(f.portal->get(portalPath)) == both);
  CHECK(texts(f.staff->get(staffPath)) == both);
  // Messages of ten seconds ago and older are behind the cursor; newer ones come again (by id,
  // the page shows each once): nothing committed late is missed.
  CHECK(intOf(parsed(f.portal->get(portalPath)), "after") <= std::stoll(first));
}

TEST_CASE("a portal client never sees War Room posts nor another client's conversation, by API or in SQL") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  REQUIRE(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"Anderson's question"})").status == 201);
  REQUIRE(f.smithPortal->post("/api/v1/portal/cases/" + f.smithCase + "/messages", R"({"text":"Smith's secret"})").status ==
          201);
  REQUIRE(f.staff->post("/api/v1/cases/" + f.kase + "/messages", R"({"text":"Answer to Anderson"})").status == 201);
  auto thread = f.staff->post("/api/v1/cases/" + f.kase + "/war-room",
                              R"({"title":"Strategy","text":"War room: settle below 2M, @jane please check"})");
  REQUIRE(thread.status == 201);
  const std::string threadId = jsonField(thread.body, "id");
  REQUIRE(f.jane->post("/api/v1/cases/" + f.kase + "/war-room/" + threadId + "/posts", R"({"text":"War room reply"})").status ==
          201);

  // API: the other client's conversation is not there; the War Room is not a portal route.
  CHECK(f.portal->get("/api/v1/portal/cases/" + f.smithCase + "/messages").status == 404);
  CHECK(f.portal->post("/api/v1/portal/cases/" + f.smithCase + "/messages", R"({"text":"hello"})").status == 404);
  CHECK(f.portal->get("/api/v1/cases/" + f.kase + "/war-room").status == 403);
  CHECK(f.portal->get("/api/v1/cases/" + f.kase + "/messages").status == 403);
  CHECK(f.other->get("/api/v1/cases/" + f.kase + "/messages").status == 404);
  auto own = f.portal->get("/api/v1/portal/cases/" + f.kase + "/messages");
  CHECK(texts(own) == std::vector<std::string>{"Anderson's question", "Answer to Anderson"});
  CHECK(own.body.find("War room") == std::string::npos);
  CHECK(own.body.find("Smith") == std::string::npos);
  // The matter page and the portal's lists carry nothing of it either.
  CHECK(f.portal->get("/api/v1/portal/cases/" + f.kase).body.find("War room") == std::string::npos);

  // SQL as the runtime role in Anderson's portal scope: the War Room and the read marks have no
  // rows, the messages are Anderson's only, and who on the staff wrote reads as NULL.
  const std::int64_t anderson = std::stoll(f.anderson);
  CHECK(f.count(0, "war_room_posts") == 2);  // the staff scope sees them
  CHECK(f.count(anderson, "war_room_posts") == 0);
  CHECK(f.count(anderson, "war_room_mentions") == 0);
  CHECK(f.count(anderson, "message_reads") == 0);
  CHECK(f.count(0, "messages") == 3);
  CHECK(f.count(anderson, "messages") == 2);
  CHECK(lexos::sdk::asInt(f.sql(anderson, "SELECT count(*) FROM messages WHERE text LIKE '%Smith%' OR client_id <> $1", {anderson})
                              .rows.at(0).at(0)) == 0);
  CHECK(lexos::sdk::asInt(f.sql(anderson, "SELECT count(*) FROM messages WHERE staff_user_id IS NOT NULL").rows.at(0).at(0)) == 0);
  CHECK(lexos::sdk::asInt(f.sql(0, "SELECT count(*) FROM messages WHERE staff_user_id IS NOT NULL").rows.at(0).at(0)) == 1);
  // Joins and subqueries do not reach around it.
  CHECK(lexos::sdk::asInt(f.sql(anderson, "SELECT count(*) FROM cases c JOIN war_room_posts p ON p.case_id = c.id")
                              .rows.at(0).at(0)) == 0);
  CHECK(lexos::sdk::asInt(f.sql(anderson, "SELECT count(*) FROM messages WHERE case_id IN (SELECT case_id FROM war_room_posts)")
                              .rows.at(0).at(0)) == 0);

  // Writes the database refuses to a portal scope: another client's row, the War Room, a staff
  // author, changing or deleting a message.
  const std::int64_t smith = std::stoll(f.smith), smithCase = std::stoll(f.smithCase), kase = std::stoll(f.kase);
  auto refused = [&](const std::string& text, const std::vector<lexos::sdk::Value>& params) {
    INFO(text);
    try {
      auto rs = f.sql(anderson, text, params, true);
      CHECK(lexos::sdk::asInt(rs.rows.at(0).at(0)) == 0);  // UPDATE/DELETE: no row reached
    } catch (const std::exception& e) {
      SUCCEED(std::string("refused: ") + e.what());
    }
  };
  refused("INSERT INTO messages (firm_id, id, case_id, client_id, author_kind, portal_user_id, author_name, text, created_at) "
          "VALUES (lexos_firm(), 990001, $1, $2, 'client', 1, 'x', 'forged', '2026-01-01T00:00:00Z')",
          {smithCase, smith});
  refused("INSERT INTO war_room_posts (firm_id, id, case_id, thread_id, text, author_user_id, created_at) "
          "VALUES (lexos_firm(), 990002, $1, 990002, 'forged', 1, '2026-01-01T00:00:00Z')",
          {kase});
  refused("INSERT INTO messages (firm_id, id, case_id, client_id, author_kind, staff_user_id, author_name, text, created_at) "
          "VALUES (lexos_firm(), 990003, $1, $2, 'staff', 1, 'Firm', 'forged staff', '2026-01-01T00:00:00Z')",
          {kase, anderson});
  refused("UPDATE messages SET text = 'changed'", {});
  refused("DELETE FROM messages", {});
  CHECK(f.count(0, "messages") == 3);
  CHECK(texts(f.staff->get("/api/v1/cases/" + f.kase + "/messages")) ==
        std::vector<std::string>{"Anderson's question", "Answer to Anderson"});
  // And a portal row of its own client does go in (what the portal's POST does).
  auto ok = f.sql(anderson,
                  "INSERT INTO messages (firm_id, id, case_id, client_id, author_kind, portal_user_id, author_name, text, "
                  "created_at) VALUES (lexos_firm(), 990004, $1, $2, 'client', 7, 'x', 'fine', '2026-01-01T00:00:00Z')",
                  {kase, anderson}, true);
  CHECK(lexos::sdk::asInt(ok.rows.at(0).at(0)) == 1);
}

TEST_CASE("new messages notify by e-mail without their text, once per burst, and are in the audit chain by hash") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string secret = "The settlement figure is 1,250,000 and my diagnosis is private";
  const auto before = outboxMails(f.state()).size();
  REQUIRE(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", "{\"text\":\"" + secret + "\"}").status == 201);
  // To the case's responsible lawyer (the owner, who opened it): that there is a message, not what.
  auto toFirm = mailsTo(f.state(), "owner@alpha.test");
  REQUIRE(toFirm.size() == 1);
  CHECK(toFirm[0].find("settlement") == std::string::npos);
  CHECK(toFirm[0].find("1,250,000") == std::string::npos);
  CHECK(toFirm[0].find("/app/#/cases/" + f.kase) != std::string::npos);

  // Staff answer: every active portal user of the client gets "You have a new message from
  // <firm>" with a link to the matter, and nothing of the text.
  const std::string reply = "We accept 1,250,000 on your behalf";
  REQUIRE(f.staff->post("/api/v1/cases/" + f.kase + "/messages", "{\"text\":\"" + reply + "\"}").status == 201);
  auto toClient = mailsTo(f.state(), "anderson@client.test");
  REQUIRE(toClient.size() == 1);
  CHECK(toClient[0].find("Subject: You have a new message from ") != std::string::npos);
  CHECK(toClient[0].find("1,250,000") == std::string::npos);
  CHECK(toClient[0].find("accept") == std::string::npos);
  CHECK(toClient[0].find("/portal/#/matters/" + f.kase) != std::string::npos);
  CHECK(mailsTo(f.state(), "smith@client.test").empty());

  // A second message of the same side within minutes sends no second notice.
  REQUIRE(f.staff->post("/api/v1/cases/" + f.kase + "/messages", R"({"text":"And one more thing"})").status == 201);
  REQUIRE(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"Thanks"})").status == 201);
  CHECK(mailsTo(f.state(), "anderson@client.test").size() == 1);
  CHECK(mailsTo(f.state(), "owner@alpha.test").size() == 1);
  CHECK(outboxMails(f.state()).size() == before + 2);

  // The audit chain: each message by id and SHA-256 of its text, never the text. Reading the log
  // through the API chains what is still pending (PostgreSQL), then the rows are read as SQL.
  auto audit = f.staff->get("/api/v1/audit?limit=500");
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find("portal.message.post") != std::string::npos);
  CHECK(audit.body.find("\"message.post\"") != std::string::npos);
  auto rows = f.sql(0, "SELECT action, detail FROM audit_log WHERE action IN ('message.post', 'portal.message.post') ORDER BY seq");
  REQUIRE(rows.size() == 4);
  std::string details;
  for (const auto& r : rows.rows) details += lexos::sdk::asText(r[1]) + "\n";
  CHECK(lexos::sdk::asText(rows.rows[0][0]) == "portal.message.post");
  CHECK(lexos::sdk::asText(rows.rows[1][0]) == "message.post");
  CHECK(details.find(sha256Hex(secret)) != std::string::npos);
  CHECK(details.find(sha256Hex(reply)) != std::string::npos);
  CHECK(details.find("1,250,000") == std::string::npos);
  CHECK(details.find("accept") == std::string::npos);
}

TEST_CASE("War Room threads mention staff by @name, notify them without the text, and count as unseen until seen") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string path = "/api/v1/cases/" + f.kase + "/war-room";
  auto t = f.staff->post(path, R"({"title":"Deposition prep","text":"@jane can you draft the outline? Not @nobody, not me@x.test."})");
  REQUIRE(t.status == 201);
  const Json thread = parsed(t);
  const Json* mentions = thread.find("posts")->at(0).find("mentions");
  REQUIRE(mentions->size() == 1);
  auto toJane = mailsTo(f.state(), "jane@alpha.test");
  REQUIRE(toJane.size() == 1);
  CHECK(toJane[0].find("outline") == std::string::npos);
  CHECK(intOf(parsed(f.jane->get("/api/v1/messages")), "mentions_unseen") == 1);
  auto mine = parsed(f.jane->get("/api/v1/war-room/mentions"));
  REQUIRE(mine.find("items")->size() == 1);
  CHECK(mine.find("items")->at(0).find("thread_title")->asString() == "Deposition prep");
  CHECK_FALSE(mine.find("items")->at(0).find("seen")->asBool());
  REQUIRE(f.jane->post(path + "/" + jsonField(t.body, "id") + "/posts", R"({"text":"Done, see the draft."})").status == 201);
  auto list = parsed(f.jane->get(path));
  REQUIRE(list.find("items")->size() == 1);
  CHECK(list.find("items")->at(0).find("posts")->size() == 2);
  CHECK(intOf(list, "mentions_unseen") == 1);
  REQUIRE(f.jane->post(path + "/seen", "{}").status == 200);
  CHECK(intOf(parsed(f.jane->get("/api/v1/messages")), "mentions_unseen") == 0);
  // The billing role holds no War Room permission; another firm's staff find no such case.
  CHECK(f.t.signedIn("alpha", "billing@alpha.test").get(path).status == 403);
  CHECK(f.other->get(path).status == 404);
  CHECK(f.other->post(path, R"({"title":"x","text":"y"})").status == 404);
}

TEST_CASE("bad message input is refused with 400 naming the field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  auto expectField = [&](const HttpResult& r, const std::string& field) {
    INFO(r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(errorField(r) == field);
  };
  const std::string p = "/api/v1/portal/cases/" + f.kase + "/messages";
  const std::string s = "/api/v1/cases/" + f.kase + "/messages";
  expectField(f.portal->post(p, R"({"text":"   "})"), "text");
  expectField(f.portal->post(p, R"({})"), "text");
  expectField(f.portal->post(p, R"({"text":42})"), "text");
  expectField(f.portal->post(p, R"({"text":"hi","client_id":1})"), "client_id");
  expectField(f.portal->post(p, "{\"text\":\"" + std::string(10001, 'x') + "\"}"), "text");
  expectField(f.staff->post(s, R"({"text":""})"), "text");
  expectField(f.portal->get(p + "?after=abc"), "after");
  expectField(f.staff->get(s + "?after=-1"), "after");
  expectField(f.staff->post(s + "/read", R"({})"), "last_id");
  expectField(f.staff->post(s + "/read", R"({"last_id":"x"})"), "last_id");
  // A message id of another conversation is not one of this one.
  auto smithMsg = f.smithPortal->post("/api/v1/portal/cases/" + f.smithCase + "/messages", R"({"text":"Smith"})");
  REQUIRE(smithMsg.status == 201);
  expectField(f.staff->post(s + "/read", R"({"last_id":)" + jsonField(smithMsg.body, "id") + "}"), "last_id");
  expectField(f.staff->get("/api/v1/messages?limit=0"), "limit");
  expectField(f.staff->get("/api/v1/messages?cursor=zz"), "cursor");
  const std::string w = "/api/v1/cases/" + f.kase + "/war-room";
  expectField(f.staff->post(w, R"({"text":"no title"})"), "title");
  expectField(f.staff->post(w, R"({"title":"no text"})"), "text");
  CHECK(f.staff->post(w + "/999999999/posts", R"({"text":"x"})").status == 404);
  CHECK(f.staff->get("/api/v1/cases/999999999/messages").status == 404);
  CHECK(f.portal->get("/api/v1/portal/cases/999999999/messages").status == 404);
  CHECK(f.portal->get("/api/v1/portal/cases/abc/messages").status == 404);
}

TEST_CASE("staff attach a case document shared with the client, only that client downloads it, and unsharing takes it off the message") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string bytes = "Engagement letter, signed.\n";
  auto up = f.staff->request("POST", "/api/v1/cases/" + f.kase + "/documents?name=letter.txt", bytes, "application/octet-stream");
  const std::string doc = idOf(up);
  auto smithUp = f.staff->request("POST", "/api/v1/cases/" + f.smithCase + "/documents?name=smith.txt", "Smith only\n",
                                  "application/octet-stream");
  const std::string smithDoc = idOf(smithUp);
  const std::string s = "/api/v1/cases/" + f.kase + "/messages";

  // Not shared yet, another case's document, not an id: refused on the field.
  auto notShared = f.staff->post(s, R"({"text":"See attached","document_ids":[)" + doc + "]}");
  CHECK(notShared.status == 400);
  CHECK(errorField(notShared) == "document_ids[0]");
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + smithDoc + "/share", R"({"version":"latest"})").status == 200);
  auto otherCase = f.staff->post(s, R"({"text":"See attached","document_ids":[)" + smithDoc + "]}");
  CHECK(otherCase.status == 400);
  CHECK(errorField(otherCase) == "document_ids[0]");
  CHECK(errorField(f.staff->post(s, R"({"text":"x","document_ids":"1"})")) == "document_ids");
  CHECK(errorField(f.staff->post(s, R"({"text":"x","document_ids":[0]})")) == "document_ids[0]");
  // The portal attaches only documents of the matter it sees (shared with it): not this one yet.
  CHECK(errorField(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"x","document_ids":[)" + doc + "]}")) ==
        "document_ids[0]");

  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);
  auto sent = f.staff->post(s, R"({"text":"See attached","document_ids":[)" + doc + "]}");
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  const Json m = parsed(sent);
  REQUIRE(m.find("attachments")->size() == 1);
  CHECK(m.find("attachments")->at(0).find("name")->asString() == "letter.txt");

  // The client sees the attachment and downloads exactly those bytes; Smith neither.
  auto convo = parsed(f.portal->get("/api/v1/portal/cases/" + f.kase + "/messages"));
  const Json& att = convo.find("items")->at(0).find("attachments")->at(0);
  CHECK(std::to_string(intOf(att, "document_id")) == doc);
  CHECK(att.find("name")->asString() == "letter.txt");
  CHECK(att.find("shared") == nullptr);
  auto dl = f.portal->get("/api/v1/portal/documents/" + doc + "/content");
  CHECK(dl.status == 200);
  CHECK(dl.body == bytes);
  CHECK(f.smithPortal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.count(std::stoll(f.smith), "message_attachments") == 0);
  CHECK(f.count(std::stoll(f.anderson), "message_attachments") == 1);

  // Unshared: the message stays, the attachment leaves the client's view (the database's
  // documents rule), staff see it as no longer shared.
  REQUIRE(f.staff->request("DELETE", "/api/v1/documents/" + doc + "/share").status == 200);
  auto after = parsed(f.portal->get("/api/v1/portal/cases/" + f.kase + "/messages"));
  CHECK(after.find("items")->at(0).find("text")->asString() == "See attached");
  CHECK(after.find("items")->at(0).find("attachments")->size() == 0);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  auto staffView = parsed(f.staff->get(s));
  const Json& sa = staffView.find("items")->at(0).find("attachments")->at(0);
  CHECK_FALSE(sa.find("shared")->asBool());
}

TEST_CASE("the database keeps a message's client equal to its case's client, and an attachment's to its message's and document's") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  using lexos::sdk::asInt;
  using lexos::sdk::DbError;
  const std::int64_t anderson = std::stoll(f.anderson), smith = std::stoll(f.smith);
  const std::int64_t kase = std::stoll(f.kase), smithCase = std::stoll(f.smithCase);
  const std::string insertStaff =
      "INSERT INTO messages (id, case_id, client_id, author_kind, staff_user_id, text, created_at) "
      "VALUES ($1, $2, $3, 'staff', 1, 'raw', '2026-12-01T00:00:00Z')";
  const std::string insertPortal =
      "INSERT INTO messages (id, case_id, client_id, author_kind, portal_user_id, text, created_at) "
      "VALUES ($1, $2, $3, 'client', 1, 'raw', '2026-12-01T00:00:00Z')";
  // Controls: the same statements with a matching client are written (so what fails below fails
  // on the client, not on the statement).
  CHECK(asInt(f.sql(0, insertStaff, {std::int64_t{900001}, kase, anderson}, true).rows.at(0).at(0)) == 1);
  CHECK(asInt(f.sql(anderson, insertPortal, {std::int64_t{900002}, kase, anderson}, true).rows.at(0).at(0)) == 1);
  // A staff scope writing Smith as the client of a message on Anderson's case; Anderson's portal
  // scope naming Smith's case with its own client (the scope checks only the client).
  CHECK_THROWS_AS(f.sql(0, insertStaff, {std::int64_t{900003}, kase, smith}, true), DbError);
  CHECK_THROWS_AS(f.sql(anderson, insertPortal, {std::int64_t{900004}, smithCase, anderson}, true), DbError);

  // A real message and a real document of Anderson's case, and one document of Smith's.
  const std::string msg = idOf(f.staff->post("/api/v1/cases/" + f.kase + "/messages", R"({"text":"Hello"})"));
  const std::string doc = idOf(f.staff->request("POST", "/api/v1/cases/" + f.kase + "/documents?name=a.txt", "A\n",
                                                "application/octet-stream"));
  const std::string smithDoc = idOf(f.staff->request("POST", "/api/v1/cases/" + f.smithCase + "/documents?name=s.txt",
                                                     "S\n", "application/octet-stream"));
  const std::int64_t m = std::stoll(msg), d = std::stoll(doc), sd = std::stoll(smithDoc);
  CHECK_THROWS_AS(f.sql(0, "UPDATE messages SET client_id = $1 WHERE id = $2", {smith, m}, true), DbError);
  CHECK_THROWS_AS(f.sql(0, "UPDATE messages SET case_id = $1 WHERE id = $2", {smithCase, m}, true), DbError);
  CHECK(asInt(f.sql(0, "UPDATE messages SET text = 'edited' WHERE id = $1", {m}, true).rows.at(0).at(0)) == 1);
  // The case keeps its client while its conversation names it: in SQL, and as a 409 by the API.
  CHECK_THROWS_AS(f.sql(0, "UPDATE cases SET client_id = $1 WHERE id = $2", {smith, kase}, true), DbError);
  auto moved = f.staff->request("PATCH", "/api/v1/cases/" + f.kase, R"({"client_id":)" + f.smith + "}");
  CHECK(moved.status == 409);
  CHECK(errorField(moved) == "client_id");
  CHECK(asInt(f.sql(0, "SELECT client_id FROM cases WHERE id = $1", {kase}).rows.at(0).at(0)) == anderson);
  // A case with nothing of its client's still moves.
  const std::string spare = idOf(f.staff->post("/api/v1/cases", R"({"client_id":)" + f.smith + R"(,"title":"Spare"})"));
  CHECK(asInt(f.sql(0, "UPDATE cases SET client_id = $1 WHERE id = $2", {anderson, std::stoll(spare)}, true).rows.at(0).at(0)) == 1);

  const std::string attach = "INSERT INTO message_attachments (message_id, document_id, client_id) VALUES ($1, $2, $3)";
  CHECK(asInt(f.sql(0, attach, {m, d, anderson}, true).rows.at(0).at(0)) == 1);
  CHECK_THROWS_AS(f.sql(0, attach, {m, d, smith}, true), DbError);   // neither the message's nor the document's
  CHECK_THROWS_AS(f.sql(0, attach, {m, sd, anderson}, true), DbError);  // Smith's document on Anderson's message
}

namespace {

// A small real PDF (libmagic: application/pdf) and a multipart body carrying it as part "file".
std::string tinyPdf(const std::string& marker) {
  return "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
         "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% " + marker +
         "\ntrailer << /Root 1 0 R >>\n%%EOF\n";
}

const std::string kBoundary = "----lexosClientFile42";

std::string filePart(const std::string& filename, const std::string& bytes, const std::string& type = "application/pdf") {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: " + type + "\r\n\r\n" + bytes + "\r\n--" + kBoundary + "--\r\n";
}

HttpResult sendFile(HttpClient& client, const std::string& caseId, const std::string& filename, const std::string& bytes,
                    const std::string& query = "") {
  return client.request("POST", "/api/v1/portal/cases/" + caseId + "/documents" + query, filePart(filename, bytes),
                        "multipart/form-data; boundary=" + kBoundary);
}

bool hasAction(const HttpResult& ledger, const std::string& action) {
  return ledger.body.find("\"action\":\"" + action + "\"") != std::string::npos;
}

}  // namespace

TEST_CASE("a client sends a file on its matter: a document of the case shared with that client only, on its message, downloaded by staff byte for byte") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string pdf = tinyPdf("signed engagement letter");
  auto up = sendFile(*f.portal, f.kase, "Signed letter.pdf", pdf);
  INFO(up.body);
  REQUIRE(up.status == 201);
  const std::string doc = jsonField(up.body, "id");
  const Json d = parsed(up);
  CHECK(d.find("name")->asString() == "Signed letter.pdf");
  CHECK(d.find("content_type")->asString() == "application/pdf");
  CHECK(d.find("sha256")->asString() == sha256Hex(pdf));
  CHECK(std::to_string(intOf(d, "case_id")) == f.kase);

  // Attached to the client's message (a message may be files only).
  auto sent = f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"Here it is","document_ids":[)" + doc + "]}");
  INFO(sent.body);
  REQUIRE(sent.status == 201);
  REQUIRE(parsed(sent).find("attachments")->size() == 1);
  CHECK(parsed(sent).find("attachments")->at(0).find("name")->asString() == "Signed letter.pdf");
  auto filesOnly = f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"document_ids":[)" + doc + "]}");
  CHECK(filesOnly.status == 201);

  // The client sees its own file on its message and in its documents, and downloads it.
  auto convo = parsed(f.portal->get("/api/v1/portal/cases/" + f.kase + "/messages"));
  CHECK(std::to_string(intOf(convo.find("items")->at(0).find("attachments")->at(0), "document_id")) == doc);
  CHECK(f.portal->get("/api/v1/portal/cases/" + f.kase + "/documents").body.find(doc) != std::string::npos);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").body == pdf);

  // Staff: on the case's documents (from the client, shared), on the message, the same bytes.
  auto list = parsed(f.staff->get("/api/v1/cases/" + f.kase + "/documents"));
  REQUIRE(list.find("items")->size() == 1);
  const Json& sd = list.find("items")->at(0);
  CHECK(sd.find("from_client")->asBool());
  CHECK(sd.find("shared")->asBool());
  CHECK(sd.find("name")->asString() == "Signed letter.pdf");
  auto staffConvo = parsed(f.staff->get("/api/v1/cases/" + f.kase + "/messages"));
  const Json& sa = staffConvo.find("items")->at(0).find("attachments")->at(0);
  CHECK(std::to_string(intOf(sa, "document_id")) == doc);
  CHECK(sa.find("shared")->asBool());
  auto dl = f.staff->get("/api/v1/documents/" + doc + "/content");
  CHECK(dl.status == 200);
  CHECK(dl.body == pdf);
  auto detail = f.staff->get("/api/v1/documents/" + doc);
  CHECK_THAT(detail.body, Catch::Contains("(client)"));

  // The disclosure ledger: the upload, the share and each download.
  auto ledger = f.staff->get("/api/v1/documents/" + doc + "/ledger");
  INFO(ledger.body);
  CHECK(hasAction(ledger, "document.upload"));
  CHECK(hasAction(ledger, "document.share"));
  CHECK(hasAction(ledger, "portal.document.download"));
  CHECK(hasAction(ledger, "document.download"));

  // Another client of the firm: never the file, not on its matter, not by id, not in SQL.
  CHECK(f.smithPortal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.smithPortal->get("/api/v1/portal/documents").body.find(doc) == std::string::npos);
  CHECK(sendFile(*f.smithPortal, f.kase, "x.pdf", tinyPdf("smith")).status == 404);
  CHECK(sendFile(*f.portal, f.smithCase, "x.pdf", tinyPdf("anderson")).status == 404);
  CHECK(f.smithPortal->get("/api/v1/portal/cases/" + f.kase + "/messages").status == 404);
  auto steal = f.smithPortal->post("/api/v1/portal/cases/" + f.smithCase + "/messages", R"({"text":"mine","document_ids":[)" + doc + "]}");
  CHECK(steal.status == 400);
  CHECK(errorField(steal) == "document_ids[0]");
  CHECK(f.count(std::stoll(f.smith), "documents") == 0);
  CHECK(f.count(std::stoll(f.smith), "message_attachments") == 0);
  CHECK(f.count(std::stoll(f.anderson), "documents") == 1);
  // Another firm's staff: 404.
  CHECK(f.other->get("/api/v1/documents/" + doc + "/content").status == 404);
}

TEST_CASE("the database checks a client's document rows: its own client, shared, its own matter, no staff-only column") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  using lexos::sdk::asInt;
  using lexos::sdk::DbError;
  const std::int64_t anderson = std::stoll(f.anderson), smith = std::stoll(f.smith);
  const std::int64_t kase = std::stoll(f.kase), smithCase = std::stoll(f.smithCase);
  const std::string insert =
      "INSERT INTO documents (id, case_id, client_id, name, current_version, shared, shared_at, created_at, updated_at, "
      "portal_user_id) VALUES ($1, $2, $3, 'raw.pdf', 1, $4, '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', "
      "'2026-12-01T00:00:00Z', 1)";
  // Control: Anderson's scope writes Anderson's shared document on Anderson's matter.
  CHECK(asInt(f.sql(anderson, insert, {std::int64_t{800001}, kase, anderson, true}, true).rows.at(0).at(0)) == 1);
  CHECK_THROWS_AS(f.sql(anderson, insert, {std::int64_t{800002}, kase, smith, true}, true), DbError);  // another client
  CHECK_THROWS_AS(f.sql(anderson, insert, {std::int64_t{800003}, smithCase, anderson, true}, true), DbError);  // another matter
  CHECK_THROWS_AS(f.sql(anderson, insert, {std::int64_t{800004}, kase, anderson, false}, true), DbError);  // not shared
  // A column the firm keeps for itself (the folder, the staff author).
  CHECK_THROWS(f.sql(anderson,
                     "INSERT INTO documents (id, case_id, client_id, name, current_version, shared, created_at, updated_at, "
                     "folder) VALUES (800005, $1, $2, 'raw.pdf', 1, TRUE, 'x', 'x', 'Internal')",
                     {kase, anderson}, true));
  // Staff scopes too: a document's client is its case's.
  CHECK_THROWS_AS(f.sql(0,
                        "INSERT INTO documents (id, case_id, client_id, name, current_version, created_at, created_by, "
                        "updated_at, updated_by) VALUES (800006, $1, $2, 'raw.pdf', 1, 'x', 1, 'x', 1)",
                        {kase, smith}, true),
                  DbError);
  // A portal scope changes nothing it wrote.
  auto up = sendFile(*f.portal, f.kase, "mine.pdf", tinyPdf("mine"));
  REQUIRE(up.status == 201);
  const std::int64_t doc = std::stoll(jsonField(up.body, "id"));
  auto changed = [&](const std::string& sql) {
    try {
      return asInt(f.sql(anderson, sql, {doc}, true).rows.at(0).at(0));
    } catch (const DbError&) {
      return std::int64_t{0};
    }
  };
  CHECK(changed("UPDATE documents SET shared = FALSE WHERE id = $1") == 0);
  CHECK(changed("DELETE FROM document_versions WHERE document_id = $1") == 0);
  CHECK(asInt(f.sql(0, "SELECT count(*) FROM document_versions WHERE document_id = $1 AND portal_visible", {doc}).rows.at(0).at(0)) == 1);
}

TEST_CASE("a client's bad file is refused with 400, 413 or 415 naming the field and keeps nothing") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db, "[plugin.documents]\nmax_upload_bytes = 4096\n");
  auto expect = [&](const HttpResult& r, int status, const std::string& field) {
    INFO(r.status << " " << r.body);
    CHECK(r.status == status);
    if (!field.empty()) CHECK(errorField(r) == field);
  };
  const std::string path = "/api/v1/portal/cases/" + f.kase + "/documents";
  // No file part, an empty file, a bad name, an executable, too large for the route.
  expect(f.portal->request("POST", path,
                           "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--" + kBoundary + "--\r\n",
                           "multipart/form-data; boundary=" + kBoundary),
         400, "file");
  expect(sendFile(*f.portal, f.kase, "empty.pdf", ""), 400, "file");
  expect(sendFile(*f.portal, f.kase, "x.pdf", tinyPdf("x"), "?name=a%2Fb.pdf"), 400, "name");
  expect(sendFile(*f.portal, f.kase, "tool.bin",
                  std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0", 20) + std::string(200, '\0')),
         415, "file");
  expect(sendFile(*f.portal, f.kase, "big.pdf", tinyPdf(std::string(8000, 'x'))), 413, "");
  expect(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"x","document_ids":"1"})"), 400, "document_ids");
  expect(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"text":"x","document_ids":[0]})"), 400, "document_ids[0]");
  expect(f.portal->post("/api/v1/portal/cases/" + f.kase + "/messages", R"({"document_ids":[]})"), 400, "text");
  // Staff do not use the portal's route, and the portal's route is not the staff's.
  CHECK(f.staff->request("POST", path, filePart("x.pdf", tinyPdf("staff")), "multipart/form-data; boundary=" + kBoundary).status == 403);
  // Nothing was kept.
  CHECK(f.count(0, "documents") == 0);
  CHECK(f.count(0, "messages") == 0);
}
