#include "http/metrics_listener.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include <stdexcept>

#include "common/metrics.h"

namespace lexos::core {

namespace {

// Poco's HTTPServer gives a connection a thread, which the API listener cannot afford
// (docs/http-front.md); here it is fine: one scraper (or a few) on a private address.
class ScrapeHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit ScrapeHandler(const Metrics& m) : m_(m) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    const std::string& uri = req.getURI();
    const std::string path = uri.substr(0, uri.find('?'));
    res.set("Cache-Control", "no-store");
    res.set("X-Content-Type-Options", "nosniff");
    std::string body;
    if (path != "/metrics") {
      res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      res.setContentType("text/plain; charset=utf-8");
      body = "Not found: this listener answers GET /metrics only.\n";
    } else if (req.getMethod() != "GET" && req.getMethod() != "HEAD") {
      res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED);
      res.set("Allow", "GET, HEAD");
      res.setContentType("text/plain; charset=utf-8");
      body = "Method not allowed: GET /metrics.\n";
    } else {
      res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
      res.setContentType("text/plain; version=0.0.4; charset=utf-8");
      body = m_.render();
    }
    // A request body (nobody should send one) is not read: do not let it become a request.
    if (req.getChunkedTransferEncoding() || (req.hasContentLength() && req.getContentLength64() > 0))
      res.setKeepAlive(false);
    res.setContentLength(static_cast<std::streamsize>(body.size()));
    auto& out = res.send();
    if (req.getMethod() != "HEAD") out << body;
  }

 private:
  const Metrics& m_;
};

class ScrapeFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit ScrapeFactory(const Metrics& m) : m_(m) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new ScrapeHandler(m_);  // Poco's factory contract: the server owns and deletes it
  }

 private:
  const Metrics& m_;
};

}  // namespace

struct MetricsListener::Impl {
  Poco::ThreadPool threads{"metrics", 1, 2};
  std::unique_ptr<Poco::Net::HTTPServer> server;
};

MetricsListener::MetricsListener(const Metrics& metrics, std::string host, int port)
    : metrics_(metrics), host_(std::move(host)), port_(port) {}

MetricsListener::~MetricsListener() { stop(); }

void MetricsListener::start() {
  if (impl_) return;
  const std::string where = "metrics.listen = " + host_ + ":" + std::to_string(port_);
  Poco::Net::ServerSocket socket;
  try {
    // reuseAddress (TIME_WAIT) yes, reusePort no: a second daemon on the port is an error.
    socket.bind(Poco::Net::SocketAddress(host_, static_cast<Poco::UInt16>(port_)), true, false);
    socket.listen(64);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("config: " + where + ": cannot listen: " + e.displayText());
  }
  auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
  params->setMaxThreads(2);
  params->setMaxQueued(16);
  params->setTimeout(Poco::Timespan(5, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(15, 0));
  params->setMaxKeepAliveRequests(1000);
  params->setServerName("lexosd-metrics");
  auto impl = std::make_unique<Impl>();
  impl->server = std::make_unique<Poco::Net::HTTPServer>(new ScrapeFactory(metrics_), impl->threads, socket, params);
  impl->server->start();
  port_ = socket.address().port();
  impl_ = std::move(impl);
}

void MetricsListener::stop() {
  if (!impl_) return;
  impl_->server->stopAll(true);
  impl_->threads.joinAll();
  impl_.reset();
}

}  // namespace lexos::core
