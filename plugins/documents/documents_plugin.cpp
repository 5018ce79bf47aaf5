// The documents module: declarations only; the work is in the handler classes.
#include <stdexcept>
#include <string>

#include "clamd_scanner.h"
#include "document_handlers.h"
#include "lexos/sdk/lexos.h"
#include "portal_document_handlers.h"
#include "schema.h"

namespace lexos::documents {

using sdk::Audience;
using sdk::Method;

namespace {
std::size_t uploadLimit(const std::string& raw) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(raw, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != raw.size() || raw.empty() || v < 1024 || v > 2000000000ULL)
    throw std::runtime_error("plugin.documents.max_upload_bytes = '" + raw +
                             "': expected a whole number of bytes from 1024 to 2000000000");
  return static_cast<std::size_t>(v);
}
}  // namespace

// What the main routes take and answer (SDK 1.7), for GET /api/v1/openapi.json: the staff
// document is DocumentStore::writeStaff's, the portal's writePortalList's (closed: an answer
// that leaked a staff-only member fails the description's check in the tests).
void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  const S scan = S::object().field("status", S::string()).optionalField("signature", S::string());
  const S document =
      S::object()
          .field("id", S::id())
          .field("case_id", S::id())
          .field("client_id", S::id())
          .field("name", S::string())
          .field("folder", S::string())
          .field("version", S::integer().minimum(1))
          .field("from_client", S::boolean().describe("Uploaded by the client on the portal"))
          .optionalField("size", S::integer().minimum(0))
          .optionalField("sha256", S::string().raw("pattern", "\"^[0-9a-f]{64}$\""))
          .optionalField("content_type", S::string())
          .optionalField("scan", scan)
          .field("shared", S::boolean())
          .field("share", S::object()
                              .field("version", S::any().raw("anyOf", R"([{"type":"integer"},{"const":"latest"}])"))
                              .field("expires_at", S::dateTime().orNull())
                              .field("shared_at", S::dateTime().orNull())
                              .field("expired", S::boolean())
                              .orNull())
          .field("deleted_at", S::dateTime().orNull())
          .optionalField("purge_after", S::dateTime())
          .field("created_at", S::dateTime())
          .field("updated_at", S::dateTime());
  const S portalDocument = S::object()
                               .field("id", S::id())
                               .field("case_id", S::id())
                               .field("name", S::string())
                               .field("size", S::integer().minimum(0))
                               .field("content_type", S::string())
                               .field("shared_at", S::dateTime())
                               .field("expires_at", S::dateTime().orNull())
                               .field("version", S::integer().minimum(1))
                               .field("sha256", S::string())
                               .closed();
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/documents")
                      .description("The file's bytes as the body (`?name=` names it), or `multipart/form-data` with "
                                   "a `file` part.")
                      .query(S::object()
                                 .optionalField("name", S::string().describe("The file name (raw bodies)"))
                                 .optionalField("folder", S::string()))
                      .request(S::string().raw("contentMediaType", "\"application/octet-stream\""),
                               "application/octet-stream")
                      .response(document, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases/{id}/documents")
                      .query(S::object().optionalField("q", S::string().describe("Searches names")))
                      .response(S::list(document)));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/documents/{id}")
                      .response(S(document).field("versions", S::array(S::object()
                                                                           .field("version", S::integer())
                                                                           .field("name", S::string())
                                                                           .field("size", S::integer())
                                                                           .field("sha256", S::string())
                                                                           .field("content_type", S::string())
                                                                           .field("created_at", S::dateTime())
                                                                           .field("author_name", S::string())))));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/documents/{id}/content").responseOf("application/octet-stream"));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/documents").response(S::list(portalDocument)));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/cases/{id}/documents").response(S::list(portalDocument)));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/portal/cases/{id}/documents")
                      .description("The file's bytes as the body (`?name=` names it), or `multipart/form-data` with "
                                   "a `file` part. The document goes to the matter, shared with the client only.")
                      .query(S::object().optionalField("name", S::string().describe("The file name (raw bodies)")))
                      .request(S::string().raw("contentMediaType", "\"application/octet-stream\""),
                               "application/octet-stream")
                      .response(portalDocument, 201));
  r.describeRoute(
      DescriptionBuilder(Method::Get, "/api/v1/portal/documents/{id}/content").responseOf("application/octet-stream"));
}

class DocumentsPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("cases");  // documents belong to a case (foreign key), so to its client
    r.addPermission({"documents.read", "See and download the firm's case documents and their ledger",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"documents.write", "Upload, rename, move, version and delete case documents",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"documents.share", "Share documents with the case's client (\"Accessible to Client\")",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"documents.portal", "Portal: see and download the documents shared with me", {sdk::kRolePortal}});
    r.addPermission({"documents.portal_upload", "Portal: send files to my legal team on one of my matters", {sdk::kRolePortal}});

    // A document and its versions belong to the case's client; a portal session reads a row
    // only while it is shared ("shared", "portal_visible") and not expired (addPortalUntil),
    // below any SQL of this plugin. The share history is the firm's own.
    r.addTable({"documents", sdk::Tenancy::Client, "client_id", "shared", {"firm_id", "id"}});
    r.addTable({"document_versions", sdk::Tenancy::Client, "client_id", "portal_visible", {"firm_id", "id"}});
    r.addTable({"document_shares", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    // A client's upload (issue 13): a portal session inserts a document of its own client and
    // its first version, shared with that client (the visibility columns must be true), checked
    // by the database (SDK 1.6 addPortalInsert; docs/documents.md "Client uploads"). Such a row
    // names only portal-readable columns, so those include what an upload must set: the
    // document's name and times, the uploader, and the version's scan verdict (a client never
    // sees an infected version: it is never stored for them). Who on the staff created or changed
    // a document, its folder, pinned version and version authors stay staff-only.
    r.addPortalColumns({"documents", {"case_id", "current_version", "shared_at", "deleted_at", "name", "created_at",
                                      "updated_at", "portal_user_id"}});
    r.addPortalColumns({"document_versions", {"document_id", "version", "name", "blob_id", "size", "sha256",
                                              "content_type", "created_at", "scan_status", "portal_user_id",
                                              "portal_author_name"}});
    r.addPortalInsert({"documents"});
    r.addPortalInsert({"document_versions"});
    r.addPortalUntil({"documents", "share_expires_at"});
    r.addPortalUntil({"document_versions", "portal_until"});
    r.addTable({"document_templates", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addMigration({1, "documents, versions, shares", schema::kV1, "", ""});
    r.addMigration({2, "firm templates", schema::kV2, "", ""});
    r.addMigration({3, "malware scan status of versions", schema::kV3, "", ""});
    r.addMigration({4, "a document's (firm, id, client) as a key", "", schema::kV4Sqlite, schema::kV4Postgres});
    r.addMigration({5, "client uploads: the uploader, defaults, a document's client is its case's", "",
                    schema::kV5Sqlite, schema::kV5Postgres});

    // Malware scanning: with clamd_socket set, every upload is scanned by clamd (INSTREAM)
    // before its version is recorded; clamd down refuses uploads (503). Unset: "not_scanned".
    configureClamd(r.config("clamd_socket", ""));

    // Screens (web/, served at /plugins/documents/; docs/documents.md "Screens"): a card on the
    // case page and on the client profile for the firm, the firm's Templates page (staff only:
    // templates never reach the portal), a section on each portal matter and the portal's
    // Documents tab.
    r.addContribution({"staff.case.cards", "case_card.js", "documents.read", "Documents", 20});
    r.addContribution({"staff.client.cards", "client_card.js", "documents.read", "Documents", 40});
    r.addNav({Audience::Staff, "Practice Management", "Templates", "#/templates", "documents.read", 40});
    r.addView({Audience::Staff, "templates", "templates.js", "documents.read", "Templates"});
    r.addContribution({"portal.matter.sections", "portal_section.js", "documents.portal", "Documents", 20});
    r.addView({Audience::Portal, "documents", "portal_documents.js", "documents.portal", "Documents"});
    r.addNav({Audience::Portal, "", "Documents", "#/documents", "documents.portal", 20});

    // Uploads: up to [plugin.documents] max_upload_bytes (default 256 MiB), within
    // server.max_body_bytes and the vault's own limits ([vault] max_file_bytes, quota).
    const std::size_t upload = uploadLimit(r.config("max_upload_bytes", "268435456"));
    constexpr std::size_t kBody = 16 * 1024;
    describeRoutes(r);
    r.addRoute({Method::Post, "/api/v1/cases/{id}/documents", Audience::Staff, "documents.write", &DocumentHandlers::upload,
                upload, "Upload a document to a case (?name=&folder=; raw bytes or multipart part \"file\")"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/documents", Audience::Staff, "documents.read",
                &DocumentHandlers::listForCase, 0, "A case's documents (?q= searches names)"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/documents/trash", Audience::Staff, "documents.read",
                &DocumentHandlers::trash, 0, "A case's documents in the trash"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}/documents", Audience::Staff, "documents.read",
                &DocumentHandlers::listForClient, 0, "Every document of a client's cases"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}/portal-documents", Audience::Staff, "documents.read",
                &DocumentHandlers::preview, 0, "Preview as client: exactly the portal's document list"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}/disclosures.csv", Audience::Staff, "documents.read",
                &DocumentHandlers::disclosures, 0, "Disclosure report: every share and download (CSV)"});
    r.addRoute({Method::Get, "/api/v1/documents/{id}", Audience::Staff, "documents.read", &DocumentHandlers::get, 0,
                "A document with its versions and share history"});
    r.addRoute({Method::Patch, "/api/v1/documents/{id}", Audience::Staff, "documents.write", &DocumentHandlers::patch, kBody,
                "Rename or move a document {name, folder}"});
    r.addRoute({Method::Delete, "/api/v1/documents/{id}", Audience::Staff, "documents.write", &DocumentHandlers::remove, 0,
                "Move a document to the trash (unshares it)"});
    r.addRoute({Method::Post, "/api/v1/documents/{id}/restore", Audience::Staff, "documents.write",
                &DocumentHandlers::restore, 0, "Restore a document from the trash"});
    r.addRoute({Method::Get, "/api/v1/documents/{id}/content", Audience::Staff, "documents.read",
                &DocumentHandlers::content, 0, "A document's bytes (?version=N, ?inline=1; Range, ETag)"});
    r.addRoute({Method::Post, "/api/v1/documents/{id}/versions", Audience::Staff, "documents.write",
                &DocumentHandlers::addVersion, upload, "Upload a new version"});
    r.addRoute({Method::Post, "/api/v1/documents/{id}/versions/{version}/restore", Audience::Staff, "documents.write",
                &DocumentHandlers::restoreVersion, 0, "Restore an old version (as a new version)"});
    r.addRoute({Method::Put, "/api/v1/documents/{id}/share", Audience::Staff, "documents.share", &DocumentHandlers::share,
                kBody, "Share with the case's client {version: \"latest\" | N, expires_at?}"});
    r.addRoute({Method::Delete, "/api/v1/documents/{id}/share", Audience::Staff, "documents.share",
                &DocumentHandlers::unshare, 0, "Stop sharing with the client"});
    r.addRoute({Method::Get, "/api/v1/documents/{id}/ledger", Audience::Staff, "documents.read", &DocumentHandlers::ledger,
                0, "Uploads, shares, views and downloads of a document"});
    r.addRoute({Method::Post, "/api/v1/document-templates", Audience::Staff, "documents.write",
                &DocumentHandlers::addTemplate, upload, "Upload a firm template (?name=&folder=; raw or multipart \"file\")"});
    r.addRoute({Method::Get, "/api/v1/document-templates", Audience::Staff, "documents.read",
                &DocumentHandlers::listTemplates, 0, "The firm's templates"});
    r.addRoute({Method::Get, "/api/v1/document-templates/{id}/content", Audience::Staff, "documents.read",
                &DocumentHandlers::templateContent, 0, "A template's bytes (Range, ETag)"});
    r.addRoute({Method::Delete, "/api/v1/document-templates/{id}", Audience::Staff, "documents.write",
                &DocumentHandlers::removeTemplate, 0, "Delete a firm template"});
    r.addRoute({Method::Get, "/api/v1/portal/documents", Audience::Portal, "documents.portal",
                &PortalDocumentHandlers::list, 0, "Portal: the documents shared with me"});
    r.addRoute({Method::Get, "/api/v1/portal/cases/{id}/documents", Audience::Portal, "documents.portal",
                &PortalDocumentHandlers::listForCase, 0, "Portal: the documents of one of my matters"});
    r.addRoute({Method::Post, "/api/v1/portal/cases/{id}/documents", Audience::Portal, "documents.portal_upload",
                &PortalDocumentHandlers::upload, upload,
                "Portal: send a file on one of my matters (multipart part \"file\" or raw bytes with ?name=); "
                "it is shared with me only"});
    r.addRoute({Method::Get, "/api/v1/portal/documents/{id}/content", Audience::Portal, "documents.portal",
                &PortalDocumentHandlers::content, 0, "Portal: download a document shared with me (Range, ETag)"});
  }
};

}  // namespace lexos::documents

LEXOS_PLUGIN(lexos::documents::DocumentsPlugin, "documents", "0.1.0")
