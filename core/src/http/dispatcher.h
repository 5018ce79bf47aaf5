#pragma once
// One request's path through the host: request id, security headers, health endpoints, static
// files, plugin assets, and API calls as named stages (route, body, parse, guard, scope,
// handler, commit, respond) with one error mapper (http/error_mapper.h); one log line.

#include <Poco/Net/HTTPRequestHandler.h>

#include <exception>
#include <optional>

#include "guard/guard.h"
#include "http/server.h"

namespace lexos::core {

class Dispatcher : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Dispatcher(Services& services) : s_(services) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override;
  /// The firm of a request whose head (`req`, body not yet here) the guard accepts as it will
  /// at dispatch: routed to an API route, signed in, permitted. 0 when any of it fails (the
  /// dispatch then answers as usual). Reads like the guard does, holds no transaction. The
  /// connection layer asks this before writing a large upload into the firm's vault as it
  /// arrives (vault/spooled_blob.h).
  std::int64_t uploadFirm(Poco::Net::HTTPServerRequest& req) const;
  /// The session of this request's cookie, read already (the connection layer parked the
  /// request while reading it: guard/session_prefetch.h). The guard stage then takes it instead
  /// of reading the cookie again; everything after (CSRF, audience, switches, permission) runs.
  void presetSession(SessionInfo s) { preset_ = std::move(s); }

 private:
  int pluginAsset(const std::string& path, Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res,
                  std::size_t& bytes);
  /// An API call: the stages below in order, and fail() for whatever one of them throws.
  /// What the access line tells of an API call: the route's template (never the path itself,
  /// which may hold a feed token) and who called.
  struct AccessNote {
    std::string route;
    const RouteEntry* entry = nullptr;  ///< the route matched (metrics count by it)
    std::int64_t firm_id = 0;
    std::int64_t user_id = 0;
    const char* audience = nullptr;
  };
  int api(const std::string& path, const std::string& query, const std::string& rid,
          Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res, std::size_t& bytes,
          AccessNote& note);
  struct ApiCall;
  void routeStage(ApiCall& call) const;    ///< 404, 405 (Allow)
  void bodyStage(ApiCall& call) const;     ///< 413 before reading a declared body over the limit
  void parseStage(ApiCall& call) const;    ///< the SDK's view of the request
  void guardStage(ApiCall& call) const;    ///< session (cache or one read), CSRF, audience, switch, permission
  void idempotencyStage(ApiCall& call) const;  ///< Idempotency-Key: claim it, or find the first answer
  void replayStage(ApiCall& call) const;       ///< the first answer again, marked Idempotent-Replayed
  void cacheStage(ApiCall& call) const;   ///< portal read cache: the fingerprint, and a kept answer if good
  void hitStage(ApiCall& call) const;     ///< the kept answer again (its read events recorded anew)
  void keepStage(ApiCall& call) const;    ///< after a miss: keeps the answer when it may be kept
  void scopeStage(ApiCall& call) const;    ///< the transaction (lazy) bound to the principal's firm/client
  void handlerStage(ApiCall& call) const;  ///< the plugin's handler; its audit and mail collected
  void commitStage(ApiCall& call) const;   ///< session idle clock, commit
  /// A read's audit events, committed (group commit) before the answer leaves; with `mayHold`
  /// (not a stream) the answer waits for the commit without its worker.
  void recordStage(ApiCall& call, bool mayHold = true) const;
  void recordReads(ApiCall& call, bool mayHold) const;  ///< recordStage's work, its errors as they come
  int respondStage(ApiCall& call, std::size_t& bytes) const;
  void sendQueuedMail(ApiCall& call) const;  ///< after commit: the mail the request queued, to the sender  ///< a read's session clock, mail, the buffered answer
  int fail(ApiCall& call, std::exception_ptr error, std::size_t& bytes) const;
  void collect(ApiCall& call, class RequestContext& ctx) const;
  void dropUnread(ApiCall& call) const;
  /// The client's address: the peer, or what a trusted proxy says in X-Forwarded-For.
  std::string clientAddress(const Poco::Net::HTTPServerRequest& req) const;
  /// The session for the guard stage: the preset one, else the guard's own check.
  SessionInfo sessionOf(Poco::Net::HTTPServerRequest& req, Connection& c) const;
  Services& s_;
  std::optional<SessionInfo> preset_;
};

}  // namespace lexos::core
