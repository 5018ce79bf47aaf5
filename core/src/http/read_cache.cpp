#include "http/read_cache.h"

#include <algorithm>
#include <functional>
#include <iterator>

#include "data/change_feed.h"

namespace lexos::core {

ReadCache::ReadCache(ChangeFeed& feed, int seconds, std::size_t maxEntries)
    : feed_(feed),
      maxAge_(seconds),
      seconds_(seconds),
      perShard_(std::max<std::size_t>(1, maxEntries / kShards)) {}

std::string ReadCache::key(std::int64_t firm, std::int64_t user, std::int64_t client, const std::string& path,
                           const std::string& query) {
  // Ids first, separated by characters a number never holds: no two requests share a key.
  return std::to_string(firm) + '/' + std::to_string(user) + '/' + std::to_string(client) + ' ' + path + '?' + query;
}

bool ReadCache::live() const { return feed_.live(); }

std::uint64_t ReadCache::fingerprint(std::int64_t firm, std::int64_t client) const {
  return feed_.generation(portalFirmKey(firm)) + feed_.generation(portalClientKey(client)) + feed_.generation(firm);
}

ReadCache::Shard& ReadCache::shardOf(const std::string& key) {
  return shards_[std::hash<std::string>{}(key) % kShards];
}

std::shared_ptr<const ReadCache::Entry> ReadCache::find(const std::string& key, std::uint64_t fingerprint) {
  std::shared_ptr<const Entry> e;
  {
    Shard& s = shardOf(key);
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) e = it->second.entry;
  }
  // live() after the fingerprint was read: a feed that went off since may have missed changes.
  if (e && (e->fingerprint != fingerprint || std::chrono::steady_clock::now() - e->stored >= maxAge_ || !feed_.live()))
    e.reset();
  (e ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return e;
}

void ReadCache::store(const std::string& key, Entry entry) {
  auto e = std::make_shared<const Entry>(std::move(entry));
  Shard& s = shardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it != s.map.end()) {
    // Newer answer of the same target: replace it, and it becomes the youngest.
    s.order.erase(it->second.at);
    s.map.erase(it);
  }
  while (s.map.size() >= perShard_ && !s.order.empty()) {
    s.map.erase(s.order.front());
    s.order.pop_front();
  }
  s.order.push_back(key);
  s.map.emplace(key, Shard::Slot{std::move(e), std::prev(s.order.end())});
}

std::size_t ReadCache::entries() const {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(const_cast<std::mutex&>(s.mu));
    n += s.map.size();
  }
  return n;
}

}  // namespace lexos::core
