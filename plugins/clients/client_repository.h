#pragma once
// The clients' SQL: one text for SQLite and PostgreSQL, run in the request's tenant-scoped
// transaction, so every statement sees and touches only the caller's firm.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client.h"
#include "lexos/sdk/db.h"
#include "list_cursor.h"

namespace lexos::clients {

/// What a list asks for.
struct ListQuery {
  std::vector<std::string> words;            ///< SearchIndex::queryWords of `q`; empty: no search.
  std::optional<std::string> status;         ///< "active" or "archived"; nullopt: both.
  std::optional<std::string> portal_status;  ///< nullopt: any.
  std::size_t limit = 25;
  ListSort sort = ListSort::NameAsc;
  std::optional<ListCursor> after;  ///< Keyset: clients sorted after this position (same sort).
  /// A search word matching more tokens than this does not drive the query (see the .cpp);
  /// config key `[plugin.clients] search_selective_tokens`.
  std::int64_t selective_tokens = 20000;
};

/// One page of a list.
struct ListPage {
  std::vector<Client> items;
  std::optional<ListCursor> next;  ///< Set when more clients follow.
};

/// How many clients a list's filters match.
struct ListTotal {
  std::int64_t count = 0;
  bool exact = true;  ///< False: at least `count` (a search counts only up to a cap).
};

/// The query word a search starts from (see client_repository.cpp).
struct SearchDriver {
  std::string word;
  std::int64_t count = 0;  ///< Its rows (prefix entries or tokens), counted up to a cap.
  bool prefix = false;     ///< Looked up in client_prefixes (a word not of digits only).
  bool selective = false;  ///< Counted within the cap: few enough to collect them all.
};

/// Loads and stores clients through a request's Db. Lives for one handler call; not
/// thread-safe (neither is the Db).
class ClientRepository {
 public:
  explicit ClientRepository(sdk::Db& db) : db_(db) {}

  /// The client with this id in the caller's firm, or nullopt.
  std::optional<Client> find(std::int64_t id);
  /// Takes the row lock of a client for a read-modify-write (a no-op UPDATE: portable between
  /// SQLite, which holds the database write lock anyway, and PostgreSQL, which has no
  /// FOR UPDATE in SQLite's dialect). False when the client does not exist.
  bool lock(std::int64_t id);
  /// Inserts a new client (with its emails, phones and search tokens).
  void insert(const Client& client);
  /// Writes a changed client; rewrites emails, phones and tokens only when they changed.
  void update(const Client& client, const ClientChanges& changes);
  /// Deletes a client and its own rows. Throws Conflict when other rows (cases, invoices)
  /// still refer to it: the database's foreign keys refuse the delete.
  void remove(std::int64_t id);
  /// A page of clients in the query's order (then by id).
  ListPage list(const ListQuery& query);
  /// How many clients the query's filters match (its cursor and limit aside), counted up to
  /// `cap` (beyond it `count` is `cap` and `exact` false).
  ListTotal count(const ListQuery& query, std::int64_t cap);

 private:
  void writeEmails(const Client& client, bool replace);
  void writePhones(const Client& client, bool replace);
  void writeTokens(const Client& client, bool replace);
  void loadChildren(std::vector<Client>& clients);
  // The three plans of list(); see client_repository.cpp.
  SearchDriver driver(const ListQuery& query);
  ListPage walk(const ListQuery& query);
  ListPage prefixes(const ListQuery& query, const std::string& driver);
  ListPage join(const ListQuery& query, const std::string& driver);
  ListPage tokens(const ListQuery& query, const std::string& driver);
  ListPage keyed(const ListQuery& query, const sdk::ResultSet& keys);
  ListPage page(const ListQuery& query, const sdk::ResultSet& rows);

  sdk::Db& db_;
};

}  // namespace lexos::clients
