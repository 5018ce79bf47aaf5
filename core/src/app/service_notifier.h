// systemd's service protocol for lexosd (Type=notify): READY=1 once the database answered and the
// plugins are loaded and the listener accepts, STOPPING=1 when draining begins, STATUS= lines for
// `systemctl status`, and WATCHDOG=1 from a thread that proves the server still answers HTTP.
// Uses libsystemd's sd_notify (Debian's libsystemd-dev); outside systemd (no NOTIFY_SOCKET) every
// call is a no-op and no thread starts. docs/operations.md, "systemd readiness and watchdog".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace lexos::core {

class ServiceNotifier {
 public:
  ServiceNotifier() = default;
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  /// READY=1 with a status line. Call after the database answered and the listener accepts.
  void ready(const std::string& status);
  /// STOPPING=1 with a status line; stops the watchdog thread first.
  void stopping(const std::string& status);
  /// STATUS= only.
  void status(const std::string& status);

  /// When systemd asked for a watchdog (WatchdogSec=, seen as $WATCHDOG_USEC for this pid),
  /// starts a thread that every half period asks GET http://host:port/healthz with a timeout of
  /// a quarter period and sends WATCHDOG=1 only when it answered 200. A wedged server (every
  /// worker stuck, the acceptor dead) is therefore restarted by systemd (Restart=on-failure).
  /// Returns the period, or zero when no watchdog was asked for.
  std::chrono::microseconds startWatchdog(const std::string& host, int port);

 private:
  void stopWatchdog();
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace lexos::core
