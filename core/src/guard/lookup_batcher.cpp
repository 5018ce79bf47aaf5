#include "guard/lookup_batcher.h"

#include <unordered_map>

namespace lexos::core {

sdk::ResultSet LookupBatcher::lookup(std::int64_t firm, const std::string& key, Connection& c, const Run& run) {
  Waiter me;
  me.key = key;
  std::unique_lock<std::mutex> lock(mu_);
  queues_[firm].waiting.push_back(&me);
  for (;;) {
    if (me.done) break;
    auto& q = queues_[firm];  // exists while `me` waits in it or a batch of it runs
    if (q.running < kLanes) {
      lead(firm, lock, c, run);
      continue;
    }
    me.cv.wait(lock);
  }
  auto it = queues_.find(firm);
  if (it != queues_.end()) {
    Queue& q = it->second;
    if (q.waiting.empty() && q.running == 0) {
      queues_.erase(it);
    } else if (!q.waiting.empty() && q.running < kLanes) {
      q.waiting.front()->cv.notify_one();  // hand the free lane on
    }
  }
  if (me.error) std::rethrow_exception(me.error);
  return std::move(me.rows);
}

void LookupBatcher::lead(std::int64_t firm, std::unique_lock<std::mutex>& lock, Connection& c, const Run& run) {
  std::vector<Waiter*> batch;
  {
    Queue& q = queues_[firm];
    while (!q.waiting.empty() && batch.size() < kMaxBatch) {
      batch.push_back(q.waiting.front());
      q.waiting.pop_front();
    }
    ++q.running;
    ++statements_;
    keys_ += batch.size();
  }
  std::vector<std::string> keys;
  keys.reserve(batch.size());
  for (const Waiter* w : batch) keys.push_back(w->key);
  sdk::ResultSet rs;
  std::exception_ptr error;
  lock.unlock();
  try {
    rs = run(c, firm, keys);
  } catch (...) {
    error = std::current_exception();
  }
  // Sort the rows out by key before taking the lock again.
  std::unordered_map<std::string, std::vector<std::vector<sdk::Value>>> byKey;
  if (!error)
    for (auto& row : rs.rows)
      if (keyColumn_ < row.size() && !sdk::isNull(row[keyColumn_]))
        byKey[sdk::asText(row[keyColumn_])].push_back(std::move(row));
  lock.lock();
  for (Waiter* w : batch) {
    if (error) {
      w->error = error;
    } else {
      w->rows.columns = rs.columns;
      auto found = byKey.find(w->key);
      if (found != byKey.end()) w->rows.rows = found->second;  // a key twice in a batch: both get them
    }
    w->done = true;
    w->cv.notify_one();
  }
  Queue& q = queues_[firm];
  --q.running;
  if (!q.waiting.empty()) q.waiting.front()->cv.notify_one();  // a lane is free: someone leads
}

std::pair<std::uint64_t, std::uint64_t> LookupBatcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {statements_, keys_};
}

}  // namespace lexos::core
