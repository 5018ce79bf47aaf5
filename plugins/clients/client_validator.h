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
  /// `region` is the firm's country (ISO 3166-1 alpha-2, Context::firm): phone numbers without a
  /// country code are read as numbers of it; empty: every number needs its country code.
  static ClientChanges apply(const sdk::JsonObject& body, Client& client, bool creating, const std::string& region = "");

  /// A lower-cased, valid e-mail address, or nullopt when `raw` is not one.
  static std::optional<std::string> normaliseEmail(const std::string& raw);
  /// The E.164 form ("+13125550199") of a valid phone number (libphonenumber's metadata),
  /// written with spaces, dashes, dots or parentheses, with its country code ('+' or "00") or,
  /// when `region` (ISO 3166-1 alpha-2) is given, as a number of that country ("(312) 555-0199"
  /// for "US"); nullopt when it is not one (or carries an extension).
  static std::optional<std::string> normalisePhone(const std::string& raw, const std::string& region = "");
  /// A stored (E.164) number as people write it internationally: "+1 312-555-0199",
  /// "+44 20 7946 0958"; the number itself when libphonenumber cannot read it.
  static std::string displayPhone(const std::string& e164);

  static constexpr std::size_t kMaxEmails = 10;
  static constexpr std::size_t kMaxPhones = 10;
};

}  // namespace lexos::clients
