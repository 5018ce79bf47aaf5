// The vault (core/src/vault, docs/vault.md) through the host: put/open/remove on both stores and
// both databases, firm isolation, types, limits, master key rotation, fsck and lexosctl.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "test_host.h"
#include "vault/firm_vault.h"
#include "vault/local_blob_store.h"
#include "vault/master_keys.h"
#include "vault/vault_admin.h"

using namespace lexos;
using namespace lexos::test;
namespace fs = std::filesystem;

namespace {

struct Setup {
  Db db;
  const char* store;
};

std::string storeConfig(const Setup& s, const std::string& more = "") {
  return std::string("[vault]\nstore = ") + s.store + "\n" + more;
}

// A PDF-typed body: libmagic reads "%PDF-"; the rest is random, with a marker to look for on disk.
std::string pdfBytes(std::size_t n, unsigned seed = 1) {
  std::string s = "%PDF-1.7\n% PLAINTEXT-MARKER-0123456789\n";
  std::mt19937 rng(seed);
  while (s.size() < n) s.push_back(static_cast<char>(rng()));
  s.resize(n);
  return s;
}

// One request-like transaction bound to a firm (and a portal client), with the vault on it.
struct Tx {
  Tx(TestHost& t, std::int64_t firm, std::int64_t client = 0)
      : lease(t.host->pool().acquire()) {
    principal.kind = client ? sdk::PrincipalKind::Portal : sdk::PrincipalKind::Staff;
    principal.firm_id = firm;
    principal.client_id = client;
    lease->begin(true);
    lease->setScope({firm, client});
    vault = std::make_unique<core::vault::FirmVault>(t.host->vault(), *lease, principal);
  }
  ~Tx() {
    if (lease->inTransaction()) lease->rollback();
  }
  sdk::BlobInfo put(const std::string& bytes, const sdk::PutOptions& o = {}) {
    std::istringstream in(bytes);
    return vault->put(in, o);
  }
  std::string readAll(const std::string& id) {
    auto r = vault->open(id);
    std::string out(r->size(), '\0');
    std::size_t at = 0;
    while (at < out.size()) {
      const auto n = r->read(at, out.data() + at, std::min<std::size_t>(out.size() - at, 100000));
      REQUIRE(n > 0);
      at += n;
    }
    return out;
  }
  void commit() { lease->commit(); }
  core::ConnectionPool::Lease lease;
  sdk::Principal principal;
  std::unique_ptr<core::vault::FirmVault> vault;
};

sdk::BlobInfo storeOne(TestHost& t, std::int64_t firm, const std::string& bytes) {
  Tx tx(t, firm);
  auto info = tx.put(bytes);
  tx.commit();
  return info;
}

core::vault::FsckReport runFsck(TestHost& t, bool repair = false, int graceHours = 24) {
  std::ostringstream out;
  core::vault::FsckOptions o;
  o.repair = repair;
  o.grace_hours = graceHours;
  return core::vault::fsck(t.host->vault(), o, out);
}

std::string runCtl(TestHost& t, const std::string& args, int& status) {
  const std::string cmd = std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config " + t.dir.path + "/lexos.ini " + args + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  const int rc = pclose(p);
  status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

std::string localPath(TestHost& t, std::int64_t firm, const std::string& id) {
  return (fs::path(t.host->config().vault.dir) / std::to_string(firm) / id.substr(0, 2) / id).string();
}

Setup anySetup() {
  return GENERATE(Setup{Db::SQLite, "local"}, Setup{Db::PostgreSQL, "local"}, Setup{Db::PostgreSQL, "database"});
}

std::string fileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("a document put in the vault reads back byte for byte, in ranges, on every store and database") {
  const Setup s = anySetup();
  INFO(dbName(s.db) << " database, " << s.store << " store");
  TestHost t(s.db, "probe", storeConfig(s));
  const auto firm = t.firm("alpha");
  const std::string bytes = pdfBytes(3 * 65536 + 1234);
  const auto info = storeOne(t, firm, bytes);
  CHECK(info.id.size() == 32);
  CHECK(info.size == bytes.size());
  CHECK(info.content_type == "application/pdf");
  {
    Tx tx(t, firm);
    CHECK(tx.readAll(info.id) == bytes);
    const auto again = tx.vault->info(info.id);
    CHECK(again.sha256 == info.sha256);
    CHECK(again.size == bytes.size());
    auto r = tx.vault->open(info.id);
    std::string mid(70000, '\0');
    CHECK(r->read(65530, mid.data(), mid.size()) == mid.size());
    CHECK(mid == bytes.substr(65530, 70000));
    std::string tail(100, '\0');
    CHECK(r->read(bytes.size() - 40, tail.data(), 100) == 40);
    CHECK(tail.substr(0, 40) == bytes.substr(bytes.size() - 40));
  }
  if (std::string(s.store) == "local") {
    const std::string onDisk = fileText(localPath(t, firm, info.id));
    CHECK(onDisk.size() == bytes.size() + 96 + 4 * 16);
    CHECK(onDisk.find("PLAINTEXT-MARKER") == std::string::npos);  // encrypted at rest
    struct stat st {};
    REQUIRE(::stat(localPath(t, firm, info.id).c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
  }
  // An empty file and an exact multiple of the segment size.
  const auto empty = storeOne(t, firm, "");
  const auto exact = storeOne(t, firm, pdfBytes(2 * 65536, 5));
  Tx tx(t, firm);
  CHECK(tx.readAll(empty.id).empty());
  CHECK(empty.sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(tx.readAll(exact.id) == pdfBytes(2 * 65536, 5));
  CHECK(runFsck(t).clean());
}

TEST_CASE("another firm's blob is not found by info, open or remove") {
  const Setup s = anySetup();
  INFO(dbName(s.db) << " database, " << s.store << " store");
  TestHost t(s.db, "probe", storeConfig(s));
  const auto alpha = t.firm("alpha"), beta = t.firm("beta");
  const auto info = storeOne(t, alpha, pdfBytes(1000));
  Tx other(t, beta);
  CHECK_THROWS_AS(other.vault->info(info.id), sdk::NotFound);
  CHECK_THROWS_AS(other.vault->open(info.id), sdk::NotFound);
  CHECK_FALSE(other.vault->remove(info.id));
  CHECK_THROWS_AS(other.vault->open("../../etc/passwd"), sdk::NotFound);
  other.commit();
  Tx own(t, alpha);
  CHECK(own.readAll(info.id) == pdfBytes(1000));
}

TEST_CASE("a portal request reads its firm's blob through the vault while the vault tables stay firm-only") {
  const Setup s = anySetup();
  TestHost t(s.db, "probe", storeConfig(s));
  const auto alpha = t.firm("alpha");
  const auto info = storeOne(t, alpha, pdfBytes(5000));
  Tx portal(t, alpha, 424242);
  CHECK(portal.readAll(info.id) == pdfBytes(5000));
  // Back in the portal scope, the tables themselves show nothing.
  CHECK(sdk::asInt(portal.lease->query("SELECT count(*) FROM vault_blobs", {}).rows[0][0]) == 0);
}

TEST_CASE("bytes of a type outside the allow-list are refused with the detected type and nothing is stored") {
  TestHost t(Db::SQLite, "probe");
  const auto firm = t.firm("alpha");
  std::string elf("\x7f" "ELF\x02\x01\x01", 7);
  elf.resize(4096, '\0');
  elf[16] = 2;  // ET_EXEC
  Tx tx(t, firm);
  try {
    tx.put(elf);
    FAIL("an executable was stored");
  } catch (const sdk::UnsupportedType& e) {
    CHECK(e.status() == 415);
    CHECK_THAT(std::string(e.what()), Catch::Contains(e.detected()));
    CHECK_THAT(e.detected(), Catch::StartsWith("application/"));
  }
  CHECK(t.host->vault().store().list().empty());
  // A plugin can narrow the list further: text is allowed by the installation, not by this upload.
  sdk::PutOptions onlyPdf;
  onlyPdf.allowed_types = {"application/pdf"};
  CHECK_THROWS_AS(tx.put("Dear Mr Anderson,\nplease find attached.\n", onlyPdf), sdk::UnsupportedType);
  CHECK(tx.put("Dear Mr Anderson,\nplease find attached.\n").content_type == "text/plain");
}

TEST_CASE("the file size limit answers 413 and the firm quota 507, leaving nothing behind") {
  const Setup s = anySetup();
  TestHost t(s.db, "probe", storeConfig(s, "max_file_bytes = 200000\nfirm_quota_bytes = 300000\n"));
  const auto firm = t.firm("alpha");
  {
    Tx tx(t, firm);
    try {
      tx.put(pdfBytes(200001));
      FAIL("over the limit was stored");
    } catch (const sdk::HttpError& e) {
      CHECK(e.status() == 413);
      CHECK_THAT(std::string(e.what()), Catch::Contains("200000 bytes"));
    }
    sdk::PutOptions small;
    small.max_bytes = 1000;
    CHECK_THROWS_AS(tx.put(pdfBytes(1001), small), sdk::PayloadTooLarge);
  }
  storeOne(t, firm, pdfBytes(200000));
  Tx tx(t, firm);
  try {
    tx.put(pdfBytes(100001));
    FAIL("over the quota was stored");
  } catch (const sdk::HttpError& e) {
    CHECK(e.status() == 507);
    CHECK_THAT(std::string(e.what()), Catch::Contains("full"));
  }
  CHECK(tx.put(pdfBytes(100000)).size == 100000);
  tx.commit();
  const auto r = runFsck(t);
  CHECK(r.clean());
  CHECK(r.young_orphans == 0);  // the refused uploads left no bytes
}

TEST_CASE("removed and rolled-back blobs become orphans that fsck --repair removes after the grace period") {
  const Setup s = anySetup();
  TestHost t(s.db, "probe", storeConfig(s));
  const auto firm = t.firm("alpha");
  const auto kept = storeOne(t, firm, pdfBytes(3000, 1));
  const auto removed = storeOne(t, firm, pdfBytes(3000, 2));
  {
    Tx tx(t, firm);
    CHECK(tx.vault->remove(removed.id));
    tx.commit();
  }
  {
    Tx tx(t, firm);
    tx.put(pdfBytes(3000, 3));  // rolled back: its bytes are durable, its record is not
  }
  auto r = runFsck(t, true, 24);
  CHECK(r.young_orphans == 2);  // within the grace period: an upload may still be committing
  CHECK(r.removed == 0);
  CHECK(r.clean());
  r = runFsck(t, false, 0);
  CHECK(r.orphans.size() == 2);
  CHECK_FALSE(r.clean());
  r = runFsck(t, true, 0);
  CHECK(r.removed == 2);
  CHECK(r.clean());
  CHECK(runFsck(t, false, 0).orphans.empty());
  Tx tx(t, firm);
  CHECK(tx.readAll(kept.id) == pdfBytes(3000, 1));
}

TEST_CASE("fsck finds a corrupted and a missing blob, and lexosctl exits 3 naming them") {
  TestHost t(Db::SQLite, "probe");
  const auto firm = t.firm("alpha");
  const auto good = storeOne(t, firm, pdfBytes(100000, 1));
  const auto flipped = storeOne(t, firm, pdfBytes(100000, 2));
  const auto gone = storeOne(t, firm, pdfBytes(100000, 3));
  int status = -1;
  auto out = runCtl(t, "vault fsck", status);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("3 blobs checked, 3 intact, 0 corrupt, 0 missing"));
  {
    std::fstream f(localPath(t, firm, flipped.id), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(96 + 65536 + 16 + 10);
    f.put('\x55');
  }
  fs::remove(localPath(t, firm, gone.id));
  out = runCtl(t, "vault fsck", status);
  CHECK(status == 3);
  CHECK_THAT(out, Catch::Contains("CORRUPT  firm alpha") && Catch::Contains(flipped.id) &&
                      Catch::Contains("segment 1 fails its integrity check"));
  CHECK_THAT(out, Catch::Contains("MISSING  firm alpha") && Catch::Contains(gone.id));
  CHECK_THAT(out, Catch::Contains("3 blobs checked, 1 intact, 1 corrupt, 1 missing"));
  {
    Tx tx(t, firm);
    CHECK(tx.readAll(good.id) == pdfBytes(100000, 1));
    CHECK_THROWS_AS(tx.readAll(flipped.id), sdk::VaultCorrupt);
  }
  out = runCtl(t, "vault fsck --grace-hours soon", status);
  CHECK(status == 1);
  CHECK_THAT(out, Catch::Contains("--grace-hours"));
}

TEST_CASE("after rotate-master-key every blob still reads, with the old key kept aside") {
  const Setup s = anySetup();
  TestHost t(s.db, "probe", storeConfig(s));
  const auto alpha = t.firm("alpha"), beta = t.firm("beta");
  const auto a = storeOne(t, alpha, pdfBytes(70000, 1));
  const auto b = storeOne(t, beta, pdfBytes(70000, 2));
  const std::string keyFile = t.host->config().vault.master_key_file;
  const std::string before = fileText(keyFile);
  int status = -1;
  const auto out = runCtl(t, "vault rotate-master-key", status);
  CHECK(status == 0);
  CHECK_THAT(out, Catch::Contains("rewrapped 2 firm keys of 2 firms"));
  const std::string after = fileText(keyFile);
  CHECK(after != before);
  int oldFiles = 0;
  for (const auto& e : fs::directory_iterator(fs::path(keyFile).parent_path()))
    if (e.path().filename().string().rfind("master.key.old-", 0) == 0) {
      ++oldFiles;
      CHECK(fileText(e.path().string()) == before);
    }
  CHECK(oldFiles == 1);
  CHECK_FALSE(fs::exists(keyFile + ".new"));
  // The running host (which read the old key at start) reads the rewrapped keys without a
  // restart, and seals a new firm's key with the new master key.
  {
    Tx tx(t, alpha);
    CHECK(tx.readAll(a.id) == pdfBytes(70000, 1));
  }
  const auto gamma = t.firm("gamma");
  const auto c = storeOne(t, gamma, pdfBytes(1000, 3));
  {
    auto lease = t.host->pool().acquire();
    const auto rows = lease->readScoped({gamma, 0}, "SELECT master_key_id FROM vault_keys", {});
    REQUIRE(rows.size() == 1);
    CHECK(sdk::asText(rows.rows[0][0]) == core::vault::masterKeyId(core::vault::keyFromBytes(core::vault::fromHex(after.substr(0, 64)))));
  }
  // A fresh host reads with the new key alone: the old one is not needed once deleted.
  for (const auto& e : fs::directory_iterator(fs::path(keyFile).parent_path()))
    if (e.path().filename().string().rfind("master.key.old-", 0) == 0) fs::remove(e.path());
  t.host->stopServer();
  t.host.reset();
  t.host = std::make_unique<core::Host>(core::Config::load(t.dir.path + "/lexos.ini", {}));
  t.host->prepareDatabase();
  {
    Tx tx(t, alpha);
    CHECK(tx.readAll(a.id) == pdfBytes(70000, 1));
  }
  {
    Tx tx(t, gamma);
    CHECK(tx.readAll(c.id) == pdfBytes(1000, 3));
  }
  Tx tx(t, beta);
  CHECK(tx.readAll(b.id) == pdfBytes(70000, 2));
}

TEST_CASE("the master key file is created 0600 and refused when others may read it or when it is lost") {
  TestHost t(Db::SQLite, "probe");
  const auto firm = t.firm("alpha");
  storeOne(t, firm, pdfBytes(100));
  const std::string keyFile = t.host->config().vault.master_key_file;
  struct stat st {};
  REQUIRE(::stat(keyFile.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  t.host->stopServer();
  t.host.reset();
  const auto cfg = core::Config::load(t.dir.path + "/lexos.ini", {});
  ::chmod(keyFile.c_str(), 0644);
  {
    core::Host h(cfg);
    try {
      h.prepareDatabase();
      FAIL("a group-readable master key was used");
    } catch (const std::exception& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("chmod 600 " + keyFile) && Catch::Contains("0644"));
    }
  }
  ::chmod(keyFile.c_str(), 0600);
  fs::rename(keyFile, keyFile + ".moved-away");
  core::Host h(cfg);
  try {
    h.prepareDatabase();
    FAIL("a lost master key was replaced by a new one");
  } catch (const std::exception& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("does not exist, but 1 firm keys") && Catch::Contains("backup"));
  }
  CHECK_FALSE(fs::exists(keyFile));
}

TEST_CASE("vault configuration mistakes name the key") {
  TempDir d;
  auto load = [&](const std::string& extra) { return core::Config::load(writeConfig(d.path, Db::SQLite, "probe", extra), {}); };
  CHECK_THROWS_WITH(load("[vault]\nstore = s3\n"), Catch::Contains("vault.store") && Catch::Contains("local or database"));
  CHECK_THROWS_WITH(load("[vault]\nstore = database\n"), Catch::Contains("vault.store") && Catch::Contains("SQLite"));
  CHECK_THROWS_WITH(load("[vault]\nmax_file_bytes = 2G\n"), Catch::Contains("vault.max_file_bytes"));
  CHECK_THROWS_WITH(load("[vault]\nallowed_types = pdf\n"), Catch::Contains("vault.allowed_types") && Catch::Contains("'pdf'"));
  const auto c = load("[vault]\nallowed_types = application/pdf, image/*\nfirm_quota_bytes = 1000000\n");
  CHECK(c.vault.allowed_types == std::vector<std::string>{"application/pdf", "image/*"});
  CHECK(c.vault.firm_quota_bytes == 1000000);
  CHECK(c.vault.master_key_file == d.path + "/state/vault/master.key");
  CHECK(c.vault.dir == d.path + "/state/vault/blobs");
}

TEST_CASE("a full disk answers 507, leaves no partial blob and the vault keeps serving") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  TempDir mnt;
  // A 512 KiB tmpfs as the local store's folder: needs root (CAP_SYS_ADMIN), as the test harness runs.
  const std::string mount = "mount -t tmpfs -o size=512k,mode=0700 tmpfs " + mnt.path + " 2>&1";
  if (std::system(mount.c_str()) != 0) {
    WARN("cannot mount a tmpfs here (not root?): disk-full case not exercised");
    return;
  }
  struct Unmount {
    std::string path;
    ~Unmount() { std::system(("umount " + path).c_str()); }
  } unmount{mnt.path};
  {
    TestHost t(db, "probe", "[vault]\ndir = " + mnt.path + "\n");
    const auto firm = t.firm("alpha");
    {
      Tx tx(t, firm);
      try {
        tx.put(pdfBytes(2 << 20));
        FAIL("a blob larger than the disk was stored");
      } catch (const sdk::HttpError& e) {
        CHECK(e.status() == 507);
        CHECK_THAT(std::string(e.what()), Catch::Contains("full"));
      }
    }
    CHECK(t.host->vault().store().list().empty());  // the temporary file is gone
    const auto small = storeOne(t, firm, pdfBytes(10000));
    Tx tx(t, firm);
    CHECK(tx.readAll(small.id) == pdfBytes(10000));
  }
}
