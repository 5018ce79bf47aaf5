// The portal read cache (http/read_cache.h) on its own: an entry answers only with the
// fingerprint it was stored with and while the feed is live; the fingerprint moves with the
// client's, the firm-wide portal and the guard's keys; the memory bound holds.
#include <catch2/catch.hpp>

#include "data/change_feed.h"
#include "http/read_cache.h"

using namespace lexos::core;

namespace {

class FakeFeed : public ChangeFeed {
 public:
  bool live() const override { return live_; }
  bool announces() const override { return true; }
  bool prepare() override { return true; }
  std::string problem() const override { return {}; }
  void startListener(const std::string&) override {}
  void stopListener() override {}
  std::uint64_t notificationsReceived() const override { return 0; }
  bool live_ = true;
};

ReadCache::Entry answer(const std::string& body, std::uint64_t fingerprint) {
  ReadCache::Entry e;
  e.content_type = "application/json";
  e.body = body;
  e.events = {{"portal.cases.view", "client", "7", ""}};
  e.fingerprint = fingerprint;
  e.stored = std::chrono::steady_clock::now();
  return e;
}

}  // namespace

TEST_CASE("a kept portal answer is served while its fingerprint holds and the feed is live") {
  FakeFeed feed;
  ReadCache cache(feed, 30, 1000);
  const std::int64_t firm = 1099511627776, client = 1099511627790, other = 1099511627791;
  const auto key = ReadCache::key(firm, 11, client, "/api/v1/portal/cases", "");
  CHECK(key != ReadCache::key(firm, 11, client, "/api/v1/portal/cases", "x=1"));
  CHECK(key != ReadCache::key(firm, 12, client, "/api/v1/portal/cases", ""));
  auto fp = cache.fingerprint(firm, client);
  CHECK(cache.find(key, fp) == nullptr);
  cache.store(key, answer("[1]", fp));
  auto hit = cache.find(key, cache.fingerprint(firm, client));
  REQUIRE(hit);
  CHECK(hit->body == "[1]");
  CHECK(hit->events.size() == 1);
  CHECK(cache.hits() == 1);
  CHECK(cache.misses() == 1);

  // Each of the three keys moves the fingerprint: the client's, the firm-wide portal key, the
  // guard's firm key; and key 0 (everything).
  for (std::int64_t k : {portalClientKey(client), portalFirmKey(firm), firm, std::int64_t{0}}) {
    INFO(k);
    fp = cache.fingerprint(firm, client);
    cache.store(key, answer("[2]", fp));
    REQUIRE(cache.find(key, cache.fingerprint(firm, client)));
    feed.publish({k});
    CHECK(cache.fingerprint(firm, client) != fp);
    CHECK(cache.find(key, cache.fingerprint(firm, client)) == nullptr);
  }
  // Another client's key does not (these two ids fall in different slots).
  fp = cache.fingerprint(firm, client);
  cache.store(key, answer("[3]", fp));
  feed.publish({portalClientKey(other)});
  CHECK(cache.fingerprint(firm, client) == fp);
  CHECK(cache.find(key, cache.fingerprint(firm, client)));
  // A feed that is not live answers nothing.
  feed.live_ = false;
  CHECK_FALSE(cache.live());
  CHECK(cache.find(key, cache.fingerprint(firm, client)) == nullptr);
}

TEST_CASE("the portal read cache holds at most cache.portal_entries answers, dropping the oldest") {
  FakeFeed feed;
  ReadCache cache(feed, 30, 32);
  for (int i = 0; i < 1000; ++i) cache.store(ReadCache::key(1, 2, 3, "/p/" + std::to_string(i), ""), answer("x", 0));
  CHECK(cache.entries() <= 32);
  CHECK(cache.entries() >= 16);
  // The newest is still there.
  CHECK(cache.find(ReadCache::key(1, 2, 3, "/p/999", ""), 0));
  // A new answer of the same target replaces the old one.
  cache.store(ReadCache::key(1, 2, 3, "/p/999", ""), answer("y", 0));
  CHECK(cache.find(ReadCache::key(1, 2, 3, "/p/999", ""), 0)->body == "y");
}
