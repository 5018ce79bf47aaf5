#pragma once
// The host's implementation of the SDK's Request over Poco's HTTP server, and the request-side
// helpers the dispatcher shares with it (unread bodies, URL decoding, query strings).

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lexos/sdk/http.h"
#include "vault/firm_vault.h"

namespace lexos::core {

/// Request adapter. Enforces the body limit of the route.
class HttpRequest : public sdk::Request, public vault::VaultBody {
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
  std::uint64_t bodySize() const override;
  void forEachPart(sdk::PartHandler& handler) override;
  /// True once the handler asked for the body.
  bool bodyRead() const { return limited_ != nullptr; }
  /// Reads the whole body now (within the route's limit) and keeps it: the handler reads the
  /// same bytes afterwards. For the host (Idempotency-Key fingerprints); small bodies only.
  const std::string& holdBody();
  // vault::VaultBody: the body the connection layer spooled into the vault, handed over whole.
  vault::SpooledBlob* spooledBody(const std::istream& in) override;
  void bodyTaken() override;

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
  std::string held_;
  bool holding_ = false;
  std::streambuf* limitedBuf_ = nullptr;  // limited_'s buffer (LimitedBuf)
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
