// Streaming bodies and downloads (SDK 1.3): request bodies spooled to disk as they arrive (limits
// enforced while streaming, 507 on a full disk), ranged downloads from a ByteSource, streamed
// multipart uploads, and a plugin built against the kept SDK 1.2 headers. Real lexosd, raw
// sockets where the wire matters; the `streamer` and `old12` test plugins.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lexosd_process.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;

namespace {

/// The generated download of the streamer plugin: byte i (tests/plugins/streamer.cpp).
char patternByte(std::uint64_t offset) { return static_cast<char>((offset * 31 + offset / 251) & 0xff); }
std::string pattern(std::uint64_t first, std::uint64_t n) {
  std::string s(n, '\0');
  for (std::uint64_t i = 0; i < n; ++i) s[i] = patternByte(first + i);
  return s;
}

std::string sha256(const std::string& data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char b[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    out += b;
  }
  return out;
}

/// One TCP connection to lexosd.
class Wire {
 public:
  explicit Wire(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
  }
  ~Wire() { ::close(fd_); }
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;
  /// False once the server closed or reset the connection.
  bool send(const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = ::send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<std::size_t>(n);
    }
    return true;
  }
  /// Everything until the server closes or `ms` pass without data; `closed` says which.
  std::string readAll(int ms, bool* closed = nullptr) {
    std::string out;
    char buf[65536];
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, ms) <= 0) {
        if (closed) *closed = false;
        return out;
      }
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  /// One answer with a Content-Length body (or `headOnly`: the head alone).
  std::string readResponse(int ms, bool headOnly = false) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    char buf[65536];
    while (std::chrono::steady_clock::now() < deadline) {
      const auto end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t len = 0;
        const auto cl = pending_.find("Content-Length: ");
        if (!headOnly && cl != std::string::npos && cl < end) len = std::stoul(pending_.substr(cl + 16));
        if (pending_.size() >= end + 4 + len) {
          std::string r = pending_.substr(0, end + 4 + len);
          pending_.erase(0, end + 4 + len);
          return r;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    return pending_;
  }

 private:
  int fd_ = -1;
  std::string pending_;
};

std::string headerOf(const std::string& response, const std::string& name) {
  const auto end = response.find("\r\n\r\n");
  const auto at = response.find("\r\n" + name + ": ");
  if (at == std::string::npos || at > end) return "";
  const auto from = at + 4 + name.size();
  return response.substr(from, response.find("\r\n", from) - from);
}
std::string bodyOf(const std::string& response) { return response.substr(response.find("\r\n\r\n") + 4); }

std::string get(Wire& w, const std::string& target, const std::string& headers = "", const char* method = "GET") {
  REQUIRE(w.send(std::string(method) + " " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n"));
  return w.readResponse(10000, std::string(method) == "HEAD");
}

long rssKiB(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field) + 1));
  return -1;
}

/// A tmpfs mounted for the duration of a test; `mounted` false when this machine does not allow it.
struct TmpfsMount {
  TmpfsMount(const std::string& where, const char* size) : path(where) {
    fs::create_directories(where);
    const std::string options = std::string("size=") + size + ",mode=0700";
    mounted = ::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~TmpfsMount() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
  }
  std::uint64_t used() const {
    struct statvfs v {};
    ::statvfs(path.c_str(), &v);
    return static_cast<std::uint64_t>(v.f_blocks - v.f_bfree) * v.f_frsize;
  }
  std::string path;
  bool mounted = false;
};

std::string multipartBody(const std::string& boundary, const std::vector<std::array<std::string, 4>>& parts) {
  std::string b;
  for (const auto& [name, filename, type, data] : parts) {
    b += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"";
    if (!filename.empty()) b += "; filename=\"" + filename + "\"";
    b += "\r\n";
    if (!type.empty()) b += "Content-Type: " + type + "\r\n";
    b += "\r\n" + data + "\r\n";
  }
  return b + "--" + boundary + "--\r\n";
}

}  // namespace

TEST_CASE("a 64 MiB upload is spooled to disk and read back whole while lexosd's memory stays flat") {
  TempDir dir;
  const std::string config = writeConfig(dir.path, Db::SQLite, "streamer");
  std::string out;
  REQUIRE(lexosctl(config, "migrate", out) == 0);
  LexosdProcess d(config, dir.path + "/lexosd.log",
                  {{"LEXOS_SERVER_MAX_BODY_BYTES", "100000000"}, {"LEXOS_LOG_LEVEL", "information"}});
  const std::string spool = dir.path + "/state/spool";
  struct stat st {};
  REQUIRE(::stat(spool.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);

  std::string body(64u << 20, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 7 + i / 4093) & 0xff);
  HttpClient c(d.port());
  REQUIRE(c.request("POST", "/api/v1/streamer/sha256", "warm-up", "application/octet-stream").status == 200);
  const long before = rssKiB(d.pid(), "VmRSS:");
  const auto r = c.request("POST", "/api/v1/streamer/sha256", body, "application/octet-stream");
  const long peak = rssKiB(d.pid(), "VmHWM:");
  REQUIRE(r.status == 200);
  CHECK(jsonField(r.body, "sha256") == sha256(body));
  CHECK(jsonField(r.body, "bytes") == std::to_string(body.size()));
  CHECK(jsonField(r.body, "body_size") == std::to_string(body.size()));
  INFO("RSS before " << before << " KiB, peak after " << peak << " KiB");
  CHECK(peak - before < 16 * 1024);  // far less than the 64 MiB body
  CHECK(fs::is_empty(spool));        // spool files have no name and are gone with the request

  // And back out: a 64 MiB download is written as it is read.
  const long before2 = rssKiB(d.pid(), "VmHWM:");
  const auto dl = c.request("GET", "/api/v1/streamer/file?size=" + std::to_string(64u << 20));
  const long peak2 = rssKiB(d.pid(), "VmHWM:");
  REQUIRE(dl.status == 200);
  CHECK(dl.body.size() == (64u << 20));
  CHECK(dl.body == pattern(0, 64u << 20));
  INFO("peak before download " << before2 << " KiB, after " << peak2 << " KiB");
  CHECK(peak2 - before2 < 16 * 1024);
}

TEST_CASE("a body over the route's limit is refused with 413 while it streams, by length or chunked") {
  TestHost t(Db::SQLite, "streamer", "",
             {{"LEXOS_SERVER_MAX_BODY_BYTES", "2097152"}, {"LEXOS_SERVER_BODY_MEMORY_BYTES", "65536"}});
  {
    Wire w(t.port());
    REQUIRE(w.send("POST /api/v1/streamer/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 3145728\r\n\r\n"));
    const auto r = w.readResponse(3000);  // before a byte of the body was sent
    CHECK(r.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK_THAT(r, Catch::Contains("2097152"));
  }
  {
    Wire w(t.port());
    REQUIRE(w.send("POST /api/v1/streamer/sha256 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "40000\r\n" + std::string(0x40000, 'x') + "\r\n";  // 256 KiB
    int sent = 0;
    while (sent < 12 && w.send(chunk)) ++sent;  // 3 MiB at most; the server stops reading at 2
    bool closed = false;
    const auto r = w.readAll(3000, &closed);
    CHECK(r.rfind("HTTP/1.1 413 ", 0) == 0);
    CHECK(closed);
  }
  CHECK(fs::is_empty(t.dir.path + "/state/spool"));
  // Within the limit, a chunked body that outgrows memory is spooled and read whole.
  Wire w(t.port());
  std::string wire = "POST /api/v1/streamer/sha256 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string whole;
  for (int i = 0; i < 6; ++i) {
    const std::string part = pattern(static_cast<std::uint64_t>(i) * 100000, 100000);
    whole += part;
    char size[16];
    std::snprintf(size, sizeof size, "%x\r\n", static_cast<unsigned>(part.size()));
    wire += size + part + "\r\n";
  }
  REQUIRE(w.send(wire + "0\r\n\r\n"));
  const auto r = w.readResponse(5000);
  CHECK(r.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(jsonField(bodyOf(r), "sha256") == sha256(whole));
}

TEST_CASE("a full disk while spooling answers 507, keeps nothing, and the server keeps serving") {
  TestHost t(Db::SQLite, "streamer,probe", "",
             {{"LEXOS_SERVER_MAX_BODY_BYTES", "16777216"}, {"LEXOS_SERVER_BODY_MEMORY_BYTES", "65536"}});
  // The spool folder on a 1 MiB tmpfs (needs CAP_SYS_ADMIN, as root in this test machine has).
  TmpfsMount small(t.dir.path + "/state/spool", "1m");
  if (!small.mounted) {
    WARN("cannot mount a tmpfs here (" << std::strerror(errno) << "): the disk-full case is not exercised");
    return;
  }
  Wire w(t.port());
  REQUIRE(w.send("POST /api/v1/streamer/sha256 HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n"));
  for (int i = 0; i < 16 && w.send(std::string(256 * 1024, 'y')); ++i) {
  }
  bool closed = false;
  const auto r = w.readAll(3000, &closed);
  CHECK(r.rfind("HTTP/1.1 507 ", 0) == 0);
  CHECK_THAT(r, Catch::Contains("\"code\":\"insufficient_storage\""));
  CHECK_THAT(r, Catch::Contains("disk is full"));
  CHECK(closed);
  CHECK(small.used() < 64 * 1024);  // the partial body is gone
  // The server goes on: a small upload (in memory) and another request are answered.
  HttpClient c(t.port());
  CHECK(c.request("POST", "/api/v1/streamer/sha256", "abc", "application/octet-stream").status == 200);
  CHECK(c.get("/api/v1/probe/ping").status == 200);
}

TEST_CASE("a download answers Range with 206, 416 and the whole, per If-Range, If-None-Match and HEAD") {
  TestHost t(Db::SQLite, "streamer");
  Wire w(t.port());
  const std::string file = "/api/v1/streamer/file?size=1000000&etag=v1hash&last_modified=1700000000";
  const auto whole = get(w, file);
  CHECK(whole.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(headerOf(whole, "Content-Length") == "1000000");
  CHECK(headerOf(whole, "Accept-Ranges") == "bytes");
  CHECK(headerOf(whole, "ETag") == "\"v1hash\"");
  CHECK(headerOf(whole, "Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
  CHECK(headerOf(whole, "X-Content-Type-Options") == "nosniff");
  CHECK(headerOf(whole, "Content-Disposition") == "attachment");
  CHECK(bodyOf(whole) == pattern(0, 1000000));

  struct Case {
    const char* range;
    std::uint64_t first, last;
  };
  for (const Case& c : {Case{"bytes=0-99", 0, 99}, Case{"bytes=500000-500999", 500000, 500999},
                        Case{"bytes=999990-999999", 999990, 999999}, Case{"bytes=-16", 999984, 999999},
                        Case{"bytes=999000-", 999000, 999999}, Case{"bytes=10-19,50-59", 10, 19}}) {
    INFO(c.range);
    const auto r = get(w, file, std::string("Range: ") + c.range + "\r\n");
    CHECK(r.rfind("HTTP/1.1 206 ", 0) == 0);
    CHECK(headerOf(r, "Content-Range") ==
          "bytes " + std::to_string(c.first) + "-" + std::to_string(c.last) + "/1000000");
    CHECK(headerOf(r, "Content-Length") == std::to_string(c.last - c.first + 1));
    CHECK(bodyOf(r) == pattern(c.first, c.last - c.first + 1));
  }
  const auto unsat = get(w, file, "Range: bytes=1000000-\r\n");
  CHECK(unsat.rfind("HTTP/1.1 416 ", 0) == 0);
  CHECK(headerOf(unsat, "Content-Range") == "bytes */1000000");

  // If-Range: the range only while the validator still matches, else the whole (new) version.
  const auto match = get(w, file, "Range: bytes=0-9\r\nIf-Range: \"v1hash\"\r\n");
  CHECK(match.rfind("HTTP/1.1 206 ", 0) == 0);
  const auto byDate = get(w, file, "Range: bytes=0-9\r\nIf-Range: Tue, 14 Nov 2023 22:13:20 GMT\r\n");
  CHECK(byDate.rfind("HTTP/1.1 206 ", 0) == 0);
  const auto mismatch = get(w, file, "Range: bytes=0-9\r\nIf-Range: \"v0hash\"\r\n");
  CHECK(mismatch.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(headerOf(mismatch, "Content-Length") == "1000000");

  const auto notModified = get(w, file, "If-None-Match: \"other\", \"v1hash\"\r\n");
  CHECK(notModified.rfind("HTTP/1.1 304 ", 0) == 0);
  CHECK(headerOf(notModified, "ETag") == "\"v1hash\"");
  CHECK(bodyOf(notModified).empty());
  CHECK(get(w, file, "If-None-Match: \"other\"\r\n").rfind("HTTP/1.1 200 ", 0) == 0);

  const auto head = get(w, file, "Range: bytes=0-9\r\n", "HEAD");
  CHECK(head.rfind("HTTP/1.1 206 ", 0) == 0);
  CHECK(headerOf(head, "Content-Length") == "10");
  CHECK(bodyOf(head).empty());
  // The connection is still in step after all of them (keep-alive, HEAD without a body).
  CHECK(get(w, "/api/v1/streamer/file?size=3").rfind("HTTP/1.1 200 ", 0) == 0);
}

TEST_CASE("a download names its file for every browser and is shown inline only when harmless") {
  TestHost t(Db::SQLite, "streamer");
  Wire w(t.port());
  // "Übersicht – Q3 "final".pdf" and a name with CR LF trying to add a header.
  const auto utf8 = get(w, "/api/v1/streamer/file?size=10&type=application/pdf&name=%C3%9Cbersicht%20%E2%80%93%20Q3%20%22final%22.pdf");
  CHECK(headerOf(utf8, "Content-Disposition") ==
        "attachment; filename=\"_bersicht _ Q3 final.pdf\"; "
        "filename*=UTF-8''%C3%9Cbersicht%20%E2%80%93%20Q3%20final.pdf");
  const auto crlf = get(w, "/api/v1/streamer/file?size=10&name=a%0D%0ASet-Cookie:%20x=1%0D%0A%2F..%2Fb.txt");
  CHECK(headerOf(crlf, "Set-Cookie").empty());
  CHECK(headerOf(crlf, "Content-Disposition") ==
        "attachment; filename=\"aSet-Cookie: x=1..b.txt\"; filename*=UTF-8''aSet-Cookie%3A%20x%3D1..b.txt");

  const auto html = get(w, "/api/v1/streamer/file?size=10&type=text/html&inline=1&name=page.html");
  CHECK(headerOf(html, "Content-Disposition").rfind("attachment;", 0) == 0);
  CHECK(headerOf(html, "Content-Type") == "text/html");
  CHECK(headerOf(html, "X-Content-Type-Options") == "nosniff");
  CHECK_THAT(headerOf(html, "Content-Security-Policy"), !Catch::Contains("sandbox"));
  const auto pdf = get(w, "/api/v1/streamer/file?size=10&type=application/pdf&inline=1&name=brief.pdf");
  CHECK(headerOf(pdf, "Content-Disposition").rfind("inline;", 0) == 0);
  CHECK(headerOf(pdf, "Content-Security-Policy").rfind("sandbox", 0) == 0);
  const auto svg = get(w, "/api/v1/streamer/file?size=10&type=image/svg%2Bxml&inline=1");
  CHECK(headerOf(svg, "Content-Disposition") == "attachment");
}

TEST_CASE("a download whose source fails half-way ends the connection short of its length") {
  TestHost t(Db::SQLite, "streamer");
  Wire w(t.port());
  REQUIRE(w.send("GET /api/v1/streamer/file?size=1000000&fail_at=400000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  bool closed = false;
  const auto r = w.readAll(5000, &closed);
  CHECK(r.rfind("HTTP/1.1 200 ", 0) == 0);
  CHECK(headerOf(r, "Content-Length") == "1000000");
  CHECK(bodyOf(r).size() < 1000000);
  CHECK(closed);
  HttpClient c(t.port());
  CHECK(c.get("/api/v1/streamer/file?size=5").status == 200);
}

TEST_CASE("a multipart upload is read part by part, malformed multipart is a 400 naming the problem") {
  TestHost t(Db::SQLite, "streamer");
  HttpClient c(t.port());
  const std::string fileA = pattern(0, 300000), fileB = "%PDF-1.4 tiny\r\n--not-the-boundary\r\n";
  const std::string body = multipartBody("XyZ-boundary-42", {{"title", "", "", "Engagement letter"},
                                                             {"file", "a.bin", "application/octet-stream", fileA},
                                                             {"file", "b.pdf", "application/pdf", fileB}});
  const auto r = c.request("POST", "/api/v1/streamer/parts", body, "multipart/form-data; boundary=XyZ-boundary-42");
  REQUIRE(r.status == 200);
  CHECK_THAT(r.body, Catch::Contains("{\"name\":\"title\",\"filename\":\"\",\"content_type\":\"\",\"bytes\":17,\"sha256\":\"" +
                                     sha256("Engagement letter") + "\"}"));
  CHECK_THAT(r.body, Catch::Contains("{\"name\":\"file\",\"filename\":\"a.bin\",\"content_type\":\"application/octet-stream\","
                                     "\"bytes\":300000,\"sha256\":\"" + sha256(fileA) + "\"}"));
  CHECK_THAT(r.body, Catch::Contains("\"filename\":\"b.pdf\",\"content_type\":\"application/pdf\",\"bytes\":" +
                                     std::to_string(fileB.size()) + ",\"sha256\":\"" + sha256(fileB) + "\""));

  struct Bad {
    const char* what;
    std::string body, type, says;
  };
  const std::vector<Bad> bad = {
      {"not multipart", "{}", "application/json", "multipart/form-data"},
      {"no boundary", body, "multipart/form-data", "boundary"},
      {"wrong boundary", body, "multipart/form-data; boundary=other", "malformed"},
      {"part without a name", "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n", "multipart/form-data; boundary=b",
       "Part 1 has no name"},
      {"part without Content-Disposition", "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
       "multipart/form-data; boundary=b", "Part 1 has no 'Content-Disposition: form-data'"},
      {"empty", "", "multipart/form-data; boundary=b", "malformed"},
      {"cut short", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nxyz", "multipart/form-data; boundary=b",
       "cut short"},
      {"cut in the part's head", "--b\r\nContent-Disposition: form-da", "multipart/form-data; boundary=b", "cut short"},
  };
  for (const auto& b : bad) {
    INFO(b.what);
    const auto e = c.request("POST", "/api/v1/streamer/parts", b.body, b.type);
    CHECK(e.status == 400);
    CHECK_THAT(e.body, Catch::Contains("\"field\":\"body\""));
    CHECK_THAT(e.body, Catch::Contains(b.says));
  }
}

TEST_CASE("a plugin built against the kept SDK 1.2 headers loads in this host and serves its routes") {
  TestHost t(Db::SQLite, "old12,streamer");
  HttpClient c(t.port());
  const auto hello = c.get("/api/v1/old12/hello");
  REQUIRE(hello.status == 200);
  CHECK(jsonField(hello.body, "sdk") == "1.2.0");
  const auto echo = c.request("POST", "/api/v1/old12/echo", std::string(3 << 20, 'q'), "application/octet-stream");
  CHECK(echo.status == 200);
  CHECK(echo.body == std::to_string(3 << 20) + ":qqqqqqqqqqqqqqqq");
  const auto stream = c.get("/api/v1/old12/stream");
  CHECK(stream.status == 200);
  CHECK_THAT(stream.body, Catch::EndsWith("line 999\n"));
  CHECK(c.get("/api/v1/streamer/file?size=4").status == 200);  // next to a 1.3 plugin
}

TEST_CASE("clients that read their downloads slowly hold no worker: stand-ins serve the others, then retire") {
  // Two workers, six downloads that nobody reads: without stand-ins both workers would wait on
  // those clients until send_timeout_seconds (30 s) and nothing else would be answered.
  TestHost t(Db::SQLite, "streamer", "[server]\nthreads = 2\n");
  const auto before = t.host->serverStats();
  CHECK(before.workers == 2);
  std::vector<std::unique_ptr<Wire>> slow;
  for (int i = 0; i < 6; ++i) {
    slow.push_back(std::make_unique<Wire>(t.port()));
    REQUIRE(slow.back()->send("GET /api/v1/streamer/file?size=268435456 HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (t.host->serverStats().stand_ins < before.stand_ins + 6 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto during = t.host->serverStats();
  CHECK(during.stand_ins >= before.stand_ins + 6);
  CHECK(during.workers >= 8);  // six waiting on their clients, two free
  for (int i = 0; i < 5; ++i) {
    HttpClient c(t.port());
    CHECK(c.get("/healthz").status == 200);
    const auto small = c.get("/api/v1/streamer/file?size=1000");
    CHECK(small.status == 200);
    CHECK(small.body == pattern(0, 1000));
  }
  // Answered while the slow downloads still wait, not after the send timeout freed a worker.
  CHECK(t.host->serverStats().send_timeouts == before.send_timeouts);
  // A slow reader that starts reading gets every byte, in order.
  {
    std::string got;
    while (got.find("\r\n\r\n") == std::string::npos || got.size() < got.find("\r\n\r\n") + 4 + 268435456u) {
      const auto more = slow.front()->readAll(5000);
      if (more.empty()) break;
      got += more;
    }
    REQUIRE(got.rfind("HTTP/1.1 200 ", 0) == 0);
    const std::string rest = got.substr(got.find("\r\n\r\n") + 4);
    REQUIRE(rest.size() == 268435456u);
    CHECK(rest.substr(0, 4096) == pattern(0, 4096));
    CHECK(rest.substr(268435456u - 4096) == pattern(268435456u - 4096, 4096));
  }
  // The others go away: their handlers end, and the surplus workers retire as work comes in.
  slow.clear();
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (t.host->serverStats().workers > 2 && std::chrono::steady_clock::now() < deadline) {
    HttpClient c(t.port());
    c.get("/healthz");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(t.host->serverStats().workers == 2);
  HttpClient c(t.port());
  CHECK(c.get("/api/v1/streamer/file?size=5").status == 200);
}

TEST_CASE("a download the client stops reading ends after send_timeout_seconds, the server goes on") {
  TestHost t(Db::SQLite, "streamer", "", {{"LEXOS_SERVER_SEND_TIMEOUT_SECONDS", "1"}});
  const auto before = t.host->serverStats().send_timeouts;
  {
    Wire w(t.port());
    REQUIRE(w.send("GET /api/v1/streamer/file?size=268435456 HTTP/1.1\r\nHost: x\r\n\r\n"));
    // Read nothing: the socket buffers fill, the handler's write waits, then gives up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (t.host->serverStats().send_timeouts == before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(t.host->serverStats().send_timeouts > before);
    bool closed = false;
    const auto got = w.readAll(3000, &closed);
    CHECK(got.size() < 268435456u);
    CHECK(closed);
  }
  HttpClient c(t.port());
  CHECK(c.get("/api/v1/streamer/file?size=5").status == 200);
}

TEST_CASE("a download sent outside the request's transaction after an audit event arrives whole") {
  // The host records a streamed read's events before its first byte; inside outsideTransaction()
  // it must neither end nor reopen a transaction (that made the handler's return throw, the
  // download cut short).
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  TestHost t(db, "streamer");
  HttpClient c(t.port());
  auto completed = [&c] {
    const auto n = c.get("/api/v1/streamer/outside/completed");
    REQUIRE(n.status == 200);
    return std::stoi(jsonField(n.body, "completed"));
  };
  const int before = completed();
  for (int i = 0; i < 3; ++i) {
    const auto r = c.get("/api/v1/streamer/outside?size=300000");
    CHECK(r.status == 200);
    CHECK(r.body.size() == 300000u);
    CHECK(r.body == pattern(0, 300000));
  }
  // Each handler ran to its end (a statement after the download, in a new transaction). The
  // last bytes reach the client before the handler's return: wait for it a moment (one run in
  // five here read the count in between). A handler that throws at its return never counts.
  CHECK(waitFor([&] { return completed() == before + 3; }, 5));
  CHECK(completed() == before + 3);
}
