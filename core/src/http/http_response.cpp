#include "http/http_response.h"

#include <Poco/CountingStream.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <ctime>
#include <istream>

#include "common/time.h"
#include "config/config.h"
#include "guard/guard.h"
#include "http/buffered_exchange.h"
#include "identity/identity_service.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

void HttpResponse::setStatus(int status) {
  res_.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
}

void HttpResponse::setHeader(const std::string& name, const std::string& value) {
  static const char* fixed[] = {"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                                "Strict-Transport-Security", "Referrer-Policy"};
  for (const char* f : fixed)
    if (Poco::icompare(name, std::string(f)) == 0) return;
  res_.set(name, value);
}

void HttpResponse::send(const std::string& body) {
  if (sent_) throw std::logic_error("response already sent");
  sent_ = true;
  body_ = body;
}

void HttpResponse::flush() {
  if (!sent_ || streamed_) return;
  res_.setContentLength(static_cast<std::streamsize>(body_.size()));
  bytes_ = body_.size();
  res_.send() << body_;
}

void HttpResponse::discard() {
  sent_ = false;
  body_.clear();
}

void HttpResponse::sendJson(const std::string& json, int status) {
  setStatus(status);
  res_.setContentType("application/json");
  send(json);
}

std::ostream& HttpResponse::stream() {
  if (sent_) throw std::logic_error("response already sent");
  sent_ = true;
  streamed_ = true;
  res_.setChunkedTransferEncoding(true);
  return res_.send();
}

}  // namespace lexos::core
