#pragma once
// The append-only, hash-chained audit log of each firm: h_n = SHA-256(h_{n-1} || row_n).

#include <string>
#include <vector>

#include "data/connection.h"
#include "http/request_context.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

class AuditLog {
 public:
  /// Appends events for the firm the connection is scoped to (inside its transaction).
  /// Anonymous actors are written as "anonymous". No-op for an empty list or firm 0.
  static void append(Connection& c, const sdk::Principal& actor, const std::string& address,
                     const std::string& requestId, const std::vector<BufferedAudit::Event>& events);

  /// Result of verify().
  struct Verdict {
    bool ok = true;
    std::int64_t rows = 0;
    std::string problem;  ///< First broken link: "row 17: hash mismatch (edited)" etc.
  };
  /// Recomputes the chain of the scoped firm.
  static Verdict verify(Connection& c);

  /// The canonical text of a row that the hash covers.
  static std::string canonical(const std::vector<sdk::Value>& row);
};

}  // namespace lexos::core
