#pragma once
// The durable mail queue (core migration 17, table mail_queue): what a request's handlers sent
// with Context::mail() is inserted in the request's own transaction, and handed to the transport
// later by the sender (mail/mail_sender.h). Every function here works in one firm's scope, as the
// table is a firm table (row-level security on PostgreSQL, a TEMP view on SQLite): the host
// reaches across firms only by listing `firms` and visiting each, never around the tenancy rules.
// Stateless; each function may be called from any thread with a connection of its own.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"
#include "data/connection_pool.h"
#include "lexos/sdk/context.h"

namespace lexos::core {

/// One queued message as the operator sees it: never its body (it may hold a sign-in link).
struct MailQueueEntry {
  std::int64_t firm_id = 0;
  std::int64_t id = 0;
  std::string recipient;
  std::string subject;
  std::string status;  ///< queued, sending, sent, failed
  std::int64_t attempts = 0;
  std::string next_attempt_at;
  std::string last_error;
  std::string created_at;
  std::string sent_at;
  std::string request_id;
};

/// A message claimed for sending: its body, and the claim that marks it sent or failed.
struct ClaimedMail {
  std::int64_t firm_id = 0;
  std::int64_t id = 0;
  std::int64_t attempts = 0;  ///< this attempt included
  sdk::MailMessage message;
};

/// The queue's depth by status and the age of its oldest waiting message, across all firms
/// (for /metrics: lexos_mail_queue_messages{status}, lexos_mail_queue_oldest_seconds).
struct MailQueueStats {
  std::map<std::string, std::int64_t> by_status;  ///< queued, sending, sent, failed (each present, 0 when none)
  std::int64_t oldest_queued_seconds = 0;         ///< age of the oldest queued or sending message; 0 when none
};

class MailQueue {
 public:
  static constexpr const char* kStatuses[] = {"queued", "sending", "sent", "failed"};

  /// Inserts `messages` for `firm`, due now, inside the caller's open write transaction, whose
  /// scope the caller has set to the firm's staff scope. Returns their ids.
  static std::vector<std::int64_t> enqueue(Connection& c, std::int64_t firm, const std::vector<sdk::MailMessage>& messages,
                                           const std::string& requestId);

  /// Claims up to `limit` due messages of `firm` (queued and due, or sending with an expired
  /// lease) in a short transaction of its own: status sending, `claim` as the token, attempts
  /// + 1, leased for `leaseSeconds`. PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED, so that
  /// senders on several nodes never claim the same message; SQLite: the write transaction holds
  /// the database's one write lock. `only` limits the claim to those ids (queued ones).
  static std::vector<ClaimedMail> claim(Connection& c, std::int64_t firm, const std::string& claim, int leaseSeconds,
                                        std::size_t limit, const std::vector<std::int64_t>* only = nullptr);
  /// Marks a claimed message sent (and clears its body). False when the claim was lost meanwhile.
  static bool markSent(Connection& c, std::int64_t firm, std::int64_t id, const std::string& claim);
  /// Records a failed attempt: queued again in `retryInSeconds`, or failed when `final`.
  static bool markFailed(Connection& c, std::int64_t firm, std::int64_t id, const std::string& claim,
                         const std::string& error, bool final, long retryInSeconds);
  /// When the firm's next message falls due (a queued one's next attempt, or a claim's lease
  /// end), or nothing when none waits.
  static std::optional<std::string> nextDue(Connection& c, std::int64_t firm);

  /// Every firm's id (a host table, read without a scope).
  static std::vector<std::int64_t> firms(Connection& c);
  /// The firm's messages, newest first, `status` empty for all.
  static std::vector<MailQueueEntry> list(Connection& c, std::int64_t firm, const std::string& status, std::size_t limit);
  /// A failed (or queued) message made due now with its attempts reset. False when the firm has
  /// no such message, or it is sent or being sent.
  static bool retry(Connection& c, std::int64_t firm, std::int64_t id);
  /// Removes the firm's sent messages sent before `before` (UTC "YYYY-MM-DDTHH:MM:SSZ").
  static std::int64_t purgeSent(Connection& c, std::int64_t firm, const std::string& before);
  /// Depth by status and oldest waiting message, all firms (one read per firm).
  static MailQueueStats stats(Connection& c);
  static MailQueueStats stats(ConnectionPool& pool);
};

}  // namespace lexos::core
