#include "http/request_head.h"

#include <algorithm>
#include <cstring>

namespace lexos::core {

namespace {

// RFC 9110 §5.6.2 tchar.
bool isTchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::strchr("!#$%&'*+-.^_`|~", c) != nullptr && c != 0;
}

// field-vchar / SP / HTAB (obs-text allowed, as RFC 9110 §5.5 does). No CTL, no DEL.
bool isFieldChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits a comma list (RFC 9110 §5.6.1), trimming each element; empty elements dropped.
std::vector<std::string_view> commaList(std::string_view v) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = v.find(',');
    auto item = trimOws(v.substr(0, comma));
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return out;
}

HeadParse fail(HeadError& err, int status, std::string message) {
  err.status = status;
  err.message = std::move(message);
  return HeadParse::kError;
}

constexpr std::size_t kMaxTarget = 8192;
constexpr std::size_t kMaxHeaders = 100;

}  // namespace

HeadParse parseRequestHead(std::string_view buf, std::size_t maxHeadBytes, RequestHead& out,
                           std::size_t& consumed, HeadError& err) {
  // Leading empty lines before the request line are ignored (RFC 9112 §2.2).
  std::size_t start = 0;
  while (start + 1 < buf.size() && buf[start] == '\r' && buf[start + 1] == '\n') start += 2;
  if (start < buf.size() && buf[start] == '\n') return fail(err, 400, "Bare LF in the request head.");
  // Find the end of the head, refusing bare LF and lone CR on the way.
  const std::size_t limit = std::min(buf.size(), maxHeadBytes);
  std::size_t end = std::string_view::npos;
  std::size_t firstLineEnd = std::string_view::npos;
  for (std::size_t i = start; i < limit; ++i) {
    const char c = buf[i];
    if (c == '\n') {
      if (i == 0 || buf[i - 1] != '\r') return fail(err, 400, "Bare LF in the request head.");
      if (firstLineEnd == std::string_view::npos) firstLineEnd = i - 1;
      if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r' && i - 3 >= start) {
        end = i + 1;
        break;
      }
    } else if (c == '\r' && i + 1 < buf.size() && buf[i + 1] != '\n') {
      return fail(err, 400, "Bare CR in the request head.");
    }
  }
  if (end == std::string_view::npos) {
    if (buf.size() < maxHeadBytes) return HeadParse::kIncomplete;
    if (firstLineEnd == std::string_view::npos) return fail(err, 414, "The request line is too long.");
    return fail(err, 431, "The request head is larger than " + std::to_string(maxHeadBytes) + " bytes.");
  }

  RequestHead head;
  // --- request-line = method SP request-target SP HTTP-version
  std::string_view line = buf.substr(start, firstLineEnd - start);
  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return fail(err, 400, "The request line is malformed.");
  for (std::size_t i = 0; i < sp1; ++i)
    if (!isTchar(static_cast<unsigned char>(line[i]))) return fail(err, 400, "The request method is malformed.");
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return fail(err, 400, "The request line is malformed.");
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (target.size() > kMaxTarget) return fail(err, 414, "The request target is too long.");
  for (unsigned char c : target)
    if (c <= 0x20 || c >= 0x7f) return fail(err, 400, "The request target holds a character it may not.");
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit(static_cast<unsigned char>(version[5])) ||
      version[6] != '.' || !std::isdigit(static_cast<unsigned char>(version[7])))
    return fail(err, 400, "The HTTP version is malformed.");
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1'))
    return fail(err, 505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
  head.method.assign(line.substr(0, sp1));
  head.target.assign(target);
  head.version_minor = version[7] - '0';

  // --- header fields
  int hosts = 0, lengths = 0;
  std::string transferEncoding;
  bool hasTe = false, connClose = false, connKeepAlive = false;
  std::size_t pos = firstLineEnd + 2;
  while (pos < end - 2) {
    const auto eol = buf.find("\r\n", pos);
    std::string_view field = buf.substr(pos, eol - pos);
    pos = eol + 2;
    if (field.front() == ' ' || field.front() == '\t')
      return fail(err, 400, "Obsolete line folding in the request head.");
    const auto colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(err, 400, "A header line is malformed.");
    const std::string_view name = field.substr(0, colon);
    for (unsigned char c : name)
      if (!isTchar(c)) return fail(err, 400, "A header name is malformed.");
    const std::string_view rawValue = field.substr(colon + 1);
    for (unsigned char c : rawValue)
      if (!isFieldChar(c)) return fail(err, 400, "A header value holds a control character.");
    const std::string_view value = trimOws(rawValue);
    if (head.headers.size() >= kMaxHeaders) return fail(err, 431, "The request has too many header fields.");
    if (iequals(name, "content-length")) {
      if (++lengths > 1) return fail(err, 400, "Content-Length is repeated.");
      if (value.empty() || value.size() > 18) return fail(err, 400, "Content-Length is malformed.");
      std::uint64_t n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return fail(err, 400, "Content-Length is malformed.");
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      head.has_length = true;
      head.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      hasTe = true;
      if (!transferEncoding.empty()) transferEncoding += ",";
      transferEncoding.append(value);
    } else if (iequals(name, "host")) {
      ++hosts;
    } else if (iequals(name, "connection")) {
      for (auto token : commaList(value)) {
        if (iequals(token, "close")) connClose = true;
        if (iequals(token, "keep-alive")) connKeepAlive = true;
      }
    } else if (iequals(name, "expect")) {
      if (iequals(value, "100-continue")) head.expect_continue = true;
    }
    head.headers.emplace_back(std::string(name), std::string(value));
  }
  if (head.version_minor == 1 && hosts != 1)
    return fail(err, 400, hosts == 0 ? "The Host header is missing." : "The Host header is repeated.");
  if (hosts > 1) return fail(err, 400, "The Host header is repeated.");
  if (hasTe) {
    if (head.version_minor == 0) return fail(err, 400, "Transfer-Encoding is not allowed in HTTP/1.0.");
    if (head.has_length) return fail(err, 400, "Content-Length and Transfer-Encoding together.");
    const auto codings = commaList(transferEncoding);
    if (codings.empty() || !iequals(codings.back(), "chunked"))
      return fail(err, 400, "Transfer-Encoding must end with chunked.");
    if (codings.size() > 1) return fail(err, 501, "Only the chunked transfer coding is supported.");
    head.chunked = true;
  }
  const bool bodyMethod = head.method == "POST" || head.method == "PUT" || head.method == "PATCH";
  if (bodyMethod && !head.has_length && !head.chunked)
    return fail(err, 411, "A " + head.method + " request needs Content-Length (or chunked).");
  head.keep_alive = head.version_minor == 1 ? !connClose : (connKeepAlive && !connClose);
  out = std::move(head);
  consumed = end;
  return HeadParse::kComplete;
}

ChunkedDecoder::Result ChunkedDecoder::feed(std::string_view in, std::size_t& used, std::string& body) {
  used = 0;
  while (used < in.size()) {
    const unsigned char c = static_cast<unsigned char>(in[used]);
    switch (state_) {
      case State::kSize: {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') digit = (c | 0x20) - 'a' + 10;
        if (digit >= 0) {
          if (++size_digits_ > 15) return Result::kError;  // < 2^60: no overflow
          chunk_left_ = chunk_left_ * 16 + static_cast<std::uint64_t>(digit);
        } else if (size_digits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
          state_ = State::kExt;
          line_bytes_ = 0;
        } else if (size_digits_ > 0 && c == '\r') {
          state_ = State::kSizeLf;
        } else {
          return Result::kError;
        }
        ++used;
        break;
      }
      case State::kExt:
        if (c == '\r') state_ = State::kSizeLf;
        else if (c == '\n' || (c < 0x20 && c != '\t') || c == 0x7f || ++line_bytes_ > 1024) return Result::kError;
        ++used;
        break;
      case State::kSizeLf:
        if (c != '\n') return Result::kError;
        ++used;
        size_digits_ = 0;
        if (chunk_left_ == 0) {
          state_ = State::kTrailer;
          line_bytes_ = 0;
        } else {
          if (total_ + chunk_left_ > limit_) return Result::kTooLarge;
          state_ = State::kData;
        }
        break;
      case State::kData: {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, in.size() - used));
        body.append(in.data() + used, n);
        used += n;
        chunk_left_ -= n;
        total_ += n;
        if (chunk_left_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (c != '\r') return Result::kError;
        state_ = State::kDataLf;
        ++used;
        break;
      case State::kDataLf:
        if (c != '\n') return Result::kError;
        state_ = State::kSize;
        ++used;
        break;
      case State::kTrailer:
        if (c == '\r') state_ = State::kTrailerLf;
        else if (c == ' ' || c == '\t' || c == '\n') return Result::kError;
        else state_ = State::kTrailerLine;
        if (++line_bytes_ > 8192) return Result::kError;
        ++used;
        break;
      case State::kTrailerLine:
        if (c == '\r') state_ = State::kTrailerLineLf;
        else if (c == '\n' || (c < 0x20 && c != '\t') || c == 0x7f) return Result::kError;
        if (++line_bytes_ > 8192) return Result::kError;
        ++used;
        break;
      case State::kTrailerLineLf:
        if (c != '\n') return Result::kError;
        state_ = State::kTrailer;
        ++used;
        break;
      case State::kTrailerLf:
        if (c != '\n') return Result::kError;
        ++used;
        state_ = State::kDone;
        return Result::kDone;
      case State::kDone:
        return Result::kDone;
    }
  }
  return state_ == State::kDone ? Result::kDone : Result::kNeedMore;
}

}  // namespace lexos::core
