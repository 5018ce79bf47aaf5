// The metrics registry and the text format it writes (common/metrics.h, common/metrics_writer.h).
// The integration tests read the same text with the Prometheus client's parser.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.h"

using lexos::core::Metrics;
using lexos::core::MetricsWriter;

TEST_CASE("the text format escapes label values and help and writes numbers the way Prometheus reads them") {
  MetricsWriter w;
  w.family("lexos_x", "gauge", "a \\ help\nline");
  w.sample("lexos_x", {{"v", "q\"b\\n\nx"}}, 1.5);
  w.sample("lexos_x", {}, std::uint64_t{18446744073709551615ull});
  w.sample("lexos_x", {{"a", "1"}, {"b", "2"}}, 1.0 / 0.0);
  CHECK(w.text() ==
        "# HELP lexos_x a \\\\ help\\nline\n# TYPE lexos_x gauge\n"
        "lexos_x{v=\"q\\\"b\\\\n\\nx\"} 1.5\n"
        "lexos_x 18446744073709551615\n"
        "lexos_x{a=\"1\",b=\"2\"} +Inf\n");
  CHECK(MetricsWriter::number(0.1) == "0.1");
  CHECK(MetricsWriter::number(-2) == "-2");
  CHECK(MetricsWriter::number(0.0 / 0.0) == "NaN");
}

TEST_CASE("names outside Prometheus's grammar, unknown types and a family written twice are refused") {
  std::set<std::string> seen;
  MetricsWriter w(&seen);
  CHECK_THROWS_AS(w.family("9lives", "gauge", ""), std::invalid_argument);
  CHECK_THROWS_AS(w.family("lexos-dash", "gauge", ""), std::invalid_argument);
  CHECK_THROWS_AS(w.family("lexos_x", "summary_of_sorts", ""), std::invalid_argument);
  CHECK_THROWS_AS(w.sample("lexos_x", {{"bad-label", "v"}}, 1.0), std::invalid_argument);
  CHECK_THROWS_AS(w.sample("lexos_x", {{"__reserved", "v"}}, 1.0), std::invalid_argument);
  w.family("lexos_ok:sub", "counter", "");
  MetricsWriter other(&seen);
  CHECK_THROWS_AS(other.family("lexos_ok:sub", "counter", ""), std::invalid_argument);
}

TEST_CASE("a histogram's buckets are written cumulative with +Inf, _sum and _count") {
  Metrics m;
  auto& h = m.histogram("lexos_wait_seconds", "waits", {0.1, 1});
  h.observe(0.05);
  h.observe(0.1);  // bounds are inclusive
  h.observe(0.5);
  h.observe(7);
  CHECK(h.count() == 4);
  CHECK(h.counts() == std::vector<std::uint64_t>{2, 1, 1});
  const std::string t = m.render();
  CHECK_THAT(t, Catch::Contains("# TYPE lexos_wait_seconds histogram\n"
                                "lexos_wait_seconds_bucket{le=\"0.1\"} 2\n"
                                "lexos_wait_seconds_bucket{le=\"1\"} 3\n"
                                "lexos_wait_seconds_bucket{le=\"+Inf\"} 4\n"
                                "lexos_wait_seconds_sum 7.65\n"
                                "lexos_wait_seconds_count 4\n"));
  CHECK_THROWS_AS(m.histogram("lexos_wait_seconds", "waits", {0.2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("lexos_other_seconds", "", {1, 0.5}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("lexos_other_seconds", "", {0.5}, {{"le", "x"}}), std::invalid_argument);
}

TEST_CASE("series are made once per label set and keep one type, counters end in _total") {
  Metrics m;
  auto& a = m.counter("lexos_things_total", "things", {{"kind", "a"}});
  auto& a2 = m.counter("lexos_things_total", "things", {{"kind", "a"}});
  CHECK(&a == &a2);
  a.inc();
  a2.inc(2);
  m.counter("lexos_things_total", "things", {{"kind", "b"}}).inc();
  CHECK(a.value() == 3);
  CHECK_THROWS_AS(m.counter("lexos_things", "no suffix"), std::invalid_argument);
  CHECK_THROWS_AS(m.gauge("lexos_things_total", "a gauge now"), std::invalid_argument);
  auto& g = m.gauge("lexos_level", "level");
  g.set(4);
  g.add(-1.5);
  CHECK(g.value() == 2.5);
  const std::string t = m.render();
  CHECK_THAT(t, Catch::Contains("lexos_things_total{kind=\"a\"} 3\nlexos_things_total{kind=\"b\"} 1\n"));
  CHECK_THAT(t, Catch::Contains("lexos_level 2.5\n"));
}

TEST_CASE("counters add up across threads without a lock") {
  Metrics m;
  auto& c = m.counter("lexos_hits_total", "hits");
  auto& h = m.histogram("lexos_h_seconds", "h", {1});
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 100000; ++k) {
        c.inc();
        h.observe(0.5);
      }
    });
  for (auto& t : ts) t.join();
  CHECK(c.value() == 400000);
  CHECK(h.count() == 400000);
  CHECK(h.sum() == 200000);
}

TEST_CASE("a collector that throws or repeats a family is left out of the scrape, the others are kept") {
  Metrics m;
  m.gauge("lexos_a", "a").set(1);
  m.addCollector([](MetricsWriter& w) {
    w.family("lexos_b", "gauge", "b");
    w.sample("lexos_b", {}, 2.0);
  });
  m.addCollector([](MetricsWriter& w) {
    w.family("lexos_c", "gauge", "c");
    w.sample("lexos_c", {}, 3.0);
    throw std::runtime_error("gone");
  });
  m.addCollector([](MetricsWriter& w) { w.family("lexos_a", "gauge", "again"); });
  m.addCollector([](MetricsWriter& w) {
    w.family("lexos_d", "gauge", "d");
    w.sample("lexos_d", {}, 4.0);
  });
  const std::string t = m.render();
  CHECK(t ==
        "# HELP lexos_a a\n# TYPE lexos_a gauge\nlexos_a 1\n"
        "# HELP lexos_b b\n# TYPE lexos_b gauge\nlexos_b 2\n"
        "# HELP lexos_d d\n# TYPE lexos_d gauge\nlexos_d 4\n");
}
