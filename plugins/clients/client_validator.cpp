#include "client_validator.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <type_traits>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/params.h"
#include "reference_codes.h"
#include "text.h"

namespace lexos::clients {

namespace {

using sdk::BadRequest;
using sdk::JsonField;
using sdk::JsonObject;
using sdk::Lines;

constexpr const char* kEmailMessage = "Enter a valid email address.";
constexpr const char* kPhoneMessage = "Enter the phone number in international format, e.g. +44 20 7946 0958";

// An optional text field: nullopt for null or blank; BadRequest for a non-string, control
// characters (line breaks only where multiline) or more than `max` characters.
OptText optText(const JsonField& f, std::size_t max, Lines lines = Lines::One) {
  auto s = f.text(max, lines);
  if (s && s->empty()) s.reset();
  return s;
}

std::optional<std::int64_t> optInteger(const JsonField& f, std::int64_t min, std::int64_t max,
                                       const std::string& message) {
  return f.integer(min, max, message);
}

std::string upperAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Merges an address object (JSON Merge Patch) into `a`; `null` clears it.
void mergeAddress(const JsonField& f, PostalAddress& a) {
  auto o = f.object({"line1", "line2", "city", "region", "postal_code", "country"});
  if (!o) {
    a = PostalAddress{};
    return;
  }
  if (o->has("line1")) a.line1 = optText((*o)["line1"], 200);
  if (o->has("line2")) a.line2 = optText((*o)["line2"], 200);
  if (o->has("city")) a.city = optText((*o)["city"], 100);
  if (o->has("region")) a.region = optText((*o)["region"], 100);
  if (o->has("postal_code")) a.postal_code = optText((*o)["postal_code"], 20);
  if (o->has("country")) {
    const JsonField country = (*o)["country"];
    a.country = optText(country, 2);
    if (a.country) {
      a.country = upperAscii(*a.country);
      if (!ReferenceCodes::isCountry(*a.country)) country.refuse("Use a two-letter ISO 3166 country code, e.g. GB.");
    }
  }
}

void mergeBilling(const JsonField& f, BillingDetails& b) {
  auto o = f.object({"contact", "email", "address", "currency", "payment_terms_days", "tax_id", "hourly_rate_minor"});
  if (!o) {
    b = BillingDetails{};
    return;
  }
  if (o->has("contact")) b.contact = optText((*o)["contact"], 200);
  if (o->has("email")) {
    b.email = optText((*o)["email"], 254);
    if (b.email) {
      b.email = ClientValidator::normaliseEmail(*b.email);
      if (!b.email) (*o)["email"].refuse(kEmailMessage);
    }
  }
  if (o->has("address")) mergeAddress((*o)["address"], b.address);
  if (o->has("currency")) {
    b.currency = optText((*o)["currency"], 3);
    if (b.currency) {
      b.currency = upperAscii(*b.currency);
      if (!ReferenceCodes::isCurrency(*b.currency))
        (*o)["currency"].refuse("Use a three-letter ISO 4217 currency code, e.g. EUR.");
    }
  }
  if (o->has("payment_terms_days"))
    b.payment_terms_days = optInteger((*o)["payment_terms_days"], 0, 365,
                                      "Enter the payment terms as a whole number of days from 0 to 365.");
  if (o->has("tax_id")) b.tax_id = optText((*o)["tax_id"], 50);
  if (o->has("hourly_rate_minor"))
    b.hourly_rate_minor = optInteger((*o)["hourly_rate_minor"], 0, 1000000000000LL,
                                     "Enter the hourly rate as a whole number of minor units (cents), 0 or more.");
}

// The entries of `emails` or `phones`: strings or objects {<value key>, label?, primary?}.
template <typename Entry, typename Normalise>
std::vector<Entry> parseList(const JsonField& list, const std::string& valueKey, std::size_t max, const char* message,
                             const std::string& noun, const std::string& plural, Normalise normalise) {
  std::vector<Entry> out;
  if (list.isNull()) return out;
  if (!list.json().isArray()) list.refuse("Send a list of " + plural + ".");
  if (list.json().size() > max) list.refuse("Add at most " + std::to_string(max) + " " + plural + ".");
  std::set<std::string> seen;
  int primaries = 0;
  for (const JsonField item : list.array(max)) {
    Entry e;
    std::string raw;
    std::string field = item.path();
    if (item.hasValue() && item.json().isObject()) {
      // "display" is what an answer adds to a phone number: sent back, it is ignored.
      auto o = item.object({valueKey, "label", "primary", "display"});
      const JsonField value = (*o)[valueKey];
      field = value.path();
      if (!value.hasValue() || !value.json().isString()) value.refuse(message);
      raw = value.json().asString();
      if (o->has("label")) e.label = optText((*o)["label"], 50);
      if (o->has("primary")) e.primary = (*o)["primary"].boolean().value_or(false);
    } else if (item.hasValue() && item.json().isString()) {
      raw = item.json().asString();
    } else {
      item.refuse(message);
    }
    auto value = normalise(text::trim(raw));
    if (!value) throw BadRequest(field, message);
    if (!seen.insert(*value).second) throw BadRequest(field, "This " + noun + " is already listed.");
    if (e.primary && ++primaries > 1)
      throw BadRequest(item.path() + ".primary", "Only one " + noun + " can be primary.");
    if constexpr (std::is_same_v<Entry, ClientEmail>) e.address = *value;
    else e.number = *value;
    out.push_back(std::move(e));
  }
  if (!out.empty() && primaries == 0) out.front().primary = true;
  return out;
}

template <typename Entry>
std::string valueOf(const Entry& e) {
  if constexpr (std::is_same_v<Entry, ClientEmail>) return e.address;
  else return e.number;
}

// The `email` / `phone` shorthand: sets (or with null removes) the primary entry.
template <typename Entry>
void applyShorthand(std::vector<Entry>& list, const std::optional<std::string>& value, std::size_t max,
                    const std::string& field, const std::string& plural) {
  auto primary = std::find_if(list.begin(), list.end(), [](const Entry& e) { return e.primary; });
  if (!value) {
    if (primary != list.end()) list.erase(primary);
    if (!list.empty() && std::none_of(list.begin(), list.end(), [](const Entry& e) { return e.primary; }))
      list.front().primary = true;
    return;
  }
  // The address may already be listed: it becomes the primary one.
  auto same = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return valueOf(e) == *value; });
  if (same != list.end()) {
    for (auto& e : list) e.primary = false;
    same->primary = true;
    return;
  }
  if (primary != list.end()) {
    if constexpr (std::is_same_v<Entry, ClientEmail>) primary->address = *value;
    else primary->number = *value;
    return;
  }
  if (list.size() >= max) throw BadRequest(field, "Add at most " + std::to_string(max) + " " + plural + ".");
  Entry e;
  if constexpr (std::is_same_v<Entry, ClientEmail>) e.address = *value;
  else e.number = *value;
  e.primary = true;
  list.insert(list.begin(), std::move(e));
}

template <typename Normalise>
std::optional<std::string> shorthandValue(const JsonField& f, const std::string& message, Normalise normalise) {
  if (!f.hasValue()) return std::nullopt;
  if (!f.json().isString()) f.refuse(message);
  const std::string s = text::trim(f.json().asString());
  if (s.empty()) return std::nullopt;
  auto n = normalise(s);
  if (!n) f.refuse(message);
  return n;
}

}  // namespace

std::optional<std::string> ClientValidator::normaliseEmail(const std::string& raw) {
  std::string s = text::trim(raw);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s.size() > 254) return std::nullopt;
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.find('@', at + 1) != std::string::npos) return std::nullopt;
  const std::string local = s.substr(0, at), domain = s.substr(at + 1);
  if (local.size() > 64 || local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos)
    return std::nullopt;
  static const std::string localChars = "!#$%&'*+/=?^_`{|}~.-";
  for (char c : local)
    if (!std::isalnum(static_cast<unsigned char>(c)) && localChars.find(c) == std::string::npos) return std::nullopt;
  // Domain: dot-separated labels of letters, digits and inner hyphens; a top-level domain of
  // letters (or punycode); no IP literals (nobody gives those to their lawyer).
  if (domain.empty() || domain.size() > 253) return std::nullopt;
  std::size_t start = 0;
  int labels = 0;
  std::string last;
  while (start <= domain.size()) {
    auto dot = domain.find('.', start);
    if (dot == std::string::npos) dot = domain.size();
    const std::string label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return std::nullopt;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return std::nullopt;
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2) return std::nullopt;
  const bool tldOk = last.rfind("xn--", 0) == 0 ||
                     (last.size() >= 2 && std::all_of(last.begin(), last.end(), [](unsigned char c) { return std::isalpha(c); }));
  if (!tldOk) return std::nullopt;
  return s;
}

std::optional<std::string> ClientValidator::normalisePhone(const std::string& raw, const std::string& region) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  std::string s = text::trim(raw);
  if (s.rfind("00", 0) == 0) s = "+" + s.substr(2);
  if (s.empty() || s.size() > 40) return std::nullopt;
  // Digits and the separators people type; libphonenumber would also read letters ("1-800-FLOWERS")
  // and extensions ("ext 3"), which a directory should not store as the number.
  int open = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+' && i == 0) continue;
    if (c == '(') ++open;
    else if (c == ')') {
      if (--open < 0) return std::nullopt;
    } else if (!((c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '.')) return std::nullopt;
  }
  if (open != 0) return std::nullopt;
  if (s[0] != '+' && region.empty()) return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber n;
  if (util.Parse(s, region.empty() ? "ZZ" : region, &n) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (n.has_extension() || !util.IsValidNumber(n)) return std::nullopt;
  std::string out;
  util.Format(n, PhoneNumberUtil::E164, &out);
  return out;
}

std::string ClientValidator::displayPhone(const std::string& e164) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber n;
  if (e164.empty() || util.Parse(e164, "ZZ", &n) != PhoneNumberUtil::NO_PARSING_ERROR) return e164;
  std::string out;
  util.Format(n, PhoneNumberUtil::INTERNATIONAL, &out);
  return out;
}

sdk::JsonObject ClientValidator::readBody(sdk::Context& c) {
  return sdk::readJsonObject(c, {"kind", "name", "contact_person", "email", "phone", "emails", "phones", "address",
                                 "billing", "notes", "status",
                                 // read-only: accepted so that a client read can be sent back, then ignored
                                 "id", "portal_status", "created_at", "created_by", "updated_at", "updated_by",
                                 "phone_display"});
}

ClientChanges ClientValidator::apply(const JsonObject& body, Client& c, bool creating, const std::string& region) {
  ClientChanges ch;
  const std::string phoneMessage =
      region.empty() ? std::string(kPhoneMessage)
                     : "Enter a valid phone number: one of the firm's country (" + region +
                           ") as it is dialled there, or any number with its country code, e.g. +44 20 7946 0958";
  auto sent = [&](const char* key) {
    if (body.has(key)) ch.any = true;
    return body.has(key);
  };

  if (sent("kind")) {
    const JsonField f = body["kind"];
    std::string kind = f.isNull() ? "individual" : "";
    if (f.hasValue() && f.json().isString()) kind = text::trim(f.json().asString());
    if (kind == "organization") kind = "organisation";
    if (kind != "individual" && kind != "organisation") f.refuse("Choose individual or organisation.");
    c.kind = kind;
  }
  if (sent("name") || creating) {
    OptText name = optText(body["name"], 200);
    if (!name) body["name"].refuse("Enter the client's name.");
    if (*name != c.name) ch.search = true;
    c.name = *name;
  }
  const OptText contactBefore = c.contact_person;
  if (sent("contact_person")) {
    c.contact_person = optText(body["contact_person"], 200);
    if (c.contact_person && c.kind != "organisation")
      body["contact_person"].refuse("Only organisations have a contact person.");
  } else if (c.kind != "organisation") {
    c.contact_person.reset();  // switching an organisation to an individual drops it
  }
  if (c.contact_person != contactBefore) ch.search = true;  // its words are search tokens

  if (sent("emails")) {
    c.emails = parseList<ClientEmail>(body["emails"], "address", kMaxEmails, kEmailMessage, "email address",
                                      "email addresses", [](const std::string& s) { return normaliseEmail(s); });
    ch.emails = ch.search = true;
  }
  if (sent("email")) {
    auto email = shorthandValue(body["email"], kEmailMessage, [](const std::string& s) { return normaliseEmail(s); });
    if (body.has("emails")) {
      if (email != c.primaryEmail())
        body["email"].refuse("Send either email or emails; email must be the primary one of emails.");
    } else {
      applyShorthand(c.emails, email, kMaxEmails, "email", "email addresses");
      ch.emails = ch.search = true;
    }
  }
  if (sent("phones")) {
    c.phones = parseList<ClientPhone>(body["phones"], "number", kMaxPhones, phoneMessage.c_str(), "phone number",
                                      "phone numbers", [&](const std::string& s) { return normalisePhone(s, region); });
    ch.phones = ch.search = true;
  }
  if (sent("phone")) {
    auto phone = shorthandValue(body["phone"], phoneMessage,
                                [&](const std::string& s) { return normalisePhone(s, region); });
    if (body.has("phones")) {
      if (phone != c.primaryPhone())
        body["phone"].refuse("Send either phone or phones; phone must be the primary one of phones.");
    } else {
      applyShorthand(c.phones, phone, kMaxPhones, "phone", "phone numbers");
      ch.phones = ch.search = true;
    }
  }

  if (sent("address")) mergeAddress(body["address"], c.address);
  if (sent("billing")) mergeBilling(body["billing"], c.billing);
  if (c.billing.hourly_rate_minor && !c.billing.currency)
    throw BadRequest("billing.currency", "Choose the currency of the hourly rate.");
  if (sent("notes")) c.notes = optText(body["notes"], 10000, Lines::Many);
  if (sent("status")) {
    const JsonField f = body["status"];
    const std::string status = f.hasValue() && f.json().isString() ? f.json().asString() : "";
    if (status != "active" && status != "archived") f.refuse("Choose active or archived.");
    if (status != c.status) ch.status = status;
    c.status = status;
  }
  if (creating) ch.any = ch.emails = ch.phones = ch.search = true;
  return ch;
}

}  // namespace lexos::clients
