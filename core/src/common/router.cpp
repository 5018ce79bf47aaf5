#include "common/router.h"

#include <algorithm>
#include <set>

namespace lexos::core {

std::vector<std::string> Router::split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = (!path.empty() && path[0] == '/') ? 1 : 0;
  while (i <= path.size()) {
    auto j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

void Router::add(sdk::Method method, const std::string& pathTemplate, std::size_t target) {
  if (pathTemplate.empty() || pathTemplate[0] != '/')
    throw RouteConflict("path '" + pathTemplate + "' must start with '/'");
  Entry e{method, pathTemplate, {}, target};
  std::set<std::string> names;
  for (const auto& s : split(pathTemplate)) {
    if (s.empty()) throw RouteConflict("path '" + pathTemplate + "' has an empty segment");
    if (s.front() == '{' || s.back() == '}') {
      if (s.size() < 3 || s.front() != '{' || s.back() != '}')
        throw RouteConflict("path '" + pathTemplate + "': bad parameter segment '" + s + "'");
      std::string name = s.substr(1, s.size() - 2);
      if (!names.insert(name).second)
        throw RouteConflict("path '" + pathTemplate + "': parameter '" + name + "' twice");
      e.segments.push_back({true, name});
    } else {
      e.segments.push_back({false, s});
    }
  }
  for (const auto& other : entries_) {
    if (other.method != method || other.segments.size() != e.segments.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < e.segments.size() && same; ++i) {
      const auto& a = e.segments[i];
      const auto& b = other.segments[i];
      same = a.param == b.param && (a.param || a.text == b.text);
    }
    if (same)
      throw RouteConflict(std::string(sdk::methodName(method)) + " " + pathTemplate +
                          " is already registered as " + other.pathTemplate);
  }
  entries_.push_back(std::move(e));
  // Literal segments before parameters, leftmost segment deciding first.
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    std::size_t n = std::min(a.segments.size(), b.segments.size());
    for (std::size_t i = 0; i < n; ++i)
      if (a.segments[i].param != b.segments[i].param) return !a.segments[i].param;
    return false;
  });
}

Router::Result Router::match(const std::string& method, const std::string& path) const {
  Result r;
  const auto segs = split(path);
  std::set<std::string> allowed;
  const std::string m = method == "HEAD" ? "GET" : method;
  for (const auto& e : entries_) {
    if (e.segments.size() != segs.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i)
      ok = e.segments[i].param ? !segs[i].empty() : e.segments[i].text == segs[i];
    if (!ok) continue;
    if (m == sdk::methodName(e.method)) {
      if (r.match) continue;  // first (most literal) wins
      Match mt;
      mt.target = e.target;
      for (std::size_t i = 0; i < segs.size(); ++i)
        if (e.segments[i].param) mt.params[e.segments[i].text] = segs[i];
      r.match = std::move(mt);
    } else {
      allowed.insert(sdk::methodName(e.method));
    }
  }
  if (!r.match && !allowed.empty()) {
    if (allowed.count("GET")) allowed.insert("HEAD");
    r.allowed.assign(allowed.begin(), allowed.end());
  }
  return r;
}

}  // namespace lexos::core
