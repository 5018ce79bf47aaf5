#pragma once
// What /metrics reports about the host besides requests (http/http_metrics.h): the connection
// layer, the database pool, the session cache, mail, plugins, the build and the process
// (docs/operations.md, "Metrics" lists every family).

#include <cstdint>
#include <map>
#include <string>

#include "common/metrics.h"

namespace lexos::core {

class Host;

/// Adds the host's collectors to `metrics`. They read `host` at each scrape; the server's
/// families only while it serves (zeros otherwise). `host` must outlive `metrics`' scrapes.
void addHostCollectors(Metrics& metrics, Host& host);

/// Writes `lexos_mail_queue_depth{status}`: messages waiting in the mail queue by status
/// ("pending", "retrying", "failed", ...). A mail queue reports itself through it:
/// `host.metrics().addCollector([&q](MetricsWriter& w) { writeMailQueueDepth(w, q.depthByStatus()); })`.
void writeMailQueueDepth(MetricsWriter& w, const std::map<std::string, std::uint64_t>& depthByStatus);

/// The process's own figures (Prometheus's `process_*` conventions) from /proc: resident and
/// virtual memory, open and maximum file descriptors, CPU seconds, start time.
void writeProcessMetrics(MetricsWriter& w);

}  // namespace lexos::core
