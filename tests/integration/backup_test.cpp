// lexosctl backup / restore (docs/operations.md, "Backup and restore"), on both backends: a
// backup taken while a writer uploads documents, restored into a fresh state folder and (on
// PostgreSQL) a fresh cluster, compared firm by firm through the restored lexosd's API, the
// audit chain heads and every document's SHA-256; and the refusals: a non-empty target, a
// tampered file, a newer schema, a backup restored without its keys.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <openssl/sha.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "data/connection.h"
#include "http_client.h"
#include "lexosd_process.h"
#include "pg_cluster.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;

namespace {

const char* kPlugins = "clients,cases,portal,documents";
const std::vector<std::string> kFirms = {"alpha", "beta"};

std::string sha256Hex(const std::string& bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), md);
  static const char* d = "0123456789abcdef";
  std::string s;
  for (unsigned char c : md) {
    s.push_back(d[c >> 4]);
    s.push_back(d[c & 15]);
  }
  return s;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Poco::JSON::Object::Ptr parse(const std::string& body) {
  return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
}

std::string stringify(const Poco::Dynamic::Var& v) {
  std::ostringstream ss;
  Poco::JSON::Stringifier::stringify(v, ss);
  return ss.str();
}

std::string urlEncode(const std::string& s) {
  std::string out;
  char b[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

std::string idOf(const HttpResult& r) {
  if (r.status != 201 && r.status != 200)
    throw std::runtime_error("answered " + std::to_string(r.status) + ": " + r.body);
  return jsonField(r.body, "id");
}

struct Urls {
  std::string runtime, owner, backup;
};

std::string pgSection(const Urls& u) {
  return "[database]\nurl = " + u.runtime + "\nmigration_url = " + u.owner + "\nbackup_url = " + u.backup + "\n";
}

/// A second, empty PostgreSQL cluster for the restore (tests/support/pg-cluster.sh).
struct FreshCluster {
  FreshCluster() {
    char tmpl[] = "/tmp/lexos-pg2-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    const std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pg-cluster.sh' start '" + dir + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    char buf[512];
    while (p && fgets(buf, sizeof buf, p.get())) {
      std::string line(buf);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.rfind("LEXOS_TEST_PG_URL=", 0) == 0) urls.runtime = line.substr(18);
      if (line.rfind("LEXOS_TEST_PG_OWNER_URL=", 0) == 0) urls.owner = line.substr(24);
      if (line.rfind("LEXOS_TEST_PG_BACKUP_URL=", 0) == 0) urls.backup = line.substr(25);
    }
    if (urls.backup.empty()) throw std::runtime_error("pg-cluster.sh did not start a second cluster");
  }
  ~FreshCluster() {
    const std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pg-cluster.sh' stop '" + dir + "' >/dev/null 2>&1";
    [[maybe_unused]] int rc = std::system(cmd.c_str());
  }
  /// Empties the database again (as a fresh cluster has it).
  void reset() const {
    auto owner = lexos::core::openConnection(urls.owner, nullptr);
    owner->executeScript("DROP SCHEMA IF EXISTS lexos_portal CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public; "
                         "GRANT USAGE ON SCHEMA public TO lexos_app");
  }
  std::int64_t relations() const {
    auto c = lexos::core::openConnection(urls.backup, nullptr);
    auto r = c->query("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE n.nspname IN ('public', 'lexos_portal')",
                      {});
    return lexos::sdk::asInt(r.rows.at(0).at(0));
  }
  std::string dir;
  Urls urls;
};

/// The shared cluster's lexos_backup role (tests/support/pg-cluster.sh makes it beside the owner).
std::string sharedBackupUrl() {
  std::string url = pgCluster().owner;
  const std::string owner = "lexos_owner:owner@";
  url.replace(url.find(owner), owner.size(), "lexos_backup:backup@");
  return url;
}

/// One firm's data as its owner reads it through the API: every client, case and document
/// (JSON as answered, keyed by id), and each document's bytes' SHA-256.
struct FirmData {
  std::map<std::string, std::string> clients, cases, documents;
  std::map<std::string, std::string> content_sha256;  ///< document id -> SHA-256 of the downloaded bytes
};

std::map<std::string, std::string> listAll(HttpClient& c, const std::string& path) {
  std::map<std::string, std::string> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    const auto r = c.get(path + "?limit=100" + (cursor.empty() ? "" : "&cursor=" + urlEncode(cursor)));
    if (r.status != 200) throw std::runtime_error("GET " + path + " answered " + std::to_string(r.status) + ": " + r.body);
    auto o = parse(r.body);
    auto items = o->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto item = items->getObject(static_cast<unsigned>(i));
      out[item->get("id").toString()] = stringify(items->get(static_cast<unsigned>(i)));
    }
    if (!o->has("next_cursor") || o->isNull("next_cursor")) break;
    cursor = o->getValue<std::string>("next_cursor");
  }
  return out;
}

FirmData readFirm(int port, const std::string& firm) {
  HttpClient c(port);
  const auto login = c.login(firm, "owner@" + firm + ".test", TestHost::kPassword);
  if (login.status != 200) throw std::runtime_error("sign-in to " + firm + " answered " + std::to_string(login.status));
  FirmData d;
  d.clients = listAll(c, "/api/v1/clients");
  d.cases = listAll(c, "/api/v1/cases");
  for (const auto& [caseId, json] : d.cases) {
    const auto r = c.get("/api/v1/cases/" + caseId + "/documents");
    if (r.status != 200) throw std::runtime_error("documents of case " + caseId + ": " + std::to_string(r.status));
    auto items = parse(r.body)->getArray("items");
    for (std::size_t i = 0; i < items->size(); ++i) {
      auto item = items->getObject(static_cast<unsigned>(i));
      const std::string id = item->get("id").toString();
      d.documents[id] = stringify(items->get(static_cast<unsigned>(i)));
      const auto bytes = c.get("/api/v1/documents/" + id + "/content");
      d.content_sha256[id] = bytes.status == 200 ? sha256Hex(bytes.body) : "status " + std::to_string(bytes.status);
    }
  }
  return d;
}

std::string auditHead(const std::string& config, const std::string& firm) {
  std::string out;
  const int rc = lexosctl(config, "audit verify --firm " + firm, out);
  if (rc != 0) throw std::runtime_error("audit verify --firm " + firm + " exit " + std::to_string(rc) + ": " + out);
  const auto at = out.find("head: ");
  return at == std::string::npos ? "" : out.substr(at + 6, out.find('\n', at) - at - 6);
}

/// The installation a backup is taken of: two firms, each with an owner, clients, cases and
/// documents, served by a lexosd process.
struct Source {
  /// `extra`: more configuration (e.g. the vault's database store).
  explicit Source(Db db, const std::string& extra = "") : db(db) {
    if (db == Db::PostgreSQL) {
      auto owner = lexos::core::openConnection(pgCluster().owner, nullptr);
      owner->executeScript("DROP SCHEMA IF EXISTS lexos_portal CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA "
                           "public; GRANT USAGE ON SCHEMA public TO lexos_app");
    }
    config = writeConfig(dir.path, db, kPlugins,
                         "[plugins]\ndir = " + bundledPluginsDir(dir) + "\n" +
                             (db == Db::PostgreSQL ? "[database]\nbackup_url = " + sharedBackupUrl() + "\n" : "") + extra);
    run("migrate");
    for (const auto& f : kFirms) {
      run("firm create --slug " + f + " --name Firm-" + f);
      run("user create --firm " + f + " --email owner@" + f + ".test --role owner --password-stdin",
          std::string(TestHost::kPassword) + "\n");
    }
    lexosd = std::make_unique<LexosdProcess>(config, dir.path + "/lexosd.log",
                                             std::map<std::string, std::string>{{"LEXOS_LOG_LEVEL", "information"}});
    for (const auto& f : kFirms) {
      HttpClient c = signIn(f);
      for (int i = 0; i < 3; ++i) {
        const std::string client = idOf(c.post("/api/v1/clients", R"({"name":"Client )" + f + " " + std::to_string(i) + R"("})"));
        const std::string kase =
            idOf(c.post("/api/v1/cases", R"({"client_id":)" + client + R"(,"title":"Matter )" + std::to_string(i) + R"("})"));
        for (int d = 0; d < 2; ++d) upload(c, kase, f + "-" + std::to_string(i) + "-" + std::to_string(d));
      }
    }
  }
  HttpClient signIn(const std::string& firm) const {
    HttpClient c(lexosd->port());
    const auto r = c.login(firm, "owner@" + firm + ".test", TestHost::kPassword);
    if (r.status != 200) throw std::runtime_error("sign-in answered " + std::to_string(r.status) + ": " + r.body);
    return c;
  }
  static std::string upload(HttpClient& c, const std::string& kase, const std::string& tag) {
    std::string bytes = "Document " + tag + "\n";
    for (int i = 0; i < 200; ++i) bytes += "line " + std::to_string(i) + " of " + tag + "\n";
    return idOf(c.request("POST", "/api/v1/cases/" + kase + "/documents?name=" + tag + ".txt", bytes,
                          "application/octet-stream"));
  }
  std::string run(const std::string& args, const std::string& input = "") const {
    std::string out;
    const int rc = lexosctl(config, args, out, input);
    if (rc != 0) throw std::runtime_error("lexosctl " + args + ": exit " + std::to_string(rc) + ": " + out);
    return out;
  }
  Db db;
  TempDir dir;
  std::string config;
  std::unique_ptr<LexosdProcess> lexosd;
};

/// Writes new clients, cases and documents, firm after firm, until stopped.
struct Writer {
  explicit Writer(const Source& s) {
    thread = std::thread([this, &s] {
      std::vector<HttpClient> clients;
      for (const auto& f : kFirms) clients.push_back(s.signIn(f));
      for (int n = 0; !stop.load(); ++n) {
        HttpClient& c = clients[static_cast<std::size_t>(n) % clients.size()];
        try {
          const std::string client = idOf(c.post("/api/v1/clients", R"({"name":"Written )" + std::to_string(n) + R"("})"));
          const std::string kase =
              idOf(c.post("/api/v1/cases", R"({"client_id":)" + client + R"(,"title":"Written matter"})"));
          Source::upload(c, kase, "written-" + std::to_string(n));
          ++writes;
        } catch (const std::exception& e) {
          error = e.what();
          return;
        }
      }
    });
  }
  void finish() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
  ~Writer() { finish(); }
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::string error;
  std::thread thread;
};

/// Where a backup is restored: a fresh state folder and, on PostgreSQL, a fresh cluster.
struct Target {
  Target(Db db, const std::string& pluginsDir, const std::string& extra = "") : db(db) {
    if (db == Db::PostgreSQL) cluster = std::make_unique<FreshCluster>();
    // writeConfig points PostgreSQL at the shared cluster; the sections below come later and win.
    config = writeConfig(dir.path, db, kPlugins,
                         "[plugins]\ndir = " + pluginsDir + "\n" + (cluster ? pgSection(cluster->urls) : std::string()) +
                             extra);
  }
  int restore(const std::string& args, std::string& out) const { return lexosctl(config, "restore " + args, out); }
  bool empty() const {
    std::error_code ec;
    const bool files = !fs::exists(dir.path + "/state/lexos.db", ec) && fs::is_empty(dir.path + "/state", ec);
    return cluster ? files && cluster->relations() == 0 : !fs::exists(dir.path + "/state/lexos.db", ec);
  }
  Db db;
  TempDir dir;
  std::unique_ptr<FreshCluster> cluster;
  std::string config;
};

std::string fileHashOrNone(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec) ? sha256Hex(readFile(path)) : "none";
}

}  // namespace

TEST_CASE("a backup taken under write load restores into a fresh state and database with every firm's data, audit chain head and document intact") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Source src(db);
  std::map<std::string, FirmData> before;
  for (const auto& f : kFirms) before[f] = readFirm(src.lexosd->port(), f);

  // 1. Under load: a writer creates clients, cases and documents while lexosctl backup runs.
  const std::string busy = src.dir.path + "/backup-busy";
  int writesDuring = 0;
  {
    Writer w(src);
    while (w.writes.load() < 3 && w.error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int atStart = w.writes.load();
    std::string out;
    const int rc = lexosctl(src.config, "backup --to " + busy, out);
    INFO(out);
    REQUIRE(rc == 0);
    writesDuring = w.writes.load() - atStart;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // and after it, so the source moves on
    w.finish();
    REQUIRE(w.error.empty());
    CHECK(out.find("keys: 1 master key files") != std::string::npos);
  }
  CHECK(writesDuring > 0);
  std::map<std::string, FirmData> after;
  for (const auto& f : kFirms) after[f] = readFirm(src.lexosd->port(), f);

  // The backup's layout: a manifest with hashes, the database copy, blobs, and keys apart.
  {
    auto m = parse(readFile(busy + "/manifest.json"));
    CHECK(m->getValue<std::string>("backend") == dbName(db));
    CHECK(m->getObject("migrations")->getValue<int>("core") >= 8);
    CHECK(m->getObject("migrations")->has("documents"));
    CHECK(fs::exists(busy + (db == Db::SQLite ? "/database/lexos.db" : "/database/lexos.pgdump")));
    CHECK(fs::exists(busy + "/keys/master.key"));
    auto files = m->getArray("files");
    bool keysListed = false;
    for (std::size_t i = 0; i < files->size(); ++i)
      keysListed |= files->getObject(static_cast<unsigned>(i))->getValue<std::string>("path").rfind("keys", 0) == 0;
    CHECK_FALSE(keysListed);  // the data's manifest does not carry the keys
    std::string out;
    CHECK(lexosctl(src.config, "backup --verify " + busy, out) == 0);
    CHECK(out.find("all match the manifest") != std::string::npos);
  }

  Target t(db, src.dir.path + "/plugins");
  std::string out;
  {
    const int rc = t.restore("--from " + busy, out);
    INFO(out);
    REQUIRE(rc == 0);
  }
  // Every firm's chain verifies in the restored copy, and its head is a row of the source's chain.
  for (const auto& f : kFirms) {
    const std::string head = auditHead(t.config, f);
    REQUIRE_FALSE(head.empty());
    std::string verify;
    CHECK(lexosctl(src.config, "audit verify --firm " + f + " --head " + head, verify) == 0);
  }
  {
    // Every document the copy records has its blob, intact (nothing half in the backup).
    std::string fsck;
    CHECK(lexosctl(t.config, "vault fsck", fsck) == 0);
    INFO(fsck);
    CHECK(fsck.find(" 0 corrupt, 0 missing") != std::string::npos);
  }
  {
    LexosdProcess restored(t.config, t.dir.path + "/lexosd.log", {{"LEXOS_LOG_LEVEL", "information"}});
    for (const auto& f : kFirms) {
      INFO("firm " << f);
      const FirmData r = readFirm(restored.port(), f);
      // What existed before the backup is there, answered exactly as the source answered it.
      for (const auto& [id, json] : before[f].clients) CHECK(r.clients.count(id) == 1);
      for (const auto& [id, json] : before[f].cases) CHECK(r.cases.count(id) == 1);
      for (const auto& [id, json] : before[f].documents) {
        CHECK(r.documents.count(id) == 1);
        CHECK((r.documents.count(id) == 1 && r.documents.at(id) == json));
        CHECK((r.content_sha256.count(id) == 1 && r.content_sha256.at(id) == before[f].content_sha256.at(id)));
      }
      // Whatever the writer got in is a consistent part of the source: nothing the source does not hold.
      for (const auto& [id, json] : r.clients) CHECK(after[f].clients.count(id) == 1);
      for (const auto& [id, json] : r.cases) CHECK(after[f].cases.count(id) == 1);
      for (const auto& [id, json] : r.documents) {
        REQUIRE(after[f].documents.count(id) == 1);
        CHECK(after[f].documents.at(id) == json);
        // Every document recorded in the copy downloads, with the bytes the source has.
        CHECK(r.content_sha256.at(id) == jsonField(json, "sha256"));
        CHECK(r.content_sha256.at(id) == after[f].content_sha256.at(id));
      }
      CHECK(r.documents.size() >= before[f].documents.size());
      CHECK(r.documents.size() <= after[f].documents.size());
    }
  }

  // 2. Quiet: with nothing written meanwhile, the restored installation answers exactly as the
  // source does, every firm's audit chain ends at the same head.
  // The reads above are audited too (downloads): on PostgreSQL their events are chained by the
  // sequencer a moment later. Wait until every head stands still.
  std::map<std::string, std::string> heads;
  for (int i = 0; i < 50; ++i) {
    std::map<std::string, std::string> again;
    for (const auto& f : kFirms) again[f] = auditHead(src.config, f);
    if (again == heads) break;
    heads = again;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const std::string quiet = src.dir.path + "/backup-quiet";
  src.run("backup --to " + quiet);
  for (const auto& f : kFirms) CHECK(auditHead(src.config, f) == heads[f]);  // nothing moved during it
  {
    std::string restoreOut;
    const int rc = t.restore("--from " + quiet + " --force", restoreOut);
    INFO(restoreOut);
    REQUIRE(rc == 0);
  }
  for (const auto& f : kFirms) CHECK(auditHead(t.config, f) == heads[f]);
  std::map<std::string, FirmData> now;
  for (const auto& f : kFirms) now[f] = readFirm(src.lexosd->port(), f);
  LexosdProcess restored(t.config, t.dir.path + "/lexosd2.log", {{"LEXOS_LOG_LEVEL", "information"}});
  for (const auto& f : kFirms) {
    INFO("firm " << f);
    const FirmData r = readFirm(restored.port(), f);
    CHECK(r.clients == now[f].clients);
    CHECK(r.cases == now[f].cases);
    CHECK(r.documents == now[f].documents);
    CHECK(r.content_sha256 == now[f].content_sha256);
    CHECK(r.documents.size() > before[f].documents.size());  // the writer's documents too
    for (const auto& [id, json] : r.documents) CHECK(r.content_sha256.at(id) == jsonField(json, "sha256"));
  }
}

TEST_CASE("SQLite: a view whose audit event still waits in the read journal is in the backup's ledger, chained once") {
  Source src(Db::SQLite);
  // lexosd stopped: nothing else chains the journal meanwhile.
  src.lexosd->signal(SIGTERM);
  REQUIRE(src.lexosd->wait(10000) == std::optional<int>(0));
  src.lexosd.reset();
  const std::string file = src.dir.path + "/state/lexos.db";
  auto raw = lexos::core::openConnection("sqlite:" + file, nullptr);
  const std::int64_t firm =
      lexos::sdk::asInt(raw->query("SELECT id FROM firms WHERE slug = 'alpha'", {}).rows.at(0).at(0));
  // A view answered a moment before the backup: its event is in the journal, not yet chained
  // (as lexosd appends it before the answer leaves; its sequencer chains it milliseconds later).
  journalPortalView(file, firm, "view-before-backup");
  auto count = [](lexos::core::Connection& c) {
    return lexos::sdk::asInt(
        c.query("SELECT count(*) FROM lexos_t_audit_log WHERE request_id = 'view-before-backup'", {}).rows.at(0).at(0));
  };
  REQUIRE(count(*raw) == 0);
  const std::string dir = src.dir.path + "/backup-journal";
  const std::string out = src.run("backup --to " + dir);
  INFO(out);
  CHECK_THAT(out, Catch::Contains("read journal: 1 audit events of answered views chained into the log first"));
  // In the copy, and in the source once (the journal's mark moved with it: never chained twice).
  auto copy = lexos::core::openConnection("sqlite:" + dir + "/database/lexos.db", nullptr);
  CHECK(count(*copy) == 1);
  CHECK(count(*raw) == 1);
  const std::string again = src.run("backup --to " + src.dir.path + "/backup-again");
  CHECK_THAT(again, !Catch::Contains("read journal"));
  CHECK(count(*raw) == 1);
  std::string verify;
  CHECK(lexosctl(src.config, "audit verify --firm alpha", verify) == 0);
  INFO(verify);
  CHECK_THAT(verify, Catch::Contains("chain intact"));
}

TEST_CASE("restore refuses a target that is not empty and changes nothing, unless told to replace it") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Source src(db);
  const std::string b = src.dir.path + "/backup";
  src.run("backup --to " + b);
  src.lexosd.reset();

  // The source itself is the non-empty target: a restore there must leave it as it is.
  const std::string dbFile = src.dir.path + "/state/lexos.db";
  const std::string keyFile = src.dir.path + "/state/vault/master.key";
  const std::string dbBefore = fileHashOrNone(dbFile), keyBefore = fileHashOrNone(keyFile);
  const std::string headBefore = auditHead(src.config, "alpha");
  // A change after the backup, which a refused restore must keep.
  src.run("firm create --slug gamma --name Gamma");
  const std::string dbAfterChange = fileHashOrNone(dbFile);
  std::string out;
  CHECK(lexosctl(src.config, "restore --from " + b, out) == 1);
  CHECK(out.find("not empty") != std::string::npos);
  CHECK(out.find("--force") != std::string::npos);
  CHECK(fileHashOrNone(dbFile) == dbAfterChange);
  CHECK(fileHashOrNone(keyFile) == keyBefore);
  CHECK(src.run("firm list").find("gamma") != std::string::npos);
  CHECK(auditHead(src.config, "alpha") == headBefore);
  (void)dbBefore;

  // Told to: the state is replaced by the backup's (gamma was made after it), the old files set aside.
  out.clear();
  CHECK(lexosctl(src.config, "restore --from " + b + " --force", out) == 0);
  INFO(out);
  CHECK(src.run("firm list").find("gamma") == std::string::npos);
  CHECK(src.run("firm list").find("alpha") != std::string::npos);
  CHECK(auditHead(src.config, "alpha") == headBefore);
  if (db == Db::SQLite) {
    bool setAside = false;
    for (const auto& e : fs::directory_iterator(src.dir.path + "/state"))
      setAside |= e.path().filename().string().rfind("lexos.db.before-restore-", 0) == 0;
    CHECK(setAside);
  }
  std::string fsck;
  CHECK(lexosctl(src.config, "vault fsck", fsck) == 0);
}

TEST_CASE("a tampered backup file fails the manifest check naming the file, and nothing is restored") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  INFO(dbName(db));
  Source src(db);
  const std::string b = src.dir.path + "/backup";
  src.run("backup --to " + b);
  // Change one byte of one blob.
  std::string blob;
  for (const auto& e : fs::recursive_directory_iterator(b + "/vault"))
    if (e.is_regular_file()) {
      blob = e.path().string();
      break;
    }
  REQUIRE_FALSE(blob.empty());
  {
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(120);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 1);
    f.seekp(120);
    f.write(&c, 1);
  }
  const std::string rel = fs::relative(blob, b).string();
  std::string out;
  // A backup never writes into a folder that holds something.
  CHECK(lexosctl(src.config, "backup --to " + b, out) == 1);
  CHECK(out.find("is not empty") != std::string::npos);
  if (db == Db::PostgreSQL) {
    // A backup role bound by row-level security (here the owner) would dump no firm's rows:
    // refused, naming the key, and no manifest is written.
    const std::string ownerConfig = src.dir.path + "/owner-as-backup.ini";
    std::ofstream(ownerConfig) << readFile(src.config) << "\n[database]\nbackup_url = " << pgCluster().owner << "\n";
    out.clear();
    CHECK(lexosctl(ownerConfig, "backup --to " + src.dir.path + "/by-owner", out) == 1);
    CHECK(out.find("database.backup_url") != std::string::npos);
    CHECK(out.find("BYPASSRLS") != std::string::npos);
    CHECK_FALSE(fs::exists(src.dir.path + "/by-owner/manifest.json"));
  }
  out.clear();
  CHECK(lexosctl(src.config, "backup --verify " + b, out) == 3);
  CHECK(out.find(rel) != std::string::npos);

  Target t(db, src.dir.path + "/plugins");
  out.clear();
  CHECK(t.restore("--from " + b, out) == 1);
  CHECK(out.find(rel) != std::string::npos);
  CHECK(out.find("nothing was restored") != std::string::npos);
  CHECK(t.empty());

  // A manifest from a newer schema than this build is refused before anything is touched.
  {
    std::string text = readFile(b + "/manifest.json");
    const auto at = text.find("\"core\"");
    REQUIRE(at != std::string::npos);
    const auto colon = text.find(':', at), end = text.find_first_of(",\n}", colon);
    text.replace(colon + 1, end - colon - 1, " 9999");
    // Repair the blob first, so that only the schema is wrong.
    std::fstream f(blob, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(120);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 1);
    f.seekp(120);
    f.write(&c, 1);
    f.close();
    std::ofstream(b + "/manifest.json", std::ios::trunc) << text;
  }
  out.clear();
  CHECK(t.restore("--from " + b, out) == 1);
  CHECK(out.find("newer") != std::string::npos);
  CHECK(out.find("9999") != std::string::npos);
  CHECK(t.empty());

  // A blob the database records but the store lost: the backup still finishes, names it, exits 3.
  std::string lost;
  for (const auto& e : fs::recursive_directory_iterator(src.dir.path + "/state/vault/blobs"))
    if (e.is_regular_file()) {
      lost = e.path().filename().string();
      fs::remove(e.path());
      break;
    }
  REQUIRE_FALSE(lost.empty());
  out.clear();
  CHECK(lexosctl(src.config, "backup --to " + src.dir.path + "/backup-lost", out) == 3);
  CHECK(out.find("MISSING") != std::string::npos);
  CHECK(out.find(lost) != std::string::npos);
  CHECK(fs::exists(src.dir.path + "/backup-lost/manifest.json"));
}

TEST_CASE("a backup whose keys are kept apart restores without them into documents that cannot be opened, and with them into documents that can") {
  // SQLite and PostgreSQL with the local store; PostgreSQL with the database store (the blobs
  // travel inside the dump).
  const int setup = GENERATE(0, 1, 2);
  const Db db = setup == 0 ? Db::SQLite : Db::PostgreSQL;
  const std::string store = setup == 2 ? "[vault]\nstore = database\n" : "";
  INFO(dbName(db) << (setup == 2 ? " (database store)" : ""));
  Source src(db, store);
  const std::string b = src.dir.path + "/backup", keys = src.dir.path + "/keys-apart";
  const std::string out0 = src.run("backup --to " + b + " --keys-to " + keys);
  CHECK_FALSE(fs::exists(b + "/keys"));
  CHECK(fs::exists(keys + "/master.key"));
  const bool private0600 =
      (fs::status(keys + "/master.key").permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none;
  CHECK(private0600);
  // Nothing in the data backup holds the master key's hex.
  const std::string key = readFile(src.dir.path + "/state/vault/master.key").substr(0, 64);
  for (const auto& e : fs::recursive_directory_iterator(b))
    if (e.is_regular_file()) CHECK(readFile(e.path().string()).find(key) == std::string::npos);

  if (setup == 2) CHECK_FALSE(fs::exists(b + "/vault"));  // no blob files: they are rows of the dump
  Target t(db, src.dir.path + "/plugins", store);
  std::string out;
  CHECK(t.restore("--from " + b, out) == 0);
  CHECK(out.find("WITHOUT the master key") != std::string::npos);
  // The documents stay sealed: lexosd and fsck refuse, naming the missing key file.
  std::string fsck;
  CHECK(lexosctl(t.config, "vault fsck", fsck) == 1);
  CHECK(fsck.find("master_key_file") != std::string::npos);
  CHECK(fsck.find("does not exist") != std::string::npos);

  // With the keys (a second restore over the first), every document opens.
  out.clear();
  CHECK(t.restore("--from " + b + " --keys-from " + keys + " --force", out) == 0);
  INFO(out);
  fsck.clear();
  CHECK(lexosctl(t.config, "vault fsck", fsck) == 0);
  LexosdProcess restored(t.config, t.dir.path + "/lexosd.log", {{"LEXOS_LOG_LEVEL", "information"}});
  const FirmData r = readFirm(restored.port(), "alpha");
  CHECK(r.documents.size() == 6);
  for (const auto& [id, json] : r.documents) CHECK(r.content_sha256.at(id) == jsonField(json, "sha256"));
}
