#include "identity/audit_log.h"

#include <algorithm>
#include <stdexcept>

#include "common/time.h"
#include "common/tokens.h"
#include "identity/audit_journal.h"

namespace lexos::core {

namespace {
const char* kColumns = "seq, at, actor, action, object_type, object_id, address, request_id, detail";

std::string field(const std::string& s) {
  // Length-prefixed, so that no choice of values can make two rows hash alike.
  return std::to_string(s.size()) + ":" + s + "|";
}
}  // namespace

std::string AuditLog::canonical(const std::vector<sdk::Value>& row) {
  std::string out;
  for (const auto& v : row) out += field(sdk::asText(v));
  return out;
}

std::string AuditLog::actorText(const sdk::Principal& actor) {
  return actor.user_id ? (actor.isPortal() ? "portal:" : "staff:") + std::to_string(actor.user_id) + " " + actor.email
                       : "anonymous";
}

namespace {
thread_local std::vector<std::int64_t> recordedFirms;
}

void AuditLog::append(Connection& c, const sdk::Principal& actor, const std::string& address,
                      const std::string& requestId, const std::vector<BufferedAudit::Event>& events) {
  if (events.empty() || actor.firm_id == 0) return;
  const std::string who = actorText(actor);
  const std::string at = utcTimestamp();
  if (c.backend() == sdk::Backend::SQLite) {
    // One writer at a time: this transaction holds the database's write lock, which is the chain
    // lock too. The events go straight into the chain; nothing waits for the sequencer. Reads
    // answered before this write began are in the read journal: they are chained first, so the
    // chain keeps the order in which answers were given (identity/audit_journal.h).
    if (auto* journal = AuditJournal::of(c)) journal->drainIn(c, actor.firm_id);
    chainSqlite(c, actor.firm_id, {{&at, &who, &address, &requestId, &events}});
    return;
  }
  // PostgreSQL: into audit_pending, the id from a sequence, no lock. The order of ids is the
  // order the chain gets: a request answered before another began has the smaller id, and is
  // committed when the other's is read.
  for (const auto& e : events)
    c.execute("INSERT INTO audit_pending (firm_id, at, actor, action, object_type, object_id, address, request_id, "
              "detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
              {actor.firm_id, at, who, e.action, e.object_type, e.object_id, address, requestId, e.detail});
  if (std::find(recordedFirms.begin(), recordedFirms.end(), actor.firm_id) == recordedFirms.end())
    recordedFirms.push_back(actor.firm_id);
}

void AuditLog::insertRows(Connection& c, const std::string& head, std::size_t width,
                          const std::vector<std::vector<sdk::Value>>& rows) {
  std::size_t i = 0;
  while (i < rows.size()) {
    const std::size_t left = rows.size() - i;
    const std::size_t n = left >= 16 ? 16 : left >= 4 ? 4 : 1;
    std::string sql = head + " VALUES ";
    std::vector<sdk::Value> params;
    params.reserve(n * width);
    for (std::size_t r = 0; r < n; ++r) {
      sql += r ? ", (" : "(";
      for (std::size_t k = 0; k < width; ++k) {
        sql += (k ? ", $" : "$") + std::to_string(params.size() + 1);
        params.push_back(rows[i + r].at(k));
      }
      sql += ")";
    }
    c.execute(sql, params);
    i += n;
  }
}

std::string AuditLog::unnestInsert(const std::string& table, const std::vector<std::string>& cols,
                                   const std::vector<std::string>& types) {
  // One statement whatever the number of rows (one round trip, one prepared text): each column
  // as an array parameter, unnested in order (WITH ORDINALITY), so ids drawn from a sequence
  // follow the rows' order.
  std::string names, aliases, arrays;
  for (std::size_t k = 0; k < cols.size(); ++k) {
    names += (k ? ", " : "") + cols[k];
    aliases += (k ? ", c" : "c") + std::to_string(k);
    arrays += std::string(k ? ", " : "") + "CAST($" + std::to_string(k + 1) + " AS " + types[k] + "[])";
  }
  return "INSERT INTO " + table + " (" + names + ") SELECT " + aliases + " FROM unnest(" + arrays +
         ") WITH ORDINALITY AS u(" + aliases + ", o) ORDER BY o";
}

std::vector<sdk::Value> AuditLog::arrayParams(const std::vector<std::vector<sdk::Value>>& rows, std::size_t width) {
  // PostgreSQL array literals: every element quoted, '"' and '\\' escaped.
  std::vector<sdk::Value> out;
  for (std::size_t k = 0; k < width; ++k) {
    std::string a = "{";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (i) a += ',';
      a += '"';
      for (char ch : sdk::asText(rows[i].at(k))) {
        if (ch == '"' || ch == '\\') a += '\\';
        a += ch;
      }
      a += '"';
    }
    a += "}";
    out.emplace_back(std::move(a));
  }
  return out;
}

void AuditLog::appendMany(Connection& c, const std::vector<Recorded>& requests, bool ownTrip) {
  std::vector<std::vector<sdk::Value>> rows;
  const std::string at = utcTimestamp();
  for (const auto& r : requests) {
    if (r.actor->firm_id == 0) continue;
    const std::string who = actorText(*r.actor);
    for (const auto& e : *r.events)
      rows.push_back({r.actor->firm_id, at, who, e.action, e.object_type, e.object_id, *r.address, *r.requestId, e.detail});
    if (std::find(recordedFirms.begin(), recordedFirms.end(), r.actor->firm_id) == recordedFirms.end())
      recordedFirms.push_back(r.actor->firm_id);
  }
  if (rows.empty()) return;
  const std::string sql = unnestInsert("audit_pending",
                                       {"firm_id", "at", "actor", "action", "object_type", "object_id", "address", "request_id", "detail"},
                                       {"bigint", "text", "text", "text", "text", "text", "text", "text", "text"});
  const std::vector<sdk::Value> params = arrayParams(rows, 9);
  // ownTrip: the settings, the insert and the commit in one round trip (Connection::readScoped:
  // an implicit transaction that the pipeline's Sync commits; nothing in it is read-only).
  if (ownTrip) c.readScoped({requests.front().actor->firm_id, 0}, sql, params);
  else c.execute(sql, params);
}

void AuditLog::chainSqlite(Connection& c, std::int64_t firm, const std::vector<Chained>& requests) {
  auto last = c.query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {});
  std::int64_t seq = last.empty() ? 0 : sdk::asInt(last.rows[0][0]);
  std::string prev = last.empty() ? std::string(64, '0') : sdk::asText(last.rows[0][1]);
  for (const auto& r : requests) {
    for (const auto& e : *r.events) {
      std::vector<sdk::Value> row = {++seq, *r.at, *r.who, e.action, e.object_type, e.object_id, *r.address, *r.requestId, e.detail};
      const std::string hash = hashToken(prev + canonical(row));
      row.insert(row.begin(), firm);
      row.push_back(prev);
      row.push_back(hash);
      c.execute("INSERT INTO audit_log (firm_id, seq, at, actor, action, object_type, object_id, address, request_id, "
                "detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                row);
      prev = hash;
    }
  }
}

void AuditLog::noteRecorded(std::int64_t firm) {
  if (std::find(recordedFirms.begin(), recordedFirms.end(), firm) == recordedFirms.end()) recordedFirms.push_back(firm);
}

std::vector<std::int64_t> AuditLog::takeRecordedFirms() {
  std::vector<std::int64_t> out;
  out.swap(recordedFirms);
  return out;
}

AuditLog::Head AuditLog::Head::parse(const std::string& text) {
  Head h;
  const auto colon = text.find(':');
  const std::string seq = text.substr(0, colon);
  if (colon == std::string::npos || seq.empty() || seq.size() > 18 ||
      seq.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("--head: expected SEQ:HASH as audit verify prints it, found '" + text + "'");
  h.seq = std::stoll(seq);
  h.hash = text.substr(colon + 1);
  if (h.seq < 1 || h.hash.size() != 64 || h.hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw std::invalid_argument("--head: expected SEQ:HASH (a row number and 64 hex digits), found '" + text + "'");
  return h;
}

AuditLog::Verdict AuditLog::verify(Connection& c, const Head* expected) {
  Verdict v;
  auto rs = c.query(std::string("SELECT ") + kColumns + ", prev_hash, hash FROM audit_log ORDER BY seq", {});
  std::string prev(64, '0');
  std::int64_t expectSeq = 1;
  for (auto& r : rs.rows) {
    ++v.rows;
    const std::int64_t seq = sdk::asInt(r[0]);
    const std::string storedPrev = sdk::asText(r[9]);
    const std::string stored = sdk::asText(r[10]);
    r.resize(9);
    if (seq != expectSeq) {
      v.ok = false;
      v.problem = "row " + std::to_string(expectSeq) + " is missing (deleted); next row is " + std::to_string(seq);
      return v;
    }
    if (storedPrev != prev) {
      v.ok = false;
      v.problem = "row " + std::to_string(seq) + ": its link to the previous row is broken";
      return v;
    }
    if (hashToken(prev + canonical(r)) != stored) {
      v.ok = false;
      v.problem = "row " + std::to_string(seq) + ": contents do not match its hash (edited)";
      return v;
    }
    prev = stored;
    ++expectSeq;
    v.head_seq = seq;
    v.head_hash = stored;
    if (expected && seq == expected->seq && stored != expected->hash) {
      v.ok = false;
      v.problem = "row " + std::to_string(seq) + " does not have the recorded head's hash (the log was rewritten)";
      return v;
    }
  }
  if (expected && v.head_seq < expected->seq) {
    v.ok = false;
    v.problem = "row " + std::to_string(v.head_seq + 1) + " is missing: the recorded head is row " +
                std::to_string(expected->seq) + " but the log ends at row " + std::to_string(v.head_seq) +
                " (rows were cut from the end)";
  }
  return v;
}

}  // namespace lexos::core
