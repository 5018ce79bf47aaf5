#pragma once
// Staff handlers of /api/v1/cases. The guard has checked session, CSRF, audience and
// permission; the Db is bound to the caller's firm.

#include "lexos/sdk/context.h"

namespace lexos::cases {

class CaseHandlers {
 public:
  /// GET /api/v1/cases?client_id=&phase=&q=&limit=&cursor= (newest opened first)
  static void list(sdk::Context& c);
  /// POST /api/v1/cases {client_id, title, matter_number?, practice_area?, responsible_user_id?,
  /// phase?, opened_on?, description?, related_client_ids?}
  static void create(sdk::Context& c);
  /// GET /api/v1/cases/{id}
  static void get(sdk::Context& c);
  /// PATCH /api/v1/cases/{id}: only the fields sent change.
  static void patch(sdk::Context& c);
  /// GET /api/v1/cases/{id}/updates (with each update's client_visible flag)
  static void listUpdates(sdk::Context& c);
  /// POST /api/v1/cases/{id}/updates {text, client_visible (default false)}
  static void addUpdate(sdk::Context& c);
  /// PATCH /api/v1/cases/{id}/updates/{update_id} {text?, client_visible?}
  static void patchUpdate(sdk::Context& c);
  /// GET /api/v1/cases/{id}/notes: internal notes, never shown to portal users.
  static void listNotes(sdk::Context& c);
  /// POST /api/v1/cases/{id}/notes {text}
  static void addNote(sdk::Context& c);
  /// GET /api/v1/cases/phases: the firm's phase names.
  static void getPhases(sdk::Context& c);
  /// PUT /api/v1/cases/phases/{phase} {label}: renames a phase for the firm.
  static void renamePhase(sdk::Context& c);
};

}  // namespace lexos::cases
