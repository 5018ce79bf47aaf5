#include "client_validator.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <type_traits>

#include "lexos/sdk/errors.h"
#include "reference_codes.h"
#include "text.h"

namespace lexos::clients {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using sdk::BadRequest;

constexpr const char* kEmailMessage = "Enter a valid email address.";
constexpr const char* kPhoneMessage = "Enter the phone number in international format, e.g. +44 20 7946 0958";

// Checks one text value: UTF-8, no control characters (line breaks only where multiline),
// at most `max` characters. Returns the trimmed text, or nullopt when empty.
OptText checkText(const std::string& raw, const std::string& field, std::size_t max, bool multiline = false) {
  if (!text::isValidUtf8(raw)) throw BadRequest(field, "Use valid UTF-8 text.");
  std::string s = text::trim(raw);
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) || u == 0x7F)
      throw BadRequest(field, multiline ? "Remove control characters." : "Use a single line without control characters.");
  }
  if (text::length(s) > max) throw BadRequest(field, "Use at most " + std::to_string(max) + " characters.");
  if (s.empty()) return std::nullopt;
  return s;
}

// The optional text `key` of `o`: nullopt for null or blank; BadRequest for a non-string.
OptText optText(const Object& o, const std::string& key, const std::string& field, std::size_t max,
                bool multiline = false) {
  if (o.isNull(key)) return std::nullopt;
  const auto v = o.get(key);
  if (!v.isString()) throw BadRequest(field, "Enter text.");
  return checkText(v.extract<std::string>(), field, max, multiline);
}

std::optional<std::int64_t> optInteger(const Object& o, const std::string& key, const std::string& field,
                                       std::int64_t min, std::int64_t max, const std::string& message) {
  if (o.isNull(key)) return std::nullopt;
  const auto v = o.get(key);
  if (!v.isInteger() || v.isBoolean()) throw BadRequest(field, message);
  std::int64_t n = 0;
  try {
    n = v.convert<Poco::Int64>();
  } catch (const std::exception&) {
    throw BadRequest(field, message);
  }
  if (n < min || n > max) throw BadRequest(field, message);
  return n;
}

bool optBool(const Object& o, const std::string& key, const std::string& field) {
  if (o.isNull(key)) return false;
  const auto v = o.get(key);
  if (!v.isBoolean()) throw BadRequest(field, "Use true or false.");
  return v.extract<bool>();
}

void refuseUnknown(const Object& o, const std::set<std::string>& known, const std::string& prefix) {
  for (const auto& name : o.getNames())
    if (!known.count(name)) throw BadRequest(prefix + name, "This field is not part of a client.");
}

// The object value `key` of `o` for merging; nullptr when the body sets it to null.
Object::Ptr objectOf(const Object& o, const std::string& key, const std::string& field) {
  if (o.isNull(key)) return nullptr;
  if (!o.isObject(key)) throw BadRequest(field, "Send an object.");
  return o.getObject(key);
}

std::string upperAscii(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// Merges an address object (JSON Merge Patch) into `a`; `null` clears it.
void mergeAddress(const Object& parent, const std::string& key, const std::string& field, PostalAddress& a) {
  auto o = objectOf(parent, key, field);
  if (!o) {
    a = PostalAddress{};
    return;
  }
  const std::string p = field + ".";
  refuseUnknown(*o, {"line1", "line2", "city", "region", "postal_code", "country"}, p);
  if (o->has("line1")) a.line1 = optText(*o, "line1", p + "line1", 200);
  if (o->has("line2")) a.line2 = optText(*o, "line2", p + "line2", 200);
  if (o->has("city")) a.city = optText(*o, "city", p + "city", 100);
  if (o->has("region")) a.region = optText(*o, "region", p + "region", 100);
  if (o->has("postal_code")) a.postal_code = optText(*o, "postal_code", p + "postal_code", 20);
  if (o->has("country")) {
    a.country = optText(*o, "country", p + "country", 2);
    if (a.country) {
      a.country = upperAscii(*a.country);
      if (!ReferenceCodes::isCountry(*a.country))
        throw BadRequest(p + "country", "Use a two-letter ISO 3166 country code, e.g. GB.");
    }
  }
}

void mergeBilling(const Object& body, BillingDetails& b) {
  auto o = objectOf(body, "billing", "billing");
  if (!o) {
    b = BillingDetails{};
    return;
  }
  refuseUnknown(*o, {"contact", "email", "address", "currency", "payment_terms_days", "tax_id", "hourly_rate_minor"},
                "billing.");
  if (o->has("contact")) b.contact = optText(*o, "contact", "billing.contact", 200);
  if (o->has("email")) {
    b.email = optText(*o, "email", "billing.email", 254);
    if (b.email) {
      b.email = ClientValidator::normaliseEmail(*b.email);
      if (!b.email) throw BadRequest("billing.email", kEmailMessage);
    }
  }
  if (o->has("address")) mergeAddress(*o, "address", "billing.address", b.address);
  if (o->has("currency")) {
    b.currency = optText(*o, "currency", "billing.currency", 3);
    if (b.currency) {
      b.currency = upperAscii(*b.currency);
      if (!ReferenceCodes::isCurrency(*b.currency))
        throw BadRequest("billing.currency", "Use a three-letter ISO 4217 currency code, e.g. EUR.");
    }
  }
  if (o->has("payment_terms_days"))
    b.payment_terms_days = optInteger(*o, "payment_terms_days", "billing.payment_terms_days", 0, 365,
                                      "Enter the payment terms as a whole number of days from 0 to 365.");
  if (o->has("tax_id")) b.tax_id = optText(*o, "tax_id", "billing.tax_id", 50);
  if (o->has("hourly_rate_minor"))
    b.hourly_rate_minor = optInteger(*o, "hourly_rate_minor", "billing.hourly_rate_minor", 0, 1000000000000LL,
                                     "Enter the hourly rate as a whole number of minor units (cents), 0 or more.");
}

// The entries of `emails` or `phones`: strings or objects {<value key>, label?, primary?}.
template <typename Entry, typename Normalise>
std::vector<Entry> parseList(const Object& body, const std::string& key, const std::string& valueKey,
                             std::size_t max, const char* message, const std::string& noun, const std::string& plural,
                             Normalise normalise) {
  std::vector<Entry> out;
  if (body.isNull(key)) return out;
  if (!body.isArray(key)) throw BadRequest(key, "Send a list of " + plural + ".");
  auto arr = body.getArray(key);
  if (arr->size() > max) throw BadRequest(key, "Add at most " + std::to_string(max) + " " + plural + ".");
  std::set<std::string> seen;
  int primaries = 0;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string at = key + "[" + std::to_string(i) + "]";
    Entry e;
    std::string raw;
    if (arr->isObject(i)) {
      auto o = arr->getObject(i);
      refuseUnknown(*o, {valueKey, "label", "primary"}, at + ".");
      if (!o->has(valueKey) || o->isNull(valueKey) || !o->get(valueKey).isString())
        throw BadRequest(at + "." + valueKey, message);
      raw = o->get(valueKey).extract<std::string>();
      if (o->has("label")) e.label = optText(*o, "label", at + ".label", 50);
      if (o->has("primary")) e.primary = optBool(*o, "primary", at + ".primary");
    } else if (arr->get(i).isString()) {
      raw = arr->get(i).extract<std::string>();
    } else {
      throw BadRequest(at, message);
    }
    const std::string field = arr->isObject(i) ? at + "." + valueKey : at;
    if (!text::isValidUtf8(raw)) throw BadRequest(field, message);
    auto value = normalise(text::trim(raw));
    if (!value) throw BadRequest(field, message);
    if (!seen.insert(*value).second) throw BadRequest(field, "This " + noun + " is already listed.");
    if (e.primary && ++primaries > 1)
      throw BadRequest(at + ".primary", "Only one " + noun + " can be primary.");
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

std::optional<std::string> shorthandValue(const Object& body, const std::string& key, const char* message,
                                          std::optional<std::string> (*normalise)(const std::string&)) {
  if (body.isNull(key)) return std::nullopt;
  const auto v = body.get(key);
  if (!v.isString()) throw BadRequest(key, message);
  const std::string raw = v.extract<std::string>();
  if (!text::isValidUtf8(raw)) throw BadRequest(key, message);
  const std::string s = text::trim(raw);
  if (s.empty()) return std::nullopt;
  auto n = normalise(s);
  if (!n) throw BadRequest(key, message);
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

std::optional<std::string> ClientValidator::normalisePhone(const std::string& raw) {
  std::string s = text::trim(raw);
  if (s.rfind("00", 0) == 0) s = "+" + s.substr(2);
  if (s.empty() || s[0] != '+') return std::nullopt;
  std::string digits;
  int open = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c == '(') ++open;
    else if (c == ')') {
      if (--open < 0) return std::nullopt;
    } else if (!(c == ' ' || c == '-' || c == '.')) return std::nullopt;
  }
  if (open != 0 || digits.size() < 8 || digits.size() > 15 || digits[0] == '0') return std::nullopt;
  return "+" + digits;
}

ClientChanges ClientValidator::apply(const Object& body, Client& c, bool creating) {
  static const std::set<std::string> kFields = {"kind",  "name",   "contact_person", "email",   "phone", "emails",
                                                "phones", "address", "billing",        "notes",   "status"};
  static const std::set<std::string> kReadOnly = {"id",         "portal_status", "created_at",
                                                  "created_by", "updated_at",    "updated_by"};
  for (const auto& name : body.getNames())
    if (!kFields.count(name) && !kReadOnly.count(name))
      throw BadRequest(name, "This field is not part of a client.");

  ClientChanges ch;
  auto sent = [&](const char* key) {
    if (body.has(key)) ch.any = true;
    return body.has(key);
  };

  if (sent("kind")) {
    std::string kind = body.isNull("kind") ? "individual" : "";
    if (!body.isNull("kind")) {
      const auto v = body.get("kind");
      if (v.isString()) kind = text::trim(v.extract<std::string>());
      if (kind == "organization") kind = "organisation";
    }
    if (kind != "individual" && kind != "organisation")
      throw BadRequest("kind", "Choose individual or organisation.");
    c.kind = kind;
  }
  if (sent("name") || creating) {
    OptText name = body.has("name") ? optText(body, "name", "name", 200) : std::nullopt;
    if (!name) throw BadRequest("name", "Enter the client's name.");
    if (*name != c.name) ch.search = true;
    c.name = *name;
  }
  if (sent("contact_person")) {
    c.contact_person = optText(body, "contact_person", "contact_person", 200);
    if (c.contact_person && c.kind != "organisation")
      throw BadRequest("contact_person", "Only organisations have a contact person.");
  } else if (c.kind != "organisation") {
    c.contact_person.reset();  // switching an organisation to an individual drops it
  }

  if (sent("emails")) {
    c.emails = parseList<ClientEmail>(body, "emails", "address", kMaxEmails, kEmailMessage, "email address",
                                      "email addresses", [](const std::string& s) { return normaliseEmail(s); });
    ch.emails = ch.search = true;
  }
  if (sent("email")) {
    auto email = shorthandValue(body, "email", kEmailMessage, &ClientValidator::normaliseEmail);
    if (body.has("emails")) {
      if (email != c.primaryEmail())
        throw BadRequest("email", "Send either email or emails; email must be the primary one of emails.");
    } else {
      applyShorthand(c.emails, email, kMaxEmails, "email", "email addresses");
      ch.emails = ch.search = true;
    }
  }
  if (sent("phones")) {
    c.phones = parseList<ClientPhone>(body, "phones", "number", kMaxPhones, kPhoneMessage, "phone number",
                                      "phone numbers", [](const std::string& s) { return normalisePhone(s); });
    ch.phones = ch.search = true;
  }
  if (sent("phone")) {
    auto phone = shorthandValue(body, "phone", kPhoneMessage, &ClientValidator::normalisePhone);
    if (body.has("phones")) {
      if (phone != c.primaryPhone())
        throw BadRequest("phone", "Send either phone or phones; phone must be the primary one of phones.");
    } else {
      applyShorthand(c.phones, phone, kMaxPhones, "phone", "phone numbers");
      ch.phones = ch.search = true;
    }
  }

  if (sent("address")) mergeAddress(body, "address", "address", c.address);
  if (sent("billing")) mergeBilling(body, c.billing);
  if (c.billing.hourly_rate_minor && !c.billing.currency)
    throw BadRequest("billing.currency", "Choose the currency of the hourly rate.");
  if (sent("notes")) c.notes = optText(body, "notes", "notes", 10000, true);
  if (sent("status")) {
    const auto v = body.get("status");
    const std::string status = v.isString() ? v.extract<std::string>() : "";
    if (status != "active" && status != "archived") throw BadRequest("status", "Choose active or archived.");
    if (status != c.status) ch.status = status;
    c.status = status;
  }
  if (creating) ch.any = ch.emails = ch.phones = ch.search = true;
  return ch;
}

}  // namespace lexos::clients
