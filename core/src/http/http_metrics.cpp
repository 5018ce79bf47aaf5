#include "http/http_metrics.h"

#include <cstring>

namespace lexos::core {

namespace {

// The methods a fixed key is counted under; anything else is "other" (a method is the client's
// choice: it must not make series).
constexpr const char* kMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"};
constexpr std::size_t kMethodCount = sizeof kMethods / sizeof kMethods[0];

std::size_t methodIndex(const std::string& m) {
  for (std::size_t i = 0; i + 1 < kMethodCount; ++i)
    if (m == kMethods[i]) return i;
  return kMethodCount - 1;
}

constexpr const char* kFixedNames[] = {"(no route)", "/healthz", "/readyz", "(static files)", "(plugin files)"};

}  // namespace

// Statuses a slot has seen, each claimed once with a compare-and-swap; a route answers a handful
// of statuses, so eight is plenty, and any more are counted as status "other".
struct HttpMetrics::Slot {
  static constexpr std::size_t kStatuses = 8;
  explicit Slot(const std::vector<double>& bounds) : latency(bounds) {}
  Histogram latency;
  std::array<std::atomic<std::uint32_t>, kStatuses> status{};
  std::array<std::atomic<std::uint64_t>, kStatuses> count{};
  std::atomic<std::uint64_t> other{0};

  void countStatus(int s) {
    const auto want = static_cast<std::uint32_t>(s > 0 ? s : 0);
    for (std::size_t i = 0; want && i < kStatuses; ++i) {
      std::uint32_t seen = status[i].load(std::memory_order_acquire);
      if (seen == 0) {
        if (status[i].compare_exchange_strong(seen, want, std::memory_order_acq_rel)) seen = want;
      }
      if (seen == want) {
        count[i].fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    other.fetch_add(1, std::memory_order_relaxed);
  }
};

const std::vector<double>& HttpMetrics::latencyBounds() {
  static const std::vector<double> b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return b;
}

HttpMetrics::HttpMetrics(const std::vector<RouteEntry>& routes) : routes_(routes.data()), routeCount_(routes.size()) {
  // Fixed keys: one slot per method. API routes: their own method, and HEAD (GET routes answer it).
  const std::size_t n = kFixedCount * kMethodCount + 2 * routeCount_;
  slots_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) slots_.push_back(std::make_unique<Slot>(latencyBounds()));
}

HttpMetrics::~HttpMetrics() = default;

std::size_t HttpMetrics::routeKey(const RouteEntry* route) const {
  if (!route || route < routes_ || route >= routes_ + routeCount_) return kNoRoute;
  return kFixedCount + static_cast<std::size_t>(route - routes_);
}

HttpMetrics::Slot* HttpMetrics::slotOf(std::size_t key, const std::string& method) const {
  if (key < kFixedCount) return slots_[key * kMethodCount + methodIndex(method)].get();
  const std::size_t r = key - kFixedCount;
  if (r >= routeCount_) return slots_[kNoRoute * kMethodCount + methodIndex(method)].get();
  return slots_[kFixedCount * kMethodCount + 2 * r + (method == "HEAD" ? 1 : 0)].get();
}

void HttpMetrics::observe(std::size_t key, const std::string& method, int status, double seconds) {
  Slot* s = slotOf(key, method);
  s->countStatus(status);
  s->latency.observe(seconds);
}

void HttpMetrics::collect(MetricsWriter& w) const {
  struct Seen {
    const Slot* slot;
    std::string route;
    std::string method;
  };
  std::vector<Seen> used;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot* s = slots_[i].get();
    if (s->latency.count() == 0) continue;
    if (i < kFixedCount * kMethodCount) {
      used.push_back({s, kFixedNames[i / kMethodCount], kMethods[i % kMethodCount]});
    } else {
      const std::size_t r = (i - kFixedCount * kMethodCount) / 2;
      const bool head = (i - kFixedCount * kMethodCount) % 2 == 1;
      used.push_back({s, routes_[r].route.path, head ? "HEAD" : sdk::methodName(routes_[r].route.method)});
    }
  }
  w.family("lexos_http_requests_total", "counter",
           "HTTP requests answered, by route template (\"(no route)\": none matched), method and status.");
  for (const auto& u : used) {
    for (std::size_t k = 0; k < Slot::kStatuses; ++k) {
      const std::uint32_t st = u.slot->status[k].load(std::memory_order_acquire);
      if (st == 0) break;
      w.sample("lexos_http_requests_total", {{"route", u.route}, {"method", u.method}, {"status", std::to_string(st)}},
               u.slot->count[k].load(std::memory_order_relaxed));
    }
    if (const auto o = u.slot->other.load(std::memory_order_relaxed))
      w.sample("lexos_http_requests_total", {{"route", u.route}, {"method", u.method}, {"status", "other"}}, o);
  }
  w.family("lexos_http_request_duration_seconds", "histogram",
           "Seconds spent answering a request once it had arrived (dispatcher), by route template and method.");
  for (const auto& u : used)
    w.histogram("lexos_http_request_duration_seconds", {{"route", u.route}, {"method", u.method}},
                latencyBounds(), u.slot->latency.counts(), u.slot->latency.sum());
}

}  // namespace lexos::core
