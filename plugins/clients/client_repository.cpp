#include "client_repository.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "lexos/sdk/errors.h"
#include "search_index.h"

namespace lexos::clients {

namespace {

using sdk::Value;

// The columns of `clients` read into a Client, in SELECT order.
const std::vector<std::string> kReadColumns = {
    "id", "kind", "name", "sort_name", "contact_person", "address_line1", "address_line2", "address_city",
    "address_region", "address_postal_code", "address_country", "billing_contact", "billing_email",
    "billing_address_line1", "billing_address_line2", "billing_address_city", "billing_address_region",
    "billing_address_postal_code", "billing_address_country", "billing_currency", "billing_payment_terms_days",
    "billing_tax_id", "billing_hourly_rate_minor", "notes", "status", "portal_status", "created_at", "created_by",
    "updated_at", "updated_by"};

std::string selectList(const std::string& alias) {
  std::string out;
  for (const auto& c : kReadColumns) out += (out.empty() ? "" : ", ") + alias + c;
  return out;
}

Value opt(const OptText& v) { return v ? Value(*v) : Value(nullptr); }
Value opt(const std::optional<std::int64_t>& v) { return v ? Value(*v) : Value(nullptr); }

OptText optText(const Value& v) {
  if (sdk::isNull(v)) return std::nullopt;
  return sdk::asText(v);
}
std::optional<std::int64_t> optInt(const Value& v) {
  if (sdk::isNull(v)) return std::nullopt;
  return sdk::asInt(v);
}

// The columns a create or an edit writes (not id, portal_status, created_*), with values.
std::vector<std::pair<std::string, Value>> writableColumns(const Client& c) {
  const auto& a = c.address;
  const auto& b = c.billing;
  const auto& ba = b.address;
  return {{"kind", c.kind},
          {"name", c.name},
          {"sort_name", SearchIndex::sortKey(c.name)},
          {"contact_person", opt(c.contact_person)},
          {"email", opt(c.primaryEmail())},
          {"phone", opt(c.primaryPhone())},
          {"address_line1", opt(a.line1)},
          {"address_line2", opt(a.line2)},
          {"address_city", opt(a.city)},
          {"address_region", opt(a.region)},
          {"address_postal_code", opt(a.postal_code)},
          {"address_country", opt(a.country)},
          {"billing_contact", opt(b.contact)},
          {"billing_email", opt(b.email)},
          {"billing_address_line1", opt(ba.line1)},
          {"billing_address_line2", opt(ba.line2)},
          {"billing_address_city", opt(ba.city)},
          {"billing_address_region", opt(ba.region)},
          {"billing_address_postal_code", opt(ba.postal_code)},
          {"billing_address_country", opt(ba.country)},
          {"billing_currency", opt(b.currency)},
          {"billing_payment_terms_days", opt(b.payment_terms_days)},
          {"billing_tax_id", opt(b.tax_id)},
          {"billing_hourly_rate_minor", opt(b.hourly_rate_minor)},
          {"notes", opt(c.notes)},
          {"status", c.status},
          {"search_text", SearchIndex::searchText(SearchIndex::tokensOf(c))},
          {"updated_at", c.updated_at},
          {"updated_by", c.updated_by}};
}

// Reads the rows of a SELECT of kReadColumns (emails and phones are loaded separately).
std::vector<Client> readClients(const sdk::ResultSet& rs, std::vector<std::string>* sortNames = nullptr) {
  std::vector<std::size_t> idx;
  for (const auto& c : kReadColumns) idx.push_back(rs.column(c));
  std::vector<Client> out;
  out.reserve(rs.rows.size());
  for (const auto& r : rs.rows) {
    std::size_t k = 0;
    auto next = [&]() -> const Value& { return r[idx[k++]]; };
    Client c;
    c.id = sdk::asInt(next());
    c.kind = sdk::asText(next());
    c.name = sdk::asText(next());
    if (sortNames) sortNames->push_back(sdk::asText(next()));
    else next();
    c.contact_person = optText(next());
    for (auto* a : {&c.address, &c.billing.address}) {
      if (a == &c.billing.address) {
        c.billing.contact = optText(next());
        c.billing.email = optText(next());
      }
      a->line1 = optText(next());
      a->line2 = optText(next());
      a->city = optText(next());
      a->region = optText(next());
      a->postal_code = optText(next());
      a->country = optText(next());
    }
    c.billing.currency = optText(next());
    c.billing.payment_terms_days = optInt(next());
    c.billing.tax_id = optText(next());
    c.billing.hourly_rate_minor = optInt(next());
    c.notes = optText(next());
    c.status = sdk::asText(next());
    c.portal_status = sdk::asText(next());
    c.created_at = sdk::asText(next());
    c.created_by = sdk::asInt(next());
    c.updated_at = sdk::asText(next());
    c.updated_by = sdk::asInt(next());
    out.push_back(std::move(c));
  }
  return out;
}

// Collects statement parameters and hands out their placeholders ($1, $2, ... in order of use).
struct Params {
  std::vector<Value> values;
  std::string add(Value v) {
    values.push_back(std::move(v));
    return "$" + std::to_string(values.size());
  }
};

// A search word's rows are counted up to this many (or search_selective_tokens if lower) to
// choose the word that drives the query.
constexpr std::int64_t kDriverCountCap = 2000;

// The exclusive upper bound of the strings starting with `prefix` (byte order): the prefix
// followed by U+10FFFF, the largest code point, which no token contains.
std::string prefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

// LIKE pattern for " <word>" anywhere in search_text; '\' escapes LIKE's wildcards.
std::string likePattern(const std::string& word) {
  std::string p = "% ";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') p += '\\';
    p += c;
  }
  return p + "%";
}

}  // namespace

std::optional<Client> ClientRepository::find(std::int64_t id) {
  auto rs = db_.query("SELECT " + selectList("") + " FROM clients WHERE id = $1", {id});
  auto clients = readClients(rs);
  if (clients.empty()) return std::nullopt;
  loadChildren(clients);
  return std::move(clients.front());
}

bool ClientRepository::lock(std::int64_t id) {
  return db_.execute("UPDATE clients SET updated_at = updated_at WHERE id = $1", {id}) > 0;
}

void ClientRepository::insert(const Client& c) {
  Params p;
  std::string cols = "firm_id, id", vals = "lexos_firm(), " + p.add(c.id);
  for (auto& [col, v] : writableColumns(c)) {
    cols += ", " + col;
    vals += ", " + p.add(v);
  }
  cols += ", portal_status, created_at, created_by";
  for (Value v : {Value(c.portal_status), Value(c.created_at), Value(c.created_by)}) vals += ", " + p.add(v);
  db_.execute("INSERT INTO clients (" + cols + ") VALUES (" + vals + ")", p.values);
  writeEmails(c, false);
  writePhones(c, false);
  writeTokens(c, false);
}

void ClientRepository::update(const Client& c, const ClientChanges& changes) {
  Params p;
  std::string set;
  for (auto& [col, v] : writableColumns(c)) set += (set.empty() ? "" : ", ") + col + " = " + p.add(v);
  const std::string where = p.add(c.id);
  db_.execute("UPDATE clients SET " + set + " WHERE id = " + where, p.values);
  if (changes.emails) writeEmails(c, true);
  if (changes.phones) writePhones(c, true);
  if (changes.search) {
    writeTokens(c, true);  // with the current sort key and status
  } else if (changes.status) {
    db_.execute("UPDATE client_search SET status = $1 WHERE client_id = $2", {c.status, c.id});
    db_.execute("UPDATE client_prefixes SET status = $1 WHERE client_id = $2", {c.status, c.id});
  }
}

void ClientRepository::remove(std::int64_t id) {
  db_.execute("DELETE FROM client_search WHERE client_id = $1", {id});
  db_.execute("DELETE FROM client_prefixes WHERE client_id = $1", {id});
  db_.execute("DELETE FROM client_emails WHERE client_id = $1", {id});
  db_.execute("DELETE FROM client_phones WHERE client_id = $1", {id});
  try {
    db_.execute("DELETE FROM clients WHERE id = $1", {id});
  } catch (const sdk::DbError& e) {
    if (e.kind() != sdk::DbError::Kind::Constraint) throw;
    throw sdk::Conflict("This client still has cases, invoices or other records, so it cannot be deleted. "
                        "Archive the client instead.");
  }
}

void ClientRepository::writeEmails(const Client& c, bool replace) {
  if (replace) db_.execute("DELETE FROM client_emails WHERE client_id = $1", {c.id});
  std::int64_t position = 0;
  for (const auto& e : c.emails)
    db_.execute("INSERT INTO client_emails (firm_id, client_id, id, position, address, label, is_primary) "
                "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                {c.id, db_.newId(), position++, e.address, opt(e.label), e.primary});
}

void ClientRepository::writePhones(const Client& c, bool replace) {
  if (replace) db_.execute("DELETE FROM client_phones WHERE client_id = $1", {c.id});
  std::int64_t position = 0;
  for (const auto& ph : c.phones)
    db_.execute("INSERT INTO client_phones (firm_id, client_id, id, position, number, label, is_primary) "
                "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                {c.id, db_.newId(), position++, ph.number, opt(ph.label), ph.primary});
}

void ClientRepository::writeTokens(const Client& c, bool replace) {
  if (replace) {
    db_.execute("DELETE FROM client_search WHERE client_id = $1", {c.id});
    db_.execute("DELETE FROM client_prefixes WHERE client_id = $1", {c.id});
  }
  const auto tokens = SearchIndex::tokensOf(c);
  const auto prefixes = SearchIndex::prefixesOf(tokens);
  constexpr std::size_t kBatch = 100;  // rows per INSERT
  for (const auto& [table, column, rows] : {std::tuple{"client_search", "token", &tokens},
                                            std::tuple{"client_prefixes", "prefix", &prefixes}}) {
    for (std::size_t i = 0; i < rows->size(); i += kBatch) {
      Params p;
      const std::string client = p.add(c.id);
      const std::string sortName = p.add(SearchIndex::sortKey(c.name));
      const std::string status = p.add(c.status);
      std::string sql = std::string("INSERT INTO ") + table + " (firm_id, client_id, sort_name, status, " + column +
                        ") VALUES ";
      for (std::size_t k = i; k < std::min(rows->size(), i + kBatch); ++k) {
        const std::string value = p.add((*rows)[k]);
        sql += (k == i ? "(lexos_firm(), " : ", (lexos_firm(), ") + client + ", " + sortName + ", " + status + ", " + value + ")";
      }
      db_.execute(sql, p.values);
    }
  }
}

void ClientRepository::loadChildren(std::vector<Client>& clients) {
  if (clients.empty()) return;
  std::map<std::int64_t, Client*> byId;
  Params p;
  std::string in;
  for (auto& c : clients) {
    byId[c.id] = &c;
    in += (in.empty() ? "" : ", ") + p.add(c.id);
  }
  auto emails = db_.query("SELECT client_id, address, label, is_primary FROM client_emails WHERE client_id IN (" + in +
                              ") ORDER BY client_id, position",
                          p.values);
  for (const auto& r : emails.rows)
    byId[sdk::asInt(r[0])]->emails.push_back({sdk::asText(r[1]), optText(r[2]), sdk::asBool(r[3])});
  auto phones = db_.query("SELECT client_id, number, label, is_primary FROM client_phones WHERE client_id IN (" + in +
                              ") ORDER BY client_id, position",
                          p.values);
  for (const auto& r : phones.rows)
    byId[sdk::asInt(r[0])]->phones.push_back({sdk::asText(r[1]), optText(r[2]), sdk::asBool(r[3])});
}

// How a page is found. Every plan is keyset pagination on (key, id), the key being sort_name or
// created_at, ascending or descending: no OFFSET anywhere.
// - Without search: the index (firm_id, status, key, id) (or (firm_id, key, id), or the
//   portal_status one) is walked from the cursor's position. A deep page costs what the first
//   page costs.
// - With search, each query word is a token prefix. For each word its rows are counted (prefix
//   entries, or tokens for a word of digits only: an index range that stops after the cap), and
//   the word with the fewest drives the query:
//   * prefixes (by name, no portal_status filter, a driving word not of digits only): the
//     entries (firm_id, prefix, sort_name, client_id, status) with prefix = the word's first
//     kPrefixLength code points come out of the index in list order, one per client; status and
//     cursor filter them, the other words (and the driver itself when it is longer) are checked
//     with EXISTS on the tokens' primary key (firm_id, client_id, token), and the walk stops at
//     limit + 1. No sort, no DISTINCT: the cost follows the page, not the word's frequency.
//   * tokens (by name, a driving word of digits only, within the cap): the token index's range
//     reduced to distinct (sort_name, client_id) in order, the other words checked with EXISTS.
//   * join (by date added, or with a portal_status filter, which the search rows do not carry;
//     a driving word within the cap): the matching client ids are collected from the token
//     index, the clients fetched by primary key and filtered, and the few rows sorted.
//   * walk (otherwise): the list's index is walked as without search and each client checked
//     with search_text LIKE '% word%'. Matches are dense then, so a page fills after a short walk.
// The same SQL text serves both engines. WITH ... AS MATERIALIZED (PostgreSQL 12, SQLite 3.35)
// and CROSS JOIN (which fixes the join order on SQLite) keep the join plan's order.
ListPage ClientRepository::list(const ListQuery& q) {
  if (q.words.empty()) return walk(q);
  const SearchDriver d = driver(q);
  if (d.selective && d.count == 0) return {};  // a word nothing matches: an empty page, found fast
  // The prefix and token rows carry the name's sort key, not the date added nor the portal
  // status: those orders and that filter join the matches to their clients, or walk.
  if (byName(q.sort) && !q.portal_status) {
    if (d.prefix) return prefixes(q, d.word);
    return d.selective ? tokens(q, d.word) : walk(q);
  }
  return d.selective ? join(q, d.word) : walk(q);
}

SearchDriver ClientRepository::driver(const ListQuery& q) {
  // Each word's rows are counted (an index range, stopped at the cap): the word with the fewest
  // drives the query. The cap is small because the prefix plan needs no more than a ranking.
  // Once a word qualified, the others are only counted as far as it takes to tell whether they
  // match fewer rows.
  const std::int64_t cap0 = std::max<std::int64_t>(0, std::min<std::int64_t>(q.selective_tokens, kDriverCountCap));
  SearchDriver best;
  bool have = false;
  for (const auto& w : q.words) {
    const bool prefix = !SearchIndex::isDigits(w);
    std::int64_t cap = cap0;
    if (have && best.selective) cap = std::min(cap, best.count - 1);
    const std::int64_t n =
        prefix ? sdk::asInt(db_.query("SELECT count(*) FROM (SELECT 1 FROM client_prefixes WHERE prefix = $1 LIMIT $2) t",
                                      {SearchIndex::prefixKey(w), cap + 1})
                                .rows.at(0)
                                .at(0))
               : sdk::asInt(db_.query("SELECT count(*) FROM (SELECT 1 FROM client_search WHERE token >= $1 AND token < $2 "
                                      "LIMIT $3) t",
                                      {w, prefixEnd(w), cap + 1})
                                .rows.at(0)
                                .at(0));
    const bool selective = n <= cap;
    // The fewest rows win; among words over the cap, one looked up by prefix (it can be walked
    // in name order) rather than a run of digits.
    if (!have || (selective && (!best.selective || n < best.count)) ||
        (!selective && !best.selective && prefix && !best.prefix)) {
      best = SearchDriver{w, n, prefix, selective};
      have = true;
    }
    if (selective && n == 0) break;  // nothing matches this word
  }
  return best;
}

namespace {

// The sort key column of an order, its direction, and the keyset comparison after a cursor.
std::string keyColumn(ListSort s) { return byName(s) ? "sort_name" : "created_at"; }
std::string dir(ListSort s) { return descending(s) ? " DESC" : ""; }
std::string afterOp(ListSort s) { return descending(s) ? " < " : " > "; }

// " WHERE ..." on clients `c`: status, portal status, the cursor (unless `count`), and a LIKE
// for each of `words` on the search text.
std::string clientFilters(const ListQuery& q, Params& p, const std::vector<std::string>& words, bool count,
                          bool and_ = false) {
  std::vector<std::string> where;
  if (q.status) where.push_back("c.status = " + p.add(*q.status));
  if (q.portal_status) where.push_back("c.portal_status = " + p.add(*q.portal_status));
  if (q.after && !count) {
    const std::string s = p.add(q.after->sort_name);
    where.push_back("(c." + keyColumn(q.sort) + ", c.id)" + afterOp(q.sort) + "(" + s + ", " + p.add(q.after->id) + ")");
  }
  for (const auto& w : words) where.push_back("c.search_text LIKE " + p.add(likePattern(w)) + " ESCAPE '\\'");
  std::string out;
  for (std::size_t i = 0; i < where.size(); ++i) out += (i || and_ ? " AND " : " WHERE ") + where[i];
  return out;
}

std::string orderBy(const std::string& alias, const std::string& idColumn, ListSort s) {
  return " ORDER BY " + alias + keyColumn(s) + dir(s) + ", " + alias + idColumn + dir(s);
}

// The join plan's text: the driving word's client ids (materialised), the clients by primary
// key, filtered; `select` is what it selects.
std::string joinSql(const ListQuery& q, const std::string& driver, Params& p, const std::string& select, bool count) {
  // One p.add() per statement: the operands of + are evaluated in no fixed order, and the
  // placeholders must be numbered in the order they appear.
  const std::string from = p.add(driver);
  const std::string to = p.add(prefixEnd(driver));
  // "client_id + 0": DISTINCT on the bare column makes SQLite walk the primary key
  // (firm_id, client_id, token), which is ordered by client_id, through all of the firm's
  // tokens; on an expression it uses the token range and a small temporary b-tree.
  std::string sql = "WITH m AS MATERIALIZED (SELECT DISTINCT client_id + 0 AS client_id FROM client_search WHERE token >= " +
                    from + " AND token < " + to + ") SELECT " + select +
                    " FROM m CROSS JOIN clients c WHERE c.id = m.client_id";
  std::vector<std::string> others;
  for (const auto& w : q.words)
    if (w != driver) others.push_back(w);
  return sql + clientFilters(q, p, others, count, true);
}

// The tokens plan's text: the distinct (sort_name, client_id) of the driving word's index
// range, filtered by status and cursor, the other words checked with EXISTS on the primary key.
std::string tokensSql(const ListQuery& q, const std::string& driver, Params& p, bool count) {
  const bool more = q.words.size() > 1;
  const std::string from = p.add(driver);
  const std::string to = p.add(prefixEnd(driver));
  // The driving word's distinct matches in the list's order. With further words they are
  // materialised first (a client has several tokens with one prefix: each is checked once),
  // then checked in that order until the page is full.
  std::string sql = std::string(more ? "WITH d AS MATERIALIZED (" : "") +
                    "SELECT DISTINCT s.sort_name, s.client_id FROM client_search s WHERE s.token >= " + from +
                    " AND s.token < " + to;
  if (q.status) sql += " AND s.status = " + p.add(*q.status);
  if (q.after && !count) {
    const std::string s = p.add(q.after->sort_name);
    sql += " AND (s.sort_name, s.client_id)" + afterOp(q.sort) + "(" + s + ", " + p.add(q.after->id) + ")";
  }
  if (more) {
    sql += (count ? std::string() : orderBy("s.", "client_id", q.sort)) +
           ") SELECT d.sort_name, d.client_id FROM d WHERE ";
    bool first = true;
    for (const auto& w : q.words) {
      if (w == driver) continue;
      const std::string a = p.add(w);
      const std::string b = p.add(prefixEnd(w));
      sql += std::string(first ? "" : " AND ") +
             "EXISTS (SELECT 1 FROM client_search o WHERE o.client_id = d.client_id AND o.token >= " + a +
             " AND o.token < " + b + ")";
      first = false;
    }
    if (!count) sql += orderBy("d.", "client_id", q.sort);
  } else if (!count) {
    sql += orderBy("s.", "client_id", q.sort);
  }
  return sql;
}

// The prefix plan's text: the driving word's entries in client_prefixes, in the list's order
// straight from the index (firm_id, prefix, sort_name, client_id, status), filtered by status
// and cursor; each other word (and the driving word itself when it is longer than the stored
// prefixes) checked with EXISTS on the tokens' primary key (firm_id, client_id, token).
std::string prefixesSql(const ListQuery& q, const std::string& driver, Params& p, bool count) {
  std::string sql = "SELECT x.sort_name, x.client_id FROM client_prefixes x WHERE x.prefix = ";
  sql += p.add(SearchIndex::prefixKey(driver));
  if (q.status) sql += " AND x.status = " + p.add(*q.status);
  if (q.after && !count) {
    const std::string s = p.add(q.after->sort_name);
    sql += " AND (x.sort_name, x.client_id)" + afterOp(q.sort) + "(" + s + ", " + p.add(q.after->id) + ")";
  }
  for (const auto& w : q.words) {
    if (w == driver && SearchIndex::prefixKey(w) == w) continue;
    const std::string a = p.add(w);
    const std::string b = p.add(prefixEnd(w));
    sql += " AND EXISTS (SELECT 1 FROM client_search o WHERE o.client_id = x.client_id AND o.token >= " + a +
           " AND o.token < " + b + ")";
  }
  if (!count) sql += orderBy("x.", "client_id", q.sort);
  return sql;
}

}  // namespace

ListTotal ClientRepository::count(const ListQuery& q, std::int64_t cap) {
  ListTotal t;
  Params p;
  std::string sql;
  if (q.words.empty()) {
    sql = "SELECT count(*) FROM (SELECT 1 FROM clients c" + clientFilters(q, p, {}, true) + " LIMIT ";
    sql += p.add(cap + 1) + ") t";
  } else {
    const SearchDriver d = driver(q);
    std::string inner;
    if (!q.portal_status && d.prefix) inner = prefixesSql(q, d.word, p, true);
    else if (d.selective && q.portal_status) inner = joinSql(q, d.word, p, "1", true);
    else if (d.selective) inner = tokensSql(q, d.word, p, true);
    else inner = "SELECT 1 FROM clients c" + clientFilters(q, p, q.words, true);
    sql = "SELECT count(*) FROM (" + inner + " LIMIT " + p.add(cap + 1) + ") t";
  }
  t.count = sdk::asInt(db_.query(sql, p.values).rows.at(0).at(0));
  if (t.count > cap) {
    t.count = cap;
    t.exact = false;
  }
  return t;
}

ListPage ClientRepository::walk(const ListQuery& q) {
  Params p;
  std::string sql = "SELECT " + selectList("c.") + " FROM clients c" + clientFilters(q, p, q.words, false) +
                    orderBy("c.", "id", q.sort) + " LIMIT ";
  sql += p.add(static_cast<std::int64_t>(q.limit + 1));
  return page(q, db_.query(sql, p.values));
}

ListPage ClientRepository::join(const ListQuery& q, const std::string& driver) {
  Params p;
  std::string sql = joinSql(q, driver, p, selectList("c."), false) + orderBy("c.", "id", q.sort) + " LIMIT ";
  sql += p.add(static_cast<std::int64_t>(q.limit + 1));
  return page(q, db_.query(sql, p.values));
}

ListPage ClientRepository::prefixes(const ListQuery& q, const std::string& driver) {
  Params p;
  std::string sql = prefixesSql(q, driver, p, false) + " LIMIT ";
  sql += p.add(static_cast<std::int64_t>(q.limit + 1));
  return keyed(q, db_.query(sql, p.values));
}

ListPage ClientRepository::tokens(const ListQuery& q, const std::string& driver) {
  Params p;
  std::string sql = tokensSql(q, driver, p, false) + " LIMIT ";
  sql += p.add(static_cast<std::int64_t>(q.limit + 1));
  return keyed(q, db_.query(sql, p.values));
}

// A page from (sort_name, client_id) keys in order: the clients read by primary key.
ListPage ClientRepository::keyed(const ListQuery& q, const sdk::ResultSet& keys) {
  ListPage out;
  if (keys.empty()) return out;
  Params ids;
  std::string in;
  for (const auto& r : keys.rows) in += (in.empty() ? "" : ", ") + ids.add(sdk::asInt(r[1]));
  auto found = readClients(db_.query("SELECT " + selectList("") + " FROM clients WHERE id IN (" + in + ")", ids.values));
  std::map<std::int64_t, Client*> byId;
  for (auto& c : found) byId[c.id] = &c;
  const std::size_t n = std::min(keys.rows.size(), q.limit);
  for (std::size_t i = 0; i < n; ++i)
    if (auto it = byId.find(sdk::asInt(keys.rows[i][1])); it != byId.end())  // gone since: skip
      out.items.push_back(std::move(*it->second));
  if (keys.rows.size() > q.limit)
    out.next = ListCursor{q.sort, sdk::asText(keys.rows[q.limit - 1][0]), sdk::asInt(keys.rows[q.limit - 1][1])};
  loadChildren(out.items);
  return out;
}

ListPage ClientRepository::page(const ListQuery& q, const sdk::ResultSet& rs) {
  std::vector<std::string> sortNames;
  ListPage out;
  out.items = readClients(rs, &sortNames);
  if (out.items.size() > q.limit) {
    out.items.resize(q.limit);
    out.next = ListCursor{q.sort, byName(q.sort) ? sortNames[q.limit - 1] : out.items.back().created_at,
                          out.items.back().id};
  }
  loadChildren(out.items);
  return out;
}

}  // namespace lexos::clients
