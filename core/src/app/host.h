#pragma once
// The assembled host: configuration, registry (core module + enabled plugins), database pool,
// guard, mailer. lexosd adds the HTTP server; lexosctl uses the rest.

#include <memory>
#include <string>

#include "common/metrics.h"
#include "config/config.h"
#include "data/connection.h"
#include "data/connection_pool.h"
#include "guard/guard.h"
#include "http/http_metrics.h"
#include "http/job_runner.h"
#include "http/metrics_listener.h"
#include "http/server.h"
#include "identity/audit_sequencer.h"
#include "identity/mfa.h"
#include "mail/mail_sender.h"
#include "mail/mailer.h"
#include "plugins/loader.h"
#include "plugins/registry.h"
#include "vault/vault_service.h"

namespace lexos::core {

class Host {
 public:
  /// Loads the plugins named in plugins.enabled and registers everything. Throws LoadError or
  /// std::runtime_error with one line for the operator.
  explicit Host(Config config);
  ~Host();

  /// Applies pending migrations when it can (SQLite, or PostgreSQL with migration_url); else
  /// refuses when some are pending. Then checks tenancy enforcement. Returns what was applied.
  std::vector<std::string> prepareDatabase(bool allowMigrate = true);

  /// Runs the HTTP server until stop() (or a signal, see runUntilSignal). Port 0 picks one.
  void startServer();
  int port() const { return server_ ? server_->port() : 0; }
  int stopServer();
  /// The connection layer's counters, and connections open now (0 when not serving).
  ServerStats serverStats() const { return server_ ? server_->stats() : ServerStats{}; }
  int currentConnections() const { return server_ ? server_->currentConnections() : 0; }

  const Config& config() const { return config_; }
  Registry& registry() { return *registry_; }
  ConnectionPool& pool() { return *pool_; }
  Guard& guard() { return *guard_; }
  Services& services() { return services_; }

  /// The vault; available after prepareDatabase() (which reads or creates the master key).
  vault::VaultService& vault();

  /// A raw (owner) connection for operator tasks (lexosctl): migration URL or SQLite file.
  std::unique_ptr<Connection> ownerConnection() const;

  /// The audit ledger's sequencer (identity/audit_sequencer.h); its thread runs while serving.
  AuditSequencer& auditSequencer() { return *sequencer_; }

  /// The durable mail queue's sender (mail/mail_sender.h); its thread runs while serving.
  /// mailSender().stats() gives the queue's depth by status and its oldest message's age.
  MailSender& mailSender() { return *mailSender_; }
  /// The plugins' job runner (http/job_runner.h); its thread runs while serving (jobs.enabled).
  JobRunner& jobRunner() { return *jobRunner_; }
  /// The metrics registry (common/metrics.h): parts of the host add collectors to it (a mail
  /// queue: app/host_metrics.h, writeMailQueueDepth). Scraped only when metrics.listen is set.
  Metrics& metrics() { return *metrics_; }
  /// The metrics listener's port while serving with metrics.listen set; 0 otherwise.
  int metricsPort() const { return metricsListener_ ? metricsListener_->port() : 0; }

 private:
  Config config_;
  PluginLoader loader_;  // declared before the registry: libraries outlive plugin objects
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<ConnectionPool> pool_;
  std::unique_ptr<Guard> guard_;
  std::unique_ptr<ReadCache> readCache_;  ///< cache.portal_seconds > 0 (http/read_cache.h)
  bool feedListening_ = false;            ///< this host started the change feed's listener
  const Guard* guardPtr_ = nullptr;
  AuditSequencer* sequencerPtr_ = nullptr;  ///< what the core module's audit route sees
  std::unique_ptr<Mailer> mailer_;
  Services services_;
  std::unique_ptr<vault::VaultService> vault_;
  std::shared_ptr<const MfaSecretSealer> mfaSealer_;  // set as Mfa::setSealer while this host lives
  std::unique_ptr<AuditSequencer> sequencer_;
  std::unique_ptr<MailSender> mailSender_;
  std::unique_ptr<JobRunner> jobRunner_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<HttpMetrics> httpMetrics_;          ///< while serving with metrics.listen set
  std::unique_ptr<MetricsListener> metricsListener_;  ///< declared last: stops before the server goes
};

/// Sets up Poco logging to stderr at `level` (journald adds its own timestamps, but a terminal
/// user wants them too, so they stay).
void setupLogging(const std::string& level);
/// log.level, log.format (text or json) and log.levels (per component) of `config`.
void setupLogging(const Config& config);
/// Writes out log lines still queued in the asynchronous channel (call before exiting).
void flushLogs();

}  // namespace lexos::core
