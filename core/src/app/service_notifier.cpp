#include "app/service_notifier.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <sstream>

namespace lexos::core {

namespace {

// sd_notify takes one newline-separated assignment list; a status line must not break it.
std::string oneLine(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

// Whether the server answers /healthz within `timeout` (a fresh connection each time, so a
// wedged acceptor or a full worker pool both count as "not answering").
bool answers(const std::string& host, int port, std::chrono::microseconds timeout) {
  try {
    Poco::Net::HTTPClientSession s(host, static_cast<Poco::UInt16>(port));
    s.setTimeout(Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(timeout.count())));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("User-Agent", "lexosd-watchdog");
    s.sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::ostringstream sink;
    Poco::StreamCopier::copyStream(s.receiveResponse(res), sink);
    return res.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
  } catch (...) {
    return false;
  }
}

}  // namespace

ServiceNotifier::~ServiceNotifier() { stopWatchdog(); }

void ServiceNotifier::ready(const std::string& status) {
  sd_notify(0, ("READY=1\nSTATUS=" + oneLine(status)).c_str());
}

void ServiceNotifier::stopping(const std::string& status) {
  stopWatchdog();
  sd_notify(0, ("STOPPING=1\nSTATUS=" + oneLine(status)).c_str());
}

void ServiceNotifier::status(const std::string& status) { sd_notify(0, ("STATUS=" + oneLine(status)).c_str()); }

std::chrono::microseconds ServiceNotifier::startWatchdog(const std::string& listenHost, int port) {
  uint64_t usec = 0;
  // Only under a service manager that listens ($NOTIFY_SOCKET): a stray $WATCHDOG_USEC alone
  // would start pings that go nowhere.
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (socket == nullptr || *socket == '\0') return std::chrono::microseconds(0);
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::chrono::microseconds(0);
  const std::chrono::microseconds period(usec);
  // A wildcard listener is asked on loopback.
  std::string host = listenHost;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "::1";
  stop_ = false;
  thread_ = std::thread([this, host, port, period] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      lock.unlock();
      const bool ok = answers(host, port, period / 4);
      if (ok) sd_notify(0, "WATCHDOG=1");
      lock.lock();
      if (!ok && !stop_) sd_notify(0, "STATUS=the watchdog got no answer from /healthz; systemd restarts lexosd if this lasts");
      wake_.wait_for(lock, period / 2, [this] { return stop_; });
    }
  });
  return period;
}

void ServiceNotifier::stopWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace lexos::core
