#pragma once
// The opaque `cursor` of client lists: the sort key and id of the last client of a page.

#include <cstdint>
#include <string>

namespace lexos::clients {

/// The orders a client list can be sorted in (`sort` parameter: `name`, `-name`, `added`,
/// `-added`); ties are broken by id in the same direction.
enum class ListSort { NameAsc, NameDesc, AddedAsc, AddedDesc };

/// The `sort` parameter's spelling of an order ("name", "-name", "added", "-added").
const char* sortParam(ListSort sort);
/// The order named by a `sort` parameter, or false when it names none.
bool parseSort(const std::string& text, ListSort& sort);
/// True for the orders by name, false for those by the date a client was added.
inline bool byName(ListSort s) { return s == ListSort::NameAsc || s == ListSort::NameDesc; }
/// True for the descending orders.
inline bool descending(ListSort s) { return s == ListSort::NameDesc || s == ListSort::AddedDesc; }

/// A keyset position in a sorted client list: the order, the sort key of the last client of a
/// page (its sort_name, or its created_at) and its id. Plain data.
struct ListCursor {
  ListSort sort = ListSort::NameAsc;
  std::string sort_name;  ///< The sort key: sort_name or created_at, following `sort`.
  std::int64_t id = 0;

  /// base64url (no padding) of a small JSON array; callers treat it as opaque. The name order
  /// keeps the original two-element form ([key, id]), so earlier links still work; the others
  /// are [order, key, id].
  std::string encode() const;
  /// Parses a cursor made by encode(); throws BadRequest("cursor", ...) for anything else.
  static ListCursor decode(const std::string& text);
};

}  // namespace lexos::clients
