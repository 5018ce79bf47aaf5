#pragma once
// The client model: what a firm keeps about a person or organisation it represents. Plain
// data, copied freely; the validated, normalised form (emails lower-cased, phones in E.164,
// codes upper-cased), so code that holds a Client can trust its contents.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lexos::clients {

using OptText = std::optional<std::string>;

/// One e-mail address of a client; exactly one of a non-empty list is primary.
struct ClientEmail {
  std::string address;  ///< Lower case, validated.
  OptText label;        ///< Free text, e.g. "work".
  bool primary = false;
};

/// One telephone number of a client; exactly one of a non-empty list is primary.
struct ClientPhone {
  std::string number;  ///< E.164: '+' and 8 to 15 digits.
  OptText label;       ///< Free text, e.g. "mobile".
  bool primary = false;
};

/// A postal address; every part is optional. `country` is an ISO 3166-1 alpha-2 code.
struct PostalAddress {
  OptText line1, line2, city, region, postal_code, country;
  bool empty() const { return !line1 && !line2 && !city && !region && !postal_code && !country; }
};

/// How the firm bills the client. Money is integer minor units of `currency` (ISO 4217).
struct BillingDetails {
  OptText contact;
  OptText email;
  PostalAddress address;
  OptText currency;
  std::optional<std::int64_t> payment_terms_days;
  OptText tax_id;
  std::optional<std::int64_t> hourly_rate_minor;
};

/// A client of the firm.
struct Client {
  std::int64_t id = 0;
  std::string kind = "individual";  ///< "individual" or "organisation".
  std::string name;
  OptText contact_person;  ///< Organisations only.
  std::vector<ClientEmail> emails;
  std::vector<ClientPhone> phones;
  PostalAddress address;
  BillingDetails billing;
  OptText notes;
  std::string status = "active";       ///< "active" or "archived".
  std::string portal_status = "none";  ///< "none", "invited", "active", "revoked" (portal module).
  std::string created_at, updated_at;  ///< UTC ISO 8601.
  std::int64_t created_by = 0, updated_by = 0;

  /// The primary e-mail address, or nullopt when the client has none.
  OptText primaryEmail() const {
    for (const auto& e : emails)
      if (e.primary) return e.address;
    return std::nullopt;
  }
  /// The primary phone number, or nullopt when the client has none.
  OptText primaryPhone() const {
    for (const auto& p : phones)
      if (p.primary) return p.number;
    return std::nullopt;
  }
};

/// Which parts of a client a change touched, so the repository rewrites only those.
struct ClientChanges {
  bool any = false;
  bool emails = false;
  bool phones = false;
  bool search = false;  ///< Name, emails or phones changed: the search tokens need rebuilding.
  std::optional<std::string> status;  ///< Set when the status changed (archive/restore).
};

}  // namespace lexos::clients
