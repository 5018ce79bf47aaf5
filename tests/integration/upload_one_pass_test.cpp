// Uploads in one pass (docs/documents.md, "Uploads in one pass"): a large upload whose head the
// guard accepts is hashed, encrypted and written into the vault as it arrives, and the
// documents module's Vault::put adopts that file instead of reading a plain spool back. Only a
// signed-in, permitted user of a firm with a vault key gets there; everything else (multipart,
// a refused type, a user without the permission) answers exactly as before. Both backends, a
// real lexosd on a real port, the local and the database blob stores.
#include <catch2/catch.hpp>
#include <openssl/sha.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <memory>
#include <string>
#include <vector>

#include "app/host.h"
#include "data/connection_pool.h"
#include "vault/spooled_blob.h"
#include "vault/vault_service.h"

#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;

namespace {

// A PDF by its first bytes (libmagic), `n` bytes long, random after the header.
std::string pdf(std::size_t n, unsigned seed) {
  std::string s = "%PDF-1.7\n% ONE-PASS-UPLOAD\n";
  std::mt19937 rng(seed);
  while (s.size() < n) s.push_back(static_cast<char>(rng()));
  s.resize(n);
  return s;
}

std::string hexSha256(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* x = "0123456789abcdef";
  std::string out;
  for (unsigned char b : d) {
    out.push_back(x[b >> 4]);
    out.push_back(x[b & 15]);
  }
  return out;
}

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body.substr(0, 300));
  REQUIRE((r.status == 200 || r.status == 201));
  return jsonField(r.body, "id");
}

struct Office {
  Office(Db db, const std::string& ini = "")
      : t(db, "clients,cases,documents", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n" + ini) {
    t.firm("alpha");
    t.staff("alpha", "owner@alpha.test", "owner");
    t.staff("alpha", "billing@alpha.test", "billing");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    billing = std::make_unique<HttpClient>(t.signedIn("alpha", "billing@alpha.test"));
    const std::string client = idOf(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson"})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + client + R"(,"title":"Anderson v. Metacortex"})"));
  }
  HttpResult upload(HttpClient& who, const std::string& name, const std::string& bytes) {
    return who.request("POST", "/api/v1/cases/" + kase + "/documents?name=" + name, bytes, "application/octet-stream");
  }
  std::uint64_t adopted() { return t.host->vault().adoptedUploads(); }
  std::size_t blobsStored() { return t.host->vault().store().list().size(); }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, billing;
  std::string kase;
};

// Sends `body` as a raw upload on a socket of its own until the server stops taking it (it
// answers a refusal and closes), then returns what it answered: an HTTP client library would
// report the reset instead of the answer.
std::string rawUpload(int port, const HttpClient& who, const std::string& target, const std::string& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
  std::string wire = "POST " + target + " HTTP/1.1\r\nHost: x\r\nCookie: " + who.cookie + "\r\nX-CSRF-Token: " + who.csrf +
                     "\r\nContent-Type: application/pdf\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (std::size_t off = 0; off < wire.size();) {
    const ssize_t n = ::send(fd, wire.data() + off, std::min<std::size_t>(wire.size() - off, 256 << 10), MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

TEST_CASE("a large upload is encrypted into the vault as it arrives and adopted, with the bytes and hash of a two-pass upload") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const std::string store = GENERATE(as<std::string>{}, "local", "database");
  if (db == Db::SQLite && store == "database") return;  // the database store is PostgreSQL's
  INFO(dbName(db) << " store " << store);
  Office o(db, "[vault]\nstore = " + store + "\n");

  // The firm's first upload makes its vault key in its own transaction: read and stored in two
  // passes, as before.
  const std::string first = pdf(3 << 20, 1);
  const std::string doc1 = idOf(o.upload(*o.staff, "first.pdf", first));
  CHECK(o.adopted() == 0);

  // From then on a body over server.body_memory_bytes (1 MiB) goes into the vault as it arrives.
  const std::string big = pdf((5 << 20) + 12345, 2);
  auto up = o.upload(*o.staff, "second.pdf", big);
  const std::string doc2 = idOf(up);
  CHECK(up.status == 201);
  CHECK(o.adopted() == 1);
  CHECK(jsonField(up.body, "content_type") == "application/pdf");
  CHECK(jsonField(up.body, "size") == std::to_string(big.size()));
  for (const auto& [doc, bytes] : {std::pair{doc1, first}, std::pair{doc2, big}}) {
    auto got = o.staff->get("/api/v1/documents/" + doc + "/content");
    REQUIRE(got.status == 200);
    CHECK(got.body == bytes);
    CHECK(got.header("etag") == "\"" + hexSha256(bytes) + "\"");
  }
  // A range of the adopted blob decrypts only its segments, like any other.
  auto part = o.staff->request("GET", "/api/v1/documents/" + doc2 + "/content", "", "application/json",
                               {{"Range", "bytes=4194300-4194399"}});
  CHECK(part.status == 206);
  CHECK(part.body == big.substr(4194300, 100));
  // A new version takes the same path.
  REQUIRE(o.staff->request("POST", "/api/v1/documents/" + doc2 + "/versions", pdf(2 << 20, 3), "application/pdf").status == 201);
  CHECK(o.adopted() == 2);
  CHECK(o.staff->get("/api/v1/documents/" + doc2 + "/content").body == pdf(2 << 20, 3));
  // Nothing but the three versions' blobs is left in the store: no partial file, no copy.
  CHECK(o.blobsStored() == 3);
}

TEST_CASE("an upload the vault cannot adopt is read back from its encrypted spool, and a refused one leaves nothing") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Office o(db);
  REQUIRE(o.upload(*o.staff, "key.pdf", pdf(1000, 9)).status == 201);  // the firm's key exists
  const std::size_t before = o.blobsStored();

  // A browser's multipart body: spooled into the vault as it arrived, then read back (decrypted)
  // part by part; the file part is stored as a blob of its own.
  const std::string boundary = "----lexosOnePass";
  const std::string file = pdf(3 << 20, 4);
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Brief.pdf\"\r\n"
                           "Content-Type: application/pdf\r\n\r\n" + file + "\r\n--" + boundary + "--\r\n";
  auto up = o.staff->request("POST", "/api/v1/cases/" + o.kase + "/documents", body, "multipart/form-data; boundary=" + boundary);
  const std::string doc = idOf(up);
  CHECK(jsonField(up.body, "name") == "Brief.pdf");
  CHECK(o.adopted() == 0);
  CHECK(o.staff->get("/api/v1/documents/" + doc + "/content").body == file);
  CHECK(o.blobsStored() == before + 1);

  // A type outside the allow-list: 415 naming it, nothing stored (the spooled file goes with
  // the request).
  std::string exe(3 << 20, '\0');
  std::memcpy(exe.data(), "\x7f" "ELF\x02\x01\x01", 7);
  auto refused = o.upload(*o.staff, "tool.bin", exe);
  CHECK(refused.status == 415);
  CHECK(o.adopted() == 0);
  CHECK(o.blobsStored() == before + 1);

  // A signed-in user without documents.write: 403 as before; the guard refused the head, so the
  // body was never encrypted, and nothing is stored.
  auto denied = o.upload(*o.billing, "x.pdf", pdf(3 << 20, 5));
  CHECK(denied.status == 403);
  // No session at all: 401.
  HttpClient anonymous(o.t.port());
  CHECK(anonymous.request("POST", "/api/v1/cases/" + o.kase + "/documents?name=y.pdf", pdf(3 << 20, 6), "application/pdf").status ==
        401);
  CHECK(o.adopted() == 0);
  CHECK(o.blobsStored() == before + 1);
}

TEST_CASE("a full vault disk while an upload arrives answers 507, keeps nothing, and the server keeps serving") {
  TempDir mnt;
  // A 2 MiB tmpfs as the local store's folder (needs CAP_SYS_ADMIN, as root in this test machine has).
  if (::mount("tmpfs", mnt.path.c_str(), "tmpfs", 0, "size=2m,mode=0700") != 0) {
    WARN("cannot mount a tmpfs here (" << std::strerror(errno) << "): the disk-full case is not exercised");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt.path};
  auto used = [&] {
    struct statvfs v {};
    ::statvfs(mnt.path.c_str(), &v);
    return static_cast<std::uint64_t>(v.f_blocks - v.f_bfree) * v.f_frsize;
  };
  {
    Office o(Db::SQLite, "[vault]\ndir = " + mnt.path + "\n");
    REQUIRE(o.upload(*o.staff, "key.pdf", pdf(1000, 9)).status == 201);
    const auto before = used();
    const auto r = rawUpload(o.t.port(), *o.staff, "/api/v1/cases/" + o.kase + "/documents?name=huge.pdf", pdf(8 << 20, 7));
    CHECK(r.rfind("HTTP/1.1 507 ", 0) == 0);
    CHECK_THAT(r, Catch::Contains("insufficient_storage"));
    CHECK(o.adopted() == 0);
    CHECK(used() <= before + 64 * 1024);  // the partial upload is gone
    CHECK(o.blobsStored() == 1);
    // The server goes on: a small upload and a read are answered.
    CHECK(o.upload(*o.staff, "small.pdf", pdf(5000, 8)).status == 201);
    CHECK(o.staff->get("/api/v1/cases/" + o.kase + "/documents").status == 200);
  }
}

TEST_CASE("no more than SpooledBlob::kMaxLive uploads are written in one pass at once, the rest use the plain spool") {
  // Each one-pass upload holds a hashing thread: many slow uploads at once must not pile up
  // threads. Past the cap start() answers null (the connection layer then spools plainly), and
  // a finished upload gives its place back.
  using lexos::core::vault::FirmKey;
  using lexos::core::vault::SpooledBlob;
  TestHost t(Db::SQLite, "probe");
  const auto firm = t.firm("alpha");
  const FirmKey key{1, lexos::core::vault::randomKey()};
  const std::string spool = t.dir.path + "/state";
  std::vector<std::unique_ptr<SpooledBlob>> live;
  for (int i = 0; i < SpooledBlob::kMaxLive; ++i) {
    live.push_back(SpooledBlob::start(t.host->vault(), firm, key, spool));
    REQUIRE(live.back() != nullptr);
  }
  CHECK(SpooledBlob::start(t.host->vault(), firm, key, spool) == nullptr);
  live.pop_back();
  auto again = SpooledBlob::start(t.host->vault(), firm, key, spool);
  REQUIRE(again != nullptr);
  // It still works as a blob: bytes in, the same bytes and hash out.
  std::string error;
  const std::string bytes = pdf(200000, 11);
  REQUIRE(again->write(bytes.data(), bytes.size(), error) == SpooledBlob::Result::kOk);
  REQUIRE(again->finish(error) == SpooledBlob::Result::kOk);
  CHECK(again->sha256() == hexSha256(bytes));
  std::string back(bytes.size(), '\0');
  CHECK(again->read(0, back.data(), back.size()) == bytes.size());
  CHECK(back == bytes);
  live.clear();
  again.reset();
  CHECK(SpooledBlob::start(t.host->vault(), firm, key, spool) != nullptr);
}
