#include "http/buffered_exchange.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>

namespace lexos::core {

namespace {

// The Date header, formatted once a second per thread.
const std::string& httpDate() {
  thread_local std::time_t last = 0;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    text = Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(now), Poco::DateTimeFormat::HTTP_FORMAT);
  }
  return text;
}

bool bodyless(int status) { return status < 200 || status == 204 || status == 304; }

}  // namespace

BufferedRequest::BufferedRequest(const RequestHead& head, const RequestBody& body,
                                 const Poco::Net::SocketAddress& client, const Poco::Net::SocketAddress& server,
                                 BufferedResponse& response)
    : buf_(body), stream_(&buf_), body_size_(body.size()), client_(client), server_(server), response_(response) {
  setMethod(head.method);
  setURI(head.target);
  setVersion(head.version_minor == 0 ? HTTP_1_0 : HTTP_1_1);
  for (const auto& [name, value] : head.headers) add(name, value);
}

const Poco::Net::HTTPServerParams& BufferedRequest::serverParams() const {
  static const Poco::AutoPtr<Poco::Net::HTTPServerParams> params(new Poco::Net::HTTPServerParams);
  return *params;
}

Poco::Net::HTTPServerResponse& BufferedRequest::response() const { return response_; }

BufferedResponse::BufferedResponse() : buf_(body_), stream_(&buf_) { setVersion(HTTP_1_1); }

std::ostream& BufferedResponse::send() {
  sent_ = true;
  if (write_ && (getChunkedTransferEncoding() || fixed_)) buf_.onSpill([this] { spill(); }, 64 * 1024);
  return stream_;
}

void BufferedResponse::streamTo(std::function<void(const char*, std::size_t)> write, bool close, bool http10) {
  write_ = std::move(write);
  stream_close_ = close || http10;
  stream_http10_ = http10;
}

void BufferedResponse::spill() {
  std::string out;
  if (!stream_started_) {
    stream_started_ = true;
    head(out, false, stream_close_, stream_http10_, !stream_http10_ && !fixed_);
  }
  if (fixed_) {
    fixed_written_ += body_.size();
    out.append(body_);
  } else if (stream_http10_) {
    out.append(body_);
  } else {
    char size[20];
    std::snprintf(size, sizeof size, "%zx\r\n", body_.size());
    out.append(size).append(body_).append("\r\n");
  }
  body_.clear();
  write_(out.data(), out.size());
}

bool BufferedResponse::writeDirect(const char* data, std::size_t n) {
  if (!write_ || !fixed_ || !sent_) return false;
  if (!stream_started_ || !body_.empty()) spill();
  fixed_written_ += n;
  write_(data, n);
  return true;
}

void BufferedResponse::sendFile(const std::string& path, const std::string& mediaType) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Poco::OpenFileException(path);
  body_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  setContentType(mediaType);
  setContentLength64(static_cast<Poco::Int64>(body_.size()));
  sent_ = true;
}

void BufferedResponse::sendBuffer(const void* buffer, std::size_t length) {
  body_.append(static_cast<const char*>(buffer), length);
  setContentLength64(static_cast<Poco::Int64>(body_.size()));
  sent_ = true;
}

void BufferedResponse::redirect(const std::string& uri, HTTPStatus status) {
  setStatusAndReason(status);
  set("Location", uri);
  setContentLength(0);
  sent_ = true;
}

void BufferedResponse::requireAuthentication(const std::string& realm) {
  setStatusAndReason(HTTP_UNAUTHORIZED);
  set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
  setContentLength(0);
  sent_ = true;
}

void BufferedResponse::serialize(std::string& out, bool headRequest, bool close, bool http10) {
  if (stream_started_) {
    if (fixed_ || stream_http10_) {
      out.append(body_);
    } else {
      char size[20];
      if (!body_.empty()) {
        std::snprintf(size, sizeof size, "%zx\r\n", body_.size());
        out.append(size).append(body_).append("\r\n");
      }
      out.append("0\r\n\r\n");
    }
    body_.clear();
    return;
  }
  head(out, headRequest, close, http10, false);
  if (!headRequest && !bodyless(static_cast<int>(getStatus()))) out.append(body_);
}

void BufferedResponse::head(std::string& out, bool headRequest, bool close, bool http10, bool chunked) {
  const int status = static_cast<int>(getStatus());
  std::string reason = getReason();
  if (reason.empty()) reason = getReasonForStatus(getStatus());
  out.reserve(out.size() + 256 + body_.size());
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(reason).append("\r\n");
  for (const auto& [name, value] : *this) {
    if (name == "Connection" || name == "Transfer-Encoding" || name == "Content-Length" || name == "Date") continue;
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n: ") != std::string::npos)
      continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("Date: ").append(httpDate()).append("\r\n");
  if (chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (fixed_) {
    out.append("Content-Length: ").append(std::to_string(static_cast<std::uint64_t>(getContentLength64()))).append("\r\n");
  } else if (!bodyless(status) && !(stream_started_ && stream_http10_)) {
    // A HEAD answer announces the length a GET would have; a handler may have set it.
    const bool headLength = headRequest && body_.empty() && hasContentLength();
    out.append("Content-Length: ")
        .append(std::to_string(headLength ? static_cast<std::uint64_t>(getContentLength64()) : body_.size()))
        .append("\r\n");
  }
  if (close) out.append("Connection: close\r\n");
  else if (http10) out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
}

}  // namespace lexos::core
