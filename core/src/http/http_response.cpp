#include "http/http_response.h"

#include <Poco/CountingStream.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <ctime>
#include <istream>

#include "common/json.h"
#include "common/time.h"
#include "config/config.h"
#include "guard/guard.h"
#include "http/buffered_exchange.h"
#include "http/download.h"
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
  headersSet_ = true;
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

void HttpResponse::beforeStream() {
  if (refused_) std::rethrow_exception(refused_);  // a stream whose view could not be recorded
  if (!beforeStream_) return;
  auto f = std::move(beforeStream_);
  beforeStream_ = nullptr;
  try {
    f();
  } catch (...) {
    refused_ = std::current_exception();
    throw;
  }
}

std::ostream& HttpResponse::stream() {
  if (sent_) throw std::logic_error("response already sent");
  beforeStream();
  sent_ = true;
  streamed_ = true;
  res_.setChunkedTransferEncoding(true);
  return res_.send();
}

std::string HttpResponse::requestHeader(const std::string& name) const {
  return req_ && req_->has(name) ? req_->get(name) : std::string();
}

void HttpResponse::sendSource(sdk::ByteSource& source, const sdk::SendOptions& o) {
  if (sent_) throw std::logic_error("response already sent");
  beforeStream();
  // Every field read here is in SendOptions version 1 (o.version >= 1); a field a later SDK
  // appends is read only when o.version says the plugin's copy has it.
  const std::string etag = o.etag.empty() ? std::string() : quoteEtag(o.etag);
  const std::string lastModified =
      o.last_modified > 0 ? Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(o.last_modified),
                                                            Poco::DateTimeFormat::HTTP_FORMAT)
                          : std::string();
  const std::uint64_t size = source.size();
  const bool head = req_ && req_->getMethod() == "HEAD";
  sent_ = true;
  streamed_ = true;  // not held for the commit: the bytes leave while the handler runs
  res_.set("Accept-Ranges", "bytes");
  if (!etag.empty()) res_.set("ETag", etag);
  if (!lastModified.empty()) res_.set("Last-Modified", lastModified);
  res_.set("X-Content-Type-Options", "nosniff");

  const std::string noneMatch = requestHeader("If-None-Match");
  if (!noneMatch.empty() && noneMatchHits(noneMatch, etag)) {
    setStatus(304);
    res_.setContentLength(0);
    res_.send();
    return;
  }
  ByteRange range{0, size == 0 ? 0 : size - 1};
  bool partial = false;
  const std::string rangeHeader = requestHeader("Range");
  if (!rangeHeader.empty() && (!req_->has("If-Range") || ifRangeHolds(req_->get("If-Range"), etag, lastModified))) {
    switch (decideRange(rangeHeader, size, range)) {
      case RangeAnswer::kWhole:
        break;
      case RangeAnswer::kPartial:
        partial = true;
        break;
      case RangeAnswer::kUnsatisfiable: {
        setStatus(416);
        res_.set("Content-Range", "bytes */" + std::to_string(size));
        const std::string body = errorJson("range_not_satisfiable", "The requested range is not within the " +
                                           std::to_string(size) + " bytes of this document.", "Range");
        res_.setContentType("application/json");
        res_.setContentLength64(static_cast<Poco::Int64>(body.size()));
        bytes_ = body.size();
        res_.send() << body;  // small: collected, written after the handler
        return;
      }
    }
  }
  const bool showInline = o.disposition == sdk::Disposition::Inline && inlineAllowed(o.content_type);
  res_.setContentType(o.content_type.empty() ? "application/octet-stream" : o.content_type);
  res_.set("Content-Disposition", contentDisposition(showInline, o.filename.empty() ? "" : safeFilename(o.filename)));
  if (showInline) {
    // Shown by the browser, so kept from running anything or reaching anything.
    res_.set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
                                        "frame-ancestors 'none'");
  }
  const std::uint64_t length = size == 0 ? 0 : range.length();
  if (partial) {
    setStatus(206);
    res_.set("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                  std::to_string(size));
  }
  res_.setContentLength64(static_cast<Poco::Int64>(length));
  if (head) {
    res_.send();  // the head announces the length; no byte of the source is read
    return;
  }
  auto* buffered = dynamic_cast<BufferedResponse*>(&res_);
  if (buffered) buffered->beginFixedLength();
  std::ostream& out = res_.send();
  constexpr std::size_t kBlock = 256 * 1024;
  std::unique_ptr<char[]> block(new char[kBlock]);
  std::uint64_t offset = range.first, left = length;
  while (left > 0) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, kBlock));
    const std::size_t got = source.read(offset, block.get(), want);
    if (got == 0 || got > want)
      throw std::runtime_error("ByteSource::read returned " + std::to_string(got) + " bytes at offset " +
                               std::to_string(offset) + " of " + std::to_string(size) + " (asked for " +
                               std::to_string(want) + ")");
    // Straight to the socket when the connection layer streams this answer (no copy into the
    // response's buffer); else through the stream.
    if (!buffered || !buffered->writeDirect(block.get(), got)) {
      out.write(block.get(), static_cast<std::streamsize>(got));
      if (!out) throw std::runtime_error("the client stopped reading a download");
    }
    offset += got;
    left -= got;
    bytes_ += got;
  }
}

}  // namespace lexos::core
