#include "practice_areas.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace lexos::cases {

const std::vector<std::string>& builtinPhases() {
  static const std::vector<std::string> p = {"intake", "active", "discovery", "trial", "settled", "closed"};
  return p;
}

bool isBuiltinPhase(const std::string& phase) {
  const auto& p = builtinPhases();
  return std::find(p.begin(), p.end(), phase) != p.end();
}

const std::vector<AreaTemplate>& areaTemplates() {
  static const std::vector<AreaTemplate> t = {
      {"litigation", "Litigation",
       {{"intake", "Intake", "intake"}, {"pleadings", "Pleadings", "active"}, {"discovery", "Discovery", "discovery"},
        {"trial", "Trial", "trial"}, {"judgment", "Judgment", "settled"}, {"closed", "Closed", "closed"}}},
      {"estate_planning", "Estate planning",
       {{"intake", "Intake", "intake"}, {"drafting", "Drafting", "active"}, {"review", "Review", "active"},
        {"signing", "Signing", "active"}, {"funding", "Funding", "settled"}, {"closed", "Closed", "closed"}}},
      {"family", "Family",
       {{"intake", "Intake", "intake"}, {"filing", "Filing", "active"}, {"disclosure", "Financial disclosure", "discovery"},
        {"mediation", "Mediation", "active"}, {"hearing", "Hearing", "trial"}, {"order", "Final order", "settled"},
        {"closed", "Closed", "closed"}}},
      {"real_estate", "Real estate",
       {{"intake", "Intake", "intake"}, {"contract", "Contract", "active"}, {"due_diligence", "Due diligence", "discovery"},
        {"financing", "Financing", "active"}, {"closing", "Closing", "settled"}, {"closed", "Closed", "closed"}}},
      {"immigration", "Immigration",
       {{"intake", "Intake", "intake"}, {"evidence", "Gathering evidence", "discovery"}, {"filed", "Petition filed", "active"},
        {"interview", "Interview", "trial"}, {"decision", "Decision", "settled"}, {"closed", "Closed", "closed"}}},
  };
  return t;
}

const AreaTemplate* findAreaTemplate(const std::string& id) {
  for (const auto& t : areaTemplates())
    if (t.id == id) return &t;
  return nullptr;
}

std::string phaseKeyFromLabel(const std::string& label) {
  std::string key;
  bool gap = false;
  for (unsigned char ch : label) {
    if (std::isalnum(ch) && ch < 0x80) {
      if (gap && !key.empty()) key += '_';
      gap = false;
      key += static_cast<char>(std::tolower(ch));
    } else {
      gap = true;
    }
  }
  if (key.size() > 30) key.resize(30);
  while (!key.empty() && key.back() == '_') key.pop_back();
  if (!key.empty() && !std::islower(static_cast<unsigned char>(key[0]))) key = "p_" + key.substr(0, 28);
  return key;
}

bool isPhaseKey(const std::string& key) {
  if (key.empty() || key.size() > 30 || !std::islower(static_cast<unsigned char>(key[0]))) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<AreaPhase> readAreaPhases(const sdk::JsonField& phases) {
  if (!phases.hasValue()) phases.refuse("List the phases of the practice area.");
  if (!phases.json().isArray()) phases.refuse("Send a list of phases.");
  if (phases.json().size() == 0) phases.refuse("Give the practice area at least one phase.");
  std::vector<AreaPhase> out;
  std::set<std::string> keys, labels;
  for (const sdk::JsonField item : phases.array(12)) {
    const auto o = item.object({"key", "label", "builtin_phase"});
    if (!o) item.refuse("Each phase is an object {label, builtin_phase, key?}.");
    AreaPhase p;
    p.label = (*o)["label"].requiredText(40, "Enter the phase's name.");
    const auto key = (*o)["key"].text(30);
    p.key = key && !key->empty() ? *key : phaseKeyFromLabel(p.label);
    if (p.key.empty()) (*o)["label"].refuse("Use letters or digits in the phase's name, or give the phase a key.");
    if (!isPhaseKey(p.key))
      (*o)["key"].refuse("Use lower-case letters, digits and _ (starting with a letter), at most 30.");
    const auto builtin = (*o)["builtin_phase"].text(20);
    if (!builtin || !isBuiltinPhase(*builtin))
      (*o)["builtin_phase"].refuse("Choose one of intake, active, discovery, trial, settled, closed.");
    p.builtin = *builtin;
    if (!keys.insert(p.key).second) (*o)["key"].refuse("Two phases have the key '" + p.key + "'.");
    std::string folded;
    for (unsigned char ch : p.label) folded += static_cast<char>(std::tolower(ch));
    if (!labels.insert(folded).second) (*o)["label"].refuse("Two phases are called '" + p.label + "'.");
    out.push_back(std::move(p));
  }
  return out;
}

int areaProgressPercent(std::size_t index, std::size_t count, const std::string& builtin) {
  if (builtin == "closed" || count == 0) return 100;
  if (index >= count) return 0;
  return static_cast<int>((100 * (index + 1) + count / 2) / count);
}

}  // namespace lexos::cases
