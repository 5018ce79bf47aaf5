#include "portal_case_handlers.h"

#include "case_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::cases {

using sdk::JsonWriter;

void PortalCaseHandlers::list(sdk::Context& c) {
  CaseStore store(c.db());
  // Enforced twice: this filter, and the database returning only this client's rows anyway.
  const std::int64_t me = c.principal().client_id;
  auto rs = c.db().query(std::string("SELECT ") + kCaseColumns +
                             " FROM cases c WHERE c.client_id = $1 ORDER BY c.closed_on IS NOT NULL, c.opened_on DESC, c.id DESC",
                         {me});
  JsonWriter w;
  sdk::beginList(w);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    w.beginObject();
    store.writeCaseMembers(w, rs, i, false);  // what a client sees: no staff ids, no description drafts
    auto latest = c.db().query("SELECT text, created_at FROM case_updates WHERE case_id = $1 AND client_visible "
                               "ORDER BY created_at DESC, id DESC LIMIT 1",
                               {sdk::asInt(rs.rows[i][0])});
    w.key("latest_update");
    if (latest.empty())
      w.null();
    else
      w.beginObject()
          .member("text", sdk::asText(latest.rows[0][0]))
          .member("created_at", sdk::asText(latest.rows[0][1]))
          .endObject();
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
  w.key("phases").beginArray();
  for (const auto& [p, label] : store.phaseLabels()) w.beginObject().member("phase", p).member("label", label).endObject();
  w.endArray();
  w.endObject();
  c.audit().record("portal.case.view", "case", std::to_string(id));
  sdk::sendJson(c, w);
}

}  // namespace lexos::cases
