#pragma once
// The Prometheus text exposition format (version 0.0.4), written: `# HELP` and `# TYPE` once a
// family, then its samples, label values escaped. What /metrics answers (docs/operations.md,
// "Metrics"); common/metrics.h keeps the series it is written from.

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lexos::core {

/// Label name/value pairs of one sample, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

/// Writes metric families into a string. Not thread-safe: one writer per scrape (or per
/// collector of a scrape). Names are checked: a metric or label name outside Prometheus's
/// grammar, or a family written twice into one scrape, throws std::invalid_argument.
class MetricsWriter {
 public:
  /// `seen` (may be null) holds the family names written so far in this scrape, shared between
  /// the writers of one scrape so that two collectors cannot both write a family.
  explicit MetricsWriter(std::set<std::string>* seen = nullptr) : seen_(seen) {}

  /// Starts a family: `type` is "counter", "gauge", "histogram" or "untyped". A counter's samples
  /// are written with their full name (`..._total`); the family is named as given.
  void family(const std::string& name, const char* type, const std::string& help);
  /// One sample line: `name{labels} value`.
  void sample(const std::string& name, const MetricLabels& labels, double value);
  void sample(const std::string& name, const MetricLabels& labels, std::uint64_t value);
  void sample(const std::string& name, const MetricLabels& labels, std::int64_t value);
  void sample(const std::string& name, const MetricLabels& labels, int value) {
    sample(name, labels, static_cast<std::int64_t>(value));
  }
  /// A histogram's samples: `_bucket{le=...}` (cumulative, from `counts`, which holds one count
  /// per bound and one more for +Inf, not cumulative), `_sum` and `_count`.
  void histogram(const std::string& name, const MetricLabels& labels, const std::vector<double>& bounds,
                 const std::vector<std::uint64_t>& counts, double sum);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  /// Whether `name` is a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), or label name
  /// ([a-zA-Z_][a-zA-Z0-9_]*, not starting with "__").
  static bool validMetricName(const std::string& name);
  static bool validLabelName(const std::string& name);
  /// A number as the format writes it: shortest round-trip form, "+Inf", "-Inf", "NaN".
  static std::string number(double v);

 private:
  void labels(const MetricLabels& labels, const std::pair<std::string, std::string>* extra);
  std::string out_;
  std::set<std::string>* seen_;
};

}  // namespace lexos::core
