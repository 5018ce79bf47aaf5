#pragma once
// The HTTP handlers of /api/v1/clients. The guard has already checked the session, CSRF, the
// audience and the route's permission; the Db is bound to the caller's firm.

#include "lexos/sdk/context.h"

namespace lexos::clients {

/// Handlers for the clients routes. Stateless, so one instance serves all threads.
class ClientHandlers {
 public:
  /// GET /api/v1/clients?q=&status=&portal_status=&limit=&cursor=
  static void list(sdk::Context& c);
  /// GET /api/v1/clients/{id}
  static void get(sdk::Context& c);
  /// POST /api/v1/clients -> 201 with the client and a Location header.
  static void create(sdk::Context& c);
  /// PATCH /api/v1/clients/{id}: only the fields sent change.
  static void patch(sdk::Context& c);
  /// DELETE /api/v1/clients/{id} -> 204; 409 while other records refer to the client.
  static void remove(sdk::Context& c);
  /// POST /api/v1/clients/{id}/archive
  static void archive(sdk::Context& c);
  /// POST /api/v1/clients/{id}/restore
  static void restore(sdk::Context& c);
  /// GET /api/v1/clients/export.csv?q=&status=&portal_status= : the directory as CSV, streamed.
  static void exportCsv(sdk::Context& c);

 private:
  static void setStatus(sdk::Context& c, const char* status, const char* action);
};

}  // namespace lexos::clients
