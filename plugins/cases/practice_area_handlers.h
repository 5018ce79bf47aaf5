#pragma once
// Staff handlers of /api/v1/practice-areas: the firm's practice areas and their phases
// (docs/cases.md). Reading needs cases.read; defining, renaming and deleting cases.settings.

#include "lexos/sdk/context.h"

namespace lexos::cases {

class PracticeAreaHandlers {
 public:
  /// GET /api/v1/practice-areas: every area in order, with its phases and how many cases use it.
  static void list(sdk::Context& c);
  /// GET /api/v1/practice-areas/templates: the ready-made areas a firm may start from.
  static void templates(sdk::Context& c);
  /// POST /api/v1/practice-areas {name, phases: [{label, builtin_phase, key?}]} or
  /// {template, name?} -> 201 the area; 409 naming `name` when the firm has one of that name.
  static void create(sdk::Context& c);
  /// PATCH /api/v1/practice-areas/{id} {name?, phases?}: `phases` replaces the list (phases
  /// are matched by key); a phase still holding cases cannot be left out (409 naming `phases`).
  static void patch(sdk::Context& c);
  /// DELETE /api/v1/practice-areas/{id} -> 204; 409 while cases use it.
  static void remove(sdk::Context& c);
};

}  // namespace lexos::cases
