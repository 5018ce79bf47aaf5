#pragma once
// The portal's read-only view of a client's own matters: /api/v1/portal/cases. The database
// binds these queries to the portal user's client, so another client's matter is simply not
// there (404), and only client-visible updates come back.

#include "lexos/sdk/context.h"

namespace lexos::cases {

class PortalCaseHandlers {
 public:
  /// GET /api/v1/portal/cases: my matters, with phase, progress and the latest visible update.
  static void list(sdk::Context& c);
  /// GET /api/v1/portal/cases/{id}: one matter with its timeline of visible updates and the
  /// firm's contact for it.
  static void get(sdk::Context& c);
};

}  // namespace lexos::cases
