#include "case_store.h"

namespace lexos::cases {

const char* kCaseColumns =
    "c.id, c.client_id, c.title, c.matter_number, c.practice_area, c.responsible_user_id, c.contact_name, "
    "c.contact_email, c.phase, c.opened_on, c.closed_on, c.description, c.created_at, c.updated_at, "
    "c.practice_area_id, c.area_phase";

const std::vector<std::string>& phases() { return builtinPhases(); }

int PracticeArea::indexOf(const std::string& key) const {
  for (std::size_t i = 0; i < phases.size(); ++i)
    if (phases[i].key == key) return static_cast<int>(i);
  return -1;
}

const PracticeArea* CaseStore::area(std::int64_t id) {
  auto it = areas_.find(id);
  if (it == areas_.end()) {
    std::optional<PracticeArea> a;
    auto rs = db_.query("SELECT name FROM practice_areas WHERE id = $1", {id});
    if (!rs.empty()) {
      a.emplace();
      a->id = id;
      a->name = sdk::asText(rs.rows[0][0]);
      for (const auto& r : db_.query("SELECT phase_key, label, builtin_phase FROM practice_area_phases WHERE area_id = $1 "
                                     "ORDER BY position, phase_key", {id}).rows)
        a->phases.push_back({sdk::asText(r[0]), sdk::asText(r[1]), sdk::asText(r[2])});
    }
    it = areas_.emplace(id, std::move(a)).first;
  }
  return it->second ? &*it->second : nullptr;
}

void CaseStore::writePhaseList(sdk::JsonWriter& w, const PracticeArea* a) {
  w.beginArray();
  if (a) {
    for (std::size_t i = 0; i < a->phases.size(); ++i) {
      const auto& p = a->phases[i];
      w.beginObject()
          .member("phase", p.key)
          .member("label", p.label)
          .member("builtin_phase", p.builtin)
          .member("progress_percent", areaProgressPercent(i, a->phases.size(), p.builtin))
          .endObject();
    }
  } else {
    for (const auto& [p, label] : phaseLabels())
      w.beginObject()
          .member("phase", p)
          .member("label", label)
          .member("builtin_phase", p)
          .member("progress_percent", progressPercent(p))
          .endObject();
  }
  w.endArray();
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

const std::vector<std::pair<std::string, std::string>>& CaseStore::phaseLabels() {
  if (labels_) return *labels_;
  labels_.emplace();
  auto rs = db_.query("SELECT phase, label FROM case_phase_labels");
  for (const auto& p : phases()) {
    std::string label = defaultLabel(p);
    for (const auto& r : rs.rows)
      if (sdk::asText(r[0]) == p) label = sdk::asText(r[1]);
    labels_->emplace_back(p, label);
  }
  return *labels_;
}

sdk::ResultSet CaseStore::caseRow(std::int64_t id) {
  return db_.query(std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE c.id = $1", {id});
}

void CaseStore::writeCaseMembers(sdk::JsonWriter& w, const sdk::ResultSet& rs, std::size_t i, bool forStaff,
                                 const sdk::Value* label) {
  const auto& r = rs.rows[i];
  w.member("id", sdk::asInt(r[0]));
  if (forStaff) w.member("client_id", sdk::asInt(r[1]));
  w.member("title", sdk::asText(r[2]));
  w.member("matter_number", sdk::asText(r[3]));
  const PracticeArea* a = sdk::isNull(r[14]) ? nullptr : area(sdk::asInt(r[14]));
  w.member("practice_area", a ? a->name : sdk::asText(r[4]));
  w.member("practice_area_id", a ? std::optional<std::int64_t>(a->id) : std::nullopt);
  if (forStaff) w.member("responsible_user_id", sdk::isNull(r[5]) ? std::nullopt : std::optional<std::int64_t>(sdk::asInt(r[5])));
  w.key("contact").beginObject().member("name", sdk::asText(r[6])).member("email", sdk::asText(r[7])).endObject();
  const std::string phase = sdk::asText(r[8]);
  const int at = a && !sdk::isNull(r[15]) ? a->indexOf(sdk::asText(r[15])) : -1;
  if (at >= 0) {  // the area's phase: its key, its label, its place in the area's list
    const auto& p = a->phases[static_cast<std::size_t>(at)];
    w.member("phase", p.key);
    w.member("builtin_phase", phase);
    w.member("phase_label", p.label);
    w.member("progress_percent", areaProgressPercent(static_cast<std::size_t>(at), a->phases.size(), phase));
  } else {
    w.member("phase", phase);
    w.member("builtin_phase", phase);
    if (label)
      w.member("phase_label", sdk::isNull(*label) ? defaultLabel(phase) : sdk::asText(*label));
    else
      for (const auto& [p, l] : phaseLabels())
        if (p == phase) w.member("phase_label", l);
    w.member("progress_percent", progressPercent(phase));
  }
  w.member("opened_on", sdk::asText(r[9]));
  w.member("closed_on", sdk::isNull(r[10]) ? std::nullopt : std::optional<std::string>(sdk::asText(r[10])));
  if (forStaff) {
    w.member("description", sdk::asText(r[11]));
    w.member("created_at", sdk::asText(r[12]));
    w.member("updated_at", sdk::asText(r[13]));
  }
}

bool CaseStore::writeStaffCase(sdk::JsonWriter& w, std::int64_t id) {
  auto rs = caseRow(id);
  if (rs.empty()) return false;
  w.beginObject();
  writeCaseMembers(w, rs, 0, true);
  auto client = db_.query("SELECT name FROM clients WHERE id = $1", {sdk::asInt(rs.rows[0][1])});
  w.member("client_name", client.empty() ? "" : sdk::asText(client.rows[0][0]));
  w.key("related_client_ids").beginArray();
  for (const auto& r : db_.query("SELECT client_id FROM case_related_clients WHERE case_id = $1 ORDER BY client_id", {id}).rows)
    w.value(sdk::asInt(r[0]));
  w.endArray();
  w.key("phases");
  writePhaseList(w, sdk::isNull(rs.rows[0][14]) ? nullptr : area(sdk::asInt(rs.rows[0][14])));
  w.endObject();
  return true;
}

void CaseStore::writeUpdates(sdk::JsonWriter& w, std::int64_t caseId, bool withVisibility, bool sharedOnly) {
  auto rs = db_.query(std::string("SELECT id, text, client_visible, author_name, created_at FROM case_updates WHERE case_id = $1") +
                          (sharedOnly ? " AND client_visible" : "") + " ORDER BY created_at, id",
                      {caseId});
  w.beginArray();
  for (const auto& r : rs.rows) {
    w.beginObject();
    w.member("id", sdk::asInt(r[0]));
    w.member("text", sdk::asText(r[1]));
    if (withVisibility) w.member("client_visible", sdk::asBool(r[2]));
    w.member("author_name", sdk::asText(r[3]));
    w.member("created_at", sdk::asText(r[4]));
    w.endObject();
  }
  w.endArray();
}

}  // namespace lexos::cases
