#pragma once
// Turns request JSON into a valid Client: checks every field, normalises it, and names the
// field in the error (BadRequest, dotted paths such as "billing.email" or "emails[1].address").

#include <optional>
#include <string>

#include "client.h"
#include "lexos/sdk/context.h"
#include "lexos/sdk/json_fields.h"

namespace lexos::clients {

/// Validation and normalisation of client input. Stateless; safe from any thread.
class ClientValidator {
 public:
  /// The request body of a create or patch: a JSON object of a client's fields. Read-only
  /// fields of a client (id, portal_status, created_at, ...) are accepted (and ignored by
  /// apply) so that a client can be sent back as read; any other field is refused by name.
  static sdk::JsonObject readBody(sdk::Context& c);
  /// Applies a create (POST) or patch (PATCH) body to `client`. On create, absent fields take
  /// their defaults and `name` is required. On patch, only the fields sent change: `null` clears
  /// an optional field, objects (address, billing, billing.address) merge like JSON Merge Patch,
  /// arrays (emails, phones) replace the whole list. Throws BadRequest naming the first bad
  /// field; leaves `client` in an unspecified state then.
  static ClientChanges apply(const sdk::JsonObject& body, Client& client, bool creating);

  /// A lower-cased, valid e-mail address, or nullopt when `raw` is not one.
  static std::optional<std::string> normaliseEmail(const std::string& raw);
  /// The E.164 form ("+442079460958") of a phone number written with spaces, dashes, dots or
  /// parentheses and a leading '+' (or "00"), or nullopt when it is not one.
  static std::optional<std::string> normalisePhone(const std::string& raw);

  static constexpr std::size_t kMaxEmails = 10;
  static constexpr std::size_t kMaxPhones = 10;
};

}  // namespace lexos::clients
