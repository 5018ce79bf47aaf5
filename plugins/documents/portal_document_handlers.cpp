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

// One document of the portal's list, from a row of kPortalSelect.
void writePortalItem(JsonWriter& w, const std::vector<sdk::Value>& r) {
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
  for (const auto& r : rs.rows) writePortalItem(w, r);
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

void PortalDocumentHandlers::upload(sdk::Context& c) {
  const std::int64_t caseId = sdk::pathId(c, "id", "No such matter.");
  const auto& me = c.principal();
  const auto nameParam = c.request().query("name");
  if (nameParam) DocumentStore::checkName(*nameParam, "name");  // refused before the bytes are read
  DocumentStore store(c);
  // The staff upload's path: the route's size limit as the body streams, the vault's type check
  // from the bytes (libmagic, the allow-list: 415) and size limit (413), clamd when configured;
  // the bytes are in the vault before the first statement (see DocumentHandlers::upload).
  const Upload up = store.receive();
  std::string name;
  try {
    // The matter must be this client's: the database shows a portal scope only its client's
    // cases, and the check is written here too (a 404 either way).
    auto kase = c.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
    if (kase.empty() || sdk::asInt(kase.rows[0][0]) != me.client_id) throw sdk::NotFound("No such matter.");
    name = DocumentStore::checkName(nameParam ? *nameParam : up.filename, "name");
  } catch (...) {
    c.vault().remove(up.blob.id);
    throw;
  }
  if (up.quarantined()) {
    // Never kept for a client (a staff upload is kept in quarantine for the record; a client's
    // file has no one on the firm's side who chose to keep it): refused as a firm template is, 422
    // "infected" naming `file`. The refusal is audited, so the answer is sent, not thrown (a throw
    // would roll the audit event back); the blob's bytes are an orphan for `vault fsck --repair`.
    c.vault().remove(up.blob.id);
    c.audit().record("portal.document.refused", "case", std::to_string(caseId),
                     name + ": clamd found " + up.scan_signature + ", sha256 " + up.blob.sha256 + "; refused");
    JsonWriter w;
    w.beginObject().key("error").beginObject();
    w.member("code", "infected")
        .member("message", "The malware scanner found " + up.scan_signature + " in " + name +
                               ", so it was not sent. Check the file on your computer.")
        .member("field", "file");
    w.endObject().endObject();
    sdk::sendJson(c, w, 422);
    return;
  }
  const std::string author = store.actorName();
  const std::int64_t id = c.db().newId();
  const std::string now = nowUtc();
  // Both rows are checked by the database (SDK 1.6 addPortalInsert): the scope's firm and client,
  // shared (visible) from the start, and (documents v5) the matter's client; the columns the firm
  // keeps for itself are left to their defaults.
  c.db().execute(
      "INSERT INTO documents (firm_id, id, case_id, client_id, name, current_version, shared, shared_at, created_at, "
      "updated_at, portal_user_id) VALUES (lexos_firm(), $1, $2, $3, $4, 1, TRUE, $5, $5, $5, $6)",
      {id, caseId, me.client_id, name, now, me.user_id});
  c.db().execute(
      "INSERT INTO document_versions (firm_id, id, document_id, client_id, version, name, blob_id, size, sha256, "
      "content_type, portal_visible, created_at, scan_status, portal_user_id, portal_author_name) "
      "VALUES (lexos_firm(), $1, $2, $3, 1, $4, $5, $6, $7, $8, TRUE, $9, $10, $11, $12)",
      {c.db().newId(), id, me.client_id, name, up.blob.id, static_cast<std::int64_t>(up.blob.size), up.blob.sha256,
       up.blob.content_type, now, up.scan_status, me.user_id, author});
  // The disclosure ledger: the upload and the share, as for a staff upload shared with the client.
  c.audit().record("document.upload", "document", std::to_string(id),
                   "version 1, " + std::to_string(up.blob.size) + " bytes, sha256 " + up.blob.sha256 + ", scan " +
                       up.scan_status + ", from the client (" + author + ")");
  c.audit().record("document.share", "document", std::to_string(id),
                   "latest version, with its own client only (the client's upload)");
  auto rs = c.db().query(std::string(kPortalSelect) + " AND d.id = $3", {me.client_id, now, id});
  if (rs.empty()) throw sdk::NotFound("No such document.");
  JsonWriter w;
  writePortalItem(w, rs.rows[0]);
  sdk::sendJson(c, w, 201);
}

}  // namespace lexos::documents
