// The documents module (issue 11): upload to a case into the vault, share with the case's client
// ("Accessible to Client"), the portal lists and downloads exactly those bytes, unshare takes them
// away at once, versions, trash, expiry enforced by the database, and the ledger records every
// download. Both backends, a real lexosd on a real port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "data/connection_pool.h"
#include "app/host.h"

#include "test_host.h"

using namespace lexos::test;

namespace {

// A small but real PDF (libmagic types it application/pdf from its bytes).
const std::string kPdf =
    "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    "trailer << /Root 1 0 R >>\n%%EOF\n";

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE((r.status == 200 || r.status == 201));
  return jsonField(r.body, "id");
}

struct Firm {
  Firm(Db db)
      : t(db, "clients,cases,portal,documents", "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n") {
    alpha = t.firm("alpha");
    t.firm("beta");
    t.staff("alpha", "owner@alpha.test", "owner");
    t.staff("alpha", "billing@alpha.test", "billing");
    t.staff("beta", "owner@beta.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    other = std::make_unique<HttpClient>(t.signedIn("beta", "owner@beta.test"));
    anderson = idOf(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson"})"));
    smith = idOf(staff->post("/api/v1/clients", R"({"name":"Agent Smith"})"));
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + anderson + R"(,"title":"Anderson v. Metacortex"})"));
    smithCase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + smith + R"(,"title":"Smith matter"})"));
    t.portalUser("alpha", std::stoll(anderson), "anderson@client.test");
    t.portalUser("alpha", std::stoll(smith), "smith@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
    smithPortal = std::make_unique<HttpClient>(t.signedIn("alpha", "smith@client.test"));
  }
  HttpResult upload(const std::string& caseId, const std::string& name, const std::string& bytes) {
    return staff->request("POST", "/api/v1/cases/" + caseId + "/documents?name=" + name, bytes, "application/octet-stream");
  }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, other, portal, smithPortal;
  std::string anderson, smith, kase, smithCase;
  std::int64_t alpha = 0;
  // Rows of `table` a scope reads (portal scope: client != 0), through the database's tenancy.
  std::int64_t countIn(const std::string& table, std::int64_t client) {
    auto c = t.host->pool().acquire();
    c->begin(false);
    c->setScope({alpha, client});
    auto rs = c->query("SELECT count(*) FROM " + table, {});
    c->commit();
    return lexos::sdk::asInt(rs.rows.at(0).at(0));
  }
};

}  // namespace

TEST_CASE("a document shared with the case's client is listed and downloaded byte for byte in the portal, and unsharing takes it away at once") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  auto up = f.upload(f.kase, "Settlement%20offer.pdf", kPdf);
  const std::string doc = idOf(up);
  CHECK(up.status == 201);
  CHECK(jsonField(up.body, "content_type") == "application/pdf");
  CHECK(jsonField(up.body, "size") == std::to_string(kPdf.size()));
  CHECK(jsonField(up.body, "name") == "Settlement offer.pdf");
  CHECK(jsonField(up.body, "version") == "1");
  CHECK(up.body.find("\"shared\":false") != std::string::npos);

  // Nothing is shared by default.
  CHECK(f.portal->get("/api/v1/portal/documents").body.find(doc) == std::string::npos);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);

  // Staff download: the exact bytes, with the download headers.
  auto got = f.staff->get("/api/v1/documents/" + doc + "/content");
  REQUIRE(got.status == 200);
  CHECK(got.body == kPdf);
  CHECK(got.header("x-content-type-options") == "nosniff");
  CHECK(got.header("content-disposition").find("attachment") == 0);

  // Share the latest version: the portal lists it and downloads the exact bytes, ranges too.
  auto share = f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})");
  REQUIRE(share.status == 200);
  CHECK(share.body.find("\"shared\":true") != std::string::npos);
  auto list = f.portal->get("/api/v1/portal/documents");
  REQUIRE(list.status == 200);
  CHECK(list.body.find("Settlement offer.pdf") != std::string::npos);
  CHECK(list.body.find("blob") == std::string::npos);  // no vault ids in portal answers
  CHECK(f.portal->get("/api/v1/portal/cases/" + f.kase + "/documents").body.find(doc) != std::string::npos);
  auto dl = f.portal->get("/api/v1/portal/documents/" + doc + "/content");
  REQUIRE(dl.status == 200);
  CHECK(dl.body == kPdf);
  CHECK(!dl.header("etag").empty());
  auto part = f.portal->request("GET", "/api/v1/portal/documents/" + doc + "/content", "", "application/json",
                                {{"Range", "bytes=0-7"}});
  CHECK(part.status == 206);
  CHECK(part.body == kPdf.substr(0, 8));

  // Another client of the same firm, and another firm, see nothing of it.
  CHECK(f.smithPortal->get("/api/v1/portal/documents").body.find(doc) == std::string::npos);
  CHECK(f.smithPortal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.other->get("/api/v1/documents/" + doc).status == 404);
  CHECK(f.other->get("/api/v1/documents/" + doc + "/content").status == 404);

  // Unshare: 404 and gone from the list, at once.
  REQUIRE(f.staff->request("DELETE", "/api/v1/documents/" + doc + "/share").status == 200);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.portal->get("/api/v1/portal/documents").body.find(doc) == std::string::npos);

  // The ledger: the upload, the share, the unshare, and both downloads by the client (and staff's).
  // A download is recorded before its first byte leaves: the client that has the bytes finds it.
  auto ledger = f.staff->get("/api/v1/documents/" + doc + "/ledger");
  REQUIRE(ledger.status == 200);
  CHECK(ledger.body.find("document.upload") != std::string::npos);
  CHECK(ledger.body.find("document.share") != std::string::npos);
  CHECK(ledger.body.find("document.unshare") != std::string::npos);
  std::size_t portalDownloads = 0;
  for (auto p = ledger.body.find("portal.document.download"); p != std::string::npos;
       p = ledger.body.find("portal.document.download", p + 1))
    ++portalDownloads;
  CHECK(portalDownloads == 2);
  CHECK(ledger.body.find("\"actor_kind\":\"portal\"") != std::string::npos);
  CHECK(ledger.body.find("\"actor_name\":\"Thomas Anderson\"") != std::string::npos);  // the client's name

  // The disclosure report lists the share, the unshare and the downloads.
  auto csv = f.staff->get("/api/v1/clients/" + f.anderson + "/disclosures.csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.body.find(",shared,") != std::string::npos);
  CHECK(csv.body.find(",unshared,") != std::string::npos);
  CHECK(csv.body.find(",downloaded,") != std::string::npos);
}

TEST_CASE("a share serves the latest version or a pinned one, and an expired share is out of the portal's reach") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string doc = idOf(f.upload(f.kase, "brief.txt", "first draft\n"));
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);
  auto v2 = f.staff->request("POST", "/api/v1/documents/" + doc + "/versions", "second draft\n", "text/plain");
  REQUIRE(v2.status == 201);
  CHECK(jsonField(v2.body, "version") == "2");
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").body == "second draft\n");

  // Pinned to version 1: the client gets version 1 whatever comes later.
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":1})").status == 200);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").body == "first draft\n");
  REQUIRE(f.staff->request("POST", "/api/v1/documents/" + doc + "/versions", "third draft\n", "text/plain").status == 201);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").body == "first draft\n");

  // Bad shares are refused naming the field.
  auto past = f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest","expires_at":"2020-01-01"})");
  CHECK(past.status == 400);
  CHECK_THAT(past.body, Catch::Contains("\"field\":\"expires_at\""));
  auto noVersion = f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":9})");
  CHECK(noVersion.status == 400);
  CHECK_THAT(noVersion.body, Catch::Contains("\"field\":\"version\""));

  // Shared until tomorrow: visible; then the time passes (set in the database by the firm's
  // staff scope, as a clock would): the database hides it from the portal whatever the SQL.
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest","expires_at":"2999-12-31"})").status == 200);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").body == "third draft\n");
  const std::int64_t me = std::stoll(f.anderson);
  CHECK(f.countIn("documents", me) == 1);
  CHECK(f.countIn("document_versions", me) == 1);  // only the version the share serves
  {
    auto c = f.t.host->pool().acquire();
    c->begin(true);
    c->setScope({f.alpha, 0});
    c->execute("UPDATE documents SET share_expires_at = '2020-01-01T00:00:00Z' WHERE id = $1", {std::stoll(doc)});
    c->execute("UPDATE document_versions SET portal_until = '2020-01-01T00:00:00Z' WHERE document_id = $1", {std::stoll(doc)});
    c->commit();
  }
  CHECK(f.countIn("documents", me) == 0);
  CHECK(f.countIn("document_versions", me) == 0);
  CHECK(f.countIn("document_versions", 0) == 3);  // staff still read every version
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.portal->get("/api/v1/portal/documents").body.find(doc) == std::string::npos);
  // The staff's "Preview as client" shows exactly what the portal shows: nothing now.
  CHECK(f.staff->get("/api/v1/clients/" + f.anderson + "/portal-documents").body.find(doc) == std::string::npos);
}

TEST_CASE("document uploads refuse a bad name, an empty body and a type outside the allow-list, naming the field") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  auto badName = f.upload(f.kase, "a%2Fb.txt", "text\n");
  CHECK(badName.status == 400);
  CHECK_THAT(badName.body, Catch::Contains("\"field\":\"name\""));
  auto empty = f.upload(f.kase, "empty.txt", "");
  CHECK(empty.status == 400);
  CHECK_THAT(empty.body, Catch::Contains("\"field\":\"file\""));
  auto elf = f.upload(f.kase, "tool.bin", std::string("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0", 20) + std::string(200, '\0'));
  CHECK(elf.status == 415);
  CHECK(f.upload("999999", "x.txt", "text\n").status == 404);
  // Nothing was kept of the refused uploads.
  auto list = f.staff->get("/api/v1/cases/" + f.kase + "/documents");
  REQUIRE(list.status == 200);
  CHECK(list.body.find("\"id\"") == std::string::npos);
  // Billing staff may not read documents.
  auto billing = f.t.signedIn("alpha", "billing@alpha.test");
  CHECK(billing.get("/api/v1/cases/" + f.kase + "/documents").status == 403);
}

TEST_CASE("a browser's multipart upload, rename, move, versions, trash and restore") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string boundary = "----lexosboundary7MA4YWxk";
  const std::string body = "--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n--" + boundary +
                           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Witness list.txt\"\r\n"
                           "Content-Type: text/plain\r\n\r\nMorpheus\r\nTrinity\r\n\r\n--" + boundary + "--\r\n";
  auto up = f.staff->request("POST", "/api/v1/cases/" + f.kase + "/documents?folder=Evidence", body,
                             "multipart/form-data; boundary=" + boundary);
  const std::string doc = idOf(up);
  CHECK(jsonField(up.body, "name") == "Witness list.txt");
  CHECK(jsonField(up.body, "folder") == "Evidence");
  CHECK(f.staff->get("/api/v1/documents/" + doc + "/content").body == "Morpheus\r\nTrinity\r\n");

  auto renamed = f.staff->request("PATCH", "/api/v1/documents/" + doc, R"({"name":"Witnesses.txt","folder":"Evidence/Final"})");
  REQUIRE(renamed.status == 200);
  CHECK(jsonField(renamed.body, "name") == "Witnesses.txt");
  CHECK(jsonField(renamed.body, "folder") == "Evidence/Final");
  CHECK(f.staff->request("PATCH", "/api/v1/documents/" + doc, R"({"folder":"a//b"})").status == 400);

  REQUIRE(f.staff->request("POST", "/api/v1/documents/" + doc + "/versions", "Morpheus\n", "text/plain").status == 201);
  auto restored = f.staff->request("POST", "/api/v1/documents/" + doc + "/versions/1/restore");
  REQUIRE(restored.status == 201);
  CHECK(jsonField(restored.body, "version") == "3");
  CHECK(f.staff->get("/api/v1/documents/" + doc + "/content").body == "Morpheus\r\nTrinity\r\n");
  CHECK(f.staff->get("/api/v1/documents/" + doc + "/content?version=2").body == "Morpheus\n");
  CHECK(f.staff->get("/api/v1/cases/" + f.kase + "/documents?q=WITNESS").body.find(doc) != std::string::npos);
  CHECK(f.staff->get("/api/v1/cases/" + f.kase + "/documents?q=nothing").body.find(doc) == std::string::npos);

  // Shared, then trashed: the share ends; the trash lists it; restore brings it back unshared.
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);
  REQUIRE(f.staff->request("DELETE", "/api/v1/documents/" + doc).status == 204);
  CHECK(f.portal->get("/api/v1/portal/documents/" + doc + "/content").status == 404);
  CHECK(f.staff->get("/api/v1/cases/" + f.kase + "/documents").body.find(doc) == std::string::npos);
  CHECK(f.staff->get("/api/v1/cases/" + f.kase + "/documents/trash").body.find(doc) != std::string::npos);
  CHECK(f.staff->get("/api/v1/documents/" + doc + "/content").status == 404);
  auto back = f.staff->request("POST", "/api/v1/documents/" + doc + "/restore");
  REQUIRE(back.status == 200);
  CHECK(back.body.find("\"shared\":false") != std::string::npos);
  CHECK(f.staff->request("POST", "/api/v1/documents/" + doc + "/restore").status == 409);
}

TEST_CASE("firm templates are the firm's own: never readable by a portal session whatever the SQL, and never shareable") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  auto up = f.staff->request("POST", "/api/v1/document-templates?name=Engagement%20letter.txt&folder=Letters",
                             "Dear client,\n", "text/plain");
  const std::string tpl = idOf(up);
  CHECK(up.status == 201);
  CHECK(jsonField(up.body, "folder") == "Letters");
  CHECK(f.staff->get("/api/v1/document-templates").body.find("Engagement letter.txt") != std::string::npos);
  CHECK(f.staff->get("/api/v1/document-templates/" + tpl + "/content").body == "Dear client,\n");
  // Another firm does not see it; a portal session cannot reach the routes, nor the table itself.
  CHECK(f.other->get("/api/v1/document-templates/" + tpl + "/content").status == 404);
  CHECK(f.other->get("/api/v1/document-templates").body.find(tpl) == std::string::npos);
  CHECK(f.portal->get("/api/v1/document-templates").status == 403);
  CHECK(f.countIn("document_templates", std::stoll(f.anderson)) == 0);
  CHECK(f.countIn("document_templates", 0) == 1);
  // A template is not a document: there is nothing to share.
  CHECK(f.staff->request("PUT", "/api/v1/documents/" + tpl + "/share", R"({"version":"latest"})").status == 404);
  CHECK(f.staff->request("DELETE", "/api/v1/document-templates/" + tpl).status == 204);
  CHECK(f.staff->get("/api/v1/document-templates/" + tpl + "/content").status == 404);
}

TEST_CASE("a document stays restorable in the trash for 30 days, then it is gone with its blobs") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  const std::string fresh = idOf(f.upload(f.kase, "fresh.txt", "fresh\n"));
  const std::string old = idOf(f.upload(f.kase, "old.txt", "old\n"));
  REQUIRE(f.staff->request("DELETE", "/api/v1/documents/" + fresh).status == 204);
  REQUIRE(f.staff->request("DELETE", "/api/v1/documents/" + old).status == 204);
  CHECK(f.staff->get("/api/v1/cases/" + f.kase + "/documents/trash").body.find("\"purge_after\"") != std::string::npos);
  {  // 31 days pass for `old` (set by the firm's staff scope, as a clock would)
    auto c = f.t.host->pool().acquire();
    c->begin(true);
    c->setScope({f.alpha, 0});
    c->execute("UPDATE documents SET deleted_at = '2020-01-01T00:00:00Z' WHERE id = $1", {std::stoll(old)});
    c->commit();
  }
  auto gone = f.staff->request("POST", "/api/v1/documents/" + old + "/restore");
  CHECK(gone.status == 410);
  // The next write of the module purges it: rows and vault records.
  auto another = f.upload(f.kase, "another.txt", "another\n");
  INFO(another.body);
  REQUIRE(another.status == 201);
  CHECK(f.staff->get("/api/v1/documents/" + old).status == 404);
  CHECK(f.staff->get("/api/v1/documents/" + old + "/ledger").status == 404);
  CHECK(f.countIn("vault_blobs", 0) == 2);  // fresh (in the trash, restorable) and another
  CHECK(f.staff->request("POST", "/api/v1/documents/" + fresh + "/restore").status == 200);
}

TEST_CASE("a max_upload_bytes that is not a whole number of bytes in range stops lexosd naming the key") {
  for (const std::string bad : {"lots", "12", "3000000000", "1e6", "-5"}) {
    INFO(bad);
    TempDir plugins;
    try {
      TestHost t(Db::SQLite, "clients,cases,portal,documents",
                 "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[plugin.documents]\nmax_upload_bytes = " + bad + "\n");
      FAIL("lexosd started with max_upload_bytes = " + bad);
    } catch (const std::exception& e) {
      CHECK_THAT(e.what(), Catch::Contains("plugin.documents.max_upload_bytes") && Catch::Contains("1024 to 2000000000"));
    }
  }
}

TEST_CASE("a download is in the document's ledger before its first byte leaves, even when the client never reads it") {
  // The bytes of a download leave while its handler runs; its audit event used to be written
  // after the last one, so a ledger read right after a download could miss it. A client that
  // never reads a 16 MiB download holds the stream open: the ledger must show the view anyway.
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Firm f(db);
  std::string big = kPdf;
  big.resize(16u << 20, ' ');
  const std::string doc = idOf(f.upload(f.kase, "bundle.pdf", big));
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);

  auto countIn = [](const std::string& body, const std::string& action) {
    std::size_t n = 0;
    const std::string needle = "\"action\":\"" + action + "\"";
    for (auto p = body.find(needle); p != std::string::npos; p = body.find(needle, p + 1)) ++n;
    return n;
  };
  for (const bool portal : {false, true}) {
    INFO((portal ? "portal" : "staff"));
    HttpClient& who = portal ? *f.portal : *f.staff;
    const std::string path = portal ? "/api/v1/portal/documents/" + doc + "/content" : "/api/v1/documents/" + doc + "/content";
    const std::string action = portal ? "portal.document.download" : "document.download";
    const std::size_t before = countIn(f.staff->get("/api/v1/documents/" + doc + "/ledger").body, action);

    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    int small = 4096;  // a small receive window: the download cannot finish into our buffers
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<uint16_t>(f.t.port()));
    ::inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0);
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nCookie: " + who.cookie + "\r\n\r\n";
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
    // The answer has begun: its status line is here, and we read nothing more of it.
    std::string head;
    char buf[256];
    while (head.find("\r\n") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      REQUIRE(n > 0);
      head.append(buf, static_cast<std::size_t>(n));
    }
    CHECK(head.rfind("HTTP/1.1 200 ", 0) == 0);
    auto ledger = f.staff->get("/api/v1/documents/" + doc + "/ledger");
    REQUIRE(ledger.status == 200);
    CHECK(countIn(ledger.body, action) == before + 1);
    ::close(fd);
  }
}

TEST_CASE("PostgreSQL: a download whose audit event cannot be recorded sends none of its bytes, then downloads once it can") {
  // The download is recorded before its first byte (HttpResponse::setBeforeStream); when that
  // fails the response refuses every later stream, so the handler's bytes never leave.
  Firm f(Db::PostgreSQL);
  const std::string doc = idOf(f.upload(f.kase, "sealed.pdf", kPdf));
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + doc + "/share", R"({"version":"latest"})").status == 200);
  const std::string staffPath = "/api/v1/documents/" + doc + "/content";
  const std::string portalPath = "/api/v1/portal/documents/" + doc + "/content";
  REQUIRE(f.staff->get(staffPath).body == kPdf);
  auto owner = f.t.host->ownerConnection();
  owner->executeScript("REVOKE INSERT ON audit_pending FROM lexos_app");
  for (HttpClient* who : {f.staff.get(), f.portal.get()}) {
    const auto r = who->get(who == f.staff.get() ? staffPath : portalPath);
    INFO(r.status << " " << r.body.substr(0, 200));
    CHECK(r.status == 503);
    CHECK_THAT(r.body, Catch::Contains("\"code\":\"audit_unavailable\""));
    CHECK(r.header("retry-after") == "1");
    CHECK(r.body.find("%PDF") == std::string::npos);
  }
  owner->executeScript("GRANT INSERT ON audit_pending TO lexos_app");
  CHECK(f.staff->get(staffPath).body == kPdf);
  CHECK(f.portal->get(portalPath).body == kPdf);
}
