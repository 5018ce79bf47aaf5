#include "app/host.h"

#include <Poco/AsyncChannel.h>
#include <Poco/Crypto/Crypto.h>
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "app/core_module.h"
#include "app/host_metrics.h"
#include "common/log_format.h"
#include "data/change_feed.h"
#include "http/read_cache.h"
#include "identity/accounts.h"
#include "identity/audit_journal.h"
#include "identity/mfa.h"
#include "vault/mfa_sealer.h"
#include "schema/migrator.h"
#include "tenancy/sqlite_authorizer.h"
#include "tenancy/verify.h"
#include "data/connection_pool.h"

namespace lexos::core {

namespace {
// systemd hands credentials (the master key, when configured so) in $CREDENTIALS_DIRECTORY.
std::map<std::string, std::string> vaultEnvironment() {
  std::map<std::string, std::string> env;
  if (const char* d = std::getenv("CREDENTIALS_DIRECTORY")) env["CREDENTIALS_DIRECTORY"] = d;
  return env;
}
}  // namespace

void setupLogging(const std::string& level) {
  Config c;
  c.log_level = level;
  setupLogging(c);
}

void setupLogging(const Config& config) {
  Poco::AutoPtr<Poco::Formatter> fmt;
  if (config.log_format == "json") {
    fmt = new JsonLogFormatter;
  } else {
    fmt = new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t");
    fmt->setProperty("times", "UTC");
  }
  Poco::AutoPtr<Poco::FormattingChannel> ch(new Poco::FormattingChannel(fmt, new Poco::ConsoleChannel));
  // Formatting and writing happen on the channel's own thread: a request thread only queues.
  Poco::AutoPtr<Poco::AsyncChannel> async(new Poco::AsyncChannel(ch));
  Poco::Logger::root().setChannel(async);
  Poco::Logger::root().setLevel(config.log_level);
  Poco::Logger::setLevel("", Poco::Logger::parseLevel(config.log_level));
  // Per component, the shorter names first so that "plugin.billing" refines "plugin". The logger
  // is created now, so that one made later below it ("plugin.<id>" at a plugin's first log line)
  // takes its level from it; setLevel(name, ...) sets those that exist already.
  for (const auto& [name, level] : config.log_levels) {
    Poco::Logger::get(name).setLevel(level);
    Poco::Logger::setLevel(name, Poco::Logger::parseLevel(level));
  }
}

void flushLogs() {
  if (auto* ch = Poco::Logger::root().getChannel().get()) ch->close();
}

Host::Host(Config config) : config_(std::move(config)), registry_(std::make_unique<Registry>()) {
  // Hold one process-wide reference so that Poco::Crypto objects never tear OpenSSL down
  // (Poco's per-object initialiser counting is not safe under concurrent use).
  static const bool crypto = (Poco::Crypto::initializeCrypto(), true);
  (void)crypto;
  std::filesystem::create_directories(config_.state_dir);
  registry_->setPluginConfig([this](const std::string& id, const std::string& key, const std::string& fb) {
    return config_.pluginValue(id, key, fb);
  });
  PluginInfo core;
  core.id = "core";
  core.version = "0.1.0";
  core.file = "(built in)";
  core.sdk_version = LEXOS_SDK_VERSION;
  core.builtin = true;
  core.abi_major = LEXOS_SDK_ABI_MAJOR;
  core.abi_minor = LEXOS_SDK_ABI_MINOR;
  registry_->registerPlugin(core, makeCoreModule(config_, *registry_, guardPtr_, sequencerPtr_));
  for (const auto& id : config_.plugins_enabled) {
    if (id == "core") throw LoadError("config: plugins.enabled: 'core' is built in; remove it from the list");
    loader_.load(config_.plugins_dir, id, *registry_);
  }
  registry_->resolveRequirements();
  // Column isolation (docs/isolation.md): deny by default, but say so.
  for (const auto& t : registry_->tables())
    if (t.table.tenancy != sdk::Tenancy::Firm && !t.portal_declared)
      Poco::Logger::get("lexosd").warning("table '" + t.table.name + "' (plugin " + t.plugin +
                                          ") declares no portal columns (Registrar::addPortalColumns): portal "
                                          "sessions read its keys only");
  guard_ = std::make_unique<Guard>(config_, *registry_);
  guardPtr_ = guard_.get();
  mailer_ = std::make_unique<Mailer>(config_);
  setPreparedStatements(config_.prepared_statements);
  // SQLite enforces tenancy per statement with the tenancy layer's rules (docs/isolation.md).
  pool_ = std::make_unique<ConnectionPool>(config_.database_url, config_.pool_size, registry_.get(), &sqliteAuthorize);
  services_.config = &config_;
  services_.registry = registry_.get();
  services_.pool = pool_.get();
  services_.guard = guard_.get();
  // The portal read cache rides on the session cache's change feed (http/read_cache.h).
  if (config_.cache_portal_seconds > 0) {
    // Serving from it starts once prepareDatabase() found its triggers in the database.
    readCache_ = std::make_unique<ReadCache>(ChangeFeed::forDatabase(config_.database_url), config_.cache_portal_seconds,
                                             static_cast<std::size_t>(config_.cache_portal_entries));
  }
  services_.mailer = mailer_.get();
  sequencer_ = std::make_unique<AuditSequencer>(*pool_);
  sequencerPtr_ = sequencer_.get();
  mailSender_ = std::make_unique<MailSender>(config_, *pool_, *mailer_);
  services_.mailSender = mailSender_.get();
  jobRunner_ = std::make_unique<JobRunner>(services_);
  metrics_ = std::make_unique<Metrics>();
  addHostCollectors(*metrics_, *this);
}

Accounts::Accounts(Host& host) : Accounts(host.pool(), host.registry()) {}

Host::~Host() {
  // Two-step sign-in stops using this host's vault (tests run several hosts, one after another).
  if (mfaSealer_ && Mfa::sealer() == mfaSealer_) Mfa::setSealer(nullptr);
  if (metricsListener_) metricsListener_->stop();
  if (server_) {
    server_->stop(0);
    if (sequencer_) sequencer_->stop();
    if (config_.database_url.rfind("sqlite:", 0) == 0) AuditJournal::forDatabase(config_.database_url.substr(7)).close();
    if (jobRunner_) jobRunner_->stop();
    if (mailSender_) mailSender_->stop();
    if (feedListening_) ChangeFeed::forDatabase(config_.database_url).stopListener();
  }
}

std::unique_ptr<Connection> Host::ownerConnection() const {
  const std::string url = config_.migration_url.empty() ? config_.database_url : config_.migration_url;
  return openConnection(url, nullptr);
}

std::vector<std::string> Host::prepareDatabase(bool allowMigrate) {
  const bool sqlite = config_.database_url.rfind("sqlite:", 0) == 0;
  std::vector<std::string> applied;
  if (allowMigrate && (sqlite || !config_.migration_url.empty())) {
    Migrator m(*registry_, config_.migration_url.empty() ? config_.database_url : config_.migration_url,
               config_.database_url);
    applied = m.migrate();
  } else {
    auto c = openConnection(config_.database_url, nullptr);
    Migrator m(*registry_, config_.database_url, config_.database_url);
    auto pending = m.pending(*c);
    if (!pending.empty())
      throw std::runtime_error("database: " + std::to_string(pending.size()) + " migrations pending (first: " +
                               pending.front() + "); set database.migration_url or run lexosctl migrate");
  }
  {
    auto lease = pool_->acquire();
    verifyTenancy(*lease, *registry_);
    // The portal read cache is only as good as the triggers announcing changes: a database last
    // migrated by an older lexosd has none (lexosctl migrate adds them).
    if (readCache_) {
      const std::string missing = tableWithoutPortalTriggers(*lease, *registry_);
      if (!missing.empty()) {
        Poco::Logger::get("lexosd").warning("portal read cache off: table '" + missing +
                                            "' has no portal change triggers yet; run lexosctl migrate");
        services_.read_cache = nullptr;
      } else {
        services_.read_cache = readCache_.get();
      }
    }
  }
  // The vault's master key is read (made on a first run) before anything is served.
  if (!vault_) {
    vault_ = std::make_unique<vault::VaultService>(config_, *pool_, vaultEnvironment());
    services_.vault = vault_.get();
  }
  // TOTP secrets are sealed by the vault's master key (vault/mfa_sealer.h).
  if (!mfaSealer_) mfaSealer_ = std::make_shared<const vault::MfaSealer>(*vault_);
  Mfa::setSealer(mfaSealer_);
  // SQLite: every process using the database announces changes to sessions, users, firms and
  // module switches through <db>-guard (data/change_feed.h); one that cannot would be unable to
  // end a session. Refuse to start, naming the file, rather than serve like that.
  if (sqlite && !ChangeFeed::forDatabase(config_.database_url).prepare())
    throw std::runtime_error("session changes: " + ChangeFeed::forDatabase(config_.database_url).problem() +
                             "; lexosd must read and write it like the database file itself (give it the database's "
                             "owner, e.g. chown lexos: on both)");
  return applied;
}

vault::VaultService& Host::vault() {
  if (!vault_) throw std::logic_error("Host::vault() before prepareDatabase()");
  return *vault_;
}

void Host::startServer() {
  // PostgreSQL: the session and portal caches answer once this node listens for other nodes'
  // changes.
  if (guard_->cacheEnabled() || readCache_) {
    auto& feed = ChangeFeed::forDatabase(config_.database_url);
    feed.startListener(config_.listen_url);
    feedListening_ = true;
    if (config_.database_url.rfind("sqlite:", 0) == 0 && !feed.live())
      Poco::Logger::get("lexosd").warning("session cache off: " + feed.problem());
  }
  // SQLite: reads' audit events go to the read journal beside the database (identity/
  // audit_journal.h); what a previous run left in it is chained now, before anything is served.
  // (lexosd only: lexosctl drains the journal, never empties it, as lexosd may be appending.)
  if (config_.database_url.rfind("sqlite:", 0) == 0) {
    auto& journal = AuditJournal::forDatabase(config_.database_url.substr(7));
    if (journal.ready()) {
      auto lease = pool_->acquire();
      const std::int64_t n = journal.recover(*lease);
      if (n > 0) Poco::Logger::get("lexosd").information("audit: chained " + std::to_string(n) + " events a previous run left in " + config_.database_url.substr(7) + "-audit");
      sequencer_->useJournal(&journal);
    } else {
      Poco::Logger::get("lexosd").warning("audit: no read journal (" + journal.problem() + "); reads are recorded in write transactions");
      sequencer_->useJournal(nullptr);
    }
  }
  // Events of reads go through the sequencer while serving (identity/audit_sequencer.h); its
  // first sweep chains what a previous run left pending.
  sequencer_->start();
  services_.audit = sequencer_.get();
  // Metrics (metrics.listen): requests are counted from the first one on; the listener starts
  // once the server it reports on exists, and stops before it goes (stopServer).
  if (config_.metrics_enabled && !httpMetrics_) {
    httpMetrics_ = std::make_unique<HttpMetrics>(registry_->routes());
    metrics_->addCollector([m = httpMetrics_.get()](MetricsWriter& w) { m->collect(w); });
  }
  services_.http_metrics = httpMetrics_.get();
  server_ = std::make_unique<HttpServer>(services_);
  server_->start();
  // The mail sender after the listener: its first look at every firm's queue sends what a
  // previous run left (mail/mail_sender.h).
  mailSender_->start();
  // The modules' jobs (jobs.enabled; http/job_runner.h): the first pass a few seconds after start.
  jobRunner_->start();
  if (config_.metrics_enabled) {
    metricsListener_ = std::make_unique<MetricsListener>(*metrics_, config_.metrics_host, config_.metrics_port);
    try {
      metricsListener_->start();
    } catch (...) {
      metricsListener_.reset();
      stopServer();  // nothing served yet: undo the start, then say why (metrics.listen)
      throw;
    }
  }
  services_.ready = true;
}

int Host::stopServer() {
  services_.ready = false;
  if (!server_) return 0;
  int left = server_->stop(config_.shutdown_grace_seconds);
  // Scrapes read the server's counters: the listener goes first.
  if (metricsListener_) metricsListener_->stop();
  metricsListener_.reset();
  server_.reset();
  jobRunner_->stop();    // after the run in progress: its work commits, or rolls back
  sequencer_->stop();    // chains what the last requests recorded
  if (config_.database_url.rfind("sqlite:", 0) == 0) AuditJournal::forDatabase(config_.database_url.substr(7)).close();
  mailSender_->stop();   // after the message it is sending; what is queued waits for the next start
  services_.audit = nullptr;
  if (feedListening_) ChangeFeed::forDatabase(config_.database_url).stopListener();
  feedListening_ = false;
  return left;
}

}  // namespace lexos::core
