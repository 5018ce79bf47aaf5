#pragma once
// The conversation of a matter: staff routes (the guard checked session, CSRF, permission; the Db
// is bound to the firm) and portal routes (the Db is bound to the portal user's client, and the
// database itself gives it only its own client's messages).

#include "lexos/sdk/context.h"

namespace lexos::messages {

class MessageHandlers {
 public:
  /// GET /api/v1/messages?limit=&cursor=: conversations latest first, each with the case, the
  /// client, the last message and my unread count; `unread_total` and `mentions_unseen`.
  static void inbox(sdk::Context& c);
  /// GET /api/v1/cases/{id}/messages?after=ID
  static void list(sdk::Context& c);
  /// POST /api/v1/cases/{id}/messages {text}
  static void post(sdk::Context& c);
  /// POST /api/v1/cases/{id}/messages/read {last_id}
  static void markRead(sdk::Context& c);
  /// GET /api/v1/portal/cases/{id}/messages?after=ID
  static void portalList(sdk::Context& c);
  /// POST /api/v1/portal/cases/{id}/messages {text}
  static void portalPost(sdk::Context& c);
};

}  // namespace lexos::messages
