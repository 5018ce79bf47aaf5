#pragma once
// Method + path-template routing: "/api/v1/clients/{id}". Literal segments win over
// parameters, so "/api/v1/portal/cases" beats "/api/v1/{x}/cases".

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lexos/sdk/http.h"

namespace lexos::core {

/// Thrown by Router::add for an invalid template or a method+path registered twice.
class RouteConflict : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Routes method+path to a value of type T (an index into the route table). Built once at
/// start-up on one thread; match() is then safe from many threads.
class Router {
 public:
  struct Match {
    std::size_t target = 0;
    std::map<std::string, std::string> params;
  };
  struct Result {
    std::optional<Match> match;        ///< Set when a route matched.
    std::vector<std::string> allowed;  ///< When only the method failed: the methods allowed.
  };

  /// Adds a route; throws RouteConflict for a bad template or a duplicate method+shape.
  void add(sdk::Method method, const std::string& pathTemplate, std::size_t target);
  /// Finds the route for method and (decoded) path. HEAD matches GET routes.
  Result match(const std::string& method, const std::string& path) const;
  /// Splits a path into segments ("/a/b/" -> {"a","b"}); empty segments are kept except the
  /// trailing one.
  static std::vector<std::string> split(const std::string& path);

 private:
  struct Segment {
    bool param = false;
    std::string text;  // literal, or parameter name
  };
  struct Entry {
    sdk::Method method;
    std::string pathTemplate;
    std::vector<Segment> segments;
    std::size_t target;
  };
  std::vector<Entry> entries_;  // kept sorted: more literal (leftmost first) before less
};

}  // namespace lexos::core
