#pragma once
// lexosd's mail sender: a background thread that hands the durable queue's messages
// (mail/mail_queue.h) to the transport (mail/mailer.h), with retries.
//
// A request's messages are rows of mail_queue, committed with the request; after the commit the
// dispatcher tells the sender which firm queued mail (notify), and the thread claims and sends
// that firm's due messages at once. Besides, it looks at every firm's queue at start (what a
// previous run, or a node that died, left) and every mail.poll_seconds (what another node or
// lexosctl queued), and wakes when a retry it scheduled falls due.
//
// One attempt per message at a time: claimed in a short transaction (PostgreSQL: FOR UPDATE
// SKIP LOCKED, so several nodes on one database never claim one message twice), sent with no
// transaction open, then marked sent, or queued again after base * 2^(attempt-1) seconds (up to
// mail.retry_max_seconds, with jitter: between half and all of it), or failed after
// mail.max_attempts; a permanent refusal (SMTP 5xx, an unusable address) fails at once. A claim
// leases the message for mail.lease_seconds: a node that dies while sending leaves it to be
// claimed again once the lease ends (the message may then go out twice: the one case where it
// can; a node that stops cleanly gives back what it claimed).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "data/connection_pool.h"
#include "mail/mail_queue.h"
#include "mail/mailer.h"

namespace lexos::core {

struct Config;

class MailSender {
 public:
  MailSender(const Config& config, ConnectionPool& pool, Mailer& mailer);
  ~MailSender() { stop(); }
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  /// Starts the thread (which looks at every firm's queue first).
  void start();
  /// Ends the thread after the message it is sending (if any; one is claimed at a time, so
  /// nothing else stays claimed). Idempotent.
  void stop();
  /// `firm` committed new messages: send them soon. Thread-safe, cheap, never blocks on I/O.
  void notify(std::int64_t firm);
  /// Sends the given queued messages of `firm` now, on the caller's thread, through the same
  /// claims (the outbox transport after a request, so the file exists when the answer leaves;
  /// lexosctl). A failed one stays queued for its retry, which this node's thread then watches.
  /// Errors are logged, never thrown. Thread-safe.
  void deliverNow(Connection& c, std::int64_t firm, const std::vector<std::int64_t>& ids);
  /// The same with a connection from the pool.
  void deliverNow(std::int64_t firm, const std::vector<std::int64_t>& ids);
  /// Queue depth by status and the oldest waiting message, all firms (reads the database).
  MailQueueStats stats();

  /// Counters since start (tests, diagnostics, /metrics): attempts that handed a message over,
  /// that failed and will be retried, that failed for good.
  std::uint64_t sent() const { return sent_.load(); }
  std::uint64_t retried() const { return retried_.load(); }
  std::uint64_t failed() const { return failed_.load(); }

  /// The delay before retry number `attempt` (1 = after the first failure), without jitter.
  static long backoffSeconds(int attempt, int baseSeconds, int maxSeconds);

 private:
  void run();
  /// Claims and sends `firm`'s due messages one at a time (or only `ids`); then notes when the
  /// firm's next one falls due. Returns false when the database failed.
  bool work(Connection& c, std::int64_t firm, const std::vector<std::int64_t>* ids);
  void attempt(Connection& c, const ClaimedMail& m, const std::string& claim);
  void noteDue(Connection& c, std::int64_t firm);

  const Config& config_;
  ConnectionPool& pool_;
  Mailer& mailer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<std::int64_t> dirty_;
  std::map<std::int64_t, std::chrono::system_clock::time_point> due_;  ///< firm -> next due (this node knows)
  bool stopping_ = false;
  std::atomic<bool> stopFlag_{false};
  std::thread thread_;
  std::atomic<std::uint64_t> sent_{0}, retried_{0}, failed_{0};
};

}  // namespace lexos::core
