#pragma once
// Staff routes of the schedules module: events of a case, the calendar, one event, the firm's
// time zone for events, the staff who may attend.

#include "lexos/sdk/context.h"

namespace lexos::schedules {

struct EventHandlers {
  static void listForCase(sdk::Context& c);   // GET  /api/v1/cases/{id}/events
  static void create(sdk::Context& c);        // POST /api/v1/cases/{id}/events
  static void list(sdk::Context& c);          // GET  /api/v1/events
  static void get(sdk::Context& c);           // GET  /api/v1/events/{id}
  static void patch(sdk::Context& c);         // PATCH /api/v1/events/{id}
  static void staff(sdk::Context& c);         // GET  /api/v1/calendar/staff
  static void getSettings(sdk::Context& c);   // GET  /api/v1/calendar/settings
};

}  // namespace lexos::schedules
