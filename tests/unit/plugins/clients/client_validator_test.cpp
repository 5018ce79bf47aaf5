// The clients module's validator: what a create or patch body becomes, and what it refuses,
// naming the field (dotted paths for nested JSON). Compiled into unit_tests with the validator's
// sources (a plugin is a shared library with hidden symbols).
#include <catch2/catch.hpp>

#include "clients/client_validator.h"

using lexos::clients::Client;
using lexos::clients::ClientValidator;
namespace sdk = lexos::sdk;

namespace {
const std::initializer_list<std::string_view> kFields = {
    "kind", "name", "contact_person", "email", "phone", "emails", "phones", "address", "billing", "notes", "status",
    "id", "portal_status", "created_at", "created_by", "updated_at", "updated_by"};

Client created(const std::string& json) {
  Client c;
  ClientValidator::apply(sdk::JsonObject::parse(json, kFields), c, true);
  return c;
}

// The field a refused body names ("" when it was accepted).
std::string refusedField(const std::string& json, bool creating = true, Client c = {}) {
  try {
    ClientValidator::apply(sdk::JsonObject::parse(json, kFields), c, creating);
  } catch (const sdk::BadRequest& e) {
    return e.field();
  }
  return "";
}
}  // namespace

TEST_CASE("a created client takes its defaults and normalises what it was sent") {
  auto c = created(R"({"name":"  Thomas Anderson ","email":"TA@Client.Test","phone":"+1 (212) 555-0100"})");
  CHECK(c.name == "Thomas Anderson");
  CHECK(c.kind == "individual");
  CHECK(c.status == "active");
  REQUIRE(c.emails.size() == 1);
  CHECK(c.emails[0].address == "ta@client.test");
  CHECK(c.emails[0].primary);
  REQUIRE(c.phones.size() == 1);
  CHECK(c.phones[0].number == "+12125550100");
  CHECK(c.primaryPhone() == "+12125550100");
}

TEST_CASE("organisations have a contact person, individuals do not, 'organization' is understood") {
  auto o = created(R"({"name":"Metacortex","kind":"organization","contact_person":"Mr. Rhineheart"})");
  CHECK(o.kind == "organisation");
  CHECK(o.contact_person == "Mr. Rhineheart");
  CHECK(refusedField(R"({"name":"Neo","contact_person":"Trinity"})") == "contact_person");
  CHECK(refusedField(R"({"name":"Neo","kind":"robot"})") == "kind");
}

TEST_CASE("each bad field is refused by its name, nested ones by their dotted path") {
  CHECK(refusedField(R"({})") == "name");
  CHECK(refusedField(R"({"name":"   "})") == "name");
  CHECK(refusedField(R"({"name":42})") == "name");
  CHECK(refusedField(R"({"name":"x","email":"not an address"})") == "email");
  CHECK(refusedField(R"({"name":"x","phone":"555-0100"})") == "phone");  // no country code
  CHECK(refusedField(R"({"name":"x","emails":[{"address":"a@b.test"},{"address":"bad"}]})") == "emails[1].address");
  CHECK(refusedField(R"({"name":"x","address":{"country":"Narnia"}})") == "address.country");
  CHECK(refusedField(R"({"name":"x","billing":{"email":"nope"}})") == "billing.email");
  CHECK(refusedField(R"({"name":"x","billing":{"currency":"EURO"}})") == "billing.currency");
  CHECK(refusedField(R"({"name":"x","billing":{"hourly_rate_minor":25000}})") == "billing.currency");
  CHECK(refusedField(R"({"name":"x","status":"deleted"})") == "status");
  CHECK(refusedField(R"({"name":"x","nickname":"The One"})") == "nickname");  // unknown field
}

TEST_CASE("email and emails together must agree on the primary address") {
  auto c = created(R"({"name":"x","email":"a@b.test","emails":[{"address":"a@b.test","primary":true},{"address":"c@d.test"}]})");
  CHECK(c.emails.size() == 2);
  CHECK(c.primaryEmail() == "a@b.test");
  CHECK(refusedField(R"({"name":"x","email":"z@b.test","emails":[{"address":"a@b.test"}]})") == "email");
}

TEST_CASE("at most ten e-mail addresses and ten phone numbers") {
  std::string emails = "[";
  for (int i = 0; i < 11; ++i) emails += (i ? "," : "") + std::string(R"({"address":"p)") + std::to_string(i) + R"(@x.test"})";
  CHECK(refusedField(R"({"name":"x","emails":)" + emails + "]}") == "emails");
}

TEST_CASE("a patch changes only what it sends, null clears an optional field") {
  Client c = created(R"({"name":"Thomas Anderson","email":"ta@client.test","notes":"VIP","address":{"city":"Chicago","country":"US"}})");
  auto ch = ClientValidator::apply(sdk::JsonObject::parse(R"({"notes":null,"address":{"city":"New York"}})", kFields), c, false);
  CHECK(ch.any);
  CHECK_FALSE(c.notes);
  CHECK(c.address.city == "New York");
  CHECK(c.address.country == "US");  // objects merge
  CHECK(c.name == "Thomas Anderson");
  CHECK(c.primaryEmail() == "ta@client.test");
  // A patch may leave the name out, but not blank it.
  CHECK(refusedField(R"({"name":""})", false, c) == "name");
  // Read-only fields are accepted and ignored, so a client can be sent back as read.
  Client same = c;
  ClientValidator::apply(sdk::JsonObject::parse(R"({"id":7,"portal_status":"active","created_at":"x"})", kFields), same, false);
  CHECK(same.portal_status == c.portal_status);
  CHECK(same.id == c.id);
}

TEST_CASE("e-mail and phone normalisation") {
  CHECK(ClientValidator::normaliseEmail(" Neo@Matrix.Test ") == "neo@matrix.test");
  CHECK_FALSE(ClientValidator::normaliseEmail("neo@"));
  CHECK_FALSE(ClientValidator::normaliseEmail("neo matrix@test.test"));
  CHECK(ClientValidator::normalisePhone("0044 20 7946 0958") == "+442079460958");
  CHECK(ClientValidator::normalisePhone("+44 (20) 7946-0958") == "+442079460958");
  CHECK_FALSE(ClientValidator::normalisePhone("020 7946 0958"));
  CHECK_FALSE(ClientValidator::normalisePhone("+1 234"));
  CHECK_FALSE(ClientValidator::normalisePhone("+44 20 7946 0958 ext 3"));
}

TEST_CASE("phone numbers are read in the firm's country with libphonenumber and shown grouped") {
  // A US firm: the national forms people type, and the same number written internationally.
  for (const char* typed : {"(312) 555-0199", "312.555.0199", "312 555 0199", "1-312-555-0199", "+1 312 555 0199"})
    CHECK(ClientValidator::normalisePhone(typed, "US") == "+13125550199");
  CHECK(ClientValidator::displayPhone("+13125550199") == "+1 312-555-0199");
  // A number of another country still needs its code; the firm's country does not rewrite it.
  CHECK(ClientValidator::normalisePhone("+44 20 7946 0958", "US") == "+442079460958");
  CHECK(ClientValidator::normalisePhone("020 7946 0958", "GB") == "+442079460958");
  CHECK(ClientValidator::displayPhone("+442079460958") == "+44 20 7946 0958");
  CHECK(ClientValidator::normalisePhone("030 12345678", "DE") == "+493012345678");
  // Not numbers of the country (too short, an invalid area code), letters, extensions.
  CHECK_FALSE(ClientValidator::normalisePhone("555-0199", "US"));
  CHECK_FALSE(ClientValidator::normalisePhone("(012) 555-0199", "US"));
  CHECK_FALSE(ClientValidator::normalisePhone("1-800-FLOWERS", "US"));
  CHECK_FALSE(ClientValidator::normalisePhone("(312) 555-0199 x12", "US"));
  CHECK_FALSE(ClientValidator::normalisePhone("+44 20 7946", "US"));  // possible, not valid
  // Without a country, a national number cannot be read.
  CHECK_FALSE(ClientValidator::normalisePhone("(312) 555-0199"));
  // A stored value libphonenumber cannot read is shown as stored.
  CHECK(ClientValidator::displayPhone("not a number") == "not a number");
}
