#include "http/server.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "config/config.h"
#include "http/dispatcher.h"

namespace lexos::core {

namespace {
class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Services& s) : s_(s) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Dispatcher(s_);  // Poco takes ownership (its interface requires a raw pointer)
  }

 private:
  Services& s_;
};
}  // namespace

struct HttpServer::Impl {
  Services& services;
  std::unique_ptr<Poco::ThreadPool> threads;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  int port = 0;
  explicit Impl(Services& s) : services(s) {}
};

HttpServer::HttpServer(Services& services) : impl_(std::make_unique<Impl>(services)) {}

HttpServer::~HttpServer() {
  if (impl_->server) impl_->server->stopAll(true);
}

void HttpServer::start() {
  const Config& c = *impl_->services.config;
  Poco::Net::ServerSocket socket;
  const std::string where = "server.listen = " + c.listen_host + ":" + std::to_string(c.listen_port);
  try {
    Poco::Net::SocketAddress addr(c.listen_host, static_cast<Poco::UInt16>(c.listen_port));
    // reuseAddress (TIME_WAIT) yes, reusePort no: a second daemon on the port is an error.
    socket.bind(addr, true, false);
    socket.listen(1024);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("config: " + where + ": cannot listen: " + e.displayText() +
                             (e.code() == EADDRINUSE || e.displayText().find("in use") != std::string::npos
                                  ? " (another process uses this port)"
                                  : ""));
  }
  impl_->port = socket.address().port();
  auto params = new Poco::Net::HTTPServerParams;  // reference-counted by Poco
  params->setMaxThreads(c.threads);
  params->setMaxQueued(4096);
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(c.keepalive_requests);
  params->setKeepAliveTimeout(Poco::Timespan(c.keepalive_timeout_seconds, 0));
  params->setTimeout(Poco::Timespan(30, 0));
  params->setServerName("");
  params->setSoftwareVersion("");
  impl_->threads = std::make_unique<Poco::ThreadPool>(2, c.threads, 60, 256 * 1024);
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->services), *impl_->threads,
                                                          socket, params);
  impl_->server->start();
}

int HttpServer::port() const { return impl_->port; }

int HttpServer::currentConnections() const {
  return impl_->server ? impl_->server->currentConnections() : 0;
}

int HttpServer::stop(int graceSeconds) {
  if (!impl_->server) return 0;
  // Stop accepting; each connection closes once the request it is serving is answered. Poco's
  // stopAll(false) waits for those requests without a bound, so it runs on its own thread and
  // the grace period decides when the rest are cut off.
  std::atomic<bool> drained{false};
  std::thread drainer([this, &drained] {
    impl_->server->stopAll(false);
    drained = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(graceSeconds);
  while ((!drained || impl_->server->currentConnections() > 0) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  int left = drained ? impl_->server->currentConnections() : std::max(1, impl_->server->currentConnections());
  if (!drained || left > 0) {
    {
      std::lock_guard<std::mutex> lock(impl_->services.inflight_mu);
      left = std::max<int>(left, static_cast<int>(impl_->services.inflight.size()));
      for (auto& [id, sock] : impl_->services.inflight) {
        try {
          sock.shutdown();
        } catch (...) {
        }
      }
    }
    impl_->server->stopAll(true);
  }
  if (left > 0) {
    drainer.detach();  // it may wait on a handler that never returns
    // Handlers still running cannot be interrupted; the process is about to exit, so their
    // threads are left to it rather than waited for.
    impl_->server.release();
    impl_->threads.release();
    return left;
  }
  drainer.join();
  impl_->threads->joinAll();
  return left;
}

}  // namespace lexos::core
