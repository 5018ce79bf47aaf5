#include "portal_case_handlers.h"

#include "case_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::cases {

using sdk::JsonWriter;

void PortalCaseHandlers::list(sdk::Context& c) {
  CaseStore store(c.db());
  // One statement: each matter with its latest client-visible update and its phase's label
  // (issue 15: it was 2 + one query per matter). Enforced twice: this filter, and the database
  // returning only this client's rows and only shared updates anyway.
  const std::int64_t me = c.principal().client_id;
  // PostgreSQL: a LATERAL subquery, so that the latest update is an index scan per matter (in
  // a portal scope case_updates is a security_barrier view, and a correlated `u.id = (SELECT
  // ...)` became a scan of the firm's updates: bench/portal.sh, 105 against 1,601 tps).
  // SQLite has no LATERAL; its views inline, and the correlated form uses the index.
  const std::string latest =
      c.db().backend() == sdk::Backend::PostgreSQL
          ? " LEFT JOIN LATERAL (SELECT u2.text, u2.created_at FROM case_updates u2 WHERE u2.firm_id = c.firm_id"
            " AND u2.case_id = c.id AND u2.client_visible ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1) u ON true"
          : " LEFT JOIN case_updates u ON u.firm_id = c.firm_id AND u.id ="
            " (SELECT u2.id FROM case_updates u2 WHERE u2.firm_id = c.firm_id AND u2.case_id = c.id"
            " AND u2.client_visible ORDER BY u2.created_at DESC, u2.id DESC LIMIT 1)";
  auto rs = c.db().query(std::string("SELECT ") + kCaseColumns + ", u.text, u.created_at, pl.label FROM cases c" + latest +
                             " LEFT JOIN case_phase_labels pl ON pl.firm_id = c.firm_id AND pl.phase = c.phase"
                             " WHERE c.client_id = $1 ORDER BY c.closed_on IS NOT NULL, c.opened_on DESC, c.id DESC",
                         {me});
  JsonWriter w;
  sdk::beginList(w);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs.rows[i];
    w.beginObject();
    constexpr std::size_t k = kCaseColumnCount;  // the query's own columns follow the case's
    store.writeCaseMembers(w, rs, i, false, &r[k + 2]);  // what a client sees: no staff ids, no description drafts
    w.key("latest_update");
    if (sdk::isNull(r[k]))
      w.null();
    else
      w.beginObject().member("text", sdk::asText(r[k])).member("created_at", sdk::asText(r[k + 1])).endObject();
    w.key("phases");  // the steps of its progress bar: its area's phases, else the built-in ones
    store.writePhaseList(w, sdk::isNull(r[14]) ? nullptr : store.area(sdk::asInt(r[14])));
    w.endObject();
  }
  sdk::endList(w);
  c.audit().record("portal.cases.view", "client", std::to_string(c.principal().client_id));
  sdk::sendJson(c, w);
}

void PortalCaseHandlers::get(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such matter.");
  CaseStore store(c.db());
  auto rs = store.caseRow(id);
  if (rs.empty() || sdk::asInt(rs.rows[0][1]) != c.principal().client_id) throw sdk::NotFound("No such matter.");
  JsonWriter w;
  w.beginObject();
  store.writeCaseMembers(w, rs, 0, false);
  w.key("updates");
  store.writeUpdates(w, id, false, true);
  // The phases of the matter's practice area (the firm's names for them), else the built-in ones.
  w.key("phases");
  store.writePhaseList(w, sdk::isNull(rs.rows[0][14]) ? nullptr : store.area(sdk::asInt(rs.rows[0][14])));
  w.endObject();
  c.audit().record("portal.case.view", "case", std::to_string(id));
  sdk::sendJson(c, w);
}

}  // namespace lexos::cases
