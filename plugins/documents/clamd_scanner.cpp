#include "clamd_scanner.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace lexos::documents {

namespace {

// A write to clamd blocks at most this long (clamd reads as it receives); its verdict on the
// whole stream may take longer on a large file.
constexpr int kSendTimeoutSeconds = 60;
constexpr int kReplyTimeoutSeconds = 300;

std::optional<ClamdAddress> configured;

void setTimeout(int fd, int option, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

std::string errnoText() { return std::strerror(errno); }

}  // namespace

ClamdAddress parseClamdSocket(const std::string& raw) {
  ClamdAddress a;
  if (raw.rfind("tcp:", 0) == 0) {
    const std::string rest = raw.substr(4);
    const auto colon = rest.rfind(':');
    if (colon != std::string::npos && colon > 0 && colon + 1 < rest.size()) {
      a.host = rest.substr(0, colon);
      a.port = rest.substr(colon + 1);
      if (a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
      bool digits = a.port.size() <= 5;
      for (char ch : a.port) digits = digits && ch >= '0' && ch <= '9';
      if (digits && std::stoi(a.port) > 0 && std::stoi(a.port) < 65536 && !a.host.empty()) return a;
    }
  } else if (!raw.empty() && raw.front() == '/' && raw.size() < sizeof(sockaddr_un::sun_path)) {
    a.unix_path = raw;
    return a;
  }
  throw std::runtime_error("plugin.documents.clamd_socket = '" + raw +
                           "': expected clamd's unix socket as an absolute path (at most 107 characters, e.g. "
                           "/run/clamav/clamd.ctl) or tcp:HOST:PORT (e.g. tcp:127.0.0.1:3310)");
}

void configureClamd(const std::string& raw) {
  if (raw.empty()) configured.reset();
  else configured = parseClamdSocket(raw);
}

const ClamdAddress* configuredClamd() { return configured ? &*configured : nullptr; }

ClamdScan::ClamdScan(const ClamdAddress& address) : address_(address) {
  const std::string where = "The malware scanner (clamd at " + address_.text() + ")";
  if (!address_.unix_path.empty()) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw ScannerUnavailable(where + " cannot be reached: " + errnoText() + ". The upload was refused.");
    setTimeout(fd_, SO_SNDTIMEO, kSendTimeoutSeconds);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, address_.unix_path.c_str(), address_.unix_path.size() + 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      const std::string why = errnoText();
      ::close(fd_);
      fd_ = -1;
      throw ScannerUnavailable(where + " cannot be reached: " + why + ". The upload was refused.");
    }
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = ::getaddrinfo(address_.host.c_str(), address_.port.c_str(), &hints, &res);
    if (rc != 0)
      throw ScannerUnavailable(where + " cannot be reached: " + gai_strerror(rc) + ". The upload was refused.");
    std::string why = "no address";
    for (addrinfo* ai = res; ai && fd_ < 0; ai = ai->ai_next) {
      fd_ = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd_ < 0) continue;
      setTimeout(fd_, SO_SNDTIMEO, kSendTimeoutSeconds);  // also bounds connect() on Linux
      if (::connect(fd_, ai->ai_addr, ai->ai_addrlen) != 0) {
        why = errnoText();
        ::close(fd_);
        fd_ = -1;
      }
    }
    ::freeaddrinfo(res);
    if (fd_ < 0) throw ScannerUnavailable(where + " cannot be reached: " + why + ". The upload was refused.");
  }
  setTimeout(fd_, SO_RCVTIMEO, kReplyTimeoutSeconds);
  // The 'z' form: the command and every answer end with a NUL byte.
  static const char kCommand[] = "zINSTREAM";
  if (!writeAll(kCommand, sizeof kCommand)) {
    const std::string why = failure_;
    throw ScannerUnavailable(where + " cannot be reached: " + why + ". The upload was refused.");
  }
}

ClamdScan::~ClamdScan() {
  if (fd_ >= 0) ::close(fd_);
}

bool ClamdScan::writeAll(const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::send(fd_, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      failure_ = errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : errnoText();
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

void ClamdScan::send(const char* data, std::size_t n) {
  if (!failure_.empty() || n == 0) return;
  // INSTREAM: each chunk is its length (4 bytes, network order) and its bytes.
  const std::uint32_t len = static_cast<std::uint32_t>(n);
  const unsigned char head[4] = {static_cast<unsigned char>(len >> 24), static_cast<unsigned char>(len >> 16),
                                 static_cast<unsigned char>(len >> 8), static_cast<unsigned char>(len)};
  if (writeAll(reinterpret_cast<const char*>(head), 4)) writeAll(data, n);
}

std::string ClamdScan::readReply() {
  std::string reply;
  char buf[512];
  while (reply.size() < 4096) {
    const ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      if (reply.empty()) failure_ = errno == EAGAIN || errno == EWOULDBLOCK ? "no verdict in time" : errnoText();
      break;
    }
    if (r == 0) break;
    reply.append(buf, static_cast<std::size_t>(r));
    if (reply.find('\0') != std::string::npos) break;
  }
  if (auto nul = reply.find('\0'); nul != std::string::npos) reply.resize(nul);
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == '\r')) reply.pop_back();
  return reply;
}

ScanVerdict ClamdScan::finish() {
  const std::string where = "The malware scanner (clamd at " + address_.text() + ")";
  const bool sent = failure_.empty() && writeAll("\0\0\0\0", 4);  // a zero-length chunk ends the stream
  // When a send failed clamd may still have said why (e.g. "INSTREAM size limit exceeded").
  const std::string reply = readReply();
  ::close(fd_);
  fd_ = -1;
  // "stream: OK", "stream: NAME FOUND", or "... ERROR".
  static const std::string kPrefix = "stream: ";
  static const std::string kFound = " FOUND";
  if (sent && reply == kPrefix + "OK") return {};
  if (sent && reply.rfind(kPrefix, 0) == 0 && reply.size() > kPrefix.size() + kFound.size() &&
      reply.compare(reply.size() - kFound.size(), kFound.size(), kFound) == 0)
    return {true, reply.substr(kPrefix.size(), reply.size() - kPrefix.size() - kFound.size())};
  std::string why = !reply.empty() ? "it answered \"" + reply + "\"" : "it stopped answering (" + failure_ + ")";
  if (failure_.empty() && reply.empty()) why = "it closed the connection without a verdict";
  throw ScannerUnavailable(where + " could not scan the upload: " + why + ". The upload was refused.");
}

ScanningStream::ScanningStream(std::istream& source, ClamdScan& scan)
    : std::istream(nullptr), source_(source), sourceMask_(source.exceptions()), buf_(source, scan) {
  rdbuf(&buf_);
  // The source's own errors (413 past the route's limit, ...) pass through this stream as they
  // are, the way the vault lets them through a body stream it reads directly.
  source_.exceptions(std::ios::badbit);
}

ScanningStream::~ScanningStream() {
  try {
    source_.exceptions(sourceMask_);
  } catch (...) {
  }
}

ScanningStream::Buf::int_type ScanningStream::Buf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  source_.read(buf_.data(), static_cast<std::streamsize>(buf_.size()));
  const std::streamsize n = source_.gcount();
  if (n <= 0) return traits_type::eof();  // the vault sees a failed source as a short stream; see receive()
  scan_.send(buf_.data(), static_cast<std::size_t>(n));
  setg(buf_.data(), buf_.data(), buf_.data() + n);
  return traits_type::to_int_type(*gptr());
}

}  // namespace lexos::documents
