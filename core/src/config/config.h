#pragma once
// lexos.ini: parsing, environment overrides (LEXOS_SECTION_KEY) and validation of every key.

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace lexos::core {

/// An operator's mistake in the configuration. The message names the file or key, the value
/// found and what was expected, in one line.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The vault's keys (docs/vault.md, docs/configuration.md: section [vault]).
struct VaultConfig {
  std::string dir;              ///< local store's folder (vault.dir, default <state.dir>/vault/blobs)
  std::string master_key_file;  ///< vault.master_key_file, default <state.dir>/vault/master.key
  std::string store = "local";  ///< local or database (PostgreSQL only)
  /// Content types taken (vault.allowed_types): exact ("application/pdf") or a family ("image/*").
  std::vector<std::string> allowed_types;
  std::uint64_t max_file_bytes = 2ull << 30;  ///< per blob (vault.max_file_bytes)
  std::uint64_t firm_quota_bytes = 0;         ///< per firm, all blobs; 0: none
};

/// The default allow-list of vault.allowed_types (docs/vault.md says why these).
const std::vector<std::string>& defaultVaultTypes();

/// The validated configuration of lexosd and lexosctl. Plain data, copied freely; paths are
/// absolute (relative ones in the file are taken relative to the file's folder).
struct Config {
  std::string path;  ///< Absolute path of the file it was read from.

  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  std::string public_url;
  /// Worker threads. They run handlers for complete requests only (the connection layer reads
  /// heads and bodies without a thread per connection), so this bounds concurrent handlers.
  /// `auto` (the default): autoThreads() of the machine's hardware threads.
  int threads = 8;
  int max_connections = 10000;             ///< open client connections in all
  int max_connections_per_address = 256;   ///< per client address; 0: no cap; proxies exempt
  int head_timeout_seconds = 10;           ///< a request head must be complete this soon
  int body_grace_seconds = 10;             ///< after it, a body must arrive at body_min_rate
  int body_min_rate = 1024;                ///< bytes per second on average; 0: no minimum
  int send_timeout_seconds = 30;           ///< a response the client does not read closes
  int max_head_bytes = 16384;              ///< larger heads answer 431
  int keepalive_requests = 1000;
  int keepalive_timeout_seconds = 10;
  int shutdown_grace_seconds = 20;
  std::size_t max_body_bytes = 10 * 1024 * 1024;
  /// A request body is held in memory up to this size; beyond it, it is written to an anonymous
  /// file in <state_dir>/spool as it arrives (server.body_memory_bytes).
  std::size_t body_memory_bytes = 1024 * 1024;
  /// Addresses of reverse proxies whose X-Forwarded-For is believed (server.trusted_proxies).
  std::vector<std::string> trusted_proxies;

  std::string state_dir;
  std::string plugins_dir;
  std::vector<std::string> plugins_enabled;
  std::string web_dir;
  /// Where each plugin's web assets are: <web_plugins_dir>/<id>/ (web.plugins_dir, default
  /// <web.dir>/plugins).
  std::string web_plugins_dir;

  std::string database_url;   ///< "sqlite:/abs/path" or "postgresql://...".
  std::string migration_url;  ///< Empty when not set.
  std::string listen_url;     ///< The session cache's LISTEN connection; empty: database_url.
  /// PostgreSQL: the role lexosctl backup/restore use (database.backup_url): BYPASSRLS and a
  /// member of the owner role (docs/operations.md, "Backup and restore"). Empty when not set.
  std::string backup_url;
  bool prepared_statements = true;  ///< PostgreSQL: false behind PgBouncer < 1.21 in transaction mode
  int pool_size = 16;

  std::string mail_transport = "outbox";
  std::string smtp_host = "localhost";
  int smtp_port = 25;
  std::string mail_from = "LexOS <lexos@localhost>";
  std::string smtp_tls = "auto";  ///< auto, starttls (when offered), required, off
  std::string smtp_username;          ///< AUTH LOGIN when set
  std::string smtp_password;
  /// The durable queue (mail/mail_sender.h): attempts before a message is marked failed; the
  /// first retry's delay, doubled for each further one (with jitter) up to retry_max_seconds;
  /// how often every firm's queue is looked at; how long a claim holds before another sender may
  /// take the message over (a node that died while sending).
  int mail_max_attempts = 8;
  int mail_retry_base_seconds = 30;
  int mail_retry_max_seconds = 3600;
  int mail_poll_seconds = 30;
  int mail_lease_seconds = 300;
  /// Whether this node runs the plugins' jobs (SDK 1.8 Registrar::addJob; http/job_runner.h).
  /// Several nodes may all run them: each firm's run is claimed in the database.
  bool jobs_enabled = true;

  int session_idle_minutes = 30;
  int session_absolute_hours = 12;
  int session_cache_seconds = 60;  ///< 0: every request reads its session from the database
  /// The portal read cache (http/read_cache.h, docs/portal-cache.md): how long an answer may
  /// be served from memory at most (0: off) while no row it was read from changed, and how many
  /// answers this node holds at most.
  int cache_portal_seconds = 30;
  int cache_portal_entries = 20000;
  int mfa_remember_days = 30;      ///< "Remember this device" after a second factor (0: never)
  std::string log_level = "information";
  /// log.format: "text" (one line: time, level, component, message) or "json" (one JSON object
  /// per line, with the access line's fields as fields, for log shippers).
  std::string log_format = "text";
  /// log.levels: per component ("access", "lexosd", "mail", "plugin", "plugin.<id>"), overriding
  /// log.level for it and the components below it ("plugin" covers "plugin.billing").
  std::map<std::string, std::string> log_levels;

  VaultConfig vault;

  /// metrics.listen: a second listener that answers GET /metrics (Prometheus text) and nothing
  /// else. Off (the default) when the key is empty; never the address of server.listen.
  bool metrics_enabled = false;
  std::string metrics_host;
  int metrics_port = 0;

  /// Sections "[plugin.<id>]": id -> key -> value.
  std::map<std::string, std::map<std::string, std::string>> plugin_sections;

  /// A key of a plugin's section, or `fallback`.
  std::string pluginValue(const std::string& id, const std::string& key,
                          const std::string& fallback) const;

  /// Reads and validates `file`, applying overrides from `env` (LEXOS_SECTION_KEY=value).
  /// Throws ConfigError.
  static Config load(const std::string& file, const std::map<std::string, std::string>& env);
  /// The process environment as a map (for load()).
  static std::map<std::string, std::string> processEnvironment();
  /// The environment variable that overrides `section.key`.
  static std::string envName(const std::string& section, const std::string& key);
};

/// server.threads = auto: 4 workers per hardware thread, at least 8, at most 64 (`cpus` 0, when
/// the machine does not say, counts as 2). Measured in docs/http-front.md ("How many workers").
int autoThreads(unsigned cpus);

}  // namespace lexos::core
