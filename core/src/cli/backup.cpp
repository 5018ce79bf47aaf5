#include "cli/backup.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "app/host.h"
#include "common/time.h"
#include "identity/audit_journal.h"
#include "vault/blob_store.h"
#include "vault/local_blob_store.h"
#include "vault/master_keys.h"

namespace lexos::core::backup {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "lexos-backup";
constexpr const char* kKeysFormat = "lexos-backup-keys";
constexpr int kFormatVersion = 1;
constexpr const char* kSqliteFile = "database/lexos.db";
constexpr const char* kPgFile = "database/lexos.pgdump";

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

std::string errnoText(int err) { return std::strerror(err); }

bool isSqlite(const Config& c) { return c.database_url.rfind("sqlite:", 0) == 0; }
std::string sqlitePath(const Config& c) { return c.database_url.substr(7); }

struct FileFact {
  std::uint64_t size = 0;
  std::string sha256;  ///< lowercase hex
};

std::string hex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

void fsyncPath(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) fail("cannot open " + path + ": " + errnoText(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) fail("fsync of " + path + " failed: " + errnoText(err));
}

// Reads `src` to its end, hashing it; with `dst`, writes the bytes there too (created with
// `mode`, never over an existing file) and fsyncs it.
FileFact hashAndCopy(const std::string& src, const std::string& dst = "", unsigned mode = 0600) {
  const int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("cannot read " + src + ": " + errnoText(errno));
  int out = -1;
  if (!dst.empty()) {
    out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (out < 0) {
      const int err = errno;
      ::close(in);
      fail("cannot create " + dst + ": " + errnoText(err));
    }
  }
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr);
  FileFact f;
  std::vector<char> buf(1 << 20);
  std::string problem;
  for (;;) {
    const ssize_t r = ::read(in, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      problem = "cannot read " + src + ": " + errnoText(errno);
      break;
    }
    if (r == 0) break;
    EVP_DigestUpdate(md.get(), buf.data(), static_cast<std::size_t>(r));
    f.size += static_cast<std::uint64_t>(r);
    for (ssize_t done = 0; out >= 0 && done < r;) {
      const ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(r - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        problem = "cannot write " + dst + ": " + errnoText(errno);
        break;
      }
      done += w;
    }
    if (!problem.empty()) break;
  }
  if (problem.empty() && out >= 0 && ::fsync(out) != 0) problem = "fsync of " + dst + " failed: " + errnoText(errno);
  ::close(in);
  if (out >= 0) ::close(out);
  if (!problem.empty()) {
    if (out >= 0) ::unlink(dst.c_str());
    fail(problem);
  }
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(md.get(), d, &n);
  f.sha256 = hex(d, n);
  return f;
}

// Creates `dir` and missing parents with `mode`.
void makeFolder(const fs::path& dir, unsigned mode = 0700) {
  if (fs::is_directory(dir)) return;
  if (!dir.parent_path().empty() && dir.parent_path() != dir) makeFolder(dir.parent_path(), mode);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) fail("cannot create folder " + dir.string() + ": " + errnoText(errno));
}

bool emptyOrMissing(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

std::string writeJson(const Poco::JSON::Object& o) {
  std::ostringstream ss;
  o.stringify(ss, 2);
  ss << "\n";
  return ss.str();
}

// Writes `text` to `path` through a temporary file, fsync and rename (the manifest appears whole
// or not at all).
void writeFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  vault::writeFileDurably(tmp, text, 0600);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename " + tmp + " to " + path + ": " + errnoText(errno));
  fsyncPath(fs::path(path).parent_path().string(), true);
}

Poco::JSON::Object::Ptr readJson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return Poco::JSON::Parser().parse(ss.str()).extract<Poco::JSON::Object::Ptr>();
  } catch (const std::exception& e) {
    fail(path + " is not a LexOS backup manifest (not JSON: " + e.what() + ")");
  }
}

// --- PostgreSQL helpers -----------------------------------------------------------------------

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && hexDigit(s[i + 1]) >= 0 && hexDigit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexDigit(s[i + 1]) * 16 + hexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A libpq URI without its password (which goes to the child through PGPASSWORD, never onto a
// command line that `ps` shows), and the password.
std::pair<std::string, std::string> splitPassword(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return {url, ""};
  const std::string cred = url.substr(scheme + 3, at - scheme - 3);
  const auto colon = cred.find(':');
  if (colon == std::string::npos) return {url, ""};
  return {url.substr(0, scheme + 3) + cred.substr(0, colon) + url.substr(at), percentDecode(cred.substr(colon + 1))};
}

std::string userOf(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return {};
  const std::string cred = url.substr(scheme + 3, at - scheme - 3);
  return percentDecode(cred.substr(0, cred.find(':')));
}

// Runs `argv` (found on PATH) with PGPASSWORD set; returns its exit code and what it printed.
int runTool(const std::vector<std::string>& argv, const std::string& password, std::string& output) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) != 0) fail("cannot run " + argv[0] + ": " + errnoText(errno));
  const pid_t pid = ::fork();
  if (pid < 0) fail("cannot run " + argv[0] + ": " + errnoText(errno));
  if (pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    if (!password.empty()) ::setenv("PGPASSWORD", password.c_str(), 1);
    ::setenv("PGTZ", "UTC", 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    const std::string msg = "cannot run " + argv[0] + ": " + errnoText(errno) + " (install Debian's postgresql-client)\n";
    [[maybe_unused]] auto w = ::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  char buf[4096];
  for (;;) {
    const ssize_t r = ::read(pipefd[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (output.size() < 65536) output.append(buf, static_cast<std::size_t>(r));
  }
  ::close(pipefd[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string firstLine(const std::string& s) {
  std::string t = s.substr(0, s.find('\n'));
  return t.empty() ? s : t;
}

int toolMajor(const std::string& tool) {
  std::string out;
  if (runTool({tool, "--version"}, "", out) != 0) fail(firstLine(out));
  // "pg_dump (PostgreSQL) 15.18 (Debian ...)"
  const auto p = out.find(") ");
  return p == std::string::npos ? 0 : std::atoi(out.c_str() + p + 2);
}

std::string backupUrl(const Config& c) {
  if (!c.backup_url.empty()) return c.backup_url;
  fail("database.backup_url is not set: a PostgreSQL backup or restore needs a role with BYPASSRLS that is a member "
       "of the owner role, so that it reads and writes every firm's rows (the owner and runtime roles are bound by "
       "row-level security); see docs/operations.md, \"Backup and restore\"");
}

// Checks the backup role's attributes, and that pg_dump/pg_restore are not older than the server.
void checkPgRole(Connection& c, const std::string& tool) {
  auto r = c.query("SELECT rolbypassrls OR rolsuper, current_user, current_setting('server_version_num')::int / 10000 "
                   "FROM pg_roles WHERE rolname = current_user",
                   {});
  if (!sdk::asBool(r.rows.at(0).at(0)))
    fail("database.backup_url: role '" + sdk::asText(r.rows[0][1]) +
         "' has no BYPASSRLS: pg_dump would see no firm's rows; create it as in docs/operations.md (\"Backup and "
         "restore\"): CREATE ROLE lexos_backup LOGIN BYPASSRLS ...; GRANT lexos_owner TO lexos_backup");
  const auto server = sdk::asInt(r.rows[0][2]);
  const int mine = toolMajor(tool);
  if (mine < server)
    fail(tool + " is PostgreSQL " + std::to_string(mine) + ", older than the server (" + std::to_string(server) +
         "): install the postgresql-client of the server's major version or newer");
}

// --- what a database copy holds ---------------------------------------------------------------

struct BlobRecord {
  std::int64_t firm_id = 0;
  std::string id;
  std::string store;
};

struct Snapshot {
  std::map<std::string, std::int64_t> migrations;  ///< plugin -> last version applied
  std::vector<BlobRecord> blobs;
  std::set<std::string> master_key_ids;  ///< of the firm keys
};

// SQLite: reads the copy's bookkeeping through its raw handle (stored tables, no views).
Snapshot readSqliteSnapshot(sqlite3* db) {
  Snapshot s;
  auto each = [&](const std::string& sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      fail(std::string("backup: reading the database copy: ") + sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) fail(std::string("backup: reading the database copy: ") + sqlite3_errmsg(db));
  };
  auto text = [](sqlite3_stmt* st, int i) {
    const auto* p = sqlite3_column_text(st, i);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  };
  auto stored = [&](const std::string& table) {
    bool wrapped = false;
    each("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lexos_t_" + table + "'",
         [&](sqlite3_stmt*) { wrapped = true; });
    return wrapped ? "lexos_t_" + table : table;
  };
  each("SELECT plugin, max(version) FROM lexos_migrations GROUP BY plugin",
       [&](sqlite3_stmt* st) { s.migrations[text(st, 0)] = sqlite3_column_int64(st, 1); });
  each("SELECT firm_id, id, store FROM " + stored("vault_blobs") + " ORDER BY firm_id, id", [&](sqlite3_stmt* st) {
    s.blobs.push_back({sqlite3_column_int64(st, 0), text(st, 1), text(st, 2)});
  });
  each("SELECT DISTINCT master_key_id FROM " + stored("vault_keys"),
       [&](sqlite3_stmt* st) { s.master_key_ids.insert(text(st, 0)); });
  return s;
}

Snapshot readPgSnapshot(Connection& c) {
  Snapshot s;
  for (const auto& r : c.query("SELECT plugin, max(version) FROM lexos_migrations GROUP BY plugin", {}).rows)
    s.migrations[sdk::asText(r[0])] = sdk::asInt(r[1]);
  for (const auto& r : c.query("SELECT firm_id, id, store FROM vault_blobs ORDER BY firm_id, id", {}).rows)
    s.blobs.push_back({sdk::asInt(r[0]), sdk::asText(r[1]), sdk::asText(r[2])});
  for (const auto& r : c.query("SELECT DISTINCT master_key_id FROM vault_keys", {}).rows)
    s.master_key_ids.insert(sdk::asText(r[0]));
  return s;
}

void sqliteCheck(int rc, sqlite3* db, const std::string& what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE) fail(what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

// Copies the SQLite database `src` to `dst` (a new file) with the online backup API in one step:
// one read transaction, so the copy is one consistent state; in WAL mode writers go on
// meanwhile. `inspect` runs on the copy before it is closed.
// `immutable`: `src` is a backup's copy, read as it is (no -wal or -shm files made beside it).
void sqliteCopy(const std::string& src, const std::string& dst, const std::function<void(sqlite3*)>& inspect = {},
                bool immutable = false) {
  sqlite3* from = nullptr;
  sqlite3* to = nullptr;
  struct Closer {
    sqlite3*& a;
    sqlite3*& b;
    ~Closer() {
      if (a) sqlite3_close_v2(a);
      if (b) sqlite3_close_v2(b);
    }
  } closer{from, to};
  if (immutable)
    sqliteCheck(sqlite3_open_v2(("file:" + src + "?immutable=1").c_str(), &from,
                                SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr),
                from, "cannot open the database " + src);
  else
    sqliteCheck(sqlite3_open_v2(src.c_str(), &from, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr), from,
                "cannot open the database " + src);
  sqlite3_busy_timeout(from, 30000);
  sqliteCheck(sqlite3_open_v2(dst.c_str(), &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr),
              to, "cannot create " + dst);
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (!b) fail("cannot copy " + src + ": " + sqlite3_errmsg(to));
  int rc;
  for (int tries = 0;; ++tries) {
    rc = sqlite3_backup_step(b, -1);
    if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && tries < 600) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  const int fin = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) fail("copy of " + src + " failed: " + sqlite3_errstr(rc));
  sqliteCheck(fin, to, "copy of " + src + " failed");
  if (inspect) inspect(to);
}

std::string utcCompact() {
  std::string t = utcTimestamp();  // 2026-12-01T19:00:00Z
  std::string out;
  for (char c : t)
    if (c != '-' && c != ':') out.push_back(c);
  return out.substr(0, 16);
}

// Relative paths from a manifest: no absolute path, no "..", nothing but plain names.
bool safeRelative(const std::string& p) {
  if (p.empty() || p[0] == '/') return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == "." || part.empty()) return false;
  return true;
}

struct ListedFile {
  std::string path;
  std::uint64_t size = 0;
  std::string sha256;
};

std::vector<ListedFile> listedFiles(const Poco::JSON::Object::Ptr& m, const std::string& where) {
  std::vector<ListedFile> out;
  auto arr = m->getArray("files");
  if (!arr) fail(where + ": no \"files\" list");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    auto o = arr->getObject(static_cast<unsigned>(i));
    if (!o) fail(where + ": files[" + std::to_string(i) + "] is not an object");
    ListedFile f{o->optValue<std::string>("path", ""), o->optValue<std::uint64_t>("size", 0),
                 o->optValue<std::string>("sha256", "")};
    if (!safeRelative(f.path)) fail(where + ": files[" + std::to_string(i) + "]: path '" + f.path + "' is not a plain relative path");
    out.push_back(f);
  }
  return out;
}

// Compares the files under `dir` with `listed`: each listed file present with its size and
// hash, nothing else present (apart from `ignore`d top-level names). One line per problem.
std::vector<std::string> checkFiles(const std::string& dir, const std::vector<ListedFile>& listed,
                                    const std::set<std::string>& ignore) {
  std::vector<std::string> problems;
  std::set<std::string> seen;
  for (const auto& f : listed) {
    seen.insert(f.path);
    const std::string p = (fs::path(dir) / f.path).string();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      problems.push_back(f.path + ": missing (listed in the manifest)");
      continue;
    }
    const FileFact got = hashAndCopy(p);
    if (got.size != f.size || got.sha256 != f.sha256)
      problems.push_back(f.path + ": SHA-256 or size differs from the manifest (the file was changed or damaged)");
  }
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir).string();
    const std::string top = rel.substr(0, rel.find('/'));
    if (ignore.count(top)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && !seen.count(rel)) problems.push_back(rel + ": not listed in the manifest");
  }
  return problems;
}

Poco::JSON::Object::Ptr loadManifest(const std::string& dir, const char* format) {
  const std::string path = (fs::path(dir) / "manifest.json").string();
  auto m = readJson(path);
  if (!m)
    fail(path + " is missing: not a LexOS backup, or one that did not finish (the manifest is written last)");
  if (m->optValue<std::string>("format", "") != format || m->optValue<int>("format_version", 0) != kFormatVersion)
    fail(path + ": not a " + format + " manifest of format version " + std::to_string(kFormatVersion));
  return m;
}

// Where a master key file of a backup goes: master.key -> vault.master_key_file, the files a
// rotation leaves (master.key.old-*, master.key.new) beside it with the same suffix.
std::string keyTarget(const Config& c, const std::string& name) {
  if (name == "master.key") return c.vault.master_key_file;
  if (name.rfind("master.key.", 0) == 0) return c.vault.master_key_file + name.substr(10);
  fail("keys: unexpected file " + name);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

int runBackup(Host& host, const BackupOptions& o, std::ostream& out) {
  const Config& cfg = host.config();
  if (o.to.empty()) fail("backup needs --to DIR");
  const fs::path dir = fs::absolute(o.to);
  if (!emptyOrMissing(dir)) fail("backup: --to " + dir.string() + " is not empty; give a new or empty folder");
  const fs::path keysDir = o.keys_to.empty() ? dir / "keys" : fs::absolute(o.keys_to);
  if (!o.no_keys && !o.keys_to.empty() && !emptyOrMissing(keysDir))
    fail("backup: --keys-to " + keysDir.string() + " is not empty; give a new or empty folder");
  const bool sqlite = isSqlite(cfg);
  // Everything in a backup is for the operator's eyes only (pg_dump creates its file with the
  // process's umask).
  ::umask(077);
  makeFolder(dir);
  makeFolder(dir / "database");

  // 1. The database, as one snapshot, and what that snapshot records.
  Snapshot snap;
  const auto started = std::chrono::steady_clock::now();
  if (sqlite) {
    // Views answered just before whose events wait in lexosd's read journal (a file beside the
    // database, chained within milliseconds: identity/audit_journal.h) are chained first, as
    // `audit verify` does, so that the copy's ledger holds every view answered before the backup
    // began. Not being able to only narrows that to what lexosd had chained: said, not fatal.
    try {
      const std::string journalFile = sqlitePath(cfg) + "-audit";
      if (::access(journalFile.c_str(), F_OK) == 0 && ::access(journalFile.c_str(), R_OK) != 0)
        throw std::runtime_error(journalFile + " cannot be read by this user (run lexosctl as lexosd's user)");
      auto lease = host.pool().acquire();
      if (auto* journal = AuditJournal::of(*lease))
        if (const auto n = journal->drain(*lease, false); n > 0)
          out << "read journal: " << n << " audit events of answered views chained into the log first\n";
    } catch (const std::exception& e) {
      out << "warning: the read journal could not be chained first (" << e.what()
          << "); views answered in the last moments before the backup may be missing from its audit log\n";
    }
    const std::string dst = (dir / kSqliteFile).string();
    sqliteCopy(sqlitePath(cfg), dst, [&](sqlite3* copy) { snap = readSqliteSnapshot(copy); });
  } else {
    const std::string url = backupUrl(cfg);
    auto c = openConnection(url, nullptr);
    checkPgRole(*c, "pg_dump");
    // The snapshot pg_dump reads is this transaction's: the blob list below is of the same state.
    c->executeScript("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL row_security = on");
    const std::string snapshotId = sdk::asText(c->query("SELECT pg_export_snapshot()", {}).rows.at(0).at(0));
    snap = readPgSnapshot(*c);
    const auto [bare, password] = splitPassword(url);
    std::string log;
    const int rc = runTool({"pg_dump", "--format=custom", "--no-password", "--snapshot=" + snapshotId,
                            "--file=" + (dir / kPgFile).string(), "--dbname=" + bare},
                           password, log);
    c->executeScript("COMMIT");
    if (rc != 0) fail("backup: pg_dump failed (exit " + std::to_string(rc) + "): " + firstLine(log));
  }
  out << "database copied (" << (sqlite ? "SQLite online backup" : "pg_dump, custom format") << ", "
      << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
      << " ms)\n";

  // 2. The blobs that snapshot records (the local store's; the database store's are in the dump).
  std::vector<std::string> missing;
  std::int64_t copied = 0;
  std::uint64_t bytes = 0;
  {
    vault::LocalBlobStore store(cfg.vault.dir);
    for (const auto& b : snap.blobs) {
      if (b.store != "local") continue;
      if (!vault::isBlobId(b.id)) fail("backup: the database records a blob id that is not one: " + b.id);
      const std::string src = store.pathOf(b.firm_id, b.id);
      const fs::path rel = fs::path("vault") / std::to_string(b.firm_id) / b.id.substr(0, 2) / b.id;
      std::error_code ec;
      if (!fs::exists(src, ec)) {
        missing.push_back("firm " + std::to_string(b.firm_id) + " blob " + b.id + " (" + src + ")");
        continue;
      }
      makeFolder((dir / rel).parent_path());
      bytes += hashAndCopy(src, (dir / rel).string()).size;
      ++copied;
    }
  }
  for (const auto& m : missing) out << "MISSING  " << m << ": recorded in the database, not in the store\n";
  out << "vault: " << copied << " blobs copied (" << bytes << " bytes)\n";

  // 3. The master keys, apart (or not at all).
  Poco::JSON::Array keyIds;
  for (const auto& id : snap.master_key_ids) keyIds.add(id);
  std::string keysWhere = "none";
  if (!o.no_keys) {
    std::vector<std::pair<std::string, std::string>> files;  // source, name in the backup
    std::set<std::string> have;
    try {
      const auto ring = vault::MasterKeys::load(cfg.vault, false, {});
      files.push_back({ring.file(), "master.key"});
      have.insert(ring.current().id);
      const fs::path kdir = fs::path(cfg.vault.master_key_file).parent_path();
      const std::string stem = fs::path(cfg.vault.master_key_file).filename().string();
      std::error_code ec;
      for (const auto& e : fs::directory_iterator(kdir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(stem + ".", 0) != 0) continue;
        const std::string rest = name.substr(stem.size() + 1);
        if (rest == "new" || rest.rfind("old-", 0) == 0) files.push_back({e.path().string(), "master.key." + rest});
      }
      for (const auto& id : snap.master_key_ids)
        if (ring.find(id)) have.insert(id);
    } catch (const vault::MasterKeyError& e) {
      if (!snap.master_key_ids.empty()) fail(std::string("backup: ") + e.what());
    }
    for (const auto& id : snap.master_key_ids)
      if (!have.count(id))
        fail("backup: the firm keys need master key " + id +
             ", which no key file beside vault.master_key_file holds (restore it from an earlier key backup)");
    if (!files.empty()) {
      makeFolder(keysDir);
      Poco::JSON::Array list;
      for (const auto& [src, name] : files) {
        const FileFact f = hashAndCopy(src, (keysDir / name).string(), 0600);
        Poco::JSON::Object e;
        e.set("path", name);
        e.set("size", f.size);
        e.set("sha256", f.sha256);
        list.add(e);
      }
      fsyncPath(keysDir.string(), true);
      Poco::JSON::Object km(true);
      km.set("format", kKeysFormat);
      km.set("format_version", kFormatVersion);
      km.set("created_at", utcTimestamp());
      km.set("master_key_ids", keyIds);
      km.set("files", list);
      writeFileAtomically((keysDir / "manifest.json").string(), writeJson(km));
      keysWhere = o.keys_to.empty() ? "keys" : "elsewhere";
      out << "keys: " << files.size() << " master key files to " << keysDir.string()
          << (o.keys_to.empty() ? " (move them apart from the rest of the backup)" : "") << "\n";
    }
  }

  // 4. The manifest, last.
  Poco::JSON::Array list;
  std::error_code ec;
  std::vector<std::string> rels;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), dir).string();
    if (rel == "keys" && keysDir == dir / "keys") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory()) fsyncPath(it->path().string(), true);
    if (it->is_regular_file()) rels.push_back(rel);
  }
  std::sort(rels.begin(), rels.end());
  for (const auto& rel : rels) {
    const FileFact f = hashAndCopy((dir / rel).string());
    Poco::JSON::Object e;
    e.set("path", rel);
    e.set("size", f.size);
    e.set("sha256", f.sha256);
    list.add(e);
  }
  Poco::JSON::Object migrations;
  for (const auto& [plugin, v] : snap.migrations) migrations.set(plugin, v);
  Poco::JSON::Object m(true);
  m.set("format", kFormat);
  m.set("format_version", kFormatVersion);
  m.set("lexos_version", LEXOS_VERSION);
  m.set("created_at", utcTimestamp());
  m.set("backend", sqlite ? "sqlite" : "postgresql");
  m.set("vault_store", cfg.vault.store);
  m.set("migrations", migrations);
  m.set("blobs", static_cast<std::int64_t>(snap.blobs.size()));
  m.set("missing_blobs", static_cast<std::int64_t>(missing.size()));
  m.set("master_key_ids", keyIds);
  m.set("keys", keysWhere);
  m.set("files", list);
  writeFileAtomically((dir / "manifest.json").string(), writeJson(m));
  out << "backup written to " << dir.string() << ": " << rels.size() << " files, manifest.json"
      << (keysWhere == "none" && !snap.master_key_ids.empty() ? " (no keys: documents stay sealed without the master key)" : "")
      << "\n";
  return missing.empty() ? 0 : 3;
}

int verifyBackup(const std::string& dirArg, const std::string& keysArg, std::ostream& out) {
  const fs::path dir = fs::absolute(dirArg);
  auto m = loadManifest(dir.string(), kFormat);
  auto problems = checkFiles(dir.string(), listedFiles(m, "manifest.json"), {"keys", "manifest.json"});
  fs::path keysDir = keysArg.empty() ? dir / "keys" : fs::absolute(keysArg);
  std::size_t files = listedFiles(m, "manifest.json").size();
  if (fs::exists(keysDir / "manifest.json")) {
    auto km = loadManifest(keysDir.string(), kKeysFormat);
    const auto keyFiles = listedFiles(km, "keys/manifest.json");
    files += keyFiles.size();
    for (auto& p : checkFiles(keysDir.string(), keyFiles, {"manifest.json"})) problems.push_back("keys/" + p);
  } else if (!keysArg.empty()) {
    problems.push_back("keys: " + (keysDir / "manifest.json").string() + " is missing");
  }
  for (const auto& p : problems) out << "BAD      " << p << "\n";
  out << "backup " << dir.string() << ": " << files << " files checked, "
      << (problems.empty() ? "all match the manifest" : std::to_string(problems.size()) + " problems") << "\n";
  return problems.empty() ? 0 : 3;
}

int runRestore(Host& host, const RestoreOptions& o, std::ostream& out) {
  const Config& cfg = host.config();
  if (o.from.empty()) fail("restore needs --from DIR");
  const fs::path dir = fs::absolute(o.from);
  const bool sqlite = isSqlite(cfg);

  // 1. The backup is what its manifest says, byte for byte.
  auto m = loadManifest(dir.string(), kFormat);
  auto problems = checkFiles(dir.string(), listedFiles(m, "manifest.json"), {"keys", "manifest.json"});
  if (!problems.empty())
    fail("restore: " + dir.string() + "/" + problems.front() +
         (problems.size() > 1 ? " (and " + std::to_string(problems.size() - 1) + " more)" : "") +
         "; nothing was restored (lexosctl backup --verify lists every problem)");
  const fs::path keysDir = o.keys_from.empty() ? dir / "keys" : fs::absolute(o.keys_from);
  std::vector<ListedFile> keyFiles;
  if (fs::exists(keysDir / "manifest.json")) {
    auto km = loadManifest(keysDir.string(), kKeysFormat);
    keyFiles = listedFiles(km, "keys/manifest.json");
    auto kp = checkFiles(keysDir.string(), keyFiles, {"manifest.json"});
    if (!kp.empty()) fail("restore: keys/" + kp.front() + "; nothing was restored");
  } else if (!o.keys_from.empty()) {
    fail("restore: --keys-from " + keysDir.string() + " holds no manifest.json; nothing was restored");
  }

  // 2. It fits this build and this configuration.
  const std::string backend = m->optValue<std::string>("backend", "");
  if (backend != (sqlite ? "sqlite" : "postgresql"))
    fail("restore: the backup is of a " + backend + " database, database.url is " + (sqlite ? "SQLite" : "PostgreSQL") +
         "; restore into the same kind of database");
  std::map<std::string, std::int64_t> known;
  for (const auto& e : host.registry().migrations())
    known[e.plugin] = std::max<std::int64_t>(known[e.plugin], e.migration.version);
  if (auto mig = m->getObject("migrations")) {
    for (const auto& name : mig->getNames()) {
      const auto v = mig->getValue<std::int64_t>(name);
      auto k = known.find(name);
      if (k == known.end())
        out << "note: the backup holds tables of plugin '" << name << "', which this configuration does not load\n";
      else if (v > k->second)
        fail("restore: the backup's schema is newer than this build: plugin '" + name + "' at migration " +
             std::to_string(v) + ", this build knows up to " + std::to_string(k->second) + " (LexOS " + LEXOS_VERSION +
             ", backup made by " + m->optValue<std::string>("lexos_version", "?") + "); upgrade LexOS first");
    }
  }

  // 3. The target is empty, or --force.
  std::vector<std::string> occupied;
  std::unique_ptr<Connection> pg;
  if (sqlite) {
    std::error_code ec;
    const std::string db = sqlitePath(cfg);
    if ((fs::exists(db, ec) && fs::file_size(db, ec) > 0) || fs::exists(db + "-wal", ec))
      occupied.push_back("database " + db + " exists");
  } else {
    pg = openConnection(backupUrl(cfg), nullptr);
    checkPgRole(*pg, "pg_restore");
    auto r = pg->query("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
                       "AND n.nspname NOT LIKE 'pg_temp%'",
                       {});
    if (sdk::asInt(r.rows.at(0).at(0)) > 0)
      occupied.push_back("the PostgreSQL database (database.backup_url, role " + userOf(cfg.backup_url) + ") holds " +
                         std::to_string(sdk::asInt(r.rows[0][0])) + " relations");
  }
  if (!emptyOrMissing(cfg.vault.dir)) occupied.push_back("vault.dir " + cfg.vault.dir + " is not empty");
  if (!keyFiles.empty() && fs::exists(cfg.vault.master_key_file))
    occupied.push_back("vault.master_key_file " + cfg.vault.master_key_file + " exists");
  if (!occupied.empty() && !o.force) {
    std::string list;
    for (const auto& x : occupied) list += (list.empty() ? "" : "; ") + x;
    fail("restore: the target is not empty (" + list + "); nothing was changed. Restore into an empty state "
         "folder and database, or add --force to replace them (docs/operations.md)");
  }
  if (!occupied.empty()) {
    const std::string aside = ".before-restore-" + utcCompact();
    auto setAside = [&](const std::string& p) {
      std::error_code ec;
      if (!fs::exists(p, ec)) return;
      fs::rename(p, p + aside, ec);
      if (ec) fail("restore --force: cannot set " + p + " aside: " + ec.message());
      out << "set aside " << p << " as " << p + aside << "\n";
    };
    if (sqlite) {
      const std::string db = sqlitePath(cfg);
      for (const char* suffix : {"", "-wal", "-shm", "-guard", "-audit"}) setAside(db + suffix);
    } else {
      pg->executeScript("BEGIN; DROP SCHEMA IF EXISTS lexos_portal CASCADE; DROP SCHEMA IF EXISTS public CASCADE; "
                        "CREATE SCHEMA public AUTHORIZATION " +
                        sdk::asText(pg->query("SELECT quote_ident(pg_get_userbyid(datdba)) FROM pg_database "
                                              "WHERE datname = current_database()",
                                              {})
                                        .rows.at(0)
                                        .at(0)) +
                        "; COMMIT");
      out << "dropped the database's schemas public and lexos_portal (--force)\n";
    }
    if (!emptyOrMissing(cfg.vault.dir)) setAside(cfg.vault.dir);
    if (!keyFiles.empty()) {
      const fs::path kdir = fs::path(cfg.vault.master_key_file).parent_path();
      const std::string stem = fs::path(cfg.vault.master_key_file).filename().string();
      std::error_code ec;
      std::vector<std::string> keys;
      for (const auto& e : fs::directory_iterator(kdir, ec)) {
        const std::string name = e.path().filename().string();
        if (name == stem || (name.rfind(stem + ".", 0) == 0 && name.find(".before-restore-") == std::string::npos))
          keys.push_back(e.path().string());
      }
      for (const auto& k : keys) setAside(k);
    }
  }

  // 4. The database.
  if (sqlite) {
    const std::string db = sqlitePath(cfg);
    makeFolder(fs::path(db).parent_path(), 0700);
    const std::string tmp = db + ".restoring";
    std::error_code ec;
    fs::remove(tmp, ec);
    sqliteCopy((dir / kSqliteFile).string(), tmp, {}, true);
    fsyncPath(tmp, false);
    if (::rename(tmp.c_str(), db.c_str()) != 0) fail("restore: cannot rename " + tmp + " to " + db + ": " + errnoText(errno));
    fsyncPath(fs::path(db).parent_path().string(), true);
  } else {
    pg.reset();
    const auto [bare, password] = splitPassword(backupUrl(cfg));
    std::string log;
    const int rc = runTool({"pg_restore", "--exit-on-error", "--single-transaction", "--no-password",
                            "--dbname=" + bare, (dir / kPgFile).string()},
                           password, log);
    if (rc != 0) fail("restore: pg_restore failed (exit " + std::to_string(rc) + ", nothing of the dump was kept): " + firstLine(log));
  }
  out << "database restored\n";

  // 5. The blobs and the keys.
  std::int64_t blobs = 0;
  for (const auto& f : listedFiles(m, "manifest.json")) {
    if (f.path.rfind("vault/", 0) != 0) continue;
    const fs::path rel = fs::path(f.path).lexically_relative("vault");
    const fs::path dst = fs::path(cfg.vault.dir) / rel;
    makeFolder(dst.parent_path());
    hashAndCopy((dir / f.path).string(), dst.string(), 0600);
    ++blobs;
  }
  if (blobs) fsyncPath(cfg.vault.dir, true);
  out << "vault: " << blobs << " blobs restored to " << cfg.vault.dir << "\n";
  std::set<std::string> restoredIds;
  for (const auto& f : keyFiles) {
    const std::string dst = keyTarget(cfg, f.path);
    makeFolder(fs::path(dst).parent_path());
    ::chmod(fs::path(dst).parent_path().c_str(), 0700);
    hashAndCopy((keysDir / f.path).string(), dst, 0600);
  }
  if (!keyFiles.empty()) {
    fsyncPath(fs::path(cfg.vault.master_key_file).parent_path().string(), true);
    out << "keys: " << keyFiles.size() << " master key files restored beside " << cfg.vault.master_key_file << "\n";
  }

  // 6. Migrations forward (an older backup), tenancy verified, the vault's keys opened.
  try {
    const auto applied = host.prepareDatabase(true);
    for (const auto& a : applied) out << "applied " << a << "\n";
  } catch (const vault::MasterKeyError& e) {
    out << "restored WITHOUT the master key: documents cannot be opened, and lexosd will not start, until the key "
           "file is in place ("
        << e.what() << "); copy the backup's keys/master.key there (mode 0600, lexosd's user)\n";
    return 0;
  }
  out << "restore of " << dir.string() << " (" << m->optValue<std::string>("created_at", "?")
      << ") finished; run lexosctl vault fsck to check every document\n";
  return 0;
}

}  // namespace lexos::core::backup
