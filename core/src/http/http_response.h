#pragma once
// The host's implementation of the SDK's Response over Poco's HTTP server: buffered until the
// transaction commits, or streamed.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <string>

#include "lexos/sdk/http.h"

namespace lexos::core {

/// Response adapter. Headers set by the host (security headers) stay.
class HttpResponse : public sdk::Response {
 public:
  /// `req`: the request answered, whose Range and conditional headers sendSource() reads (none
  /// when null).
  explicit HttpResponse(Poco::Net::HTTPServerResponse& res, const Poco::Net::HTTPServerRequest* req = nullptr)
      : res_(res), req_(req) {}
  void setStatus(int status) override;
  void setHeader(const std::string& name, const std::string& value) override;
  void setContentType(const std::string& type) override { res_.setContentType(type); }
  void send(const std::string& body) override;
  void sendJson(const std::string& json, int status) override;
  std::ostream& stream() override;
  bool sent() const override { return sent_; }
  void sendSource(sdk::ByteSource& source, const sdk::SendOptions& options) override;
  int status() const { return static_cast<int>(res_.getStatus()); }
  std::size_t bytes() const { return bytes_; }
  /// Writes the buffered body: the host calls it after the transaction committed, so that
  /// nobody is told "saved" about a change that did not land. No-op for streamed bodies.
  void flush();
  /// Drops a buffered body (the transaction failed; an error answer follows).
  void discard();
  bool streamed() const { return streamed_; }
  /// Whether the handler set a header of its own (setHeader; the content type aside).
  bool headersSet() const { return headersSet_; }
  /// The buffered body (before flush()).
  const std::string& bufferedBody() const { return body_; }
  Poco::Net::HTTPServerResponse& raw() { return res_; }
  /// Called once, before the first byte of a streamed answer leaves (stream(), sendSource()):
  /// the host records a read's audit events there, so that a client who has the bytes finds the
  /// view in the log (an exception from it fails the request before anything was sent, and
  /// every later attempt to stream).
  void setBeforeStream(std::function<void()> f) { beforeStream_ = std::move(f); }

 private:
  std::string requestHeader(const std::string& name) const;
  void beforeStream();
  std::function<void()> beforeStream_;
  std::exception_ptr refused_;  ///< what the hook threw: every later stream() or sendSource() throws it
  Poco::Net::HTTPServerResponse& res_;
  const Poco::Net::HTTPServerRequest* req_;
  bool sent_ = false;
  bool streamed_ = false;
  bool headersSet_ = false;
  std::string body_;
  std::size_t bytes_ = 0;
};

}  // namespace lexos::core
