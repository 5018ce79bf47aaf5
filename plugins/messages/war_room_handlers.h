#pragma once
// The War Room: the staff-only discussion of a case, in threads, with @mentions of staff. Its
// tables are Tenancy::Firm, so no portal scope reads a row of them (docs/isolation.md).

#include "lexos/sdk/context.h"

namespace lexos::messages {

class WarRoomHandlers {
 public:
  /// GET /api/v1/cases/{id}/war-room: threads (latest activity first) with their posts.
  static void list(sdk::Context& c);
  /// POST /api/v1/cases/{id}/war-room {title, text}
  static void startThread(sdk::Context& c);
  /// POST /api/v1/cases/{id}/war-room/{thread_id}/posts {text}
  static void reply(sdk::Context& c);
  /// POST /api/v1/cases/{id}/war-room/seen
  static void markSeen(sdk::Context& c);
  /// GET /api/v1/war-room/mentions
  static void mentions(sdk::Context& c);
};

}  // namespace lexos::messages
