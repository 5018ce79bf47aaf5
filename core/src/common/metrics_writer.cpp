#include "common/metrics_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace lexos::core {

namespace {

bool nameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

void escapeInto(std::string& out, const std::string& s, bool quote) {
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
}

}  // namespace

bool MetricsWriter::validMetricName(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!nameChar(name[i], i == 0, true)) return false;
  return true;
}

bool MetricsWriter::validLabelName(const std::string& name) {
  if (name.empty() || name.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!nameChar(name[i], i == 0, false)) return false;
  return true;
}

std::string MetricsWriter::number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // %g-style, shortest round trip: "0.0005" (not "5e-04"), as client_golang writes bucket bounds.
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general);
  return std::string(buf, r.ptr);
}

void MetricsWriter::family(const std::string& name, const char* type, const std::string& help) {
  if (!validMetricName(name)) throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  static const char* const kTypes[] = {"counter", "gauge", "histogram", "untyped"};
  bool known = false;
  for (const char* t : kTypes) known = known || std::strcmp(t, type) == 0;
  if (!known) throw std::invalid_argument("metrics: " + name + ": unknown type '" + type + "'");
  if (seen_ && !seen_->insert(name).second)
    throw std::invalid_argument("metrics: family '" + name + "' written twice in one scrape");
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  escapeInto(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void MetricsWriter::labels(const MetricLabels& labels, const std::pair<std::string, std::string>* extra) {
  if (labels.empty() && !extra) return;
  out_ += '{';
  bool first = true;
  auto one = [&](const std::pair<std::string, std::string>& l) {
    if (!validLabelName(l.first)) throw std::invalid_argument("metrics: invalid label name '" + l.first + "'");
    if (!first) out_ += ',';
    first = false;
    out_ += l.first;
    out_ += "=\"";
    escapeInto(out_, l.second, true);
    out_ += '"';
  };
  for (const auto& l : labels) one(l);
  if (extra) one(*extra);
  out_ += '}';
}

void MetricsWriter::sample(const std::string& name, const MetricLabels& l, double value) {
  if (!validMetricName(name)) throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  out_ += name;
  labels(l, nullptr);
  out_ += ' ';
  out_ += number(value);
  out_ += '\n';
}

void MetricsWriter::sample(const std::string& name, const MetricLabels& l, std::uint64_t value) {
  if (!validMetricName(name)) throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  out_ += name;
  labels(l, nullptr);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void MetricsWriter::sample(const std::string& name, const MetricLabels& l, std::int64_t value) {
  if (!validMetricName(name)) throw std::invalid_argument("metrics: invalid metric name '" + name + "'");
  out_ += name;
  labels(l, nullptr);
  out_ += ' ';
  out_ += std::to_string(value);
  out_ += '\n';
}

void MetricsWriter::histogram(const std::string& name, const MetricLabels& l, const std::vector<double>& bounds,
                              const std::vector<std::uint64_t>& counts, double sum) {
  if (counts.size() != bounds.size() + 1)
    throw std::invalid_argument("metrics: " + name + ": one count per bound and one for +Inf expected");
  const std::string bucket = name + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += counts[i];
    const std::pair<std::string, std::string> le{"le", i < bounds.size() ? number(bounds[i]) : "+Inf"};
    out_ += bucket;
    labels(l, &le);
    out_ += ' ';
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  sample(name + "_sum", l, sum);
  sample(name + "_count", l, cumulative);
}

}  // namespace lexos::core
