#include "http/dispatcher.h"
#include "http/idempotency.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <sstream>

#include "common/json.h"
#include "common/time.h"
#include "config/config.h"
#include "data/connection.h"
#include "data/connection_pool.h"
#include "data/lazy_connection.h"
#include "guard/guard.h"
#include "http/buffered_exchange.h"
#include "http/error_mapper.h"
#include "http/http_metrics.h"
#include "http/read_cache.h"
#include "http/request_context.h"
#include "http/static_files.h"
#include "identity/audit_log.h"
#include "identity/audit_sequencer.h"
#include "mail/mail_queue.h"
#include "mail/mail_sender.h"
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
  AccessNote note;
  const std::string& uri = req.getURI();
  const auto qpos = uri.find('?');
  const std::string rawPath = uri.substr(0, qpos);
  const std::string rawQuery = qpos == std::string::npos ? "" : uri.substr(qpos + 1);
  std::string path;
  std::size_t metricsKey = HttpMetrics::kNoRoute;  // what /metrics counts it as (API: its route)
  try {
    if (!urlDecode(rawPath, path, false) || path.empty() || path[0] != '/') {
      status = 400;
      sendJson(res, 400, errorJson("invalid", "The request path is not valid.", "path"), bytes);
    } else if (path == "/healthz") {
      metricsKey = HttpMetrics::kHealthz;
      status = 200;
      res.set("Cache-Control", "no-store");
      sendJson(res, 200, "{\"status\":\"ok\"}", bytes);
    } else if (path == "/readyz") {
      metricsKey = HttpMetrics::kReadyz;
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
      status = api(path, rawQuery, rid, req, res, bytes, note);
    } else if (path.rfind("/plugins/", 0) == 0) {
      metricsKey = HttpMetrics::kPluginFiles;
      dropUnreadBody(req, res);
      status = pluginAsset(path, req, res, bytes);
    } else if (StaticFiles::handles(path)) {
      metricsKey = HttpMetrics::kStaticFiles;
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
  if (s_.http_metrics && note.entry) metricsKey = s_.http_metrics->routeKey(note.entry);
  // One line per request; load balancers' health probes only at debug level (as nginx
  // configurations usually exclude them), so they do not drown the log. The API's route template
  // stands for the path (a path may hold a feed token; a query string, a search for a person's
  // name: neither is logged), with the firm and user ids of the caller (docs/operations.md, "Logs").
  // An answer held for its audit events (PostgreSQL: http/server.cpp) is logged and counted once
  // it has left, with the time it waited, or as the 503 that replaced it.
  static auto& access = Poco::Logger::get("access");
  const bool probe = path == "/healthz" || path == "/readyz";
  const bool logged = probe ? access.debug() : access.information();
  auto finish = [metrics = s_.http_metrics, metricsKey, started, logged, probe, rid,
                 method = req.getMethod(), address = logged ? clientAddress(req) : std::string(),
                 route = path.rfind("/api/", 0) == 0 ? (note.route.empty() ? "(no route)" : note.route) : rawPath,
                 firm = note.firm_id, user = note.user_id, audience = note.audience](int status, std::size_t sent) {
    const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (metrics) metrics->observe(metricsKey, method, status, ms / 1000.0);
    if (!logged) return;
    char tail[96];
    std::snprintf(tail, sizeof tail, " %d %zu %.1fms", status, sent, ms);
    std::string text = rid + " " + address + " " + method + " " + route;
    if (firm > 0) text += " firm=" + std::to_string(firm) + " user=" + std::to_string(user);
    text += tail;
    Poco::Message m("access", text, probe ? Poco::Message::PRIO_DEBUG : Poco::Message::PRIO_INFORMATION);
    m.set("request_id", rid);
    m.set("address", address);
    m.set("method", method);
    m.set("route", route);
    m.set("status", std::to_string(status));
    m.set("bytes", std::to_string(sent));
    char dur[32];
    std::snprintf(dur, sizeof dur, "%.1f", ms);
    m.set("duration_ms", dur);
    if (firm > 0) {
      m.set("firm_id", std::to_string(firm));
      m.set("user_id", std::to_string(user));
      if (audience) m.set("audience", audience);
    }
    access.log(m);
  };
  if (auto* buffered = dynamic_cast<BufferedResponse*>(&res); buffered && buffered->heldFor()) {
    buffered->afterHold([finish = std::move(finish), status, bytes](bool ok, std::size_t refusedBytes) {
      finish(ok ? status : 503, ok ? bytes : refusedBytes);
    });
    return;
  }
  finish(status, bytes);
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
  const SessionInfo session = sessionOf(req, conn);
  if (!s_.guard->moduleOn(session, id, conn)) return notFound();
  return StaticFiles::serveFile(s_.config->web_plugins_dir + "/" + id, file, req, res, true, false);
}

// ---- An API call, as stages ----------------------------------------------------------------
//
//   route → body limit → parse → guard → idempotency → cache → scope → handler → commit → record
//         → keep → respond
//                                          (a repeated Idempotency-Key: → replay → respond)
//                                          (a kept portal answer: → hit → record → respond)
//
// Each stage either moves the call on or throws; whatever it throws goes through mapError()
// (http/error_mapper.h), the one place that decides what the client is told, and fail(), the one
// place that undoes what the stages did (rollback, unread body, buffered answer) and audits a
// denial. Nothing a stage does while a client is still sending holds a database lock: the guard
// only reads, each read a short one of its own, and the transaction starts at the handler's
// first statement (docs/guard.md).

// Bodies of requests with an Idempotency-Key are held in memory to fingerprint them.
constexpr std::size_t kIdempotentBodyLimit = 1024 * 1024;

struct Dispatcher::ApiCall {
  ApiCall(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs, ConnectionPool& pool,
          const std::string& p, const std::string& q, const std::string& id)
      : req(rq), res(rs), path(p), query(q), rid(id), conn(pool), response(rs, &rq) {}
  Poco::Net::HTTPServerRequest& req;
  Poco::Net::HTTPServerResponse& res;
  const std::string& path;
  const std::string& query;
  const std::string& rid;
  LazyConnection conn;  ///< borrowed from the pool, and the transaction begun, at first use
  HttpResponse response;
  const RouteEntry* route = nullptr;
  std::map<std::string, std::string> params;
  std::size_t limit = 0;
  bool write = false;
  SessionInfo session;
  std::optional<HttpRequest> request;
  std::vector<sdk::MailMessage> mail;
  std::vector<std::int64_t> mailIds;  ///< mail_queue rows this request inserted
  bool committed = false;             ///< the request's transaction committed (its mail rows with it)
  std::vector<BufferedAudit::Event> readEvents;  ///< audit events of a read-only call
  std::string idempotencyKey;                    ///< claimed for this request (http/idempotency.h)
  std::string idempotencyClaim;                  ///< the claim's token
  std::optional<StoredAnswer> replay;            ///< the first answer of a repeated request
  bool committedMidway = false;                  ///< the handler committed part of its work
  // The portal read cache (http/read_cache.h): set by cacheStage for a cacheable request.
  std::string cacheKey;                              ///< empty: not cacheable
  std::uint64_t cacheFingerprint = 0;                ///< read before the handler ran
  std::shared_ptr<const ReadCache::Entry> cached;    ///< a kept answer to serve
};

std::int64_t Dispatcher::uploadFirm(Poco::Net::HTTPServerRequest& req) const {
  try {
    const std::string& uri = req.getURI();
    std::string path;
    if (!urlDecode(uri.substr(0, uri.find('?')), path, false) || path.rfind("/api/", 0) != 0) return 0;
    auto match = s_.registry->router().match(req.getMethod(), path);
    if (!match.match) return 0;
    const RouteEntry& route = s_.registry->routes()[match.match->target];
    LazyConnection conn(*s_.pool);
    const SessionInfo session = s_.guard->authenticate(req, conn);
    s_.guard->authorize(route, session, req, conn);
    return session.principal.firm_id > 0 ? session.principal.firm_id : 0;
  } catch (...) {
    return 0;  // the dispatch finds the same problem and answers it
  }
}

void Dispatcher::routeStage(ApiCall& call) const {
  auto match = s_.registry->router().match(call.req.getMethod(), call.path);
  if (!match.match) {
    if (match.allowed.empty()) throw sdk::NotFound();
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    throw MethodNotAllowed(allow);
  }
  call.route = &s_.registry->routes()[match.match->target];
  call.params = std::move(match.match->params);
  const std::string& m = call.req.getMethod();
  call.write = !(m == "GET" || m == "HEAD");
}

void Dispatcher::bodyStage(ApiCall& call) const {
  // A declared body over the limit is refused before a byte of it is read; bodies without a
  // declared length (chunked) are held to the limit as they are read (HttpRequest::body).
  call.limit = std::min(call.route->route.max_body_bytes, s_.config->max_body_bytes);
  if (call.req.hasContentLength() && call.req.getContentLength64() > static_cast<Poco::Int64>(call.limit))
    throw BodyTooLarge(call.limit);
}

void Dispatcher::parseStage(ApiCall& call) const {
  call.request.emplace(call.req, call.path, call.query, call.params, call.limit, clientAddress(call.req), call.rid);
}

SessionInfo Dispatcher::sessionOf(Poco::Net::HTTPServerRequest& req, Connection& c) const {
  return preset_ ? *preset_ : s_.guard->authenticate(req, c);
}

void Dispatcher::guardStage(ApiCall& call) const {
  call.session = sessionOf(call.req, call.conn);
  s_.guard->authorize(*call.route, call.session, call.req, call.conn);
}

void Dispatcher::idempotencyStage(ApiCall& call) const {
  // Writing requests of signed-in users that carry an Idempotency-Key run once per key.
  // Not on public routes (sign-in answers set cookies and count failures; webhooks have ids of
  // their own).
  if (!call.write || !call.req.has("Idempotency-Key") || call.route->route.audience == sdk::Audience::Public ||
      call.session.principal.firm_id == 0 || call.session.principal.user_id == 0)
    return;
  const std::string key = Idempotency::checkKey(call.req.get("Idempotency-Key"));
  if (call.limit > kIdempotentBodyLimit)
    throw sdk::BadRequest("Idempotency-Key", "This route takes uploads; it does not take an Idempotency-Key.");
  const std::string fp = Idempotency::fingerprint(call.req.getMethod(), call.path, call.query, call.request->holdBody());
  auto claim = Idempotency::claim(call.conn, call.session.principal, key, fp);
  call.replay = std::move(claim.replay);
  if (!call.replay) {
    call.idempotencyKey = key;
    call.idempotencyClaim = claim.token;
  }
}

void Dispatcher::replayStage(ApiCall& call) const {
  const StoredAnswer& a = *call.replay;
  call.response.setStatus(a.status);
  if (!a.content_type.empty()) call.response.setContentType(a.content_type);
  call.response.setHeader("Idempotent-Replayed", "true");
  call.response.send(a.body);
}

void Dispatcher::cacheStage(ApiCall& call) const {
  // Only a declared route (SDK 1.9 addCachedRead: a portal GET whose answer depends on nothing
  // but the request, the principal and its portal scope's rows), for a portal user whose session
  // the guard has just accepted (module on, permission held), asking for the whole answer.
  const auto& p = call.session.principal;
  if (!call.route->cached_read || call.write || call.req.getMethod() != "GET" || !p.isPortal() || p.firm_id == 0 ||
      p.client_id == 0)
    return;
  call.res.set("X-Lexos-Cache", "miss");
  ReadCache* cache = s_.read_cache;
  if (!cache || call.req.has("Range") || call.req.has("If-None-Match") || call.req.has("If-Modified-Since") ||
      !cache->live())
    return;
  // BEFORE the handler reads anything: a change committed after this is not in the fingerprint,
  // so an answer that may predate it is never served once it is announced.
  call.cacheFingerprint = cache->fingerprint(p.firm_id, p.client_id);
  call.cacheKey = ReadCache::key(p.firm_id, p.user_id, p.client_id, call.path, call.query);
  call.cached = cache->find(call.cacheKey, call.cacheFingerprint);
}

void Dispatcher::hitStage(ApiCall& call) const {
  const ReadCache::Entry& e = *call.cached;
  call.res.set("X-Lexos-Cache", "hit");
  call.response.setStatus(e.status);
  if (!e.content_type.empty()) call.response.setContentType(e.content_type);
  call.response.send(e.body);
  // This view is recorded as the handler would have recorded it: with this request's id, time
  // and address (recordStage).
  call.readEvents = e.events;
}

void Dispatcher::keepStage(ApiCall& call) const {
  if (call.cacheKey.empty() || !s_.read_cache) return;
  auto& r = call.response;
  // Only a plain buffered 200 whose whole effect is its body and its audit events: not a
  // stream, not an answer that set a header of its own (a cookie), queued mail or committed
  // part of its work.
  if (r.status() != 200 || !r.sent() || r.streamed() || r.headersSet() || call.committedMidway || !call.mail.empty() ||
      !call.mailIds.empty() || call.res.has("Set-Cookie"))
    return;
  ReadCache::Entry e;
  e.status = r.status();
  e.content_type = r.raw().getContentType();
  e.body = r.bufferedBody();
  e.events = call.readEvents;
  e.fingerprint = call.cacheFingerprint;
  e.stored = std::chrono::steady_clock::now();
  s_.read_cache->store(call.cacheKey, std::move(e));
}

void Dispatcher::scopeStage(ApiCall& call) const {
  const auto& p = call.session.principal;
  // SQLite: portal views answered a moment ago may still be in the read journal; a staff request
  // (a document's ledger, the audit page) sees them chained (identity/audit_journal.h).
  if (s_.audit && p.firm_id > 0 && !p.isPortal()) s_.audit->catchUp(call.conn);
  call.conn.begin(call.write);
  call.conn.setScope({p.firm_id, p.isPortal() ? p.client_id : 0});
}

void Dispatcher::handlerStage(ApiCall& call) const {
  RequestContext ctx(*call.request, call.response, call.session.principal, call.conn, *s_.config, call.route->plugin);
  ctx.setSession(&call.session);
  ctx.setVault(s_.vault);
  ctx.setWrites(call.write);
  ctx.setOnMidwayCommit([&call] { call.committedMidway = true; });
  if (call.route->route.audience == sdk::Audience::Public && call.session.principal.firm_id == 0) {
    ctx.setFirmBinder([&call](std::int64_t firm) {
      call.session.principal.firm_id = firm;
      call.conn.setScope({firm, 0});
    });
    ctx.setPortalBinder([&call, this](std::int64_t user, std::int64_t client, const std::string& email,
                                      const std::string& name) {
      auto& p = call.session.principal;
      p.kind = sdk::PrincipalKind::Portal;
      p.user_id = user;
      p.client_id = client;
      p.email = email;
      p.display_name = name;
      p.roles = {sdk::kRolePortal};
      p.permissions = s_.guard->permissionsOf(sdk::kRolePortal);
      call.conn.setScope({p.firm_id, client});
    });
  }
  // A streamed read (a download) is recorded before its first byte leaves, not after the last:
  // a client holding the bytes finds the view in the log, in the ledger it asks for next. The
  // read transaction ends first (the record is written outside it); the handler goes on in a
  // new one, in the same scope.
  if (!call.write && s_.audit) {
    call.response.setBeforeStream([&call, &ctx, this] {
      auto& events = ctx.auditBuffer().events;
      if (events.empty()) return;
      const auto& p = call.session.principal;
      // Inside RequestContext::outsideTransaction() there is no transaction to end or reopen.
      const bool had = call.conn.inTransaction();
      if (had) call.conn.commit();
      auto reopen = [&] {
        if (!had) return;
        call.conn.begin(false);
        call.conn.setScope({p.firm_id, p.isPortal() ? p.client_id : 0});
      };
      call.readEvents = events;  // copied: on failure they stay with the handler
      try {
        recordStage(call, false);
      } catch (...) {
        // Not recorded: the events stay in the handler's buffer, the stream is refused (the
        // response rethrows this to any later attempt), and the handler keeps its transaction.
        call.readEvents.clear();
        try {
          reopen();
        } catch (...) {
        }
        throw;
      }
      call.readEvents.clear();
      events.clear();  // recorded: not again after the handler
      reopen();
    });
  }
  struct ForgetHook {  // the hook refers to ctx, which ends with this function
    HttpResponse& r;
    ~ForgetHook() { r.setBeforeStream(nullptr); }
  } forget{call.response};
  try {
    call.route->route.handler(ctx);
  } catch (const AnswerAfterCommit&) {
    // The handler's writes stand (a counted sign-in failure): commit them, then answer.
    collect(call, ctx);
    commitStage(call);
    throw;
  }
  if (!call.response.sent()) call.response.send("");
  collect(call, ctx);
}

void Dispatcher::collect(ApiCall& call, RequestContext& ctx) const {
  if (call.write) {
    call.conn.setScope({call.session.principal.firm_id, 0});
    AuditLog::append(call.conn, call.session.principal, call.request->remoteAddress(), call.rid,
                     ctx.auditBuffer().events);
  } else {
    call.readEvents = std::move(ctx.auditBuffer().events);
  }
  call.mail = std::move(ctx.mailQueue().messages);
  // Mail is queued in the request's own transaction (in the firm's staff scope, set above): a
  // request that is rolled back sends nothing (mail/mail_queue.h).
  if (call.write && !call.mail.empty() && call.session.principal.firm_id > 0 && s_.mailSender) {
    call.mailIds = MailQueue::enqueue(call.conn, call.session.principal.firm_id, call.mail, call.rid);
    call.mail.clear();
  }
}

void Dispatcher::sendQueuedMail(ApiCall& call) const {
  if (call.mailIds.empty() || !call.committed) return;
  const std::int64_t firm = call.session.principal.firm_id;
  std::vector<std::int64_t> ids;
  ids.swap(call.mailIds);
  // The outbox transport writes a local file: done here, so that the .eml is there when the
  // answer arrives (developers and tests read it next). SMTP talks to another server: the
  // sender's thread does it, and the answer does not wait for it.
  if (s_.config->mail_transport == "outbox") s_.mailSender->deliverNow(call.conn, firm, ids);
  else s_.mailSender->notify(firm);
}

void Dispatcher::commitStage(ApiCall& call) const {
  if (!call.idempotencyKey.empty()) {
    // The answer is kept in the same transaction as the changes it reports.
    StoredAnswer a;
    a.status = call.response.status();
    a.content_type = call.response.raw().getContentType();
    a.body = call.response.bufferedBody();
    Idempotency::complete(call.conn, call.session.principal, call.idempotencyKey, call.idempotencyClaim,
                          call.response.streamed() ? nullptr : &a);
  }
  if (call.write && call.session.needs_touch)
    call.conn.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", {utcTimestamp(), call.session.session_id});
  call.conn.commit();
  call.committed = true;
  if (call.write && call.session.needs_touch) s_.guard->touched(call.session);
}

void Dispatcher::recordStage(ApiCall& call, bool mayHold) const {
  // A read-only transaction (SQLite takes no write lock for GETs) cannot write: the audit
  // events of a read are recorded after it, before the answer leaves. With the sequencer, in a
  // group commit with other reads (identity/audit_sequencer.h). Failing here fails the request:
  // an answered view is always recorded.
  if (call.write || call.readEvents.empty()) return;
  try {
    recordReads(call, mayHold);
  } catch (const DatabaseUnavailable&) {
    throw;  // down or out of connections: 503 unavailable, as for any statement
  } catch (const std::exception& e) {
    // Not a tenancy question (RLS refusing audit_pending would read as a 404): the view is
    // refused because it could not be recorded.
    throw AuditUnavailable(e.what());
  }
}

void Dispatcher::recordReads(ApiCall& call, bool mayHold) const {
  const std::string address = clientAddress(call.req);
  if (s_.audit) {
    // Waiting for the group commit holds no pooled connection: the commit's lead borrows one,
    // and with more workers than connections (server.threads above database.pool_size) waiters
    // holding theirs would leave the lead none until the pool's timeout.
    call.conn.release();
    // A buffered answer of the connection layer waits for the commit without its worker: the
    // recorder commits, then the answer leaves (http/server.cpp). A stream has begun already.
    auto* held = mayHold && !call.response.streamed() ? dynamic_cast<BufferedResponse*>(&call.res) : nullptr;
    if (held) {
      held->holdFor(s_.audit->recordReadLater(call.conn, call.session.principal, address, call.rid, call.readEvents));
      return;
    }
    s_.audit->recordRead(call.conn, call.session.principal, address, call.rid, call.readEvents);
    return;
  }
  call.conn.begin(true);
  call.conn.setScope({call.session.principal.firm_id, 0});
  AuditLog::append(call.conn, call.session.principal, address, call.rid, call.readEvents);
  call.conn.commit();
}

int Dispatcher::respondStage(ApiCall& call, std::size_t& bytes) const {
  // The session's idle clock, for a read, in a short transaction of its own.
  auto& session = call.session;
  if (!call.write && session.needs_touch) {
    try {
      call.conn.begin(true);
      call.conn.setScope({session.principal.firm_id, 0});
      call.conn.execute("UPDATE sessions SET last_seen_at = $1 WHERE id = $2", {utcTimestamp(), session.session_id});
      call.conn.commit();
      s_.guard->touched(session);
    } catch (const std::exception& e) {
      if (call.conn.inTransaction()) call.conn.rollback();
      Poco::Logger::get("lexosd").error("[" + call.rid + "] session update failed: " + e.what());
    }
  }
  // Events this request recorded are committed: the sequencer chains them in a few milliseconds.
  if (s_.audit) s_.audit->notifyRecorded();
  if (!call.mail.empty() && s_.mailSender && call.session.principal.firm_id > 0) {
    // A read (GET) that sent mail: queued in a short write transaction of its own.
    try {
      call.conn.beginScoped(true, {call.session.principal.firm_id, 0});
      call.mailIds = MailQueue::enqueue(call.conn, call.session.principal.firm_id, call.mail, call.rid);
      call.conn.commit();
      call.committed = true;
      call.mail.clear();
    } catch (const std::exception& e) {
      if (call.conn.inTransaction()) call.conn.rollback();
      Poco::Logger::get("lexosd").error("[" + call.rid + "] queueing mail failed: " + e.what());
      call.mailIds.clear();
    }
  }
  sendQueuedMail(call);
  // Mail without a firm (no queue row can hold it): handed to the transport directly.
  if (!call.mail.empty() && s_.mailer) s_.mailer->deliver(call.mail);
  if (!call.response.streamed()) dropUnread(call);
  call.response.flush();
  bytes = call.response.bytes();
  return call.response.status();
}

void Dispatcher::dropUnread(ApiCall& call) const {
  // The connection must not carry an unread body into its next request.
  if (!call.request || !call.request->bodyRead()) dropUnreadBody(call.req, call.res);
}

int Dispatcher::fail(ApiCall& call, std::exception_ptr error, std::size_t& bytes) const {
  const ErrorAnswer a = mapError(error);
  try {
    if (call.conn.inTransaction()) call.conn.rollback();
  } catch (...) {
  }
  call.response.discard();
  if (!call.idempotencyKey.empty()) {
    if (call.committedMidway) {
      // Part of the work stands: a repeat gets this answer instead of doing that part again.
      StoredAnswer kept{a.status, "application/json",
                        errorJson(a.code, a.message, a.field, a.with_request_id ? call.rid : std::string())};
      Idempotency::keepFailure(call.conn, call.session.principal, call.idempotencyKey, call.idempotencyClaim, kept);
    } else {
      Idempotency::release(call.conn, call.session.principal, call.idempotencyKey, call.idempotencyClaim);
    }
  }
  if (a.close_connection) call.res.setKeepAlive(false);  // never read a body we refuse
  else dropUnread(call);
  if (a.audit_denial && call.session.principal.firm_id && call.route) {
    // Denials are audited, in their own transaction (the request's was rolled back).
    try {
      call.conn.begin(true);
      call.conn.setScope({call.session.principal.firm_id, 0});
      AuditLog::append(call.conn, call.session.principal, clientAddress(call.req), call.rid,
                       {{"access.denied", "route",
                         std::string(sdk::methodName(call.route->route.method)) + " " + call.route->route.path, a.code}});
      call.conn.commit();
    } catch (...) {
      try {
        if (call.conn.inTransaction()) call.conn.rollback();
      } catch (...) {
      }
    }
  }
  if (s_.audit) s_.audit->notifyRecorded();  // a refusal, or the writes of an answer after commit
  sendQueuedMail(call);                       // an answer after commit: its mail stands too
  auto& log = Poco::Logger::get("lexosd");
  const std::string where = call.route ? call.route->plugin + ": " : "";
  if (a.log == ErrorAnswer::Log::Error) {
    log.error("[" + call.rid + "] " + where + a.log_text);
  } else if (a.log == ErrorAnswer::Log::Warning) {
    // At most one line a second: an outage can answer thousands of requests a second, and each
    // is in the access log already.
    static std::atomic<std::int64_t> lastWarned{0};
    const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::steady_clock::now().time_since_epoch()).count();
    std::int64_t previous = lastWarned.load();
    if (previous != second && lastWarned.compare_exchange_strong(previous, second))
      log.warning("[" + call.rid + "] " + a.log_text);
  }
  if (call.response.streamed()) return a.status;  // the head is out: the connection just ends
  if (a.retry_after > 0) call.res.set("Retry-After", std::to_string(a.retry_after));
  if (!a.allow.empty()) call.res.set("Allow", a.allow);
  sendJson(call.res, a.status, errorJson(a.code, a.message, a.field, a.with_request_id ? call.rid : std::string()), bytes);
  return a.status;
}

int Dispatcher::api(const std::string& path, const std::string& query, const std::string& rid,
                    Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res, std::size_t& bytes,
                    AccessNote& note) {
  ApiCall call(req, res, *s_.pool, path, query, rid);
  struct Noted {
    const ApiCall& call;
    AccessNote& note;
    ~Noted() {
      if (call.route) note.route = call.route->route.path;
      note.entry = call.route;
      const auto& p = call.session.principal;
      note.firm_id = p.firm_id;
      note.user_id = p.user_id;
      if (p.firm_id > 0) note.audience = p.isPortal() ? "portal" : "staff";
    }
  } noted{call, note};
  try {
    routeStage(call);
    bodyStage(call);
    parseStage(call);
    guardStage(call);
    idempotencyStage(call);
    cacheStage(call);
    if (call.replay) {
      replayStage(call);
    } else if (call.cached) {
      hitStage(call);
      recordStage(call);
    } else {
      scopeStage(call);
      handlerStage(call);
      commitStage(call);
      recordStage(call);
      keepStage(call);
    }
  } catch (...) {
    return fail(call, std::current_exception(), bytes);
  }
  return respondStage(call, bytes);
}

}  // namespace lexos::core
