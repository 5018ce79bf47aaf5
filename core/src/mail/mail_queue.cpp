#include "mail/mail_queue.h"

#include <ctime>

#include "common/time.h"

namespace lexos::core {

namespace {

std::string text(const sdk::Value& v) { return sdk::isNull(v) ? std::string() : sdk::asText(v); }

// "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch (0 when it is not one).
std::int64_t epochOf(const std::string& t) {
  std::tm tm{};
  if (t.size() < 19 || !strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

// Runs `work` in a write transaction of `firm`'s staff scope; rolls back on any exception.
template <typename F>
auto inFirm(Connection& c, std::int64_t firm, F&& work) {
  c.beginScoped(true, {firm, 0});
  try {
    auto r = work();
    c.commit();
    return r;
  } catch (...) {
    try {
      if (c.inTransaction()) c.rollback();
    } catch (...) {
    }
    throw;
  }
}

std::string idList(const std::vector<std::int64_t>& ids) {
  std::string s;
  for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

}  // namespace

std::vector<std::int64_t> MailQueue::enqueue(Connection& c, std::int64_t firm, const std::vector<sdk::MailMessage>& messages,
                                             const std::string& requestId) {
  std::vector<std::int64_t> ids;
  const std::string now = utcTimestamp();
  for (const auto& m : messages) {
    const std::int64_t id = c.newId();
    c.execute(
        "INSERT INTO mail_queue (firm_id, id, recipient, subject, body_text, body_html, status, attempts, "
        "next_attempt_at, claim, last_error, request_id, created_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, '', '', $8, $7)",
        {firm, id, m.to, m.subject, m.text, m.html, now, requestId});
    ids.push_back(id);
  }
  return ids;
}

std::vector<ClaimedMail> MailQueue::claim(Connection& c, std::int64_t firm, const std::string& claim, int leaseSeconds,
                                          std::size_t limit, const std::vector<std::int64_t>* only) {
  if (only && only->empty()) return {};
  const bool pg = c.backend() == sdk::Backend::PostgreSQL;
  return inFirm(c, firm, [&] {
    const std::string now = utcTimestamp();
    std::string sql =
        "SELECT id, recipient, subject, body_text, body_html, attempts FROM mail_queue WHERE firm_id = $1 AND ";
    if (only)
      sql += "status = 'queued' AND id IN (" + idList(*only) + ")";
    else
      sql += "((status = 'queued' AND next_attempt_at <= $2) OR (status = 'sending' AND lease_until <= $2))";
    sql += " ORDER BY next_attempt_at, id LIMIT " + std::to_string(limit);
    // Another node's sender skips the rows this one locked instead of waiting for them, and finds
    // them claimed (sending, leased) once this transaction commits.
    if (pg) sql += " FOR UPDATE SKIP LOCKED";
    auto rs = only ? c.query(sql, {firm}) : c.query(sql, {firm, now});
    std::vector<ClaimedMail> out;
    std::vector<std::int64_t> ids;
    for (const auto& r : rs.rows) {
      ClaimedMail m;
      m.firm_id = firm;
      m.id = sdk::asInt(r[0]);
      m.message.to = text(r[1]);
      m.message.subject = text(r[2]);
      m.message.text = text(r[3]);
      m.message.html = text(r[4]);
      m.attempts = sdk::asInt(r[5]) + 1;
      ids.push_back(m.id);
      out.push_back(std::move(m));
    }
    if (!ids.empty())
      c.execute("UPDATE mail_queue SET status = 'sending', claim = $2, lease_until = $3, attempts = attempts + 1 "
                "WHERE firm_id = $1 AND id IN (" + idList(ids) + ")",
                {firm, claim, utcTimestamp(leaseSeconds)});
    return out;
  });
}

bool MailQueue::markSent(Connection& c, std::int64_t firm, std::int64_t id, const std::string& claim) {
  return inFirm(c, firm, [&] {
    return c.execute("UPDATE mail_queue SET status = 'sent', sent_at = $4, body_text = '', body_html = '', claim = '', "
                     "lease_until = NULL, last_error = '' WHERE firm_id = $1 AND id = $2 AND claim = $3 AND status = 'sending'",
                     {firm, id, claim, utcTimestamp()}) > 0;
  });
}

bool MailQueue::markFailed(Connection& c, std::int64_t firm, std::int64_t id, const std::string& claim,
                           const std::string& error, bool final, long retryInSeconds) {
  return inFirm(c, firm, [&] {
    return c.execute("UPDATE mail_queue SET status = $4, next_attempt_at = $5, last_error = $6, claim = '', "
                     "lease_until = NULL WHERE firm_id = $1 AND id = $2 AND claim = $3 AND status = 'sending'",
                     {firm, id, claim, std::string(final ? "failed" : "queued"), utcTimestamp(final ? 0 : retryInSeconds),
                      error.substr(0, 500)}) > 0;
  });
}

std::optional<std::string> MailQueue::nextDue(Connection& c, std::int64_t firm) {
  auto rs = c.readScoped({firm, 0},
                         "SELECT min(CASE WHEN status = 'queued' THEN next_attempt_at ELSE lease_until END) FROM mail_queue "
                         "WHERE firm_id = $1 AND status IN ('queued', 'sending')",
                         {firm});
  if (rs.empty() || sdk::isNull(rs.rows[0][0])) return std::nullopt;
  return sdk::asText(rs.rows[0][0]);
}

std::vector<std::int64_t> MailQueue::firms(Connection& c) {
  std::vector<std::int64_t> out;
  for (const auto& r : c.query("SELECT id FROM firms ORDER BY id", {}).rows) out.push_back(sdk::asInt(r[0]));
  return out;
}

std::vector<MailQueueEntry> MailQueue::list(Connection& c, std::int64_t firm, const std::string& status, std::size_t limit) {
  std::string sql =
      "SELECT id, recipient, subject, status, attempts, next_attempt_at, last_error, created_at, sent_at, request_id "
      "FROM mail_queue WHERE firm_id = $1";
  std::vector<sdk::Value> params = {firm};
  if (!status.empty()) {
    sql += " AND status = $2";
    params.push_back(status);
  }
  sql += " ORDER BY created_at DESC, id DESC LIMIT " + std::to_string(limit);
  std::vector<MailQueueEntry> out;
  for (const auto& r : c.readScoped({firm, 0}, sql, params).rows) {
    MailQueueEntry e;
    e.firm_id = firm;
    e.id = sdk::asInt(r[0]);
    e.recipient = text(r[1]);
    e.subject = text(r[2]);
    e.status = text(r[3]);
    e.attempts = sdk::asInt(r[4]);
    e.next_attempt_at = text(r[5]);
    e.last_error = text(r[6]);
    e.created_at = text(r[7]);
    e.sent_at = text(r[8]);
    e.request_id = text(r[9]);
    out.push_back(std::move(e));
  }
  return out;
}

bool MailQueue::retry(Connection& c, std::int64_t firm, std::int64_t id) {
  return inFirm(c, firm, [&] {
    return c.execute("UPDATE mail_queue SET status = 'queued', attempts = 0, next_attempt_at = $3 "
                     "WHERE firm_id = $1 AND id = $2 AND status IN ('queued', 'failed')",
                     {firm, id, utcTimestamp()}) > 0;
  });
}

std::int64_t MailQueue::purgeSent(Connection& c, std::int64_t firm, const std::string& before) {
  return inFirm(c, firm, [&] {
    return c.execute("DELETE FROM mail_queue WHERE firm_id = $1 AND status = 'sent' AND sent_at < $2", {firm, before});
  });
}

MailQueueStats MailQueue::stats(Connection& c) {
  MailQueueStats s;
  for (const char* st : kStatuses) s.by_status[st] = 0;
  std::string oldest;
  for (auto firm : firms(c)) {
    auto rs = c.readScoped({firm, 0},
                           "SELECT status, count(*), min(created_at) FROM mail_queue WHERE firm_id = $1 GROUP BY status",
                           {firm});
    for (const auto& r : rs.rows) {
      const std::string st = text(r[0]);
      s.by_status[st] += sdk::asInt(r[1]);
      if ((st == "queued" || st == "sending") && !sdk::isNull(r[2]) && (oldest.empty() || text(r[2]) < oldest))
        oldest = text(r[2]);
    }
  }
  if (!oldest.empty()) {
    const std::int64_t age = static_cast<std::int64_t>(std::time(nullptr)) - epochOf(oldest);
    s.oldest_queued_seconds = age > 0 ? age : 0;
  }
  return s;
}

MailQueueStats MailQueue::stats(ConnectionPool& pool) {
  auto lease = pool.acquire();
  return stats(*lease);
}

}  // namespace lexos::core
