#pragma once
// Private ICS feeds: a signed-in user's feed address, resetting it (every older address stops),
// and the feed itself, which a calendar program fetches without a session.

#include "lexos/sdk/context.h"

namespace lexos::schedules {

struct FeedHandlers {
  static void staffAddress(sdk::Context& c);   // GET    /api/v1/calendar/feed
  static void staffReset(sdk::Context& c);     // DELETE /api/v1/calendar/feed
  static void portalAddress(sdk::Context& c);  // GET    /api/v1/portal/calendar/feed
  static void feed(sdk::Context& c);           // GET    /api/v1/calendar/feeds/{token} (public)
  static void revoke(sdk::Context& c);         // DELETE /api/v1/calendar/feeds/{token} (public)
};

}  // namespace lexos::schedules
