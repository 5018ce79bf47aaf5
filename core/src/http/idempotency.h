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
  /// In a short transaction of its own: claims `key` for the request (nullopt: go on and run
  /// it) or returns the first answer to replay. Throws Conflict (409) when the key belongs to
  /// another request or its first request is still running (a stale claim, older than a
  /// minute, is taken over: its request died with its node).
  static std::optional<StoredAnswer> claim(Connection& c, const sdk::Principal& p, const std::string& key,
                                           const std::string& fingerprint);
  /// Inside the request's transaction, after the handler: stores the answer (JSON or text up
  /// to 256 KiB), or forgets the key when the answer is not one to keep (a stream).
  static void complete(Connection& c, const sdk::Principal& p, const std::string& key, const StoredAnswer* answer);
  /// After a failed request (its transaction rolled back): forgets the claim, in a transaction
  /// of its own, so that the client may try again with the same key.
  static void release(Connection& c, const sdk::Principal& p, const std::string& key) noexcept;
};

}  // namespace lexos::core
