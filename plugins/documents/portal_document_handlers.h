#pragma once
#include "lexos/sdk/lexos.h"

namespace lexos::documents {

/// Portal routes: the documents shared with the session's own client.
struct PortalDocumentHandlers {
  static void list(sdk::Context& c);         // GET /api/v1/portal/documents
  static void listForCase(sdk::Context& c);  // GET /api/v1/portal/cases/{id}/documents
  static void content(sdk::Context& c);      // GET /api/v1/portal/documents/{id}/content
  static void upload(sdk::Context& c);       // POST /api/v1/portal/cases/{id}/documents (a client's file)
};

/// The portal's list of shared documents of `clientId` (optionally of one case), as JSON
/// items; the same query the staff's "Preview as client" runs.
void writePortalList(sdk::Context& c, sdk::JsonWriter& w, std::int64_t clientId, std::int64_t caseId);

}  // namespace lexos::documents
