#pragma once
// The private address of a user's ICS feed. The token names the firm, the user and the link's
// generation, signed with HMAC-SHA256 under the configured secret `[plugin.schedules]
// feed_secret`: the signature is what lets the public feed route bind the request to the firm
// (Context::bindFirm wants a proof made with a secret from the configuration, never a claim),
// and the database holds no token at all (a copy of the database gives no feed). Resetting a
// link bumps the user's generation (schedule_feeds): every older link stops at once.

#include <cstdint>
#include <optional>
#include <string>

namespace lexos::schedules {

struct FeedToken {
  std::int64_t firm_id = 0;
  std::int64_t user_id = 0;
  std::int64_t generation = 0;
};

/// "<firm>-<user>-<generation>-<64 hex digits>".
std::string signFeedToken(const FeedToken& t, const std::string& secret);

/// The token's fields when its form and signature are right (constant-time comparison), else
/// nullopt. A trailing ".ics" is accepted.
std::optional<FeedToken> verifyFeedToken(std::string token, const std::string& secret);

}  // namespace lexos::schedules
