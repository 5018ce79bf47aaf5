#pragma once
// lexosd's HTTP front: a readiness-based connection layer (epoll) that reads request heads and
// bodies without a thread per connection, enforces RFC 9112 framing and the [server] deadlines
// and caps, and hands complete requests to worker threads that run the dispatcher.

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
class MailSender;
class AuditSequencer;
class HttpMetrics;
class ReadCache;
namespace vault {
class VaultService;
}

/// Everything a request needs; owned by the daemon, outlives the server.
struct Services {
  const Config* config = nullptr;
  const Registry* registry = nullptr;
  ConnectionPool* pool = nullptr;
  const Guard* guard = nullptr;
  Mailer* mailer = nullptr;
  MailSender* mailSender = nullptr;      ///< the durable queue's sender (null: mail is sent directly)
  vault::VaultService* vault = nullptr;  ///< set once the database is prepared
  AuditSequencer* audit = nullptr;       ///< chains events of reads (null: they are appended directly)
  HttpMetrics* http_metrics = nullptr;   ///< counts requests by route (null: metrics.listen is off)
  ReadCache* read_cache = nullptr;       ///< the portal read cache (null: cache.portal_seconds = 0)
  std::atomic<bool> ready{false};
};

/// Counters of the connection layer (tests, diagnostics). Monotonic since start.
struct ServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused_over_cap = 0;   ///< closed at accept: total or per-address cap
  std::uint64_t head_timeouts = 0;      ///< 408: request head not complete in time
  std::uint64_t body_timeouts = 0;      ///< 408: body slower than body_min_rate
  std::uint64_t idle_closed = 0;        ///< keep-alive connections closed when idle too long
  std::uint64_t send_timeouts = 0;      ///< responses the client did not read in time
  std::uint64_t framing_errors = 0;     ///< heads refused (400, 411, 414, 431, 501, 505)
  std::uint64_t requests = 0;           ///< requests handed to the dispatcher
  /// PostgreSQL: requests parked while their session was read (guard/session_prefetch.h), and
  /// the statements that read them (fewer: concurrent reads of one firm share one).
  std::uint64_t parked = 0;
  std::uint64_t session_reads = 0;
  /// Answers held (no worker held) until their read's audit events were committed
  /// (AuditSequencer::recordReadLater), and those answered 503 because the commit failed.
  std::uint64_t held_for_audit = 0;
  std::uint64_t audit_refused = 0;
  /// Worker threads running now (server.threads, plus stand-ins for workers that wait on a
  /// client reading a streamed answer slowly), and stand-ins started in all.
  int workers = 0;
  std::uint64_t stand_ins = 0;
  int busy = 0;  ///< workers inside the dispatcher now
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
  /// Returns the number of connections that were still inside a request when it ended.
  int stop(int graceSeconds);
  /// Connections open now.
  int currentConnections() const;
  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lexos::core
