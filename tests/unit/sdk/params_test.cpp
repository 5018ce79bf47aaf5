// The SDK's request helpers (params.h), list envelope (lists.h) and builders (builders.h),
// against a minimal Context that holds one request.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <string>

#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

namespace {

class FakeRequest : public Request {
 public:
  std::map<std::string, std::string> params, queries;
  std::string type = "application/json", content;
  Method method() const override { return Method::Post; }
  const std::string& path() const override { return path_; }
  const std::string& pathParam(const std::string& name) const override {
    auto it = params.find(name);
    if (it == params.end()) throw BadRequest(name, "no such path parameter");
    return it->second;
  }
  std::optional<std::string> query(const std::string& name) const override {
    auto it = queries.find(name);
    if (it == queries.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::pair<std::string, std::string>> queryParams() const override { return {queries.begin(), queries.end()}; }
  std::optional<std::string> header(const std::string&) const override { return std::nullopt; }
  std::string contentType() const override { return type; }
  std::string body() override { return content; }
  std::istream& bodyStream() override { return in_; }
  const std::string& remoteAddress() const override { return path_; }
  const std::string& requestId() const override { return path_; }
  std::uint64_t bodySize() const override { return content.size(); }
  void forEachPart(PartHandler&) override {}

 private:
  std::string path_ = "/api/v1/test";
  std::istringstream in_;
};

class FakeResponse : public Response {
 public:
  int status = 0;
  std::string body, type;
  void setStatus(int s) override { status = s; }
  void setHeader(const std::string&, const std::string&) override {}
  void setContentType(const std::string& t) override { type = t; }
  void send(const std::string& b) override { body = b; }
  void sendJson(const std::string& json, int s) override {
    body = json;
    status = s;
    type = "application/json";
  }
  std::ostream& stream() override { return out_; }
  bool sent() const override { return !body.empty(); }
  void sendSource(ByteSource&, const SendOptions&) override {}

 private:
  std::ostringstream out_;
};

class FakeContext : public Context {
 public:
  FakeRequest req;
  FakeResponse res;
  Request& request() override { return req; }
  Response& response() override { return res; }
  const Principal& principal() const override { return principal_; }
  Db& db() override { throw std::logic_error("no database in this test"); }
  Audit& audit() override { throw std::logic_error("no audit in this test"); }
  Mail& mail() override { throw std::logic_error("no mail in this test"); }
  std::string config(const std::string&, const std::string& fallback) const override { return fallback; }
  std::string publicUrl() const override { return "https://lexos.test"; }
  void log(LogLevel, const std::string&) override {}
  Identity& identity() override { throw std::logic_error("no identity in this test"); }
  Vault& vault() override { throw std::logic_error("no vault in this test"); }
  void outsideTransaction(const std::function<void()>& work) override { work(); }
  void bindFirm(std::int64_t) override { throw std::logic_error("no firm binding in this test"); }
  void bindPortalUser(std::int64_t) override { throw std::logic_error("no portal binding in this test"); }
  void firm(FirmProfile&) override { throw std::logic_error("no firm in this test"); }

 private:
  Principal principal_;
};

template <typename F>
HttpError thrown(F&& f) {
  try {
    f();
  } catch (const HttpError& e) {
    return e;
  }
  return HttpError(0, "none", "nothing thrown");
}

}  // namespace

TEST_CASE("a path id is a positive number of digits, and anything else is not found") {
  FakeContext c;
  c.req.params["id"] = "42";
  CHECK(pathId(c) == 42);
  c.req.params["id"] = "0042";
  CHECK(pathId(c) == 42);
  c.req.params["case_id"] = "9223372036854775807";
  CHECK(pathId(c, "case_id") == INT64_MAX);
  for (const char* bad : {"0", "-1", "abc", "", "4.2", "1e3", " 1", "9223372036854775808", "99999999999999999999"}) {
    INFO(bad);
    c.req.params["id"] = bad;
    auto e = thrown([&] { pathId(c, "id", "No such case."); });
    CHECK(e.status() == 404);
    CHECK(std::string(e.what()) == "No such case.");
  }
}

TEST_CASE("query ids and numbers are checked and refused naming the parameter") {
  FakeContext c;
  CHECK_FALSE(queryId(c, "client_id"));
  c.req.queries["client_id"] = "";
  CHECK(thrown([&] { queryId(c, "client_id"); }).field() == "client_id");
  c.req.queries["client_id"] = "17";
  CHECK(queryId(c, "client_id") == 17);
  c.req.queries["client_id"] = "x17";
  auto e = thrown([&] { queryId(c, "client_id"); });
  CHECK(e.status() == 400);
  CHECK(e.field() == "client_id");
  CHECK(std::string(e.what()) == "client_id must be an id.");

  CHECK_FALSE(queryInt(c, "limit", 1, 100));
  c.req.queries["limit"] = "25";
  CHECK(queryInt(c, "limit", 1, 100) == 25);
  for (const char* bad : {"0", "101", "", "abc", "2x", "-5", "99999999999999999999"}) {
    INFO(bad);
    c.req.queries["limit"] = bad;
    auto le = thrown([&] { queryInt(c, "limit", 1, 100); });
    CHECK(le.field() == "limit");
    CHECK(std::string(le.what()) == "Use a whole number from 1 to 100.");
  }
  c.req.queries["q"] = "  acme ";
  CHECK(queryText(c, "q", 100) == "acme");
  c.req.queries["q"] = "\xFF";
  CHECK(thrown([&] { queryText(c, "q", 100); }).field() == "q");
}

TEST_CASE("a JSON body must be sent as application/json and be an object of accepted fields") {
  FakeContext c;
  c.req.content = R"({"text":"hello","pinned":true})";
  auto body = readJsonObject(c, {"text", "pinned"});
  CHECK(body["text"].text(10) == "hello");
  CHECK(thrown([&] { readJsonObject(c, {"text"}); }).field() == "pinned");
  c.req.type = "application/x-www-form-urlencoded";
  auto e = thrown([&] { readJsonObject(c, {"text", "pinned"}); });
  CHECK(e.field() == "body");
  CHECK(std::string(e.what()) == "Send the request as application/json.");
  c.req.type = "application/json";
  c.req.content = "[]";
  CHECK(thrown([&] { readJsonObject(c, {"text"}); }).field() == "body");
  c.req.content = "[1,2]";
  CHECK(readJson(c).size() == 2);
}

TEST_CASE("lists are answered in the envelope the API uses, with or without a next cursor") {
  FakeContext c;
  std::vector<int> items = {1, 2, 3};
  sendList(c, items, [](JsonWriter& w, int i) { w.beginObject().member("id", i).endObject(); });
  CHECK(c.res.status == 200);
  CHECK(c.res.body == R"({"items":[{"id":1},{"id":2},{"id":3}],"next_cursor":null})");

  JsonWriter w;
  beginList(w);
  w.value("a");
  endList(w, std::string("next-page"));
  sendJson(c, w, 200);
  CHECK(c.res.body == R"({"items":["a"],"next_cursor":"next-page"})");

  sendList(c, std::vector<int>{}, [](JsonWriter& out, int i) { out.value(i); });
  CHECK(c.res.body == R"({"items":[],"next_cursor":null})");
}

TEST_CASE("builders fill in routes, tables and migrations by name") {
  bool called = false;
  const Route route = RouteBuilder(Method::Patch, "/api/v1/notes/{id}")
                          .staff("notes.write")
                          .maxBody(4096)
                          .summary("Edit a note")
                          .handler([&](Context&) { called = true; });
  CHECK(route.method == Method::Patch);
  CHECK(route.path == "/api/v1/notes/{id}");
  CHECK(route.audience == Audience::Staff);
  CHECK(route.permission == "notes.write");
  CHECK(route.max_body_bytes == 4096);
  CHECK(route.summary == "Edit a note");
  FakeContext c;
  route.handler(c);
  CHECK(called);
  const Route open = RouteBuilder(Method::Get, "/api/v1/hello").publicRoute().noBody();
  CHECK(open.audience == Audience::Public);
  CHECK(open.permission == kPublic);
  CHECK(open.max_body_bytes == 0);
  CHECK(RouteBuilder(Method::Get, "/api/v1/portal/notes").portal("notes.portal").build().audience == Audience::Portal);

  const Table t = TableBuilder("notes").clientOwned("client_id").visibleWhen("shared").primaryKey({"firm_id", "id"});
  CHECK(t.name == "notes");
  CHECK(t.tenancy == Tenancy::Client);
  CHECK(t.client_column == "client_id");
  CHECK(t.visibility_column == "shared");
  CHECK(t.primary_key == std::vector<std::string>{"firm_id", "id"});
  CHECK(TableBuilder("labels").firmShared().build().tenancy == Tenancy::FirmShared);
  CHECK(TableBuilder("secrets").build().tenancy == Tenancy::Firm);

  const Migration m = MigrationBuilder(2, "labels").sql("CREATE TABLE x (a INT);").sqlite("S").postgresql("P");
  CHECK(m.version == 2);
  CHECK(m.name == "labels");
  CHECK(m.sql == "CREATE TABLE x (a INT);");
  CHECK(m.sql_sqlite == "S");
  CHECK(m.sql_postgresql == "P");
}
