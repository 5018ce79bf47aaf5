#include "case_store.h"

#include <Poco/JSON/Array.h>

namespace lexos::cases {

const char* kCaseColumns =
    "c.id, c.client_id, c.title, c.matter_number, c.practice_area, c.responsible_user_id, c.contact_name, "
    "c.contact_email, c.phase, c.opened_on, c.closed_on, c.description, c.created_at, c.updated_at";

const std::vector<std::string>& phases() {
  static const std::vector<std::string> p = {"intake", "active", "discovery", "trial", "settled", "closed"};
  return p;
}

std::string defaultLabel(const std::string& phase) {
  if (phase.empty()) return phase;
  std::string s = phase;
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

int progressPercent(const std::string& phase) {
  static const std::vector<int> pct = {10, 30, 50, 70, 90, 100};
  for (std::size_t i = 0; i < phases().size(); ++i)
    if (phases()[i] == phase) return pct[i];
  return 0;
}

std::vector<std::pair<std::string, std::string>> CaseStore::phaseLabels() {
  std::vector<std::pair<std::string, std::string>> out;
  auto rs = db_.query("SELECT phase, label FROM case_phase_labels");
  for (const auto& p : phases()) {
    std::string label = defaultLabel(p);
    for (const auto& r : rs.rows)
      if (sdk::asText(r[0]) == p) label = sdk::asText(r[1]);
    out.emplace_back(p, label);
  }
  return out;
}

sdk::ResultSet CaseStore::caseRow(std::int64_t id) {
  return db_.query(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = $1", {id});
}

Poco::JSON::Object::Ptr CaseStore::caseJson(const sdk::ResultSet& rs, std::size_t i) {
  const auto& r = rs.rows[i];
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("id", sdk::asInt(r[0]));
  o->set("client_id", sdk::asInt(r[1]));
  o->set("title", sdk::asText(r[2]));
  o->set("matter_number", sdk::asText(r[3]));
  o->set("practice_area", sdk::asText(r[4]));
  if (sdk::isNull(r[5])) o->set("responsible_user_id", Poco::Dynamic::Var());
  else o->set("responsible_user_id", sdk::asInt(r[5]));
  Poco::JSON::Object contact;
  contact.set("name", sdk::asText(r[6]));
  contact.set("email", sdk::asText(r[7]));
  o->set("contact", contact);
  const std::string phase = sdk::asText(r[8]);
  o->set("phase", phase);
  for (const auto& [p, label] : phaseLabels())
    if (p == phase) o->set("phase_label", label);
  o->set("progress_percent", progressPercent(phase));
  o->set("opened_on", sdk::asText(r[9]));
  if (sdk::isNull(r[10])) o->set("closed_on", Poco::Dynamic::Var());
  else o->set("closed_on", sdk::asText(r[10]));
  o->set("description", sdk::asText(r[11]));
  o->set("created_at", sdk::asText(r[12]));
  o->set("updated_at", sdk::asText(r[13]));
  return o;
}

Poco::JSON::Object::Ptr CaseStore::staffCase(std::int64_t id) {
  auto rs = caseRow(id);
  if (rs.empty()) return nullptr;
  auto o = caseJson(rs, 0);
  auto client = db_.query("SELECT name FROM clients WHERE id = $1", {sdk::asInt(rs.rows[0][1])});
  o->set("client_name", client.empty() ? "" : sdk::asText(client.rows[0][0]));
  Poco::JSON::Array related;
  for (const auto& r : db_.query("SELECT client_id FROM case_related_clients WHERE case_id = $1 ORDER BY client_id", {id}).rows)
    related.add(sdk::asInt(r[0]));
  o->set("related_client_ids", related);
  return o;
}

Poco::JSON::Array::Ptr CaseStore::updates(std::int64_t caseId, bool withVisibility, bool sharedOnly) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
  auto rs = db_.query(std::string("SELECT id, text, client_visible, author_name, created_at FROM case_updates WHERE case_id = $1") +
                          (sharedOnly ? " AND client_visible" : "") + " ORDER BY created_at, id",
                      {caseId});
  for (const auto& r : rs.rows) {
    Poco::JSON::Object u;
    u.set("id", sdk::asInt(r[0]));
    u.set("text", sdk::asText(r[1]));
    if (withVisibility) u.set("client_visible", sdk::asBool(r[2]));
    u.set("author_name", sdk::asText(r[3]));
    u.set("created_at", sdk::asText(r[4]));
    out->add(u);
  }
  return out;
}

}  // namespace lexos::cases
