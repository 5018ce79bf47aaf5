#include "portal_case_handlers.h"

#include <Poco/JSON/Array.h>

#include "case_store.h"
#include "json_request.h"
#include "lexos/sdk/errors.h"

namespace lexos::cases {

namespace {
// What a client sees of a case: no internal identifiers of staff, no description drafts.
Poco::JSON::Object::Ptr portalView(CaseStore& store, const sdk::ResultSet& rs, std::size_t i) {
  auto full = store.caseJson(rs, i);
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  for (const char* k : {"id", "title", "matter_number", "practice_area", "contact", "phase", "phase_label",
                        "progress_percent", "opened_on", "closed_on"})
    o->set(k, full->get(k));
  return o;
}
}  // namespace

void PortalCaseHandlers::list(sdk::Context& c) {
  CaseStore store(c.db());
  // Enforced twice: this filter, and the database returning only this client's rows anyway.
  const std::int64_t me = c.principal().client_id;
  auto rs = c.db().query(std::string("SELECT ") + kCaseColumns +
                             " FROM cases c WHERE c.client_id = $1 ORDER BY c.closed_on IS NOT NULL, c.opened_on DESC, c.id DESC",
                         {me});
  Poco::JSON::Array items;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    auto o = portalView(store, rs, i);
    auto latest = c.db().query("SELECT text, created_at FROM case_updates WHERE case_id = $1 AND client_visible "
                               "ORDER BY created_at DESC, id DESC LIMIT 1",
                               {sdk::asInt(rs.rows[i][0])});
    if (latest.empty()) {
      o->set("latest_update", Poco::Dynamic::Var());
    } else {
      Poco::JSON::Object u;
      u.set("text", sdk::asText(latest.rows[0][0]));
      u.set("created_at", sdk::asText(latest.rows[0][1]));
      o->set("latest_update", u);
    }
    items.add(o);
  }
  c.audit().record("portal.cases.view", "client", std::to_string(c.principal().client_id));
  plugin::sendList(c, items);
}

void PortalCaseHandlers::get(sdk::Context& c) {
  const auto id = plugin::pathId(c);
  CaseStore store(c.db());
  auto rs = store.caseRow(id);
  if (rs.empty() || sdk::asInt(rs.rows[0][1]) != c.principal().client_id) throw sdk::NotFound("No such matter.");
  auto o = portalView(store, rs, 0);
  o->set("updates", store.updates(id, false, true));
  Poco::JSON::Array phases;
  for (const auto& [p, label] : store.phaseLabels()) {
    Poco::JSON::Object ph;
    ph.set("phase", p);
    ph.set("label", label);
    phases.add(ph);
  }
  o->set("phases", phases);
  c.audit().record("portal.case.view", "case", std::to_string(id));
  plugin::sendJson(c, o);
}

}  // namespace lexos::cases
