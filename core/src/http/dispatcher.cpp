#include "http/dispatcher.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <sstream>

#include "config/config.h"
#include "data/connection.h"
#include "guard/guard.h"
#include "http/json.h"
#include "http/request_context.h"
#include "http/static_files.h"
#include "identity/audit_log.h"
#include "mail/mailer.h"
#include "plugins/registry.h"

namespace lexos::core {

namespace {

void securityHeaders(Poco::Net::HTTPServerResponse& res, bool tls) {
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Content-Security-Policy",
          "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  if (tls) res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

void sendJson(Poco::Net::HTTPServerResponse& res, int status, const std::string& body, std::size_t& bytes) {
  res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentType("application/json");
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  bytes = body.size();
  res.send() << body;
}

std::string requestId() {
  static std::atomic<std::uint64_t> counter{0};
  static const std::uint64_t boot =
      static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) & 0xffffffu;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06llx%010llx", static_cast<unsigned long long>(boot),
                static_cast<unsigned long long>(++counter));
  return buf;
}

}  // namespace

void Dispatcher::handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
  const auto started = std::chrono::steady_clock::now();
  const std::string rid = requestId();
  const Config& cfg = *s_.config;
  securityHeaders(res, cfg.public_url.rfind("https://", 0) == 0);
  res.set("X-Request-Id", rid);
  std::size_t bytes = 0;
  int status = 500;
  const std::string& uri = req.getURI();
  const auto qpos = uri.find('?');
  const std::string rawPath = uri.substr(0, qpos);
  const std::string rawQuery = qpos == std::string::npos ? "" : uri.substr(qpos + 1);
  std::string path;
  try {
    if (!urlDecode(rawPath, path, false) || path.empty() || path[0] != '/') {
      status = 400;
      sendJson(res, 400, errorJson("invalid", "The request path is not valid.", "path"), bytes);
    } else if (path == "/healthz") {
      status = 200;
      res.set("Cache-Control", "no-store");
      sendJson(res, 200, "{\"status\":\"ok\"}", bytes);
    } else if (path == "/readyz") {
      bool dbOk = false;
      try {
        auto c = s_.pool->acquire();
        dbOk = c->ping();
      } catch (...) {
      }
      const bool ok = dbOk && s_.ready.load();
      status = ok ? 200 : 503;
      res.set("Cache-Control", "no-store");
      Poco::JSON::Object o;
      o.set("status", ok ? "ready" : "not ready");
      o.set("database", dbOk ? "ok" : "unreachable");
      o.set("plugins", static_cast<int>(s_.registry->plugins().size()));
      // Informational (readiness does not depend on it): "off" means every session check reads
      // the database, e.g. while the PostgreSQL change listener reconnects.
      o.set("session_cache", !s_.guard->cacheEnabled() ? "disabled" : s_.guard->cacheLive() ? "on" : "off");
      sendJson(res, status, toJson(o), bytes);
    } else if (path.rfind("/api/", 0) == 0) {
      res.set("Cache-Control", "no-store");
      status = api(path, rawQuery, rid, req, res, bytes);
    } else if (path.rfind("/plugins/", 0) == 0) {
      dropUnreadBody(req, res);
      status = pluginAsset(path, req, res, bytes);
    } else if (StaticFiles::handles(path)) {
      dropUnreadBody(req, res);
      StaticFiles files(cfg.web_dir);
      status = files.serve(path, req, res);
    } else {
      dropUnreadBody(req, res);
      status = 404;
      sendJson(res, 404, errorJson("not_found", "Not found."), bytes);
    }
  } catch (const std::exception& e) {
    Poco::Logger::get("lexosd").error("[" + rid + "] " + req.getMethod() + " " + rawPath + ": " + e.what());
    status = 500;
    if (!res.sent()) {
      if (req.getChunkedTransferEncoding() || (req.hasContentLength() && req.getContentLength64() > 0))
        res.setKeepAlive(false);  // the body may be unread: do not let it become the next request
      try {
        sendJson(res, 500, errorJson("internal", "Something went wrong on our side.", {}, rid), bytes);
      } catch (...) {
      }
    }
  }
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  // One line per request; load balancers' health probes only at debug level (as nginx
  // configurations usually exclude them), so they do not drown the log.
  static auto& access = Poco::Logger::get("access");
  const bool probe = path == "/healthz" || path == "/readyz";
  if (probe ? access.debug() : access.information()) {
    char line[96];
    std::snprintf(line, sizeof line, " %d %zu %.1fms", status, bytes, ms);
    const std::string text = rid + " " + clientAddress(req) + " " + req.getMethod() + " " + rawPath + line;
    if (probe) access.debug(text);
    else access.information(text);
  }
}

std::string Dispatcher::clientAddress(const Poco::Net::HTTPServerRequest& req) const {
  // Behind a reverse proxy every request comes from the proxy: believe X-Forwarded-For only
  // from the proxies the operator listed, and take the rightmost address they did not add.
  std::string peer = req.clientAddress().host().toString();
  const auto& trusted = s_.config->trusted_proxies;
  auto isTrusted = [&](const std::string& ip) { return std::find(trusted.begin(), trusted.end(), ip) != trusted.end(); };
  if (trusted.empty() || !isTrusted(peer) || !req.has("X-Forwarded-For")) return peer;
  std::vector<std::string> hops;
  std::string item;
  std::stringstream ss(req.get("X-Forwarded-For"));
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) hops.push_back(item);
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it)
    if (!isTrusted(*it)) return it->size() <= 45 ? *it : peer;
  return peer;
}

int Dispatcher::pluginAsset(const std::string& path, Poco::Net::HTTPServerRequest& req,
                            Poco::Net::HTTPServerResponse& res, std::size_t& bytes) {
  // /plugins/<id>/<file>: a plugin's screens (SDK 1.2). Code, not data, but a firm that switched
  // the module off gets nothing of it, and an anonymous visitor nothing of any module: the same
  // 404 in every such case, so the answer tells nobody which modules exist or which firm has
  // which. The session check is the guard's (cache, or one read); nothing is written.
  const std::string rest = path.substr(9);
  const auto slash = rest.find('/');
  const std::string id = rest.substr(0, slash);
  const std::string file = slash == std::string::npos ? "" : rest.substr(slash + 1);
  auto notFound = [&] {
    res.set("Cache-Control", "no-store");
    sendJson(res, 404, errorJson("not_found", "Not found."), bytes);
    return 404;
  };
  if (id.empty() || id == "core" || file.empty() || !s_.registry->hasPlugin(id)) return notFound();
  LazyConnection conn(*s_.pool);
  const SessionInfo session = s_.guard->authenticate(req, conn);
  if (!s_.guard->moduleOn(session, id, conn)) return notFound();
  return StaticFiles::serveFile(s_.config->web_plugins_dir + "/" + id, file, req, res, true, false);
}

int Dispatcher::api(const std::string& path, const std::string& query, const std::string& rid,
                    Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res, std::size_t& bytes) {
  const Registry& reg = *s_.registry;
  auto match = reg.router().match(req.getMethod(), path);
  if (!match.match) {
    dropUnreadBody(req, res);
    if (!match.allowed.empty()) {
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      res.set("Allow", allow);
      sendJson(res, 405, errorJson("method_not_allowed", "Use " + allow + " for this path."), bytes);
      return 405;
    }
    sendJson(res, 404, errorJson("not_found", "Not found."), bytes);
    return 404;
  }
  const RouteEntry& route = reg.routes()[match.match->target];
  const std::size_t limit = std::min(route.route.max_body_bytes, s_.config->max_body_bytes);
  if (req.hasContentLength() && req.getContentLength64() > static_cast<Poco::Int64>(limit)) {
    res.setKeepAlive(false);  // never read a body we refuse
    sendJson(res, 413, errorJson("too_large", "The request body is larger than " + std::to_string(limit) + " bytes."), bytes);
    return 413;
  }
  const std::string& m = req.getMethod();
  const bool write = !(m == "GET" || m == "HEAD");
  HttpResponse response(res);
  SessionInfo session;
  // Borrowed from the pool, and the transaction begun, only when a statement needs it.
  LazyConnection conn(*s_.pool);
  std::vector<sdk::MailMessage> mail;
  std::vector<BufferedAudit::Event> events;
  std::optional<HttpRequest> parsed;
  // Whatever happens below, the connection must not carry an unread body into its next request.
  auto unreadBody = [&] {
    if (!parsed || !parsed->bodyRead()) dropUnreadBody(req, res);
  };
  try {
    parsed.emplace(req, path, query, match.match->params, limit, clientAddress(req), rid);
    HttpRequest& request = *parsed;
    // The guard only reads, each read a short one of its own, before the request's transaction
    // begins: a request still waiting for its body holds no write lock (SQLite's BEGIN
    // IMMEDIATE), no transaction and no pooled connection. The transaction itself starts at
    // the handler's first statement, bound to the principal's firm (and a portal user's client).
    session = s_.guard->authenticate(req, conn);
    s_.guard->authorize(route, session, req, conn);
    conn.begin(write);
    conn.setScope({session.principal.firm_id, session.principal.isPortal() ? session.principal.client_id : 0});
    RequestContext ctx(request, response, session.principal, conn, *s_.config, route.plugin);
    ctx.setSession(&session);
    route.route.handler(ctx);
    if (!response.sent()) response.send("");
    if (write) {
      conn.setScope({session.principal.firm_id, 0});
      AuditLog::append(conn, session.principal, request.remoteAddress(), rid, ctx.auditBuffer().events);
      if (session.needs_touch)
        conn.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", {utcTimestamp(), session.session_id});
    } else {
      events = std::move(ctx.auditBuffer().events);
    }
    conn.commit();
    if (write && session.needs_touch) s_.guard->touched(session);
    mail = std::move(ctx.mailQueue().messages);
  } catch (const sdk::HttpError& e) {
    if (conn.inTransaction()) conn.rollback();
    response.discard();
    unreadBody();
    if (e.status() == 401 || e.status() == 403) {
      // Denials are audited, in their own transaction (the request's was rolled back).
      try {
        if (session.principal.firm_id) {
          conn.begin(true);
          conn.setScope({session.principal.firm_id, 0});
          AuditLog::append(conn, session.principal, clientAddress(req), rid,
                           {{"access.denied", "route", std::string(sdk::methodName(route.route.method)) + " " + route.route.path, e.code()}});
          conn.commit();
        }
      } catch (...) {
        if (conn.inTransaction()) conn.rollback();
      }
    }
    if (const auto* busy = dynamic_cast<const sdk::TooManyRequests*>(&e); busy && !response.streamed())
      res.set("Retry-After", std::to_string(busy->retryAfterSeconds()));
    if (!response.streamed()) sendJson(res, e.status(), errorJson(e.code(), e.what(), e.field()), bytes);
    return e.status();
  } catch (const DatabaseUnavailable& e) {
    // The database is down, restarting or out of connections: a client (or a load balancer)
    // should try again shortly, which a 500 does not say. Nothing was committed.
    try {
      if (conn.inTransaction()) conn.rollback();
    } catch (...) {
    }
    response.discard();
    unreadBody();
    // At most one line a second: an outage can answer thousands of requests a second, and each
    // is in the access log already.
    static std::atomic<std::int64_t> lastWarned{0};
    const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now().time_since_epoch()).count();
    std::int64_t previous = lastWarned.load();
    if (previous != second && lastWarned.compare_exchange_strong(previous, second))
      Poco::Logger::get("lexosd").warning("[" + rid + "] database unavailable: " + e.what());
    if (!response.streamed()) {
      res.set("Retry-After", "2");
      sendJson(res, 503,
               errorJson("unavailable", "The database is not reachable right now; try again in a moment.", {}, rid),
               bytes);
    }
    return 503;
  } catch (const sdk::DbError& e) {
    if (conn.inTransaction()) conn.rollback();
    response.discard();
    unreadBody();
    Poco::Logger::get("lexosd").error("[" + rid + "] database: " + e.what());
    const int status = e.kind() == sdk::DbError::Kind::Constraint ? 409 : (e.kind() == sdk::DbError::Kind::TenancyViolation ? 404 : 500);
    if (!response.streamed())
      sendJson(res, status,
               status == 409 ? errorJson("conflict", "The change conflicts with existing data.")
                             : status == 404 ? errorJson("not_found", "Not found.")
                                             : errorJson("internal", "Something went wrong on our side.", {}, rid),
               bytes);
    return status;
  } catch (const std::exception& e) {
    if (conn.inTransaction()) conn.rollback();
    response.discard();
    unreadBody();
    Poco::Logger::get("lexosd").error("[" + rid + "] " + route.plugin + ": " + e.what());
    if (!response.streamed()) sendJson(res, 500, errorJson("internal", "Something went wrong on our side.", {}, rid), bytes);
    return 500;
  } catch (...) {
    if (conn.inTransaction()) conn.rollback();
    response.discard();
    unreadBody();
    Poco::Logger::get("lexosd").error("[" + rid + "] " + route.plugin + ": unknown exception");
    if (!response.streamed()) sendJson(res, 500, errorJson("internal", "Something went wrong on our side.", {}, rid), bytes);
    return 500;
  }
  // A read-only transaction (SQLite takes no write lock for GETs) cannot write: audit events of
  // reads and the session's idle clock are written in a short transaction of their own.
  if (!write && (session.needs_touch || !events.empty())) {
    try {
      conn.begin(true);
      conn.setScope({session.principal.firm_id, 0});
      AuditLog::append(conn, session.principal, clientAddress(req), rid, events);
      if (session.needs_touch)
        conn.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", {utcTimestamp(), session.session_id});
      conn.commit();
      if (session.needs_touch) s_.guard->touched(session);
    } catch (const std::exception& e) {
      if (conn.inTransaction()) conn.rollback();
      Poco::Logger::get("lexosd").error("[" + rid + "] audit/session update failed: " + e.what());
    }
  }
  if (!mail.empty() && s_.mailer) s_.mailer->deliver(mail);
  if (!response.streamed()) unreadBody();
  response.flush();
  bytes = response.bytes();
  return response.status();
}

}  // namespace lexos::core
