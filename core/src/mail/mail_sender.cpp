#include "mail/mail_sender.h"

#include <Poco/Logger.h>

#include <ctime>
#include <random>

#include "common/time.h"
#include "common/tokens.h"
#include "config/config.h"

namespace lexos::core {

namespace {

void warn(const std::string& text) {
  // At most one line every ten seconds: a database outage would otherwise fill the log.
  static std::atomic<std::int64_t> last{0};
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::int64_t prev = last.load();
  if (now - prev >= 10 && last.compare_exchange_strong(prev, now)) Poco::Logger::get("mail").warning(text);
}

std::chrono::system_clock::time_point timeOf(const std::string& t) {
  std::tm tm{};
  if (t.size() < 19 || !strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return std::chrono::system_clock::now();
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Messages claimed per transaction: one, so that a claim never waits behind other messages'
// SMTP conversations (its lease covers one conversation).
constexpr std::size_t kClaimBatch = 1;

}  // namespace

MailSender::MailSender(const Config& config, ConnectionPool& pool, Mailer& mailer)
    : config_(config), pool_(pool), mailer_(mailer) {}

long MailSender::backoffSeconds(int attempt, int baseSeconds, int maxSeconds) {
  long d = baseSeconds;
  for (int i = 1; i < attempt && d < maxSeconds; ++i) d *= 2;
  return d < maxSeconds ? d : maxSeconds;
}

void MailSender::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  stopFlag_ = false;
  thread_ = std::thread([this] { run(); });
}

void MailSender::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    stopFlag_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void MailSender::notify(std::int64_t firm) {
  if (firm <= 0) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dirty_.insert(firm);
  }
  wake_.notify_one();
}

void MailSender::deliverNow(std::int64_t firm, const std::vector<std::int64_t>& ids) {
  if (firm <= 0 || ids.empty()) return;
  try {
    auto lease = pool_.acquire();
    deliverNow(*lease, firm, ids);
  } catch (const std::exception& e) {
    warn(std::string("mail: no database connection to send the new messages of firm ") + std::to_string(firm) +
         " (the sender retries): " + e.what());
    notify(firm);
  }
}

void MailSender::deliverNow(Connection& c, std::int64_t firm, const std::vector<std::int64_t>& ids) {
  if (firm <= 0 || ids.empty()) return;
  try {
    work(c, firm, &ids);
  } catch (const std::exception& e) {
    warn(std::string("mail: sending the new messages of firm ") + std::to_string(firm) + " failed (the sender retries): " +
         e.what());
    notify(firm);
  }
}

MailQueueStats MailSender::stats() { return MailQueue::stats(pool_); }

void MailSender::attempt(Connection& c, const ClaimedMail& m, const std::string& claim) {
  auto& log = Poco::Logger::get("mail");
  const std::string what = "message " + std::to_string(m.id) + " of firm " + std::to_string(m.firm_id) + " to " + m.message.to;
  try {
    mailer_.send(m.message);
  } catch (const MailError& e) {
    const bool final = e.permanent() || m.attempts >= config_.mail_max_attempts;
    long delay = 0;
    if (!final) {
      // Jitter: between half and all of the delay, so that messages failing together (a relay
      // restarting) do not come back together.
      thread_local std::mt19937 rng{std::random_device{}()};
      const long full = backoffSeconds(static_cast<int>(m.attempts), config_.mail_retry_base_seconds,
                                       config_.mail_retry_max_seconds);
      delay = full / 2 + std::uniform_int_distribution<long>(0, full - full / 2)(rng);
      if (delay < 1) delay = 1;
    }
    MailQueue::markFailed(c, m.firm_id, m.id, claim, e.what(), final, delay);
    if (final) {
      ++failed_;
      log.error(what + " failed for good after " + std::to_string(m.attempts) + " attempt(s)" +
                (e.permanent() ? " (permanent refusal)" : "") + ": " + e.what());
    } else {
      ++retried_;
      log.warning(what + ": attempt " + std::to_string(m.attempts) + " failed, next in " + std::to_string(delay) +
                  " s: " + e.what());
      std::lock_guard<std::mutex> lock(mutex_);
      const auto at = std::chrono::system_clock::now() + std::chrono::seconds(delay);
      auto it = due_.find(m.firm_id);
      if (it == due_.end() || at < it->second) due_[m.firm_id] = at;
      wake_.notify_one();
    }
    return;
  }
  if (MailQueue::markSent(c, m.firm_id, m.id, claim)) {
    ++sent_;
    log.information(what + " sent (attempt " + std::to_string(m.attempts) + ")");
  } else {
    log.warning(what + " was sent, but its claim had ended meanwhile (mail.lease_seconds too short?)");
  }
}

void MailSender::noteDue(Connection& c, std::int64_t firm) {
  auto next = MailQueue::nextDue(c, firm);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!next) {
    due_.erase(firm);
    return;
  }
  // Anything due was claimed just now; one still due is locked by another node's claim (its
  // SKIP LOCKED skipped it here): look again in a second rather than spin.
  const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(1);
  const auto at = timeOf(*next);
  due_[firm] = at < soon ? soon : at;
  wake_.notify_one();  // the thread may be asleep until a later time
}

bool MailSender::work(Connection& c, std::int64_t firm, const std::vector<std::int64_t>* ids) {
  const std::string claim = randomToken(16);
  for (;;) {
    if (stopFlag_ && !ids) break;
    auto claimed = MailQueue::claim(c, firm, claim, config_.mail_lease_seconds, ids ? ids->size() : kClaimBatch, ids);
    if (claimed.empty()) break;
    for (std::size_t i = 0; i < claimed.size(); ++i) attempt(c, claimed[i], claim);
    if (ids) break;
  }
  noteDue(c, firm);
  return true;
}

void MailSender::run() {
  auto nextSweep = std::chrono::steady_clock::now();  // at start: what a previous run left
  for (;;) {
    std::set<std::int64_t> todo;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      for (;;) {
        if (stopping_) return;
        const auto now = std::chrono::system_clock::now();
        for (auto it = due_.begin(); it != due_.end(); ++it)
          if (it->second <= now) todo.insert(it->first);
        todo.insert(dirty_.begin(), dirty_.end());
        dirty_.clear();
        if (!todo.empty() || std::chrono::steady_clock::now() >= nextSweep) break;
        // Until the sweep, or the earliest retry this node knows of, or a notify.
        auto until = nextSweep;
        for (const auto& [firm, at] : due_) {
          const auto in = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(at - now);
          if (in < until) until = in;
        }
        wake_.wait_until(lock, until);
      }
    }
    bool sweep = std::chrono::steady_clock::now() >= nextSweep;
    try {
      auto lease = pool_.acquire();
      if (sweep) {
        for (auto firm : MailQueue::firms(*lease)) todo.insert(firm);
        nextSweep = std::chrono::steady_clock::now() + std::chrono::seconds(config_.mail_poll_seconds);
      }
      for (auto firm : todo) {
        if (stopFlag_) break;
        work(*lease, firm, nullptr);
      }
    } catch (const std::exception& e) {
      warn(std::string("mail: the sender could not reach the database (will retry): ") + e.what());
      // Come back to these firms shortly.
      std::unique_lock<std::mutex> lock(mutex_);
      const auto soon = std::chrono::system_clock::now() + std::chrono::seconds(1);
      for (auto firm : todo)
        if (!due_.count(firm) || due_[firm] > soon) due_[firm] = soon;
      if (sweep) nextSweep = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

}  // namespace lexos::core
