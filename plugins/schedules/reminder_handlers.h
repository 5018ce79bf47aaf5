#pragma once
// E-mail reminders. Rows in schedule_reminders are the durable queue (written with the event, in
// its transaction). The host drains it: the module's job `reminders` (SDK 1.8 Registrar::addJob)
// runs every minute for every firm with schedules on, and hands each due reminder to the durable
// mail queue in the same transaction that marks it sent. `POST /api/v1/calendar/reminders/dispatch`
// (public, authenticated by `[plugin.schedules] dispatch_secret`) does the same work on an
// operator's call, for installations that prefer their own timer (docs/schedules.md).

#include <cstdint>

#include "lexos/sdk/context.h"

namespace lexos::schedules {

struct ReminderHandlers {
  struct Sent {
    int sent = 0;
    int dropped = 0;
  };
  /// Sends up to `limit` due reminders of the request's firm (bound staff scope); marks each sent
  /// or dropped; one audit event when there were any.
  static Sent sendDue(sdk::Context& c, std::int64_t limit);
  static void dispatch(sdk::Context& c);  // POST /api/v1/calendar/reminders/dispatch (public)
  static void job(sdk::Context& c);       // the `reminders` job (SDK 1.8)
};

}  // namespace lexos::schedules
