#include "guard/session_prefetch.h"

#include <Poco/Logger.h>

#include "data/connection_pool.h"

namespace lexos::core {

SessionPrefetch::SessionPrefetch(const Guard& guard, ConnectionPool& pool, std::size_t threads,
                                 std::function<void()> afterBatch)
    : guard_(guard), pool_(pool), afterBatch_(std::move(afterBatch)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

SessionPrefetch::~SessionPrefetch() { stop(); }

void SessionPrefetch::list(std::int64_t firm, Queue& q) {
  if (q.listed || q.waiting.empty() || q.running >= kLanes) return;
  q.listed = true;
  order_.push_back(firm);
  cv_.notify_one();
}

void SessionPrefetch::submit(Guard::SessionLookup lookup, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      const std::int64_t firm = lookup.firm;
      Queue& q = queues_[firm];
      q.waiting.push_back({std::move(lookup), std::move(done)});
      list(firm, q);
      return;
    }
  }
  done(std::nullopt);
  if (afterBatch_) afterBatch_();
}

void SessionPrefetch::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void SessionPrefetch::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return !order_.empty() || stopping_; });
    if (order_.empty()) return;  // stopping, and nothing is waiting for a free lane
    const std::int64_t firm = order_.front();
    order_.pop_front();
    std::vector<Entry> batch;
    {
      Queue& q = queues_[firm];
      q.listed = false;
      while (!q.waiting.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(q.waiting.front()));
        q.waiting.pop_front();
      }
      ++q.running;
      list(firm, q);  // more than a batch waiting, and a lane free: another thread takes them
      ++statements_;
      keys_ += batch.size();
    }
    lock.unlock();
    std::vector<std::string> hashes;
    hashes.reserve(batch.size());
    for (const Entry& e : batch) hashes.push_back(e.lookup.hash);
    std::optional<sdk::ResultSet> rs;
    try {
      auto c = pool_.acquire();
      rs = Guard::readSessions(*c, firm, hashes);
    } catch (const std::exception& e) {
      // Each request checks again itself and answers the failure as the guard does (503).
      Poco::Logger::get("lexosd").debug(std::string("session prefetch failed: ") + e.what());
    }
    // Each request gets only its own token's rows.
    std::unordered_map<std::string, sdk::ResultSet> byHash;
    if (rs) {
      for (auto& row : rs->rows) {
        if (row.size() < 17 || sdk::isNull(row[16])) continue;
        auto& mine = byHash[sdk::asText(row[16])];
        mine.rows.push_back(std::move(row));
      }
    }
    for (Entry& e : batch) {
      std::optional<SessionInfo> s;
      if (rs) {
        try {
          auto found = byHash.find(e.lookup.hash);
          s = guard_.fromRows(e.lookup, found == byHash.end() ? sdk::ResultSet{} : found->second);
        } catch (const std::exception&) {
          s.reset();
        }
      }
      e.done(std::move(s));
    }
    if (afterBatch_) afterBatch_();
    lock.lock();
    auto it = queues_.find(firm);
    if (it != queues_.end()) {
      Queue& q = it->second;
      --q.running;
      if (q.waiting.empty() && q.running == 0) queues_.erase(it);
      else list(firm, q);
    }
  }
}

std::pair<std::uint64_t, std::uint64_t> SessionPrefetch::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {statements_, keys_};
}

}  // namespace lexos::core
