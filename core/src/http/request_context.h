#pragma once
// The host's implementation of the SDK's per-request objects over Poco's HTTP server.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "data/connection.h"
#include "identity/buffered_audit.h"
#include "lexos/sdk/context.h"

namespace lexos::core {

struct Config;

/// Request adapter. Enforces the body limit of the route.
class HttpRequest : public sdk::Request {
 public:
  HttpRequest(Poco::Net::HTTPServerRequest& req, std::string path, std::string rawQuery,
              std::map<std::string, std::string> params, std::size_t maxBody, std::string remote,
              std::string requestId);
  sdk::Method method() const override { return method_; }
  const std::string& path() const override { return path_; }
  const std::string& pathParam(const std::string& name) const override;
  std::optional<std::string> query(const std::string& name) const override;
  std::vector<std::pair<std::string, std::string>> queryParams() const override { return query_; }
  std::optional<std::string> header(const std::string& name) const override;
  std::string contentType() const override;
  std::string body() override;
  std::istream& bodyStream() override;
  const std::string& remoteAddress() const override { return remote_; }
  const std::string& requestId() const override { return requestId_; }
  /// True once the handler asked for the body.
  bool bodyRead() const { return limited_ != nullptr; }

 private:
  Poco::Net::HTTPServerRequest& req_;
  sdk::Method method_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> query_;
  std::map<std::string, std::string> params_;
  std::size_t maxBody_;
  std::string remote_;
  std::string requestId_;
  std::unique_ptr<std::istream> limited_;
};

/// Response adapter. Headers set by the host (security headers) stay.
class HttpResponse : public sdk::Response {
 public:
  explicit HttpResponse(Poco::Net::HTTPServerResponse& res) : res_(res) {}
  void setStatus(int status) override;
  void setHeader(const std::string& name, const std::string& value) override;
  void setContentType(const std::string& type) override { res_.setContentType(type); }
  void send(const std::string& body) override;
  void sendJson(const std::string& json, int status) override;
  std::ostream& stream() override;
  bool sent() const override { return sent_; }
  int status() const { return static_cast<int>(res_.getStatus()); }
  std::size_t bytes() const { return bytes_; }
  /// Writes the buffered body: the host calls it after the transaction committed, so that
  /// nobody is told "saved" about a change that did not land. No-op for streamed bodies.
  void flush();
  /// Drops a buffered body (the transaction failed; an error answer follows).
  void discard();
  bool streamed() const { return streamed_; }
  Poco::Net::HTTPServerResponse& raw() { return res_; }

 private:
  Poco::Net::HTTPServerResponse& res_;
  bool sent_ = false;
  bool streamed_ = false;
  std::string body_;
  std::size_t bytes_ = 0;
};

/// Tenant-scoped Db over a pooled connection.
class ScopedDb : public sdk::Db {
 public:
  explicit ScopedDb(Connection& c) : c_(c) {}
  sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return c_.query(sql, params);
  }
  std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return c_.execute(sql, params);
  }
  std::int64_t newId() override { return c_.newId(); }
  sdk::Backend backend() const override { return c_.backend(); }
  std::string now() const override;

 private:
  Connection& c_;
};

/// Mail queued by a request, handed to the transport after commit.
class QueuedMail : public sdk::Mail {
 public:
  void send(const sdk::MailMessage& m) override;
  std::vector<sdk::MailMessage> messages;
};

/// The Context handed to a handler.
class RequestContext : public sdk::Context {
 public:
  RequestContext(HttpRequest& req, HttpResponse& res, const sdk::Principal& principal, Connection& conn,
                 const Config& config, std::string pluginId);
  sdk::Request& request() override { return req_; }
  sdk::Response& response() override { return res_; }
  const sdk::Principal& principal() const override { return principal_; }
  sdk::Db& db() override { return db_; }
  sdk::Audit& audit() override { return audit_; }
  sdk::Mail& mail() override { return mail_; }
  std::string config(const std::string& key, const std::string& fallback) const override;
  std::string publicUrl() const override;
  void log(sdk::LogLevel level, const std::string& message) override;
  sdk::Identity& identity() override;

  BufferedAudit& auditBuffer() { return audit_; }
  /// The session the guard found (empty for anonymous requests); for the host's own modules.
  const struct SessionInfo* session() const { return session_; }
  void setSession(const struct SessionInfo* s) { session_ = s; }
  /// The raw connection, for the host's own modules (they rebind the scope for identity work).
  Connection& connection() { return conn_; }
  QueuedMail& mailQueue() { return mail_; }

 private:
  HttpRequest& req_;
  HttpResponse& res_;
  const sdk::Principal& principal_;
  Connection& conn_;
  ScopedDb db_;
  BufferedAudit audit_;
  QueuedMail mail_;
  const Config& config_;
  std::string pluginId_;
  const struct SessionInfo* session_ = nullptr;
  std::unique_ptr<sdk::Identity> identity_;
};

/// Before answering a request whose body nobody read: reads and drops a small body so that the
/// next request on the keep-alive connection starts where it should, or closes the connection
/// after this answer when the body is large or of unknown length.
void dropUnreadBody(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res);

/// Percent-decodes a URL component; false on malformed input. `plusIsSpace` for queries.
bool urlDecode(const std::string& in, std::string& out, bool plusIsSpace);
/// Splits a raw query string into decoded name/value pairs, in order; empty parts are
/// skipped. Throws BadRequest("query") for malformed percent-encoding.
std::vector<std::pair<std::string, std::string>> parseQuery(const std::string& rawQuery);

}  // namespace lexos::core
