#include "http/http_request.h"

#include <sstream>

#include <Poco/CountingStream.h>
#include <Poco/Logger.h>
#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/MultipartReader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>

#include <algorithm>
#include <ctime>
#include <istream>

#include "common/time.h"
#include "config/config.h"
#include "guard/guard.h"
#include "http/buffered_exchange.h"
#include "identity/identity_service.h"
#include "lexos/sdk/errors.h"
#include "vault/spooled_blob.h"

namespace lexos::core {

namespace {

sdk::Method parseMethod(const std::string& m) {
  if (m == "POST") return sdk::Method::Post;
  if (m == "PUT") return sdk::Method::Put;
  if (m == "PATCH") return sdk::Method::Patch;
  if (m == "DELETE") return sdk::Method::Delete;
  return sdk::Method::Get;
}

// Reads at most `limit` bytes from `in`; one byte more is an error (413).
class LimitedBuf : public std::streambuf {
 public:
  LimitedBuf(std::istream& in, std::size_t limit) : in_(in), left_(limit) {}
  bool untouched() const { return !pulled_; }
  void exhaust() {
    pulled_ = true;
    ended_ = true;
    setg(nullptr, nullptr, nullptr);
  }

 protected:
  int_type underflow() override {
    pulled_ = true;
    if (ended_ || in_.eof()) return traits_type::eof();
    in_.read(buf_, sizeof buf_);
    const auto n = static_cast<std::size_t>(in_.gcount());
    if (n == 0) return traits_type::eof();
    if (n > left_) throw sdk::PayloadTooLarge();
    left_ -= n;
    setg(buf_, buf_, buf_ + n);
    return traits_type::to_int_type(buf_[0]);
  }

 private:
  std::istream& in_;
  std::size_t left_;
  bool pulled_ = false, ended_ = false;
  char buf_[8192];
};

class LimitedStream : public std::istream {
 public:
  LimitedStream(std::istream& in, std::size_t limit) : std::istream(nullptr), buf_(in, limit) { rdbuf(&buf_); }
  LimitedBuf& buffer() { return buf_; }

 private:
  LimitedBuf buf_;
};

}  // namespace

void dropUnreadBody(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  // The connection layer reads every body before dispatch: nothing is left on the wire.
  if (dynamic_cast<BufferedRequest*>(&req) != nullptr) return;
  const bool chunked = req.getChunkedTransferEncoding();
  const Poco::Int64 length = req.hasContentLength() ? req.getContentLength64() : 0;
  if (!chunked && length <= 0) return;
  if (!chunked && length <= 64 * 1024) {
    try {
      std::istream& in = req.stream();
      char buf[8192];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      }
      return;
    } catch (...) {
    }
  }
  res.setKeepAlive(false);
}

bool urlDecode(const std::string& in, std::string& out, bool plusIsSpace) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
        return false;
      char v = static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16));
      if (v == '\0') return false;
      out.push_back(v);
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> parseQuery(const std::string& rawQuery) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = 0;
  while (i <= rawQuery.size() && !rawQuery.empty()) {
    auto amp = rawQuery.find('&', i);
    if (amp == std::string::npos) amp = rawQuery.size();
    std::string part = rawQuery.substr(i, amp - i);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string k, v;
      if (!urlDecode(part.substr(0, eq), k, true) ||
          !urlDecode(eq == std::string::npos ? "" : part.substr(eq + 1), v, true))
        throw sdk::BadRequest("query", "The query string is not valid percent-encoding.");
      out.emplace_back(std::move(k), std::move(v));
    }
    i = amp + 1;
  }
  return out;
}

HttpRequest::HttpRequest(Poco::Net::HTTPServerRequest& req, std::string path, std::string rawQuery,
                         std::map<std::string, std::string> params, std::size_t maxBody,
                         std::string remote, std::string requestId)
    : req_(req), method_(parseMethod(req.getMethod())), path_(std::move(path)),
      query_(parseQuery(rawQuery)), params_(std::move(params)), maxBody_(maxBody),
      remote_(std::move(remote)), requestId_(std::move(requestId)) {}

const std::string& HttpRequest::pathParam(const std::string& name) const {
  auto it = params_.find(name);
  if (it == params_.end()) throw sdk::BadRequest(name, "The route has no parameter '" + name + "'.");
  return it->second;
}

std::optional<std::string> HttpRequest::query(const std::string& name) const {
  for (const auto& [k, v] : query_)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> HttpRequest::header(const std::string& name) const {
  if (!req_.has(name)) return std::nullopt;
  return req_.get(name);
}

std::string HttpRequest::contentType() const {
  std::string ct = req_.getContentType();
  ct = ct.substr(0, ct.find(';'));
  ct.erase(std::remove(ct.begin(), ct.end(), ' '), ct.end());
  std::transform(ct.begin(), ct.end(), ct.begin(), ::tolower);
  return ct;
}

std::istream& HttpRequest::bodyStream() {
  if (!limited_) {
    if (req_.hasContentLength() && req_.getContentLength64() > static_cast<Poco::Int64>(maxBody_))
      throw sdk::PayloadTooLarge();
    limited_ = std::make_unique<LimitedStream>(req_.stream(), maxBody_);
  }
  return *limited_;
}

const std::string& HttpRequest::holdBody() {
  if (holding_) return held_;
  held_ = body();
  holding_ = true;
  limited_ = std::make_unique<std::istringstream>(held_);
  return held_;
}

vault::SpooledBlob* HttpRequest::spooledBody(const std::istream& in) {
  if (holding_ || !limited_ || &in != limited_.get()) return nullptr;
  auto* buffered = dynamic_cast<BufferedRequest*>(&req_);
  if (!buffered) return nullptr;
  vault::SpooledBlob* blob = buffered->vaultBlob();
  if (!blob || !blob->finished() || blob->size() > maxBody_) return nullptr;
  if (!static_cast<LimitedStream&>(*limited_).buffer().untouched() || !buffered->bodyUntouched()) return nullptr;
  return blob;
}

void HttpRequest::bodyTaken() {
  if (!limited_ || holding_) return;
  static_cast<LimitedStream&>(*limited_).buffer().exhaust();
  if (auto* buffered = dynamic_cast<BufferedRequest*>(&req_)) buffered->exhaustBody();
}

std::string HttpRequest::body() {
  std::istream& in = bodyStream();
  std::string out;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) out.append(buf, static_cast<std::size_t>(in.gcount()));
  return out;
}

std::uint64_t HttpRequest::bodySize() const {
  if (const auto* buffered = dynamic_cast<const BufferedRequest*>(&req_)) return buffered->bodySize();
  return req_.hasContentLength() ? static_cast<std::uint64_t>(req_.getContentLength64()) : 0;
}

void HttpRequest::forEachPart(sdk::PartHandler& handler) {
  const std::string contentType = req_.get("Content-Type", "");
  std::string mediaType;
  Poco::Net::NameValueCollection params;
  Poco::Net::MessageHeader::splitParameters(contentType, mediaType, params);
  if (Poco::icompare(mediaType, "multipart/form-data") != 0)
    throw sdk::BadRequest("body", "Expected a multipart/form-data body, got " +
                                      (mediaType.empty() ? std::string("no Content-Type") : "'" + mediaType + "'") + ".");
  const std::string boundary = params.get("boundary", "");
  if (boundary.empty() || boundary.size() > 70)
    throw sdk::BadRequest("body", "The multipart/form-data Content-Type needs a boundary parameter of 1 to 70 characters.");
  std::istream& in = bodyStream();
  Poco::Net::MultipartReader reader(in, boundary);
  int index = 0;
  const auto partName = [&index] { return "Part " + std::to_string(index); };
  // Poco's reader sees the end of the body only through the stream buffer; a body that ends
  // before a part's closing boundary is caught here rather than read as one more, empty part.
  const auto atEnd = [&in] { return in.rdbuf()->sgetc() == std::char_traits<char>::eof(); };
  try {
    while (reader.hasNextPart()) {
      if (index > 0 && atEnd())
        throw sdk::BadRequest("body", partName() + " is cut short: the body ends before its closing boundary.");
      Poco::Net::MessageHeader headers;
      reader.nextPart(headers);
      ++index;
      if (atEnd()) throw sdk::BadRequest("body", partName() + " is cut short: the body ends inside it.");
      std::string disposition;
      Poco::Net::NameValueCollection dp;
      Poco::Net::MessageHeader::splitParameters(headers.get("Content-Disposition", ""), disposition, dp);
      if (Poco::icompare(disposition, "form-data") != 0)
        throw sdk::BadRequest("body", partName() + " has no 'Content-Disposition: form-data' header.");
      const std::string name = dp.get("name", "");
      if (name.empty()) throw sdk::BadRequest("body", partName() + " has no name in its Content-Disposition header.");
      std::istream& data = reader.stream();
      handler.part(name, dp.get("filename", ""), headers.get("Content-Type", ""), data);
      char buf[8192];  // what the handler left unread is skipped
      while (data.read(buf, sizeof buf) || data.gcount() > 0) {
      }
      if (data.bad()) throw sdk::BadRequest("body", partName() + " ('" + name + "') is malformed or cut short.");
    }
  } catch (const Poco::Exception& e) {
    throw sdk::BadRequest("body", "The multipart body is malformed" +
                                      (index > 0 ? " after part " + std::to_string(index) : std::string()) + ": " +
                                      e.message() + ".");
  }
  if (index == 0) throw sdk::BadRequest("body", "The multipart body has no parts.");
}

}  // namespace lexos::core
