#pragma once
// The append-only, hash-chained audit log of each firm: h_n = SHA-256(h_{n-1} || row_n).

#include <string>
#include <vector>

#include "data/connection.h"
#include "identity/buffered_audit.h"
#include "lexos/sdk/principal.h"

namespace lexos::core {

class AuditLog {
 public:
  /// Records events of the actor's firm in the connection's transaction (a writing one, scoped
  /// to the firm): into audit_pending, without the firm's chain lock; the sequencer
  /// (identity/audit_sequencer.h) chains them into audit_log once committed. Anonymous actors
  /// are written as "anonymous". No-op for an empty list or firm 0. The firm is remembered for
  /// this thread: takeRecordedFirms() after the commit names the firms to chain.
  static void append(Connection& c, const sdk::Principal& actor, const std::string& address,
                     const std::string& requestId, const std::vector<BufferedAudit::Event>& events);
  /// Rows of `width` values in as few statements as the chunk sizes 16, 4 and 1 allow (three
  /// statement shapes, so that prepared statements stay few). `head` is "INSERT INTO t (cols)".
  static void insertRows(Connection& c, const std::string& head, std::size_t width,
                         const std::vector<std::vector<sdk::Value>>& rows);
  /// PostgreSQL: the events of several requests of one firm (the connection scoped to it) into
  /// audit_pending, in that order, in few statements (the group commit of reads).
  struct Recorded {
    const sdk::Principal* actor;
    const std::string* address;
    const std::string* requestId;
    const std::vector<BufferedAudit::Event>* events;
  };
  /// With `ownTrip` (all of one firm, `c` outside a transaction): in a transaction of their own,
  /// committed in the same round trip (Connection::readScoped).
  static void appendMany(Connection& c, const std::vector<Recorded>& requests, bool ownTrip = false);
  /// SQLite: events of one firm straight into its chain (the connection in a write transaction
  /// scoped to the firm, which holds the chain lock: SQLite's one writer), each request's with
  /// its own time and actor (the read journal's records: identity/audit_journal.h).
  struct Chained {
    const std::string* at;
    const std::string* who;
    const std::string* address;
    const std::string* requestId;
    const std::vector<BufferedAudit::Event>* events;
  };
  static void chainSqlite(Connection& c, std::int64_t firm, const std::vector<Chained>& requests);
  /// Remembers, for this thread, that events of `firm` were recorded (takeRecordedFirms()).
  static void noteRecorded(std::int64_t firm);
  /// PostgreSQL: `INSERT INTO table (cols) SELECT ... FROM unnest($1::type[], ...)` in row order,
  /// and its parameters (arrayParams): any number of rows in one statement.
  static std::string unnestInsert(const std::string& table, const std::vector<std::string>& cols,
                                  const std::vector<std::string>& types);
  static std::vector<sdk::Value> arrayParams(const std::vector<std::vector<sdk::Value>>& rows, std::size_t width);
  /// The firms this thread recorded events for since the last call (and forgets them).
  static std::vector<std::int64_t> takeRecordedFirms();

  /// Result of verify().
  struct Verdict {
    bool ok = true;
    std::int64_t rows = 0;
    std::string problem;  ///< First broken link: "row 17: hash mismatch (edited)" etc.
    std::int64_t head_seq = 0;  ///< The last row: keep "seq:hash" somewhere else to anchor it
    std::string head_hash;
  };
  /// A head recorded earlier ("seq:hash", as verify prints it). The chain alone cannot tell a
  /// log whose newest rows were cut off from a shorter one; a recorded head can.
  struct Head {
    std::int64_t seq = 0;
    std::string hash;
    /// Parses "seq:hash"; throws std::invalid_argument naming what is wrong.
    static Head parse(const std::string& text);
  };
  /// Recomputes the chain of the scoped firm; with `expected`, also checks that the row it
  /// names is still there with that hash.
  static Verdict verify(Connection& c, const Head* expected = nullptr);

  /// How a row names its actor: "staff:<id> <email>", "portal:<id> <email>" or "anonymous".
  static std::string actorText(const sdk::Principal& actor);

  /// The canonical text of a row that the hash covers.
  static std::string canonical(const std::vector<sdk::Value>& row);
};

}  // namespace lexos::core
