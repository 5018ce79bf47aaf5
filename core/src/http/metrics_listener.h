#pragma once
// The metrics listener: a second, small HTTP server on metrics.listen that answers
// `GET /metrics` (Prometheus text format) and 404 to everything else. It never serves the API,
// and the API listener never serves /metrics. Off unless metrics.listen is set
// (docs/operations.md, "Metrics").

#include <memory>
#include <string>

namespace lexos::core {

class Metrics;

class MetricsListener {
 public:
  /// `metrics` must outlive the listener.
  MetricsListener(const Metrics& metrics, std::string host, int port);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  /// Binds (without SO_REUSEPORT: a port in use is an error) and starts answering. Throws
  /// std::runtime_error naming metrics.listen when the address cannot be bound.
  void start();
  /// Stops answering and closes the socket. Idempotent.
  void stop();
  /// The port bound (useful with port 0); the configured one before start().
  int port() const { return port_; }

 private:
  struct Impl;
  const Metrics& metrics_;
  std::string host_;
  int port_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lexos::core
