#pragma once
// Portal access: staff invite a client's people and revoke them; invitees activate their
// account; portal users manage their own password and sessions.

#include "lexos/sdk/context.h"

namespace lexos::portal {

class PortalAccess {
 public:
  /// POST /api/v1/clients/{id}/portal/invite {email?, name?, note?} (staff): e-mails a single-use
  /// activation link to `email`, or to the client's primary e-mail.
  static void invite(sdk::Context& c);
  /// POST /api/v1/clients/{id}/portal/invite/preview {email?, name?, note?} (staff): the
  /// invitation e-mail invite would send, {to, subject, text, html}, without sending it.
  static void preview(sdk::Context& c);
  /// GET /api/v1/clients/{id}/portal (staff): the client's portal users.
  static void list(sdk::Context& c);
  /// DELETE /api/v1/clients/{id}/portal[?user_id=] (staff): revokes all (or one) portal users
  /// of the client; their sessions end at once.
  static void revoke(sdk::Context& c);
  /// POST /api/v1/portal/activate {token, password} (public).
  static void activate(sdk::Context& c);
  /// POST /api/v1/portal/account/password {current_password, new_password} (portal).
  static void changePassword(sdk::Context& c);
  /// POST /api/v1/portal/account/sign-out-everywhere (portal): ends the user's other sessions.
  static void signOutEverywhere(sdk::Context& c);
};

}  // namespace lexos::portal
