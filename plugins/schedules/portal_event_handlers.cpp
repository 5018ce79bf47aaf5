#include "portal_event_handlers.h"

#include "event_store.h"
#include "firm_time.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::schedules {

void PortalEventHandlers::list(sdk::Context& c) {
  // Enforced twice: this filter, and the database, which gives a portal scope only its own
  // client's rows marked client_visible (and NULL for the staff-only columns: notes, reminder,
  // who created it).
  const std::string zone = firmZone(c);
  std::string where = "e.client_id = $1 AND e.client_visible AND e.status = 'confirmed' AND e.end_date >= $2";
  std::vector<sdk::Value> params{c.principal().client_id, todayIn(zone)};
  if (auto id = sdk::queryId(c, "case_id", "case_id must be a matter id.")) {
    if (c.db().query("SELECT 1 FROM cases WHERE id = $1 AND client_id = $2", {*id, c.principal().client_id}).empty())
      throw sdk::NotFound("No such matter.");
    where += " AND e.case_id = $3";
    params.push_back(*id);
  }
  EventStore store(c.db());
  const auto events = store.find(where, params, false, 100);
  sdk::JsonWriter w;
  w.beginObject().key("items").beginArray();
  for (const auto& e : events) writeEvent(w, e, false);
  w.endArray().member("next_cursor", nullptr).member("time_zone", zone).endObject();
  c.audit().record("portal.events.view", "client", std::to_string(c.principal().client_id));
  sdk::sendJson(c, w);
}

}  // namespace lexos::schedules
