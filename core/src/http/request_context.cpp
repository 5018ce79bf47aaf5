#include "http/request_context.h"

#include <Poco/CountingStream.h>
#include <Poco/Logger.h>

#include <algorithm>
#include <ctime>
#include <istream>

#include "common/time.h"
#include "config/config.h"
#include "data/lazy_connection.h"
#include "guard/guard.h"
#include "http/buffered_exchange.h"
#include "identity/audit_log.h"
#include "identity/identity_service.h"
#include "lexos/sdk/errors.h"
#include "vault/database_blob_store.h"
#include "vault/firm_vault.h"

namespace lexos::core {

std::string ScopedDb::now() const { return utcTimestamp(); }

void QueuedMail::send(const sdk::MailMessage& m) {
  const auto at = m.to.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= m.to.size() ||
      m.to.find_first_of("\r\n<>,; ") != std::string::npos ||
      std::any_of(m.to.begin(), m.to.end(),
                  [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; }))  // no SMTPUTF8
    throw sdk::BadRequest("to", "The e-mail address '" + m.to + "' cannot receive mail.");
  messages.push_back(m);
}

RequestContext::RequestContext(HttpRequest& req, HttpResponse& res, const sdk::Principal& principal,
                               Connection& conn, const Config& config, std::string pluginId)
    : req_(&req), res_(&res), principal_(principal), conn_(conn), db_(conn), config_(config), pluginId_(std::move(pluginId)) {}

RequestContext::RequestContext(const sdk::Principal& principal, Connection& conn, const Config& config,
                               std::string pluginId, std::string runId)
    : runId_(std::move(runId)), principal_(principal), conn_(conn), db_(conn), config_(config), pluginId_(std::move(pluginId)) {}

sdk::Request& RequestContext::request() {
  if (!req_) throw std::logic_error("a job has no request (Context::request() in a job)");
  return *req_;
}

sdk::Response& RequestContext::response() {
  if (!res_) throw std::logic_error("a job has no response (Context::response() in a job)");
  return *res_;
}

const std::string& RequestContext::requestId() const { return req_ ? req_->requestId() : runId_; }

std::string RequestContext::remoteAddress() const { return req_ ? req_->remoteAddress() : std::string(); }

std::string RequestContext::config(const std::string& key, const std::string& fallback) const {
  return config_.pluginValue(pluginId_, key, fallback);
}

std::string RequestContext::publicUrl() const { return config_.public_url; }

void RequestContext::firm(sdk::FirmProfile& out) {
  if (principal_.firm_id == 0) throw sdk::Unauthorized();
  // In the firm's staff scope (a portal request's scope cannot read firm_settings), inside the
  // request's transaction when one is open.
  const char* sql =
      "SELECT f.slug, f.name, s.time_zone, s.country, s.address, s.default_currency FROM firms f "
      "LEFT JOIN firm_settings s ON s.firm_id = f.id WHERE f.id = $1";
  sdk::ResultSet rs;
  if (!conn_.inTransaction()) {
    rs = conn_.readScoped({principal_.firm_id, 0}, sql, {principal_.firm_id});
  } else {
    const Scope mine{principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0};
    conn_.setScope({principal_.firm_id, 0});
    try {
      rs = conn_.query(sql, {principal_.firm_id});
    } catch (...) {
      conn_.setScope(mine);
      throw;
    }
    conn_.setScope(mine);
  }
  if (rs.empty()) throw sdk::Unauthorized();
  const auto& r = rs.rows[0];
  // Version 1's fields; a later version appends and fills its own only when out.version asks.
  out.slug = sdk::asText(r[0]);
  out.name = sdk::asText(r[1]);
  out.time_zone = sdk::isNull(r[2]) ? "UTC" : sdk::asText(r[2]);
  out.country = sdk::isNull(r[3]) ? "" : sdk::asText(r[3]);
  out.address = sdk::isNull(r[4]) ? "" : sdk::asText(r[4]);
  if (out.version < 2) return;
  // Version 3: the firm's default currency (filled here, before version 2's early returns).
  if (out.version >= 3) out.default_currency = sdk::isNull(r[5]) ? "" : sdk::asText(r[5]);
  // Version 2: the logo (app/firm_face.h). Read in the same staff scope as the settings.
  const std::string logoSql = std::string("SELECT content_type, sha256") + (out.with_logo ? ", data" : "") +
                              " FROM firm_logos WHERE firm_id = $1";
  sdk::ResultSet logo;
  if (!conn_.inTransaction()) {
    logo = conn_.readScoped({principal_.firm_id, 0}, logoSql, {principal_.firm_id});
  } else {
    const Scope mine{principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0};
    conn_.setScope({principal_.firm_id, 0});
    ScopeRestore back{conn_, mine};
    logo = conn_.query(logoSql, {principal_.firm_id});
  }
  out.logo_url.clear();
  out.logo_content_type.clear();
  out.logo.clear();
  if (logo.empty()) return;
  out.logo_content_type = sdk::asText(logo.rows[0][0]);
  out.logo_url = "/api/v1/public/firms/" + out.slug + "/logo?v=" + sdk::asText(logo.rows[0][1]).substr(0, 16);
  if (out.with_logo) out.logo = vault::base64Decode(sdk::asText(logo.rows[0][2]));
}

sdk::Identity& RequestContext::identity() {
  if (!identity_)
    identity_ = std::make_unique<IdentityService>(conn_, principal_, session_ ? session_->session_id : 0, remoteAddress(), requestId());
  return *identity_;
}

sdk::Vault& RequestContext::vault() {
  if (!vaultService_) throw std::logic_error("the vault is not available in this process");
  if (!vault_) {
    vault_ = std::make_unique<vault::FirmVault>(*vaultService_, conn_, principal_);
    if (req_) vault_->setBody(req_);
  }
  return *vault_;
}

void RequestContext::outsideTransaction(const std::function<void()>& work) {
  // What the handler wrote so far is committed, with the audit events that describe it; the
  // pooled connection goes back to the pool (no transaction, no SQLite lock, no connection held)
  // while `work` runs; the request goes on in a fresh transaction of the same scope.
  const Scope scope{principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0};
  if (conn_.inTransaction()) {
    if (writes_ && !audit_.events.empty() && principal_.firm_id) {
      conn_.setScope({principal_.firm_id, 0});
      AuditLog::append(conn_, principal_, remoteAddress(), requestId(), audit_.events);
      audit_.events.clear();
    }
    conn_.commit();
    if (onMidwayCommit_) onMidwayCommit_();
  }
  if (auto* lazy = dynamic_cast<LazyConnection*>(&conn_)) lazy->release();
  std::exception_ptr failed;
  try {
    work();
  } catch (...) {
    failed = std::current_exception();
  }
  conn_.begin(writes_);
  conn_.setScope(scope);
  if (failed) std::rethrow_exception(failed);
}

void RequestContext::bindFirm(std::int64_t firmId) {
  if (!binder_ || bound_ || principal_.firm_id != 0)
    throw sdk::Forbidden("bindFirm: only a public route binds a firm, once per request.");
  if (firmId <= 0) throw sdk::NotFound();
  // The firm must exist. Its switch for this module is not asked: a provider settles what was
  // started while the module was on (money already taken is never refused).
  conn_.setScope({firmId, 0});
  if (conn_.query("SELECT 1 FROM firms WHERE id = $1", {firmId}).empty()) {
    conn_.setScope({});
    throw sdk::NotFound();
  }
  bound_ = true;
  binder_(firmId);
}

void RequestContext::bindPortalUser(std::int64_t userId) {
  if (!portalBinder_ || !bound_ || portalBound_ || principal_.firm_id == 0 || principal_.user_id != 0)
    throw sdk::Forbidden("bindPortalUser: only a public route that bound a firm binds a portal user, once per request.");
  if (userId <= 0) throw sdk::NotFound();
  // Read in the bound firm's staff scope: the user must be an active portal user of that firm,
  // with a client, and the firm's portal module on (a portal session of a firm whose portal is off
  // is refused everywhere, docs/throttling.md).
  auto u = conn_.query(
      "SELECT client_id, email, COALESCE(NULLIF(display_name, ''), email) FROM users "
      "WHERE id = $1 AND kind = 'portal' AND status = 'active' AND client_id IS NOT NULL",
      {userId});
  if (u.empty() || !conn_.query("SELECT 1 FROM firm_modules WHERE module = 'portal' AND NOT enabled", {}).empty())
    throw sdk::NotFound();
  const std::int64_t client = sdk::asInt(u.rows[0][0]);
  portalBound_ = true;
  portalBinder_(userId, client, sdk::asText(u.rows[0][1]), sdk::asText(u.rows[0][2]));
}

void RequestContext::log(sdk::LogLevel level, const std::string& message) {
  auto& logger = Poco::Logger::get("plugin." + pluginId_);
  const std::string line = "[" + requestId() + "] " + message;
  switch (level) {
    case sdk::LogLevel::Debug: logger.debug(line); break;
    case sdk::LogLevel::Info: logger.information(line); break;
    case sdk::LogLevel::Warning: logger.warning(line); break;
    case sdk::LogLevel::Error: logger.error(line); break;
  }
}

}  // namespace lexos::core
