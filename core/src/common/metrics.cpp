#include "common/metrics.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <stdexcept>

namespace lexos::core {

void Gauge::add(double d) {
  double cur = v_.load(std::memory_order_relaxed);
  while (!v_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  double cur = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

std::vector<std::uint64_t> Histogram::counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = counts_[i].load(std::memory_order_relaxed);
  return out;
}

std::uint64_t Histogram::count() const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) n += counts_[i].load(std::memory_order_relaxed);
  return n;
}

struct Metrics::Family {
  std::string type;
  std::string help;
  std::vector<double> bounds;
  std::map<MetricLabels, std::unique_ptr<Counter>> counters;
  std::map<MetricLabels, std::unique_ptr<Gauge>> gauges;
  std::map<MetricLabels, std::unique_ptr<Histogram>> histograms;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

namespace {
void checkLabels(const std::string& name, const MetricLabels& labels) {
  for (const auto& l : labels)
    if (!MetricsWriter::validLabelName(l.first) || l.first == "le" || l.first == "quantile")
      throw std::invalid_argument("metrics: " + name + ": invalid label name '" + l.first + "'");
}
}  // namespace

Metrics::Family& Metrics::familyOf(const std::string& name, const char* type, const std::string& help,
                                   const std::vector<double>* bounds) {
  if (!MetricsWriter::validMetricName(name)) throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  auto& f = families_[name];
  if (!f) {
    if (bounds && (bounds->empty() || !std::is_sorted(bounds->begin(), bounds->end()) ||
                   std::adjacent_find(bounds->begin(), bounds->end()) != bounds->end()))
      throw std::invalid_argument("metrics: " + name + ": bucket bounds must be ascending and distinct");
    f = std::make_unique<Family>();
    f->type = type;
    f->help = help;
    if (bounds) f->bounds = *bounds;
  } else if (f->type != type || (bounds && f->bounds != *bounds)) {
    throw std::invalid_argument("metrics: " + name + " is registered as a " + f->type +
                                (bounds ? " with other bucket bounds" : ""));
  }
  return *f;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  if (name.size() < 7 || name.compare(name.size() - 6, 6, "_total") != 0)
    throw std::invalid_argument("metrics: counter '" + name + "' must end in _total");
  checkLabels(name, labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = familyOf(name, "counter", help, nullptr).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const MetricLabels& labels) {
  checkLabels(name, labels);
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = familyOf(name, "gauge", help, nullptr).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help, const std::vector<double>& bounds,
                              const MetricLabels& labels) {
  checkLabels(name, labels);
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = familyOf(name, "histogram", help, &bounds);
  auto& slot = f.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(f.bounds);
  return *slot;
}

void Metrics::addCollector(std::function<void(MetricsWriter&)> collect) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string Metrics::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> seen;
  MetricsWriter w(&seen);
  for (const auto& [name, f] : families_) {
    // A counter's family keeps its full name (`..._total`), as the 0.0.4 text format has it.
    w.family(name, f->type.c_str(), f->help);
    for (const auto& [labels, c] : f->counters) w.sample(name, labels, c->value());
    for (const auto& [labels, g] : f->gauges) w.sample(name, labels, g->value());
    for (const auto& [labels, h] : f->histograms) w.histogram(name, labels, f->bounds, h->counts(), h->sum());
  }
  std::string out = w.take();
  for (const auto& collect : collectors_) {
    MetricsWriter part(&seen);
    try {
      collect(part);
      out += part.text();
    } catch (const std::exception& e) {
      Poco::Logger::get("lexosd").warning(std::string("metrics: a collector failed, its families are left out: ") +
                                          e.what());
    }
  }
  return out;
}

}  // namespace lexos::core
