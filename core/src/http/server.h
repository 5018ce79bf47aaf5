#pragma once
// lexosd's HTTP front: a Poco HTTPServer on a socket bound without SO_REUSEPORT, a thread
// pool sized to the connections it should serve, and the dispatcher that routes each request
// through the guard to a handler.

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace lexos::core {

struct Config;
class Registry;
class ConnectionPool;
class Guard;
class Mailer;

/// Everything a request needs; owned by the daemon, outlives the server.
struct Services {
  const Config* config = nullptr;
  const Registry* registry = nullptr;
  ConnectionPool* pool = nullptr;
  const Guard* guard = nullptr;
  Mailer* mailer = nullptr;
  std::atomic<bool> ready{false};

  /// Sockets of requests being handled, so that shutdown can cut off those that outlast the
  /// grace period (Poco's own abort does not reach a connection inside a handler).
  std::mutex inflight_mu;
  std::map<std::uint64_t, Poco::Net::StreamSocket> inflight;
  std::atomic<std::uint64_t> next_request{0};
};

class HttpServer {
 public:
  explicit HttpServer(Services& services);
  ~HttpServer();
  /// Binds and starts accepting. Throws std::runtime_error naming server.listen when the
  /// address cannot be bound (in use, not local, no permission).
  void start();
  /// The port actually bound (useful with port 0).
  int port() const;
  /// Stops accepting, lets requests in flight finish for up to `graceSeconds`, closes the rest.
  /// Returns the number of connections still open when the grace period ended.
  int stop(int graceSeconds);
  /// Connections being served now.
  int currentConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lexos::core
