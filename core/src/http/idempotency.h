#pragma once
// Idempotency-Key (docs/http-api.md "Retrying safely"): a client that may send a writing request
// twice (a timeout, a double click, a mobile network) names it with a key of its own; the host
// runs it once and answers every repeat with the first answer. The same key with another request
// is refused (409). Kept per firm and user for 24 hours, in the database, so that every node
// behind a load balancer sees the same keys.

#include <cstdint>
#include <optional>
#include <string>

#include "data/connection.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

struct StoredAnswer {
  int status = 200;
  std::string content_type;
  std::string body;
};

class Idempotency {
 public:
  /// The header's value when it is a usable key (1 to 255 visible ASCII characters); throws
  /// BadRequest naming "Idempotency-Key" otherwise.
  static std::string checkKey(const std::string& value);
  /// SHA-256 of what makes a request the same request: method, path, query and body.
  static std::string fingerprint(const std::string& method, const std::string& path, const std::string& query,
                                 const std::string& body);
  /// What claim() found: a claim of this request's own (`token`), or the first answer.
  struct Claim {
    std::string token;                 ///< set when this request holds the key and runs
    std::optional<StoredAnswer> replay;  ///< set when the first answer is to be replayed
  };
  /// In a short transaction of its own: claims `key` for the request (a random token names the
  /// claim) or returns the first answer to replay. Throws 409 when the key belongs to another
  /// request, its first request is still running, or its first request succeeded with an
  /// answer too large to keep. A claim older than kStaleSeconds (longer than any request may
  /// run) is taken over: its request died with its node.
  static Claim claim(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& fingerprint);
  /// Inside the request's transaction, after the handler: stores the answer (JSON or text up to
  /// 256 KiB), else marks the key done without an answer (repeats get 409). Throws 409 when the
  /// claim is no longer this request's (the transaction then rolls back).
  static void complete(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token,
                       const StoredAnswer* answer);
  /// After a failed request whose transaction rolled back: forgets this request's claim, in a
  /// transaction of its own, so that the client may try again with the same key.
  static void release(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token) noexcept;
  /// After a failed request that had committed part of its work (Context::outsideTransaction):
  /// keeps the error answer for the key, so that a repeat does not redo the committed part.
  static void keepFailure(Connection& c, const sdk::Principal& p, const std::string& key, const std::string& token,
                          const StoredAnswer& answer) noexcept;
  static constexpr long kStaleSeconds = 15 * 60;
};

}  // namespace lexos::core
