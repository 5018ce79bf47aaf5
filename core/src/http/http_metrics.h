#pragma once
// Requests by route template, method and status, and their latency (docs/operations.md,
// "Metrics"). Every series is made at start-up (a slot per route and method), so counting a
// request is a few relaxed atomic adds and no lock; the route label is a template, never a path
// (paths may hold tokens), and anything that matched no route is "(no route)".

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "plugins/registry.h"

namespace lexos::core {

class HttpMetrics {
 public:
  /// What a request that is not an API route is counted as.
  enum Fixed : std::size_t { kNoRoute = 0, kHealthz, kReadyz, kStaticFiles, kPluginFiles, kFixedCount };

  /// Slots for `routes` (the registry's table, which must not change afterwards) and the fixed
  /// keys above.
  explicit HttpMetrics(const std::vector<RouteEntry>& routes);
  ~HttpMetrics();

  /// The key of an API route: an element of the table given to the constructor.
  std::size_t routeKey(const RouteEntry* route) const;
  /// Counts one answered request. Thread-safe, lock-free.
  void observe(std::size_t key, const std::string& method, int status, double seconds);
  /// Writes lexos_http_requests_total and lexos_http_request_duration_seconds (the series that
  /// counted something; a Metrics collector).
  void collect(MetricsWriter& w) const;

  /// Latency buckets, in seconds.
  static const std::vector<double>& latencyBounds();

 private:
  struct Slot;
  Slot* slotOf(std::size_t key, const std::string& method) const;
  const RouteEntry* routes_;
  std::size_t routeCount_;
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace lexos::core
