// Requests counted by route template (http/http_metrics.h): series made at start-up, a method or
// status a client chooses cannot make new ones, a route from elsewhere counts as "(no route)".
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "http/http_metrics.h"

using lexos::core::HttpMetrics;
using lexos::core::MetricsWriter;
using lexos::core::RouteEntry;

namespace {
std::vector<RouteEntry> routes() {
  std::vector<RouteEntry> r(2);
  r[0].plugin = "clients";
  r[0].route.method = lexos::sdk::Method::Get;
  r[0].route.path = "/api/v1/clients/{id}";
  r[1].plugin = "clients";
  r[1].route.method = lexos::sdk::Method::Post;
  r[1].route.path = "/api/v1/clients";
  return r;
}
std::string collected(const HttpMetrics& m) {
  MetricsWriter w;
  m.collect(w);
  return w.text();
}
}  // namespace

TEST_CASE("requests are counted under their route template, method and status, with their latency") {
  const auto table = routes();
  HttpMetrics m(table);
  m.observe(m.routeKey(&table[0]), "GET", 200, 0.002);
  m.observe(m.routeKey(&table[0]), "GET", 200, 0.003);
  m.observe(m.routeKey(&table[0]), "HEAD", 200, 0.001);
  m.observe(m.routeKey(&table[1]), "POST", 400, 0.0004);
  m.observe(HttpMetrics::kNoRoute, "GET", 404, 0.0001);
  const std::string t = collected(m);
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"/api/v1/clients/{id}\",method=\"GET\",status=\"200\"} 2\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"/api/v1/clients/{id}\",method=\"HEAD\",status=\"200\"} 1\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"/api/v1/clients\",method=\"POST\",status=\"400\"} 1\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"(no route)\",method=\"GET\",status=\"404\"} 1\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_request_duration_seconds_bucket{route=\"/api/v1/clients/{id}\",method=\"GET\",le=\"0.0025\"} 1\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_request_duration_seconds_count{route=\"/api/v1/clients/{id}\",method=\"GET\"} 2\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_request_duration_seconds_bucket{route=\"/api/v1/clients\",method=\"POST\",le=\"0.0005\"} 1\n"));
  // Only series that counted something are written.
  CHECK(t.find("/healthz") == std::string::npos);
}

TEST_CASE("a client's choice of method or status cannot make new series") {
  const auto table = routes();
  HttpMetrics m(table);
  for (const char* method : {"BREW", "PROPFIND", "get", "X"}) m.observe(HttpMetrics::kNoRoute, method, 501, 0.001);
  for (int status = 200; status < 220; ++status) m.observe(HttpMetrics::kHealthz, "GET", status, 0.001);
  const RouteEntry foreign = table[0];  // a copy: not an element of the table
  m.observe(m.routeKey(&foreign), "GET", 200, 0.001);
  m.observe(m.routeKey(nullptr), "GET", 200, 0.001);
  const std::string t = collected(m);
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"(no route)\",method=\"other\",status=\"501\"} 4\n"));
  CHECK(t.find("BREW") == std::string::npos);
  // Eight statuses a slot, then "other".
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"207\"} 1\n"));
  CHECK(t.find("status=\"208\"") == std::string::npos);
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"other\"} 12\n"));
  CHECK_THAT(t, Catch::Contains("lexos_http_requests_total{route=\"(no route)\",method=\"GET\",status=\"200\"} 2\n"));
}
