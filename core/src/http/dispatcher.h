#pragma once
// One request's path through the host: request id, security headers, health endpoints, static
// files, routing (404/405), the guard, the plugin handler in a tenant-scoped transaction, error
// mapping in one place, the audit and mail that ride on the transaction, one log line.

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/server.h"

namespace lexos::core {

class Dispatcher : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(Services& services) : s_(services) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override;

 private:
  int pluginAsset(const std::string& path, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                  std::size_t& bytes);
  int api(const std::string& path, const std::string& query, const std::string& rid,
          Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res, std::size_t& bytes);
  /// The client's address: the peer, or what a trusted proxy says in X-Forwarded-For.
  std::string clientAddress(const Poco::Net::HTTPServerRequest& req) const;
  Services& s_;
};

}  // namespace lexos::core
