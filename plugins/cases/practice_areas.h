#pragma once
// Practice areas: the rules of a firm's own phase lists, with no database or host in them (so
// tests/unit compiles this file in). An area is an ordered list of phases; each phase has a key
// (stable, what cases store), a label (what people read) and the built-in phase it counts as
// (one of intake, active, discovery, trial, settled, closed), which keeps reports, filters and
// the closed/settled logic working whatever the firm calls its phases.

#include <string>
#include <vector>

#include "lexos/sdk/json_fields.h"

namespace lexos::cases {

/// One phase of a practice area.
struct AreaPhase {
  std::string key;      ///< "drafting": lower-case letters, digits and '_', unique in the area.
  std::string label;    ///< "Drafting"
  std::string builtin;  ///< the built-in phase it counts as: "active"
};

/// A ready-made area a firm may start from (Litigation, Estate planning, ...).
struct AreaTemplate {
  std::string id;    ///< "estate_planning"
  std::string name;  ///< "Estate planning"
  std::vector<AreaPhase> phases;
};

/// The built-in phases every firm has, in order.
const std::vector<std::string>& builtinPhases();
/// True when `phase` is one of the six built-in phases.
bool isBuiltinPhase(const std::string& phase);
/// The ready-made areas, in the order the settings page offers them.
const std::vector<AreaTemplate>& areaTemplates();
/// The template with this id, or nullptr.
const AreaTemplate* findAreaTemplate(const std::string& id);
/// A phase key from a label: "Pre-trial motions" -> "pre_trial_motions" (ASCII letters and digits
/// kept, everything else a single '_', at most 30 characters); "" when nothing is left.
std::string phaseKeyFromLabel(const std::string& label);
/// True for a well-formed key: a lower-case letter first, then letters, digits or '_', 1 to 30.
bool isPhaseKey(const std::string& key);
/// Reads and checks the `phases` list of a practice area: 1 to 12 entries `{key?, label,
/// builtin_phase}`, keys well formed (made from the label when left out) and unique, labels 1 to
/// 40 characters and unique (ignoring case). Throws BadRequest naming the field ("phases",
/// "phases[2].builtin_phase", ...).
std::vector<AreaPhase> readAreaPhases(const sdk::JsonField& phases);
/// How far along the phase at `index` of `count` is, for progress bars: the last phase 100,
/// the first 100/count, in even steps; a built-in "closed" phase is always 100.
int areaProgressPercent(std::size_t index, std::size_t count, const std::string& builtin);

}  // namespace lexos::cases
