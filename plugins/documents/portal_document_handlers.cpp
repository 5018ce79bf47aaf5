#include "portal_document_handlers.h"

#include "document_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::documents {

using sdk::JsonWriter;

namespace {
// What the portal reads: documents shared with the client, not expired, not in the trash, each
// with the one version the share serves. In a portal scope the database returns only such rows
// of the session's own client anyway (the visibility and expiry columns, docs/documents.md);
// the same conditions are written here so that the staff's "Preview as client" lists exactly
// what the client sees.
constexpr const char* kPortalSelect =
    "SELECT d.id, d.case_id, v.name, v.size, v.content_type, d.shared_at, d.share_expires_at, v.version, v.sha256, "
    "v.created_at, v.blob_id FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.portal_visible "
    "WHERE d.client_id = $1 AND d.shared AND d.deleted_at IS NULL AND (d.share_expires_at IS NULL OR "
    "d.share_expires_at > $2) AND (v.portal_until IS NULL OR v.portal_until > $2)";
}  // namespace

void writePortalList(sdk::Context& c, JsonWriter& w, std::int64_t clientId, std::int64_t caseId) {
  std::string sql = kPortalSelect;
  std::vector<sdk::Value> params{clientId, nowUtc()};
  if (caseId) {
    sql += " AND d.case_id = $3";
    params.push_back(caseId);
  }
  sql += " ORDER BY d.shared_at DESC, d.id DESC";
  auto rs = c.db().query(sql, params);
  for (const auto& r : rs.rows) {
    w.beginObject()
        .member("id", sdk::asInt(r[0]))
        .member("case_id", sdk::asInt(r[1]))
        .member("name", sdk::asText(r[2]))
        .member("size", sdk::asInt(r[3]))
        .member("content_type", sdk::asText(r[4]))
        .member("shared_at", sdk::asText(r[5]));
    w.key("expires_at");
    if (sdk::isNull(r[6])) w.null();
    else w.value(sdk::asText(r[6]));
    w.member("version", sdk::asInt(r[7])).member("sha256", sdk::asText(r[8])).endObject();
  }
}

void PortalDocumentHandlers::list(sdk::Context& c) {
  JsonWriter w;
  sdk::beginList(w);
  writePortalList(c, w, c.principal().client_id, 0);
  sdk::endList(w);
  c.audit().record("portal.documents.view", "client", std::to_string(c.principal().client_id));
  sdk::sendJson(c, w);
}

void PortalDocumentHandlers::listForCase(sdk::Context& c) {
  const std::int64_t caseId = sdk::pathId(c, "id", "No such matter.");
  auto kase = c.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
  if (kase.empty() || sdk::asInt(kase.rows[0][0]) != c.principal().client_id) throw sdk::NotFound("No such matter.");
  JsonWriter w;
  sdk::beginList(w);
  writePortalList(c, w, c.principal().client_id, caseId);
  sdk::endList(w);
  sdk::sendJson(c, w);
}

void PortalDocumentHandlers::content(sdk::Context& c) {
  const std::int64_t id = sdk::pathId(c, "id", "No such document.");
  auto rs = c.db().query(std::string(kPortalSelect) + " AND d.id = $3", {c.principal().client_id, nowUtc(), id});
  if (rs.empty()) throw sdk::NotFound("No such document.");
  const auto& r = rs.rows[0];
  Version v;
  v.version = sdk::asInt(r[7]);
  v.name = sdk::asText(r[2]);
  v.size = sdk::asInt(r[3]);
  v.content_type = sdk::asText(r[4]);
  v.sha256 = sdk::asText(r[8]);
  v.created_at = sdk::asText(r[9]);
  v.blob_id = sdk::asText(r[10]);
  c.audit().record("portal.document.download", "document", std::to_string(id),
                   "version " + std::to_string(v.version) + ", sha256 " + v.sha256);
  sendVersion(c, v);
}

}  // namespace lexos::documents
