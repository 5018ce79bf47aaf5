#pragma once
// The opaque `cursor` of client lists: the sort key and id of the last client of a page.

#include <cstdint>
#include <string>

namespace lexos::clients {

/// A keyset position in the name-sorted client list. Plain data.
struct ListCursor {
  std::string sort_name;
  std::int64_t id = 0;

  /// base64url (no padding) of a small JSON array; callers treat it as opaque.
  std::string encode() const;
  /// Parses a cursor made by encode(); throws BadRequest("cursor", ...) for anything else.
  static ListCursor decode(const std::string& text);
};

}  // namespace lexos::clients
