#include "test_host.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <sys/stat.h>

#include "identity/accounts.h"
#include "identity/audit_journal.h"
#include "pg_cluster.h"

namespace lexos::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  char tmpl[] = "/tmp/lexos-test-XXXXXX";
  path = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path, ec);
}

bool waitFor(const std::function<bool()>& ok, int seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ok();
}

void journalPortalView(const std::string& file, std::int64_t firm, const std::string& requestId) {
  auto& journal = lexos::core::AuditJournal::forDatabase(file);
  if (!journal.ready()) throw std::runtime_error("the read journal of " + file + " cannot be opened");
  lexos::sdk::Principal p;
  p.firm_id = firm;
  p.user_id = 4242;
  p.kind = lexos::sdk::PrincipalKind::Portal;
  p.email = "journal@firm.example";
  journal.append(p, "192.0.2.7", requestId, {{"portal.cases.view", "client", "1", ""}});
}

std::string bundledPluginsDir(TempDir& dir) {
  const fs::path into = fs::path(dir.path) / "plugins";
  fs::create_directories(into);
  ::chmod(into.c_str(), 0755);
  fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", into / "probe.so", fs::copy_options::overwrite_existing);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(LEXOS_BINARY_DIR) / "plugins", ec))
    if (e.path().extension() == ".so")
      fs::copy_file(e.path(), into / e.path().filename(), fs::copy_options::overwrite_existing);
  return into.string();
}

std::string writeConfig(const std::string& dir, Db db, const std::string& plugins, const std::string& extra) {
  const std::string file = dir + "/lexos.ini";
  std::ofstream out(file);
  out << "[server]\nlisten = 127.0.0.1:0\nthreads = 32\nshutdown_grace_seconds = 5\n"
      << "[state]\ndir = " << dir << "/state\n"
      << "[plugins]\ndir = " << LEXOS_TEST_PLUGIN_DIR << "\nenabled = " << plugins << "\n"
      << "[web]\ndir = " << LEXOS_SOURCE_DIR << "/web\nplugins_dir = " << LEXOS_TEST_PLUGIN_DIR << "/web\n"
      << "[database]\npool_size = 8\n";
  if (db == Db::PostgreSQL) {
    const auto& pg = pgCluster();
    out << "url = " << pg.runtime << "\nmigration_url = " << pg.owner << "\n";
  }
  out << "[log]\nlevel = warning\n" << extra << "\n";
  return file;
}

TestHost::TestHost(Db db, const std::string& plugins, const std::string& extra,
                   const std::map<std::string, std::string>& env) {
  if (db == Db::PostgreSQL) {
    // Every TestHost starts from an empty database (the cluster lives for the whole process).
    auto owner = core::openConnection(pgCluster().owner, nullptr);
    owner->executeScript("DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO lexos_app");
  }
  auto cfg = core::Config::load(writeConfig(dir.path, db, plugins, extra), env);
  host = std::make_unique<core::Host>(cfg);
  host->prepareDatabase();
  host->startServer();
}

TestHost::~TestHost() {
  if (host) host->stopServer();
}

HttpClient TestHost::signedIn(const std::string& firmSlug, const std::string& email) const {
  HttpClient c = client();
  const auto r = c.login(firmSlug, email, kPassword);
  if (r.status != 200)
    throw std::runtime_error("sign-in as " + email + " in " + firmSlug + " answered " + std::to_string(r.status));
  return c;
}

std::int64_t TestHost::firm(const std::string& slug) {
  return core::Accounts(*host).createFirm(slug, "Firm " + slug);
}

std::int64_t TestHost::staff(const std::string& firmSlug, const std::string& email, const std::string& role) {
  return core::Accounts(*host).createStaffUser(firmSlug, email, role, "", kPassword);
}

std::int64_t TestHost::portalUser(const std::string& firmSlug, std::int64_t clientId, const std::string& email) {
  return core::Accounts(*host).createPortalUser(firmSlug, clientId, email, kPassword);
}

}  // namespace lexos::test
