// lexosd's HTTP behaviour: health, routing errors, error mapping, limits, static files, shutdown.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "test_host.h"

using namespace lexos::test;

TEST_CASE("healthz answers alive and readyz answers ready with the database and plugins") {
  TestHost t(Db::SQLite);
  auto c = t.client();
  auto h = c.get("/healthz");
  CHECK(h.status == 200);
  CHECK(h.body == "{\"status\":\"ok\"}");
  auto r = c.get("/readyz");
  CHECK(r.status == 200);
  CHECK(jsonField(r.body, "database") == "ok");
  CHECK(jsonField(r.body, "plugins") == "2");
  CHECK(jsonField(r.body, "session_cache") == "on");
}

TEST_CASE("unknown paths answer 404 and wrong methods 405 with Allow, as JSON errors") {
  TestHost t(Db::SQLite);
  auto c = t.client();
  auto nf = c.get("/api/v1/nothing/here");
  CHECK(nf.status == 404);
  CHECK_THAT(nf.body, Catch::Contains("\"code\":\"not_found\""));
  auto na = c.request("PUT", "/api/v1/probe/items", "{}");
  CHECK(na.status == 405);
  CHECK(na.header("allow") == "DELETE, GET, HEAD, POST");
  CHECK_THAT(na.body, Catch::Contains("method_not_allowed"));
}

TEST_CASE("a handler's unexpected exception answers 500 with the request id and no details") {
  TestHost t(Db::SQLite);
  auto r = t.client().get("/api/v1/probe/throw");
  CHECK(r.status == 500);
  CHECK_THAT(r.body, Catch::Contains("\"code\":\"internal\""));
  CHECK_THAT(r.body, !Catch::Contains("secret internal detail"));
  CHECK(!r.header("x-request-id").empty());
  CHECK_THAT(r.body, Catch::Contains(r.header("x-request-id")));
}

TEST_CASE("a typed error names its field and a body over the route's limit answers 413") {
  TestHost t(Db::SQLite);
  auto c = t.client();
  auto empty = c.request("POST", "/api/v1/probe/echo", "", "text/plain");
  CHECK(empty.status == 400);
  CHECK_THAT(empty.body, Catch::Contains("\"field\":\"body\""));
  auto ok = c.request("POST", "/api/v1/probe/echo", std::string(64, 'x'), "text/plain");
  CHECK(ok.status == 200);
  CHECK(jsonField(ok.body, "bytes") == "64");
  auto big = c.request("POST", "/api/v1/probe/echo", std::string(65, 'x'), "text/plain");
  CHECK(big.status == 413);
  CHECK_THAT(big.body, Catch::Contains("too_large"));
}

TEST_CASE("every response carries the security headers and no version banner") {
  TestHost t(Db::SQLite);
  for (const char* path : {"/healthz", "/api/v1/me", "/app/", "/nowhere"}) {
    auto r = t.client().get(path);
    INFO(path);
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK_THAT(r.header("content-security-policy"), Catch::Contains("default-src 'self'") &&
                                                         Catch::Contains("object-src 'none'") &&
                                                         Catch::Contains("frame-ancestors 'none'") &&
                                                         Catch::Contains("base-uri 'none'"));
    CHECK(!r.header("referrer-policy").empty());
    CHECK(r.header("server").empty());
  }
  CHECK(t.client().get("/api/v1/me").header("cache-control") == "no-store");
}

TEST_CASE("static web apps are served with content types and revalidation, without traversal or listings") {
  TestHost t(Db::SQLite);
  auto c = t.client();
  auto index = c.get("/app/");
  REQUIRE(index.status == 200);
  CHECK(index.header("content-type") == "text/html; charset=utf-8");
  CHECK(index.header("cache-control") == "no-cache");
  const auto etag = index.header("etag");
  REQUIRE(!etag.empty());
  CHECK(c.request("GET", "/app/", "", "", {{"If-None-Match", etag}}).status == 304);
  CHECK(c.get("/").status == 302);
  CHECK(c.get("/app/../../etc/passwd").status == 404);
  CHECK(c.get("/app/%2e%2e/%2e%2e/etc/passwd").status == 404);
  CHECK(c.get("/app/..%2f..%2fetc/passwd").status == 404);
  CHECK(c.get("/app/.hidden").status == 404);
  CHECK(c.get("/portal/").status == 200);
  // The helpers both apps import live under /shared/; no listing of the folder itself.
  auto shared = c.get("/shared/js/dom.js");
  CHECK(shared.status == 200);
  CHECK(shared.header("content-type") == "text/javascript; charset=utf-8");
  CHECK(c.get("/shared/").status == 404);
  CHECK(c.get("/shared/../app/index.html").status == 404);
  CHECK(c.request("POST", "/app/index.html", "x", "text/plain").status == 405);
}

TEST_CASE("a second lexosd on a port in use fails instead of sharing the port") {
  TestHost t(Db::SQLite);
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, ""), {});
  cfg.listen_port = t.port();
  lexos::core::Host second(cfg);
  second.prepareDatabase();
  try {
    second.startServer();
    FAIL("second server started on a port in use");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("server.listen"));
    CHECK_THAT(e.what(), Catch::Contains("in use"));
  }
}

TEST_CASE("shutdown lets a request in flight finish, then refuses new connections") {
  TestHost t(Db::SQLite);
  const int port = t.port();
  auto inflight = std::async(std::launch::async, [port] { return HttpClient(port).get("/api/v1/probe/slow?ms=1500"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  const int cut = t.host->stopServer();
  const auto took = std::chrono::steady_clock::now() - started;
  auto r = inflight.get();
  CHECK(r.status == 200);
  CHECK(r.body == "{\"slept\":true}");
  CHECK(cut == 0);
  CHECK(took >= std::chrono::milliseconds(800));  // it waited for the request, not a clock
  CHECK_THROWS_AS(HttpClient(port).get("/healthz"), Poco::Net::NetException);
}

TEST_CASE("shutdown cuts off a request that outlasts the grace period") {
  TestHost t(Db::SQLite, "probe", "[server]\nshutdown_grace_seconds = 1\n");
  const int port = t.port();
  auto inflight = std::async(std::launch::async, [port] {
    try {
      return HttpClient(port).get("/api/v1/probe/slow?ms=3000").status;
    } catch (...) {
      return -1;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int cut = t.host->stopServer();
  CHECK(cut >= 1);
  CHECK(inflight.get() != 200);
}

TEST_CASE("a refused request's unread body does not leak into the next request on the connection") {
  TestHost t(Db::SQLite);
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(t.port()));
  s.setKeepAlive(true);
  auto send = [&](const std::string& method, const std::string& path, const std::string& body) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    if (!body.empty()) {
      req.setContentType("application/json");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    auto& in = s.receiveResponse(res);
    std::string ignored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return static_cast<int>(res.getStatus());
  };
  const std::string body = "{\"client_id\":1,\"label\":\"x\",\"padding\":\"" + std::string(2000, 'p') + "\"}";
  CHECK(send("POST", "/api/v1/probe/items", body) == 401);  // refused by the guard, body unread
  CHECK(send("GET", "/healthz", "") == 200);
  CHECK(send("PUT", "/api/v1/probe/items", body) == 405);  // refused by the router
  CHECK(send("GET", "/healthz", "") == 200);
  CHECK(send("POST", "/api/v1/nothing", body) == 404);
  CHECK(send("GET", "/app/", "") == 200);
}
