#pragma once
#include "lexos/sdk/lexos.h"

namespace lexos::documents {

/// Staff routes (docs/documents.md).
struct DocumentHandlers {
  static void upload(sdk::Context& c);       // POST /api/v1/cases/{id}/documents
  static void listForCase(sdk::Context& c);  // GET  /api/v1/cases/{id}/documents
  static void listForClient(sdk::Context& c);  // GET /api/v1/clients/{id}/documents
  static void get(sdk::Context& c);          // GET  /api/v1/documents/{id}
  static void patch(sdk::Context& c);        // PATCH /api/v1/documents/{id} {name, folder}
  static void remove(sdk::Context& c);       // DELETE /api/v1/documents/{id} (to the trash)
  static void restore(sdk::Context& c);      // POST /api/v1/documents/{id}/restore
  static void trash(sdk::Context& c);        // GET  /api/v1/cases/{id}/documents/trash
  static void content(sdk::Context& c);      // GET  /api/v1/documents/{id}/content[?version=N]
  static void addVersion(sdk::Context& c);   // POST /api/v1/documents/{id}/versions
  static void restoreVersion(sdk::Context& c);  // POST /api/v1/documents/{id}/versions/{version}/restore
  static void share(sdk::Context& c);        // PUT  /api/v1/documents/{id}/share
  static void unshare(sdk::Context& c);      // DELETE /api/v1/documents/{id}/share
  static void ledger(sdk::Context& c);       // GET  /api/v1/documents/{id}/ledger
  static void disclosures(sdk::Context& c);  // GET  /api/v1/clients/{id}/disclosures.csv
  static void preview(sdk::Context& c);
  // Firm templates (firm-only: never shared, never readable by a portal session).
  static void addTemplate(sdk::Context& c);      // POST /api/v1/document-templates
  static void listTemplates(sdk::Context& c);    // GET  /api/v1/document-templates
  static void templateContent(sdk::Context& c);  // GET  /api/v1/document-templates/{id}/content
  static void removeTemplate(sdk::Context& c);   // DELETE /api/v1/document-templates/{id}      // GET  /api/v1/clients/{id}/portal-documents (as the client sees them)
};

}  // namespace lexos::documents
