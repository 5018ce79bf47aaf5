// Crash safety of the vault's writes (docs/vault.md, "Durable writes"): a child process is killed
// with SIGKILL after the temporary write, after the rename, or before its transaction commits.
// Afterwards nothing partial is visible (no record, nothing under a blob's name that does not
// decrypt), and fsck lists the orphan and repairs it.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include "identity/accounts.h"
#include "pg_cluster.h"
#include "test_host.h"
#include "vault/blob_store.h"
#include "vault/firm_vault.h"
#include "vault/vault_admin.h"

using namespace lexos;
using namespace lexos::test;

namespace {

const char* gKillAt = nullptr;

void killHere(const char* step) {
  if (gKillAt && std::strcmp(step, gKillAt) == 0) ::raise(SIGKILL);
}

std::string pdf(std::size_t n) {
  std::string s = "%PDF-1.7\n";
  while (s.size() < n) s += "0123456789abcdef";
  s.resize(n);
  return s;
}

std::unique_ptr<core::Host> openHost(const std::string& configFile) {
  auto h = std::make_unique<core::Host>(core::Config::load(configFile, {}));
  h->prepareDatabase();
  return h;
}

void putOne(core::Host& h, std::int64_t firm, const std::string& bytes, bool commit) {
  sdk::Principal p;
  p.kind = sdk::PrincipalKind::Staff;
  p.firm_id = firm;
  auto lease = h.pool().acquire();
  lease->begin(true);
  lease->setScope({firm, 0});
  core::vault::FirmVault v(h.vault(), *lease, p);
  std::istringstream in(bytes);
  v.put(in, {});
  if (!commit) ::raise(SIGKILL);  // "before commit": the bytes are durable, the record is not
  lease->commit();
}

}  // namespace

TEST_CASE("a writer killed after the temp write, after the rename or before commit leaves no partial blob") {
  const Db db = GENERATE(Db::SQLite, Db::PostgreSQL);
  const std::string store = db == Db::SQLite ? "local" : GENERATE(std::string("local"), std::string("database"));
  const std::string step = GENERATE(std::string("after-temp-write"), std::string("after-rename"), std::string("before-commit"));
  INFO(dbName(db) << " database, " << store << " store, killed " << step);
  if (db == Db::PostgreSQL)
    core::openConnection(pgCluster().owner, nullptr)
        ->executeScript("DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO lexos_app");
  TempDir dir;
  const std::string config = writeConfig(dir.path, db, "probe", "[vault]\nstore = " + store + "\n");
  std::int64_t firm = 0;
  {
    auto h = openHost(config);
    firm = core::Accounts(*h).createFirm("alpha", "Alpha");
    putOne(*h, firm, pdf(1000), true);
  }
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      auto h = openHost(config);
      gKillAt = step.c_str();
      core::vault::setCrashPoint(&killHere);
      putOne(*h, firm, pdf(300000), step != "before-commit");
    } catch (...) {
      ::_exit(98);
    }
    ::_exit(97);  // not killed: the crash point was never reached
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  auto h = openHost(config);
  {
    auto lease = h->pool().acquire();
    CHECK(sdk::asInt(lease->readScoped({firm, 0}, "SELECT count(*) FROM vault_blobs", {}).rows[0][0]) == 1);
  }
  std::ostringstream out;
  core::vault::FsckOptions o;
  o.grace_hours = 0;
  auto r = core::vault::fsck(h->vault(), o, out);
  CHECK(r.corrupt.empty());
  CHECK(r.missing.empty());
  CHECK(r.intact == 1);
  // A database store's uncommitted chunks vanish with their transaction: no orphan at all.
  const std::size_t expected = (store == "database" && step == "after-temp-write") ? 0 : 1;
  CHECK(r.orphans.size() == expected);
  if (expected == 1 && store == "local") CHECK(r.orphans[0].partial == (step == "after-temp-write"));
  o.repair = true;
  r = core::vault::fsck(h->vault(), o, out);
  CHECK(r.removed == static_cast<std::int64_t>(expected));
  CHECK(r.clean());
  CHECK(h->vault().store().list().size() == 1);
}
