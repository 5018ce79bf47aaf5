#pragma once
// E-mail reminders. Rows in schedule_reminders are the durable queue (written with the event, in
// its transaction); the SDK has no background worker and no database access outside a request,
// so the queue is drained by a request: `POST /api/v1/calendar/reminders/dispatch`, public,
// authenticated by the configured `[plugin.schedules] dispatch_secret` (a systemd timer or cron
// calls it once a minute per firm; docs/schedules.md).

#include "lexos/sdk/context.h"

namespace lexos::schedules {

struct ReminderHandlers {
  static void dispatch(sdk::Context& c);  // POST /api/v1/calendar/reminders/dispatch (public)
};

}  // namespace lexos::schedules
