#include "client_json.h"

#include "client_validator.h"

#include "lexos/sdk/lists.h"

namespace lexos::clients {

namespace {

using sdk::JsonWriter;

void writeAddress(JsonWriter& w, const PostalAddress& a) {
  w.beginObject();
  w.key("line1").value(a.line1);
  w.key("line2").value(a.line2);
  w.key("city").value(a.city);
  w.key("region").value(a.region);
  w.key("postal_code").value(a.postal_code);
  w.key("country").value(a.country);
  w.endObject();
}

}  // namespace

void ClientJson::write(JsonWriter& w, const Client& c) {
  w.beginObject();
  w.key("id").value(c.id);
  w.key("kind").value(c.kind);
  w.key("name").value(c.name);
  w.key("contact_person").value(c.contact_person);
  w.key("email").value(c.primaryEmail());
  w.key("phone").value(c.primaryPhone());
  // As people write it internationally ("+1 312-555-0199"); `phone`/`number` stay E.164 for
  // tel: links and for programs.
  w.key("phone_display").value(c.primaryPhone() ? ClientValidator::displayPhone(*c.primaryPhone()) : std::string());
  w.key("emails").beginArray();
  for (const auto& e : c.emails) {
    w.beginObject();
    w.key("address").value(e.address);
    w.key("label").value(e.label);
    w.key("primary").value(e.primary);
    w.endObject();
  }
  w.endArray();
  w.key("phones").beginArray();
  for (const auto& p : c.phones) {
    w.beginObject();
    w.key("number").value(p.number);
    w.key("display").value(ClientValidator::displayPhone(p.number));
    w.key("label").value(p.label);
    w.key("primary").value(p.primary);
    w.endObject();
  }
  w.endArray();
  w.key("address");
  writeAddress(w, c.address);
  w.key("billing").beginObject();
  w.key("contact").value(c.billing.contact);
  w.key("email").value(c.billing.email);
  w.key("address");
  writeAddress(w, c.billing.address);
  w.key("currency").value(c.billing.currency);
  w.key("payment_terms_days").value(c.billing.payment_terms_days);
  w.key("tax_id").value(c.billing.tax_id);
  w.key("hourly_rate_minor").value(c.billing.hourly_rate_minor);
  w.endObject();
  w.key("notes").value(c.notes);
  w.key("status").value(c.status);
  w.key("portal_status").value(c.portal_status);
  w.key("created_at").value(c.created_at);
  w.key("created_by").value(c.created_by);
  w.key("updated_at").value(c.updated_at);
  w.key("updated_by").value(c.updated_by);
  w.endObject();
}

std::string ClientJson::encode(const Client& client) {
  JsonWriter w;
  write(w, client);
  return w.take();
}

std::string ClientJson::encodeList(const std::vector<Client>& items, const std::optional<std::string>& nextCursor,
                                   std::optional<std::int64_t> total, bool totalExact) {
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& c : items) write(w, c);
  if (total) {
    w.endArray().member("total", *total).member("total_exact", totalExact);
    w.member("next_cursor", nextCursor).endObject();
  } else {
    sdk::endList(w, nextCursor);
  }
  return w.take();
}

}  // namespace lexos::clients
