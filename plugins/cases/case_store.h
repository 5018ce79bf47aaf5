#pragma once
// Reading and writing case files through the request's tenant-scoped Db. Shared by the staff
// and the portal handlers; the database decides what each principal sees.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lexos/sdk/db.h"
#include "lexos/sdk/json.h"
#include "practice_areas.h"

namespace lexos::cases {

/// The phases every firm has, in order; firms may rename them (case_phase_labels).
const std::vector<std::string>& phases();
/// Default English label of a phase ("intake" -> "Intake").
std::string defaultLabel(const std::string& phase);
/// How far along a phase is, for the portal's progress bar (intake 10 ... closed 100).
int progressPercent(const std::string& phase);

/// A practice area as read through the request's scope.
struct PracticeArea {
  std::int64_t id = 0;
  std::string name;
  std::vector<AreaPhase> phases;  ///< in order
  /// The index of the phase with this key, or -1.
  int indexOf(const std::string& key) const;
};

class CaseStore {
 public:
  explicit CaseStore(sdk::Db& db) : db_(db) {}
  /// Labels of the firm's phases (renamed or default), in order; read once per CaseStore.
  const std::vector<std::pair<std::string, std::string>>& phaseLabels();
  /// Writes a case as staff see it (with client name and related clients) as one JSON object;
  /// false (and nothing written) when the scope does not reach it.
  bool writeStaffCase(sdk::JsonWriter& w, std::int64_t id);
  /// The case row columns, or empty when the scope does not reach it.
  sdk::ResultSet caseRow(std::int64_t id);
  /// Writes the updates of a case, oldest first, as a JSON array; for portal principals the
  /// database leaves only the client-visible ones. `sharedOnly` adds the visibility filter in
  /// the query too (the portal: enforced twice).
  void writeUpdates(sdk::JsonWriter& w, std::int64_t caseId, bool withVisibility, bool sharedOnly = false);
  /// Writes the members of a case from row `row` of caseRow's columns into an open object:
  /// all of them for staff; for the portal only what a client sees (no staff ids, no
  /// description drafts, no client id).
  /// With `label`, the phase's label as the row's own query read it (LEFT JOIN of
  /// case_phase_labels; NULL: the default), instead of phaseLabels()' query.
  void writeCaseMembers(sdk::JsonWriter& w, const sdk::ResultSet& rs, std::size_t row, bool forStaff,
                        const sdk::Value* label = nullptr);
  /// A practice area of the firm with its phases (read once per CaseStore), or nullptr when
  /// the scope does not reach it.
  const PracticeArea* area(std::int64_t id);
  /// Writes the phases a case moves through as a JSON array of {phase, label, builtin_phase,
  /// progress_percent}: its area's phases, or the firm's built-in ones (renamed or default).
  void writePhaseList(sdk::JsonWriter& w, const PracticeArea* area);

 private:
  sdk::Db& db_;
  std::optional<std::vector<std::pair<std::string, std::string>>> labels_;
  std::map<std::int64_t, std::optional<PracticeArea>> areas_;
};

/// Columns selected for a case (keep in step with writeCaseMembers).
extern const char* kCaseColumns;
/// How many columns kCaseColumns names (a query's own columns follow them).
inline constexpr std::size_t kCaseColumnCount = 16;

}  // namespace lexos::cases
