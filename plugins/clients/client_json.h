#pragma once
// The JSON shape of a client and of a client list (DESIGN.md, "HTTP API v1").

#include <optional>
#include <string>
#include <vector>

#include "client.h"
#include "lexos/sdk/json.h"

namespace lexos::clients {

/// Serialises clients. Stateless; safe from any thread.
class ClientJson {
 public:
  /// `{"id", "kind", "name", "contact_person", "email", "phone", "emails", "phones", "address",
  /// "billing", "notes", "status", "portal_status", "created_at", "created_by", "updated_at",
  /// "updated_by"}`; absent optional values are null, address objects always have all keys.
  static void write(sdk::JsonWriter& out, const Client& client);
  /// The encoded client.
  static std::string encode(const Client& client);
  /// `{"items": [...], "next_cursor": "..." | null}`, with `"total"` and `"total_exact"` after
  /// the items when `total` is set (the first page of a list).
  static std::string encodeList(const std::vector<Client>& items, const std::optional<std::string>& nextCursor,
                                std::optional<std::int64_t> total = std::nullopt, bool totalExact = true);
};

}  // namespace lexos::clients
