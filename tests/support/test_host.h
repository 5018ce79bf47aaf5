#pragma once
// lexosd in-process for tests: a temp state dir, a config file, the Host on an ephemeral port.
#include <functional>
#include <map>
#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "app/host.h"
#include "http_client.h"

namespace lexos::test {

enum class Db { SQLite, PostgreSQL };

inline const char* dbName(Db d) { return d == Db::SQLite ? "sqlite" : "postgresql"; }

/// A fresh temp folder, removed at destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

/// A plugins folder inside `dir` holding the probe test plugin and every bundled plugin of the
/// build (BUILD/plugins/*.so); returns its path. Use it with TestHost's `extra`:
/// `TestHost t(db, "probe,clients", "[plugins]\ndir = " + bundledPluginsDir(tmp) + "\n");`
std::string bundledPluginsDir(TempDir& dir);

/// Writes a config file; `extra` lines are appended (e.g. "[plugin.probe]\ngreeting = hi").
std::string writeConfig(const std::string& dir, Db db, const std::string& plugins, const std::string& extra = "");

/// Polls `ok` every 50 ms until it is true or `seconds` have passed; returns its last answer.
bool waitFor(const std::function<bool()>& ok, int seconds);

/// Appends a portal client's view (action portal.cases.view, request id `requestId`) of firm
/// `firm` to the read journal of the SQLite database `file`, as lexosd does before a view's
/// answer leaves (identity/audit_journal.h): an event recorded but not chained yet. Throws
/// when the journal cannot be opened.
void journalPortalView(const std::string& file, std::int64_t firm, const std::string& requestId);

class TestHost {
 public:
  /// Starts lexosd in-process with the test plugins directory and `plugins` enabled.
  /// `env` overrides the file like LEXOS_* environment variables (e.g. LEXOS_DATABASE_URL).
  explicit TestHost(Db db, const std::string& plugins = "probe", const std::string& extra = "",
                    const std::map<std::string, std::string>& env = {});
  ~TestHost();
  int port() const { return host->port(); }
  HttpClient client() const { return HttpClient(port()); }
  /// A client signed in as an existing user (password kPassword); fails the test otherwise.
  HttpClient signedIn(const std::string& firmSlug, const std::string& email) const;
  /// Creates a firm and returns its id.
  std::int64_t firm(const std::string& slug);
  /// Creates an active staff user with password kPassword.
  std::int64_t staff(const std::string& firmSlug, const std::string& email, const std::string& role);
  /// Creates an active portal user for `clientId` with password kPassword.
  std::int64_t portalUser(const std::string& firmSlug, std::int64_t clientId, const std::string& email);

  static constexpr const char* kPassword = "correct horse battery staple";
  TempDir dir;
  std::unique_ptr<core::Host> host;
};

}  // namespace lexos::test
