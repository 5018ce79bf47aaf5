#pragma once
// The Context a handler gets (RequestContext) and the two small SDK adapters it owns (ScopedDb,
// QueuedMail). The request and response adapters: http/http_request.h, http/http_response.h.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "data/connection.h"
#include "http/http_request.h"
#include "http/http_response.h"
#include "identity/buffered_audit.h"
#include "lexos/sdk/context.h"

namespace lexos::core {

struct Config;
namespace vault {
class VaultService;
}

/// Tenant-scoped Db over a pooled connection.
class ScopedDb : public sdk::Db {
 public:
  explicit ScopedDb(Connection& c) : c_(c) {}
  sdk::ResultSet query(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return c_.query(sql, params);
  }
  std::int64_t execute(const std::string& sql, const std::vector<sdk::Value>& params) override {
    return c_.execute(sql, params);
  }
  std::int64_t newId() override { return c_.newId(); }
  sdk::Backend backend() const override { return c_.backend(); }
  std::string now() const override;

 private:
  Connection& c_;
};

/// Mail queued by a request, handed to the transport after commit.
class QueuedMail : public sdk::Mail {
 public:
  void send(const sdk::MailMessage& m) override;
  std::vector<sdk::MailMessage> messages;
};

/// The Context handed to a handler.
class RequestContext : public sdk::Context {
 public:
  RequestContext(HttpRequest& req, HttpResponse& res, const sdk::Principal& principal, Connection& conn,
                 const Config& config, std::string pluginId);
  /// A job's context (SDK 1.8 Registrar::addJob): no request and no response (both throw);
  /// `runId` stands for the request id in the log and the audit rows.
  RequestContext(const sdk::Principal& principal, Connection& conn, const Config& config, std::string pluginId,
                 std::string runId);
  sdk::Request& request() override;
  sdk::Response& response() override;
  const sdk::Principal& principal() const override { return principal_; }
  sdk::Db& db() override { return db_; }
  sdk::Audit& audit() override { return audit_; }
  sdk::Mail& mail() override { return mail_; }
  std::string config(const std::string& key, const std::string& fallback) const override;
  std::string publicUrl() const override;
  void log(sdk::LogLevel level, const std::string& message) override;
  sdk::Identity& identity() override;
  sdk::Vault& vault() override;
  void outsideTransaction(const std::function<void()>& work) override;
  void bindFirm(std::int64_t firmId) override;
  void firm(sdk::FirmProfile& out) override;
  void bindPortalUser(std::int64_t userId) override;
  /// The dispatcher's side of bindFirm: called with a firm that exists and has this plugin on;
  /// it makes the request that firm's (principal, scope). Unset: bindFirm is refused.
  void setFirmBinder(std::function<void(std::int64_t)> binder) { binder_ = std::move(binder); }
  /// The dispatcher's side of bindPortalUser: called with an active portal user of the bound firm
  /// and its client; it makes the request that user's (principal, portal scope).
  void setPortalBinder(std::function<void(std::int64_t user, std::int64_t client, const std::string& email,
                                          const std::string& name)>
                           binder) {
    portalBinder_ = std::move(binder);
  }
  /// Whether the request's transactions write (non-GET), for outsideTransaction's reopening.
  void setWrites(bool writes) { writes_ = writes; }
  /// Told when outsideTransaction commits part of the request's work.
  void setOnMidwayCommit(std::function<void()> f) { onMidwayCommit_ = std::move(f); }

  BufferedAudit& auditBuffer() { return audit_; }
  /// The session the guard found (empty for anonymous requests); for the host's own modules.
  const struct SessionInfo* session() const { return session_; }
  void setSession(const struct SessionInfo* s) { session_ = s; }
  /// The installation's vault (null in tests without one: vault() then throws).
  void setVault(vault::VaultService* v) { vaultService_ = v; }
  /// The raw connection, for the host's own modules (they rebind the scope for identity work).
  Connection& connection() { return conn_; }
  QueuedMail& mailQueue() { return mail_; }

 private:
  const std::string& requestId() const;
  std::string remoteAddress() const;

  HttpRequest* req_ = nullptr;
  HttpResponse* res_ = nullptr;
  std::string runId_;
  const sdk::Principal& principal_;
  Connection& conn_;
  ScopedDb db_;
  BufferedAudit audit_;
  QueuedMail mail_;
  const Config& config_;
  std::string pluginId_;
  const struct SessionInfo* session_ = nullptr;
  std::unique_ptr<sdk::Identity> identity_;
  vault::VaultService* vaultService_ = nullptr;
  std::unique_ptr<vault::FirmVault> vault_;
  std::function<void(std::int64_t)> binder_;
  std::function<void(std::int64_t, std::int64_t, const std::string&, const std::string&)> portalBinder_;
  bool portalBound_ = false;
  std::function<void()> onMidwayCommit_;
  bool bound_ = false;
  bool writes_ = true;
};

}  // namespace lexos::core
