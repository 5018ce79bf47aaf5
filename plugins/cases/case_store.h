#pragma once
// Reading and writing case files through the request's tenant-scoped Db. Shared by the staff
// and the portal handlers; the database decides what each principal sees.

#include <optional>
#include <string>
#include <vector>

#include "lexos/sdk/db.h"
#include "lexos/sdk/json.h"

namespace lexos::cases {

/// The phases every firm has, in order; firms may rename them (case_phase_labels).
const std::vector<std::string>& phases();
/// Default English label of a phase ("intake" -> "Intake").
std::string defaultLabel(const std::string& phase);
/// How far along a phase is, for the portal's progress bar (intake 10 ... closed 100).
int progressPercent(const std::string& phase);

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

 private:
  sdk::Db& db_;
  std::optional<std::vector<std::pair<std::string, std::string>>> labels_;
};

/// Columns selected for a case (keep in step with caseJson).
extern const char* kCaseColumns;

}  // namespace lexos::cases
