#include "http/idempotency.h"

#include <Poco/Logger.h>

#include <atomic>

#include "common/time.h"
#include "common/tokens.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

namespace {

constexpr const char* kHeader = "Idempotency-Key";
constexpr std::size_t kMaxStored = 256 * 1024;

std::string secondsAgo(long seconds) { return utcTimestamp(-seconds); }

sdk::HttpError inUse() {
  return sdk::HttpError(409, "idempotency_key_in_use",
                        "A request with this Idempotency-Key is still being processed; try again in a moment.", kHeader);
}

}  // namespace

std::string Idempotency::checkKey(const std::string& value) {
  if (value.empty() || value.size() > 255)
    throw sdk::BadRequest(kHeader, "An Idempotency-Key is 1 to 255 characters long.");
  for (unsigned char ch : value)
    if (ch < 0x21 || ch > 0x7e)
      throw sdk::BadRequest(kHeader, "An Idempotency-Key is made of visible ASCII characters (a UUID, for instance).");
  return value;
}

std::string Idempotency::fingerprint(const std::string& method, const std::string& path, const std::string& query,
                                     const std::string& body) {
  std::string all = method;
  all += '\n';
  all += path;
  all += '\n';
  all += query;
  all += '\n';
  all += body;
  return hashToken(all);
}

Idempotency::Claim Idempotency::claim(Connection& c, const sdk::Principal& p, const std::string& key,
                                      const std::string& fp) {
  c.begin(true);
  c.setScope({p.firm_id, 0});
  try {
    // Now and then, keys past their day go (one firm at a time, by the index on created_at).
    static std::atomic<unsigned> calls{0};
    if (++calls % 64 == 0) c.execute("DELETE FROM idempotency_keys WHERE created_at < $1", {secondsAgo(24 * 3600)});
    auto rs = c.query("SELECT fingerprint, state, status, content_type, body, created_at FROM idempotency_keys "
                      "WHERE user_id = $1 AND idem_key = $2",
                      {p.user_id, key});
    const std::string now = utcTimestamp();
    Claim out;
    if (rs.empty() || sdk::asText(rs.rows[0][5]) < secondsAgo(24 * 3600)) {
      if (!rs.empty()) c.execute("DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2", {p.user_id, key});
      out.token = randomToken(16);
      try {
        c.execute("INSERT INTO idempotency_keys (firm_id, user_id, idem_key, fingerprint, state, created_at, claim) "
                  "VALUES ($1, $2, $3, $4, 'running', $5, $6)",
                  {p.firm_id, p.user_id, key, fp, now, out.token});
      } catch (const sdk::DbError& e) {
        if (e.kind() != sdk::DbError::Kind::Constraint) throw;
        c.rollback();
        throw inUse();
      }
      c.commit();
      return out;
    }
    const auto& r = rs.rows[0];
    if (sdk::asText(r[0]) != fp) {
      c.commit();
      throw sdk::HttpError(409, "idempotency_key_reused",
                           "This Idempotency-Key was already used for a different request; use a new key for a new request.",
                           kHeader);
    }
    if (sdk::asText(r[1]) == "running") {
      // Its request is still running, or died with its node: taken over only when older than
      // any request may run, and then under a new token, so the old one can neither complete
      // nor release it.
      out.token = randomToken(16);
      if (sdk::asText(r[5]) > secondsAgo(kStaleSeconds) ||
          c.execute("UPDATE idempotency_keys SET created_at = $1, claim = $2 WHERE user_id = $3 AND idem_key = $4 AND "
                    "state = 'running' AND created_at = $5",
                    {now, out.token, p.user_id, key, r[5]}) != 1) {
        c.commit();
        throw inUse();
      }
      c.commit();
      return out;
    }
    if (sdk::isNull(r[2])) {
      c.commit();
      throw sdk::HttpError(409, "idempotency_answer_not_kept",
                           "The request with this Idempotency-Key succeeded, but its answer was too large to keep; look "
                           "up its result instead of repeating it.",
                           kHeader);
    }
    StoredAnswer a;
    a.status = static_cast<int>(sdk::asInt(r[2]));
    a.content_type = sdk::isNull(r[3]) ? "" : sdk::asText(r[3]);
    a.body = sdk::isNull(r[4]) ? "" : sdk::asText(r[4]);
    c.commit();
    out.replay = std::move(a);
    return out;
  } catch (...) {
    if (c.inTransaction()) c.rollback();
    throw;
  }
}

void Idempotency::complete(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token,
                           const StoredAnswer* a) {
  c.setScope({p.firm_id, 0});
  const bool keep = a && a->body.size() <= kMaxStored &&
                    (a->content_type.rfind("application/json", 0) == 0 || a->content_type.rfind("text/", 0) == 0 ||
                     a->body.empty());
  const std::int64_t n =
      keep ? c.execute("UPDATE idempotency_keys SET state = 'done', status = $1, content_type = $2, body = $3 "
                       "WHERE user_id = $4 AND idem_key = $5 AND claim = $6 AND state = 'running'",
                       {static_cast<std::int64_t>(a->status), a->content_type, a->body, p.user_id, key, token})
           : c.execute("UPDATE idempotency_keys SET state = 'done', status = NULL, content_type = NULL, body = NULL "
                       "WHERE user_id = $1 AND idem_key = $2 AND claim = $3 AND state = 'running'",
                       {p.user_id, key, token});
  if (n != 1) throw inUse();  // taken over meanwhile: this request's changes roll back
}

void Idempotency::release(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token) noexcept {
  try {
    c.begin(true);
    c.setScope({p.firm_id, 0});
    c.execute("DELETE FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2 AND claim = $3 AND state = 'running'",
              {p.user_id, key, token});
    c.commit();
  } catch (const std::exception& e) {
    try {
      if (c.inTransaction()) c.rollback();
    } catch (...) {
    }
    Poco::Logger::get("lexosd").warning(std::string("Idempotency-Key release failed: ") + e.what());
  }
}

void Idempotency::keepFailure(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token,
                              const StoredAnswer& a) noexcept {
  try {
    c.begin(true);
    c.setScope({p.firm_id, 0});
    c.execute("UPDATE idempotency_keys SET state = 'done', status = $1, content_type = $2, body = $3 "
              "WHERE user_id = $4 AND idem_key = $5 AND claim = $6 AND state = 'running'",
              {static_cast<std::int64_t>(a.status), a.content_type, a.body, p.user_id, key, token});
    c.commit();
  } catch (const std::exception& e) {
    try {
      if (c.inTransaction()) c.rollback();
    } catch (...) {
    }
    Poco::Logger::get("lexosd").warning(std::string("Idempotency-Key answer not kept: ") + e.what());
  }
}

}  // namespace lexos::core
