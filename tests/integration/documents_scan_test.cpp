// Malware scanning of document uploads (issue 11, item 7) against a real clamd started by the
// test with a signature database generated here (tests/support/clamd_daemon.h): the EICAR file
// is quarantined (kept, shown as infected, audited, never downloadable, shareable or in the
// portal), a clean file is "clean", and clamd down refuses uploads (503). Both backends.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "clamd_daemon.h"
#include "test_host.h"

using namespace lexos::test;

namespace {

std::string idOf(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return jsonField(r.body, "id");
}

bool has(const std::string& body, const std::string& part) { return body.find(part) != std::string::npos; }

// A firm with a client, a case, an owner and the client's portal user, documents scanned by
// `clamdSocket` (none: not scanned).
struct ScannedFirm {
  ScannedFirm(Db db, const std::string& clamdSocket)
      : t(db, "clients,cases,portal,documents",
          "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n" +
              (clamdSocket.empty() ? "" : "[plugin.documents]\nclamd_socket = " + clamdSocket + "\n")) {
    firmId = t.firm("alpha");
    t.staff("alpha", "owner@alpha.test", "owner");
    staff = std::make_unique<HttpClient>(t.signedIn("alpha", "owner@alpha.test"));
    client = jsonField(staff->post("/api/v1/clients", R"({"name":"Thomas Anderson"})").body, "id");
    kase = idOf(staff->post("/api/v1/cases", R"({"client_id":)" + client + R"(,"title":"Anderson v. Metacortex"})"));
    t.portalUser("alpha", std::stoll(client), "anderson@client.test");
    portal = std::make_unique<HttpClient>(t.signedIn("alpha", "anderson@client.test"));
  }
  HttpResult upload(const std::string& name, const std::string& bytes) {
    return staff->request("POST", "/api/v1/cases/" + kase + "/documents?name=" + name, bytes, "application/octet-stream");
  }
  HttpResult addVersion(const std::string& doc, const std::string& bytes) {
    return staff->request("POST", "/api/v1/documents/" + doc + "/versions", bytes, "application/octet-stream");
  }
  TempDir plugins;
  TestHost t;
  std::unique_ptr<HttpClient> staff, portal;
  std::string client, kase;
  std::int64_t firmId = 0;
};

const std::string kNote = "Deposition of Mr. Anderson, 30 November 2026.\n";

}  // namespace

TEST_CASE("with clamd configured an EICAR upload is quarantined: kept and shown as infected, audited, never downloadable, shareable or in the portal") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  ClamdDaemon clamd;
  ScannedFirm f(db, clamd.socket());

  // A clean file is scanned and served as usual.
  auto clean = f.upload("Deposition.txt", kNote);
  const std::string good = idOf(clean);
  INFO(clean.body);
  CHECK(has(clean.body, R"("scan":{"status":"clean"})"));
  CHECK(f.staff->get("/api/v1/documents/" + good + "/content").body == kNote);

  // EICAR: kept (the firm sees what was refused), marked infected with clamd's signature name.
  auto bad = f.upload("invoice.txt", kEicar);
  const std::string evil = idOf(bad);
  INFO(bad.body);
  CHECK(has(bad.body, std::string(R"("scan":{"status":"infected","signature":")") + ClamdDaemon::kSignature + "\"}"));
  CHECK(has(f.staff->get("/api/v1/cases/" + f.kase + "/documents").body, ClamdDaemon::kSignature));
  CHECK(has(f.staff->get("/api/v1/documents/" + evil).body, R"("status":"infected")"));
  // Never downloadable (403 naming the quarantine), not even one byte of it.
  auto dl = f.staff->get("/api/v1/documents/" + evil + "/content");
  CHECK(dl.status == 403);
  CHECK(has(dl.body, "\"quarantined\""));
  CHECK(has(dl.body, ClamdDaemon::kSignature));
  CHECK(!has(dl.body, "EICAR-STANDARD"));
  CHECK(f.staff->request("GET", "/api/v1/documents/" + evil + "/content", "", "application/json",
                         {{"Range", "bytes=0-9"}}).status == 403);
  // Never shareable, latest or pinned; so the portal never sees it.
  auto share = f.staff->request("PUT", "/api/v1/documents/" + evil + "/share", R"({"version":"latest"})");
  CHECK(share.status == 403);
  CHECK(has(share.body, "cannot be shared"));
  CHECK(f.staff->request("PUT", "/api/v1/documents/" + evil + "/share", R"({"version":1})").status == 403);
  CHECK(has(f.staff->get("/api/v1/documents/" + evil).body, "\"shared\":false"));
  CHECK(!has(f.portal->get("/api/v1/portal/documents").body, evil));
  CHECK(f.portal->get("/api/v1/portal/documents/" + evil + "/content").status == 404);
  // Audited.
  auto ledger = f.staff->get("/api/v1/documents/" + evil + "/ledger");
  CHECK(has(ledger.body, "\"document.quarantine\""));
  CHECK(has(ledger.body, ClamdDaemon::kSignature));

  // An infected new version of a shared document is kept in the history but never served: the
  // document and the client's share stay on the clean version.
  REQUIRE(f.staff->request("PUT", "/api/v1/documents/" + good + "/share", R"({"version":"latest"})").status == 200);
  auto v2 = f.addVersion(good, "cover letter\n" + kEicar);
  REQUIRE(v2.status == 201);
  INFO(v2.body);
  CHECK(has(v2.body, R"("upload":{"version":2,"scan":{"status":"infected")"));
  CHECK(jsonField(v2.body, "version") == "1");
  CHECK(f.portal->get("/api/v1/portal/documents/" + good + "/content").body == kNote);
  CHECK(f.staff->get("/api/v1/documents/" + good + "/content").body == kNote);
  CHECK(f.staff->get("/api/v1/documents/" + good + "/content?version=2").status == 403);
  CHECK(f.staff->request("POST", "/api/v1/documents/" + good + "/versions/2/restore").status == 403);
  CHECK(f.staff->request("PUT", "/api/v1/documents/" + good + "/share", R"({"version":2})").status == 403);
  auto history = f.staff->get("/api/v1/documents/" + good);
  CHECK(has(history.body, R"("version":2,)"));
  CHECK(has(history.body, "\"infected\""));
  // The next clean version takes the next number and is served.
  auto v3 = f.addVersion(good, "Deposition, corrected.\n");
  REQUIRE(v3.status == 201);
  CHECK(jsonField(v3.body, "version") == "3");
  CHECK(f.portal->get("/api/v1/portal/documents/" + good + "/content").body == "Deposition, corrected.\n");

  // A browser's multipart upload is scanned the same way.
  const std::string boundary = "----lexosscan42";
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"eicar.com.txt\"\r\n"
                           "Content-Type: text/plain\r\n\r\n" + kEicar + "\r\n--" + boundary + "--\r\n";
  auto mp = f.staff->request("POST", "/api/v1/cases/" + f.kase + "/documents", body, "multipart/form-data; boundary=" + boundary);
  REQUIRE(mp.status == 201);
  CHECK(has(mp.body, R"("status":"infected")"));
}

TEST_CASE("with clamd configured an infected firm template is refused with 422 naming the signature, audited, and never listed or downloadable") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  ClamdDaemon clamd;
  ScannedFirm f(db, clamd.socket());
  auto bad = f.staff->request("POST", "/api/v1/document-templates?name=engagement.txt", kEicar, "application/octet-stream");
  INFO(bad.body);
  CHECK(bad.status == 422);
  CHECK(has(bad.body, R"("code":"infected")"));
  CHECK(has(bad.body, R"("field":"file")"));
  CHECK(has(bad.body, ClamdDaemon::kSignature));
  CHECK(has(f.staff->get("/api/v1/document-templates").body, R"("items":[])"));
  // A clean template is kept and downloadable byte for byte.
  const std::string good = idOf(f.staff->request("POST", "/api/v1/document-templates?name=letter.txt", kNote, "text/plain"));
  CHECK(f.staff->get("/api/v1/document-templates/" + good + "/content").body == kNote);
  auto listed = f.staff->get("/api/v1/document-templates").body;
  CHECK(has(listed, "letter.txt"));
  CHECK(!has(listed, "engagement.txt"));
  // The refusal is in the firm's hash-chained audit log, with the signature.
  // (Read as the owner: PostgreSQL's row-level security needs the firm's scope, SQLite's owner
  // reads the stored table.) The sequencer chains events within milliseconds; chain them now.
  f.t.host->auditSequencer().chainNow(f.firmId);
  auto raw = f.t.host->ownerConnection();
  raw->begin(true);
  if (db == Db::PostgreSQL) raw->setScope({f.firmId, 0});
  const std::string table = db == Db::SQLite ? "lexos_t_audit_log" : "audit_log";
  auto rs = raw->query("SELECT detail FROM " + table + " WHERE action = 'document.template.quarantine'", {});
  raw->rollback();
  REQUIRE(rs.rows.size() == 1);
  CHECK_THAT(lexos::sdk::asText(rs.rows[0][0]), Catch::Contains("engagement.txt") && Catch::Contains(ClamdDaemon::kSignature));
}

TEST_CASE("with clamd unreachable an upload is refused with 503 naming clamd and nothing is kept, and without clamd_socket uploads are not scanned") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  {
    ClamdDaemon clamd;
    ScannedFirm f(db, clamd.socket());
    REQUIRE(f.upload("before.txt", kNote).status == 201);
    clamd.stop();
    auto refused = f.upload("after.txt", kNote);
    CHECK(refused.status == 503);
    CHECK(has(refused.body, "clamd at " + clamd.socket()));
    CHECK(has(refused.body, "\"field\":\"file\""));
    auto list = f.staff->get("/api/v1/cases/" + f.kase + "/documents");
    CHECK(has(list.body, "before.txt"));
    CHECK(!has(list.body, "after.txt"));
  }
  ScannedFirm plain(db, "");
  auto up = plain.upload("unscanned.txt", kNote);
  REQUIRE(up.status == 201);
  CHECK(has(up.body, R"("scan":{"status":"not_scanned"})"));
  // EICAR is then stored like any text (no scanner to say otherwise).
  CHECK(has(plain.upload("eicar.txt", kEicar).body, R"("scan":{"status":"not_scanned"})"));
}

TEST_CASE("clamd over tcp:HOST:PORT scans the same way, and an upload past clamd's StreamMaxLength is refused with 503 (never stored unscanned)") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  ClamdDaemon clamd(4096);
  ScannedFirm f(db, "tcp:127.0.0.1:" + std::to_string(clamd.tcpPort()));
  auto bad = f.upload("eicar.txt", kEicar);
  REQUIRE(bad.status == 201);
  CHECK(has(bad.body, std::string(R"("scan":{"status":"infected","signature":")") + ClamdDaemon::kSignature + "\"}"));
  CHECK(has(f.upload("note.txt", kNote).body, R"("scan":{"status":"clean"})"));
  // 1 MiB of text against a 4 KiB StreamMaxLength: clamd says so and the upload is refused.
  auto big = f.upload("big.txt", std::string(1 << 20, 'a'));
  CHECK(big.status == 503);
  INFO(big.body);
  CHECK(has(big.body, "tcp:127.0.0.1:" + std::to_string(clamd.tcpPort())));
  CHECK(has(big.body, "size limit"));
  CHECK(!has(f.staff->get("/api/v1/cases/" + f.kase + "/documents").body, "big.txt"));
}

TEST_CASE("a clamd_socket that is neither an absolute path nor tcp:HOST:PORT stops lexosd naming the key") {
  for (const std::string bad : {"clamd.sock", "tcp:localhost", "tcp:host:99999", "tcp::3310"}) {
    INFO(bad);
    TempDir plugins;
    try {
      TestHost t(Db::SQLite, "clients,cases,portal,documents",
                 "[plugins]\ndir = " + bundledPluginsDir(plugins) + "\n[plugin.documents]\nclamd_socket = " + bad + "\n");
      FAIL("lexosd started with clamd_socket = " + bad);
    } catch (const std::exception& e) {
      CHECK_THAT(e.what(), Catch::Contains("plugin.documents.clamd_socket") && Catch::Contains("tcp:HOST:PORT"));
    }
  }
}

TEST_CASE("with clamd configured a client's infected file is refused with 422 naming the signature, audited, and never kept, and a clean one is scanned clean") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  ClamdDaemon clamd;
  ScannedFirm f(db, clamd.socket());
  const std::string path = "/api/v1/portal/cases/" + f.kase + "/documents";
  auto bad = f.portal->request("POST", path + "?name=scan.txt", kEicar, "application/octet-stream");
  INFO(bad.body);
  CHECK(bad.status == 422);
  CHECK(has(bad.body, R"("code":"infected")"));
  CHECK(has(bad.body, R"("field":"file")"));
  CHECK(has(bad.body, ClamdDaemon::kSignature));
  // Nothing kept: neither the firm nor the client lists it.
  CHECK(!has(f.staff->get("/api/v1/cases/" + f.kase + "/documents").body, "scan.txt"));
  CHECK(!has(f.portal->get("/api/v1/portal/documents").body, "scan.txt"));
  // A clean file goes through the same scan and is recorded clean.
  const std::string good = idOf(f.portal->request("POST", path + "?name=note.txt", kNote, "application/octet-stream"));
  auto doc = f.staff->get("/api/v1/documents/" + good);
  CHECK(has(doc.body, R"("scan":{"status":"clean"})"));
  CHECK(has(doc.body, R"("from_client":true)"));
  CHECK(f.staff->get("/api/v1/documents/" + good + "/content").body == kNote);
  // The refusal is in the firm's audit log, with the signature.
  f.t.host->auditSequencer().chainNow(f.firmId);
  auto raw = f.t.host->ownerConnection();
  raw->begin(true);
  if (db == Db::PostgreSQL) raw->setScope({f.firmId, 0});
  const std::string table = db == Db::SQLite ? "lexos_t_audit_log" : "audit_log";
  auto rs = raw->query("SELECT detail FROM " + table + " WHERE action = 'portal.document.refused'", {});
  raw->rollback();
  REQUIRE(rs.rows.size() == 1);
  CHECK_THAT(lexos::sdk::asText(rs.rows[0][0]), Catch::Contains("scan.txt") && Catch::Contains(ClamdDaemon::kSignature));
}
