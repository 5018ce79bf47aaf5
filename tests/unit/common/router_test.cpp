#include <catch2/catch.hpp>

#include "common/router.h"

using lexos::core::RouteConflict;
using lexos::core::Router;
using M = lexos::sdk::Method;

TEST_CASE("router matches templates and extracts parameters") {
  Router r;
  r.add(M::Get, "/api/v1/clients", 0);
  r.add(M::Get, "/api/v1/clients/{id}", 1);
  r.add(M::Patch, "/api/v1/clients/{id}", 2);
  r.add(M::Get, "/api/v1/cases/{id}/notes", 3);
  auto m = r.match("GET", "/api/v1/clients/42");
  REQUIRE(m.match);
  CHECK(m.match->target == 1);
  CHECK(m.match->params.at("id") == "42");
  CHECK(r.match("PATCH", "/api/v1/clients/42").match->target == 2);
  CHECK(r.match("GET", "/api/v1/clients").match->target == 0);
  CHECK(r.match("GET", "/api/v1/clients/").match->target == 0);
  CHECK(r.match("GET", "/api/v1/cases/7/notes").match->params.at("id") == "7");
  CHECK(r.match("HEAD", "/api/v1/clients").match->target == 0);
}

TEST_CASE("router reports allowed methods for a known path and nothing for an unknown one") {
  Router r;
  r.add(M::Get, "/api/v1/clients/{id}", 0);
  r.add(M::Delete, "/api/v1/clients/{id}", 1);
  auto m = r.match("PUT", "/api/v1/clients/1");
  CHECK(!m.match);
  CHECK(m.allowed == std::vector<std::string>{"DELETE", "GET", "HEAD"});
  auto n = r.match("GET", "/api/v1/clients/1/extra");
  CHECK(!n.match);
  CHECK(n.allowed.empty());
  CHECK(!r.match("GET", "/api/v1/clients//").match);
}

TEST_CASE("router prefers literal segments over parameters") {
  Router r;
  r.add(M::Get, "/api/v1/{kind}/cases", 0);
  r.add(M::Get, "/api/v1/portal/cases", 1);
  CHECK(r.match("GET", "/api/v1/portal/cases").match->target == 1);
  CHECK(r.match("GET", "/api/v1/staff/cases").match->target == 0);
}

TEST_CASE("router refuses duplicate method and shape, and malformed templates") {
  Router r;
  r.add(M::Get, "/api/v1/clients/{id}", 0);
  CHECK_THROWS_AS(r.add(M::Get, "/api/v1/clients/{other}", 1), RouteConflict);
  CHECK_NOTHROW(r.add(M::Post, "/api/v1/clients/{id}", 2));
  CHECK_THROWS_AS(r.add(M::Get, "api/v1/x", 3), RouteConflict);
  CHECK_THROWS_AS(r.add(M::Get, "/api/v1/{id}/{id}", 3), RouteConflict);
  CHECK_THROWS_AS(r.add(M::Get, "/api/v1/{bad", 3), RouteConflict);
  CHECK_THROWS_AS(r.add(M::Get, "/api//x", 3), RouteConflict);
}
