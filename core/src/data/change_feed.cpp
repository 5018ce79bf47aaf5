#include "data/change_feed.h"

#include <map>
#include <memory>
#include <mutex>

#include "data/pg_change_feed.h"
#include "data/sqlite_change_feed.h"

namespace lexos::core {

ChangeFeed& ChangeFeed::forDatabase(const std::string& url) {
  // Never destroyed: connections and the listener may outlive static destruction order.
  static auto* mu = new std::mutex;
  static auto* feeds = new std::map<std::string, ChangeFeed*>;
  std::lock_guard<std::mutex> lock(*mu);
  auto it = feeds->find(url);
  if (it == feeds->end()) {
    ChangeFeed* feed = nullptr;
    if (url.rfind("sqlite:", 0) == 0) feed = new SqliteChangeFeed(url.substr(7));
    else feed = new PgChangeFeed(url);
    it = feeds->emplace(url, feed).first;
  }
  return *it->second;
}

ChangeFeed::ChangeFeed() {
  private_.assign(kSlots, 0);
  slots_ = private_.data();
}

void ChangeFeed::useSlots(std::uint64_t* slots, bool replacing) {
  // Readers take the counters first and the epoch second (generation()): bumping the epoch
  // before the counters change hands means no reader pairs an old epoch with new counters.
  if (replacing) epoch_.fetch_add(1, std::memory_order_acq_rel);
  slots_.store(slots, std::memory_order_release);
}

std::size_t ChangeFeed::slotOf(std::int64_t firm) {
  if (firm == 0) return 0;
  auto h = static_cast<std::uint64_t>(firm) * 0x9E3779B97F4A7C15ull;
  return 1 + static_cast<std::size_t>((h >> 32) % (kSlots - 1));
}

std::uint64_t ChangeFeed::generation(std::int64_t firm) const {
  const std::uint64_t counters = __atomic_load_n(slot(0), __ATOMIC_ACQUIRE) + __atomic_load_n(slot(slotOf(firm)), __ATOMIC_ACQUIRE);
  return (epoch_.load(std::memory_order_acquire) << 48) + counters;  // epoch after counters: see useSlots()
}

void ChangeFeed::publish(const std::vector<std::int64_t>& firms) {
  for (auto f : firms) __atomic_fetch_add(slot(slotOf(f)), 1, __ATOMIC_ACQ_REL);
}

}  // namespace lexos::core
