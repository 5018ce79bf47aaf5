// Fuzz target: the router (core/src/common/router.cpp), with the API's own route shapes.
// Input: lines; the first is the method, the second the (decoded) path, any further lines are
// templates added to the table first (a bad one must be refused with RouteConflict, nothing
// else: any other exception escapes and counts as a crash). Properties of match(): a match is a
// route of that method whose literal segments equal the path's and whose parameters hold the path's
// (non-empty) segments; otherwise "allowed" lists other methods only, sorted and once each.

#include "common/router.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "fuzz_check.h"

using lexos::core::Router;
using lexos::sdk::Method;

namespace {

struct Route {
  Method method;
  std::string path;
};

const std::vector<Route> kApi = {
    {Method::Get, "/healthz"},
    {Method::Get, "/readyz"},
    {Method::Post, "/api/v1/auth/login"},
    {Method::Post, "/api/v1/auth/logout"},
    {Method::Get, "/api/v1/me"},
    {Method::Get, "/api/v1/clients"},
    {Method::Post, "/api/v1/clients"},
    {Method::Get, "/api/v1/clients/export.csv"},
    {Method::Get, "/api/v1/clients/{id}"},
    {Method::Patch, "/api/v1/clients/{id}"},
    {Method::Delete, "/api/v1/clients/{id}"},
    {Method::Post, "/api/v1/clients/{id}/portal/invite"},
    {Method::Delete, "/api/v1/clients/{id}/portal"},
    {Method::Post, "/api/v1/portal/activate"},
    {Method::Get, "/api/v1/cases"},
    {Method::Get, "/api/v1/cases/{id}"},
    {Method::Post, "/api/v1/cases/{id}/updates"},
    {Method::Get, "/api/v1/cases/{id}/notes"},
    {Method::Get, "/api/v1/portal/cases"},
    {Method::Get, "/api/v1/portal/cases/{id}"},
    {Method::Get, "/api/v1/{x}/cases"},
    {Method::Get, "/api/v1/documents/{id}/content"},
    {Method::Put, "/api/v1/documents/{id}/share"},
    {Method::Get, "/api/v1/{module}/{id}/{what}"},
};

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (true) {
    auto j = s.find('\n', i);
    out.push_back(s.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) return out;
    i = j + 1;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto in = lines(std::string(reinterpret_cast<const char*>(data), size));
  if (in.size() < 2) return 0;
  // The API's table is built once (it must be valid); each input adds its templates to a copy.
  static const Router base = [] {
    Router r;
    for (std::size_t i = 0; i < kApi.size(); ++i) r.add(kApi[i].method, kApi[i].path, i);
    return r;
  }();
  Router router = base;
  std::vector<Route> added = kApi;  // by target index
  for (std::size_t i = 2; i < in.size() && i < 10; ++i) {
    const Route r{static_cast<Method>(in[i].empty() ? 0 : static_cast<unsigned char>(in[i][0]) % 5),
                  in[i].empty() ? in[i] : in[i].substr(1)};
    try {
      router.add(r.method, r.path, added.size());
      added.push_back(r);
    } catch (const lexos::core::RouteConflict&) {
    }
  }

  const std::string& method = in[0];
  const std::string& path = in[1];
  const auto result = router.match(method, path);
  const auto segs = Router::split(path);
  const std::string m = method == "HEAD" ? "GET" : method;
  if (result.match) {
    FUZZ_CHECK(result.match->target < added.size());
    const Route& r = added[result.match->target];
    FUZZ_CHECK(lexos::sdk::methodName(r.method) == m);
    const auto tpl = Router::split(r.path);
    FUZZ_CHECK(tpl.size() == segs.size());
    std::size_t params = 0;
    for (std::size_t i = 0; i < tpl.size(); ++i) {
      if (tpl[i].front() == '{') {
        ++params;
        auto it = result.match->params.find(tpl[i].substr(1, tpl[i].size() - 2));
        FUZZ_CHECK(it != result.match->params.end() && it->second == segs[i] && !segs[i].empty());
      } else {
        FUZZ_CHECK(tpl[i] == segs[i]);
      }
    }
    FUZZ_CHECK(params == result.match->params.size());
    FUZZ_CHECK(result.allowed.empty());
  } else {
    const std::set<std::string> unique(result.allowed.begin(), result.allowed.end());
    FUZZ_CHECK(unique.size() == result.allowed.size());
    FUZZ_CHECK(std::vector<std::string>(unique.begin(), unique.end()) == result.allowed);
    FUZZ_CHECK(unique.count(m) == 0);
  }
  return 0;
}
