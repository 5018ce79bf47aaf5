#include "client_json.h"

#include <Poco/JSON/Array.h>

#include <sstream>

namespace lexos::clients {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

Var text(const OptText& v) { return v ? Var(*v) : Var(); }
Var number(const std::optional<std::int64_t>& v) { return v ? Var(static_cast<Poco::Int64>(*v)) : Var(); }

Object::Ptr address(const PostalAddress& a) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("line1", text(a.line1));
  o->set("line2", text(a.line2));
  o->set("city", text(a.city));
  o->set("region", text(a.region));
  o->set("postal_code", text(a.postal_code));
  o->set("country", text(a.country));
  return o;
}

}  // namespace

Object::Ptr ClientJson::toObject(const Client& c) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", static_cast<Poco::Int64>(c.id));
  o->set("kind", c.kind);
  o->set("name", c.name);
  o->set("contact_person", text(c.contact_person));
  o->set("email", text(c.primaryEmail()));
  o->set("phone", text(c.primaryPhone()));
  Array::Ptr emails = new Array;
  for (const auto& e : c.emails) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("address", e.address);
    x->set("label", text(e.label));
    x->set("primary", e.primary);
    emails->add(x);
  }
  o->set("emails", emails);
  Array::Ptr phones = new Array;
  for (const auto& p : c.phones) {
    Object::Ptr x = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    x->set("number", p.number);
    x->set("label", text(p.label));
    x->set("primary", p.primary);
    phones->add(x);
  }
  o->set("phones", phones);
  o->set("address", address(c.address));
  Object::Ptr billing = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  billing->set("contact", text(c.billing.contact));
  billing->set("email", text(c.billing.email));
  billing->set("address", address(c.billing.address));
  billing->set("currency", text(c.billing.currency));
  billing->set("payment_terms_days", number(c.billing.payment_terms_days));
  billing->set("tax_id", text(c.billing.tax_id));
  billing->set("hourly_rate_minor", number(c.billing.hourly_rate_minor));
  o->set("billing", billing);
  o->set("notes", text(c.notes));
  o->set("status", c.status);
  o->set("portal_status", c.portal_status);
  o->set("created_at", c.created_at);
  o->set("created_by", static_cast<Poco::Int64>(c.created_by));
  o->set("updated_at", c.updated_at);
  o->set("updated_by", static_cast<Poco::Int64>(c.updated_by));
  return o;
}

std::string ClientJson::encode(const Client& client) {
  std::ostringstream ss;
  toObject(client)->stringify(ss);
  return ss.str();
}

std::string ClientJson::encodeList(const std::vector<Client>& items, const std::optional<std::string>& nextCursor) {
  Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  Array::Ptr arr = new Array;
  for (const auto& c : items) arr->add(toObject(c));
  root.set("items", arr);
  root.set("next_cursor", nextCursor ? Var(*nextCursor) : Var());
  std::ostringstream ss;
  root.stringify(ss);
  return ss.str();
}

}  // namespace lexos::clients
