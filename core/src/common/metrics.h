#pragma once
// lexosd's metrics (docs/operations.md, "Metrics"): a small registry of counters, gauges and
// histograms with fixed buckets, and collectors that report the state of other parts (pool,
// session cache, connection layer, mail) when /metrics is scraped. Recording is a relaxed
// atomic add on a series created beforehand; only creating a series and scraping take a lock.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics_writer.h"

namespace lexos::core {

/// A monotonic count. Thread-safe; lives as long as the Metrics that made it.
class Counter {
 public:
  void inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

/// A value that goes up and down. Thread-safe; lives as long as the Metrics that made it.
class Gauge {
 public:
  void set(double v) { v_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> v_{0};
};

/// Observations counted into fixed buckets (upper bounds, inclusive, ascending) plus +Inf, with
/// their sum. Thread-safe: observe() is a short scan of the bounds and two atomic updates.
/// `bounds` must outlive the histogram (Metrics keeps them with the family).
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  /// Per bucket (not cumulative; the last is +Inf) and the sum, read now. Under concurrent
  /// observations the sum and the counts may be one observation apart.
  std::vector<std::uint64_t> counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const;

 private:
  const std::vector<double>& bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

/// The registry. Series are made once (at start-up, or the first time a label set is seen) and
/// kept for the life of the registry; references to them stay valid. Thread-safe.
class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// The series of family `name` with `labels`, made on first use. The same name with another
  /// type (or, for a histogram, other bounds), or a name outside Prometheus's grammar, throws
  /// std::invalid_argument. A counter's name ends in `_total`.
  Counter& counter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                       const MetricLabels& labels = {});

  /// Something that writes families of its own at each scrape (values read from the part that
  /// keeps them: the pool, the session cache, the mail queue). Runs on the scraping thread, so
  /// it must be thread-safe and quick; what it writes must not repeat another family's name.
  /// One that throws is left out of that scrape (logged), the rest is answered.
  void addCollector(std::function<void(MetricsWriter&)> collect);

  /// Every family, in the text format: the registered series first (by name), then each
  /// collector's in the order they were added.
  std::string render() const;

 private:
  struct Family;
  Family& familyOf(const std::string& name, const char* type, const std::string& help,
                   const std::vector<double>* bounds);
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
  std::vector<std::function<void(MetricsWriter&)>> collectors_;
};

}  // namespace lexos::core
