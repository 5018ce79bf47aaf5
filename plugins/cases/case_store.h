#pragma once
// Reading and writing case files through the request's tenant-scoped Db. Shared by the staff
// and the portal handlers; the database decides what each principal sees.

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <vector>

#include "lexos/sdk/db.h"

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
  /// Labels of the firm's phases (renamed or default), in order.
  std::vector<std::pair<std::string, std::string>> phaseLabels();
  /// A case as JSON for staff (with client name and related clients), or nullptr.
  Poco::JSON::Object::Ptr staffCase(std::int64_t id);
  /// The case row columns, or empty when the scope does not reach it.
  sdk::ResultSet caseRow(std::int64_t id);
  /// Updates of a case, oldest first; for portal principals the database leaves only the
  /// client-visible ones.
  /// `sharedOnly` adds the visibility filter in the query too (the portal: enforced twice).
  Poco::JSON::Array::Ptr updates(std::int64_t caseId, bool withVisibility, bool sharedOnly = false);
  /// Case JSON from a row of caseRow's columns.
  Poco::JSON::Object::Ptr caseJson(const sdk::ResultSet& rs, std::size_t row);

 private:
  sdk::Db& db_;
};

/// Columns selected for a case (keep in step with caseJson).
extern const char* kCaseColumns;

}  // namespace lexos::cases
