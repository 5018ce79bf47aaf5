#pragma once
// The portal's "Upcoming": a client's events the firm marked visible.

#include "lexos/sdk/context.h"

namespace lexos::schedules {

struct PortalEventHandlers {
  static void list(sdk::Context& c);  // GET /api/v1/portal/events[?case_id=]
};

}  // namespace lexos::schedules
