#include "document_handlers.h"

#include <algorithm>
#include <cctype>

#include "../clients/csv_writer.h"
#include "clamd_scanner.h"
#include "document_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/json_fields.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "portal_document_handlers.h"

namespace lexos::documents {

using sdk::JsonWriter;

namespace {

std::int64_t docId(sdk::Context& c) { return sdk::pathId(c, "id", "No such document."); }

// A time "YYYY-MM-DDTHH:MM:SSZ" in the future, or a date "YYYY-MM-DD" (the end of that day, UTC).
std::string checkExpiry(const std::string& raw, const std::string& field) {
  std::string v = raw;
  if (v.size() == 10) v += "T23:59:59Z";
  if (epochOf(v) == 0)
    throw sdk::BadRequest(field, "Enter the expiry as a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ).");
  if (v <= nowUtc()) throw sdk::BadRequest(field, "The expiry must be in the future.");
  return v;
}

// Answers with one document (staff view), read back after the change.
void sendDocument(sdk::Context& c, DocumentStore& store, std::int64_t id, bool withVersions, int status) {
  JsonWriter w;
  w.beginObject();
  store.writeStaff(w, store.require(id, true), withVersions);
  w.endObject();
  sdk::sendJson(c, w, status);
}

void writeItems(sdk::Context& c, DocumentStore& store, const std::string& where, const std::vector<sdk::Value>& params) {
  auto rs = c.db().query("SELECT id FROM documents WHERE " + where + " ORDER BY folder, name, id", params);
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) {
    w.beginObject();
    store.writeStaff(w, store.require(sdk::asInt(r[0]), true), false);
    w.endObject();
  }
  sdk::endList(w);
  sdk::sendJson(c, w);
}

// What the upload itself became: its version number and clamd's verdict (a quarantined new
// version does not become the document's current one, so the document alone would not say).
void writeUpload(JsonWriter& w, std::int64_t number, const Upload& up) {
  w.key("upload").beginObject().member("version", number);
  DocumentStore::writeScan(w, up.scan_status, up.scan_signature);
  w.endObject();
}

}  // namespace

void DocumentHandlers::upload(sdk::Context& c) {
  const std::int64_t caseId = sdk::pathId(c, "id", "No such case.");
  DocumentStore store(c);
  const auto nameParam = c.request().query("name");
  if (nameParam) DocumentStore::checkName(*nameParam, "name");  // refuse a bad name before reading the bytes
  const std::string folder = DocumentStore::checkFolder(c.request().query("folder").value_or(""), "folder");
  // The bytes go to the vault before this request's first statement: on SQLite that statement
  // takes the write lock, which must not be held while a large file is encrypted. An upload to a
  // case that turns out not to exist leaves an orphan blob (its row rolls back), which
  // `lexosctl vault fsck --repair` removes after the grace period.
  const Upload up = store.receive();
  const std::int64_t client = store.caseClient(caseId);
  const std::string name = DocumentStore::checkName(nameParam ? *nameParam : up.filename, "name");
  const std::int64_t id = c.db().newId();
  const std::string now = nowUtc();
  c.db().execute(
      "INSERT INTO documents (firm_id, id, case_id, client_id, folder, name, current_version, shared, created_at, "
      "created_by, updated_at, updated_by) VALUES (lexos_firm(), $1, $2, $3, $4, $5, 1, FALSE, $6, $7, $6, $7)",
      {id, caseId, client, folder, name, now, c.principal().user_id});
  store.addVersion(id, client, 1, name, up);
  purgeTrash(c);
  c.audit().record("document.upload", "document", std::to_string(id),
                   "version 1, " + std::to_string(up.blob.size) + " bytes, sha256 " + up.blob.sha256 + ", scan " +
                       up.scan_status);
  if (up.quarantined()) store.auditQuarantine(id, 1, up);
  JsonWriter w;
  w.beginObject();
  store.writeStaff(w, store.require(id), false);
  writeUpload(w, 1, up);
  w.endObject();
  sdk::sendJson(c, w, 201);
}

void DocumentHandlers::listForCase(sdk::Context& c) {
  const std::int64_t caseId = sdk::pathId(c, "id", "No such case.");
  DocumentStore store(c);
  store.caseClient(caseId);
  std::string where = "case_id = $1 AND deleted_at IS NULL";
  std::vector<sdk::Value> params{caseId};
  if (auto q = c.request().query("q"); q && !q->empty()) {
    if (q->size() > 100) throw sdk::BadRequest("q", "Search for at most 100 characters.");
    std::string lower;
    for (char ch : *q) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    where += " AND lower(name) LIKE $2";
    params.push_back("%" + lower + "%");
  }
  writeItems(c, store, where, params);
}

void DocumentHandlers::listForClient(sdk::Context& c) {
  const std::int64_t clientId = sdk::pathId(c, "id", "No such client.");
  if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty()) throw sdk::NotFound("No such client.");
  DocumentStore store(c);
  writeItems(c, store, "client_id = $1 AND deleted_at IS NULL", {clientId});
}

void DocumentHandlers::trash(sdk::Context& c) {
  const std::int64_t caseId = sdk::pathId(c, "id", "No such case.");
  DocumentStore store(c);
  store.caseClient(caseId);
  writeItems(c, store, "case_id = $1 AND deleted_at IS NOT NULL", {caseId});
}

void DocumentHandlers::get(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c), true);
  JsonWriter w;
  w.beginObject();
  store.writeStaff(w, d, true);
  w.endObject();
  c.audit().record("document.view", "document", std::to_string(d.id));
  sdk::sendJson(c, w);
}

void DocumentHandlers::patch(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  auto body = sdk::readJsonObject(c, {"name", "folder"});
  std::string name = d.name, folder = d.folder;
  if (auto v = body["name"].text(1000)) name = DocumentStore::checkName(*v, "name");
  else if (body["name"].present()) body["name"].refuse("Give the document a name.");
  if (body["folder"].present()) folder = DocumentStore::checkFolder(body["folder"].text(1000).value_or(""), "folder");
  c.db().execute("UPDATE documents SET name = $2, folder = $3, updated_at = $4, updated_by = $5 WHERE id = $1",
                 {d.id, name, folder, nowUtc(), c.principal().user_id});
  if (name != d.name) c.audit().record("document.rename", "document", std::to_string(d.id), d.name + " -> " + name);
  if (folder != d.folder) c.audit().record("document.move", "document", std::to_string(d.id), d.folder + " -> " + folder);
  sendDocument(c, store, d.id, false, 200);
}

namespace {
// Ends the document's current share (if any), keeping it in the history.
bool revoke(sdk::Context& c, DocumentStore& store, const Document& d) {
  if (!d.shared) return false;
  const std::string now = nowUtc();
  c.db().execute("UPDATE document_shares SET revoked_at = $2, revoked_by = $3, revoked_by_name = $4 "
                 "WHERE document_id = $1 AND revoked_at IS NULL",
                 {d.id, now, c.principal().user_id, store.actorName()});
  c.db().execute("UPDATE documents SET shared = FALSE, share_version = NULL, share_expires_at = NULL, shared_at = NULL, "
                 "updated_at = $2, updated_by = $3 WHERE id = $1",
                 {d.id, now, c.principal().user_id});
  store.syncPortal(d.id);
  return true;
}
}  // namespace

void DocumentHandlers::remove(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  if (revoke(c, store, d)) c.audit().record("document.unshare", "document", std::to_string(d.id), "moved to the trash");
  c.db().execute("UPDATE documents SET deleted_at = $2, updated_at = $2, updated_by = $3 WHERE id = $1",
                 {d.id, nowUtc(), c.principal().user_id});
  c.audit().record("document.trash", "document", std::to_string(d.id));
  purgeTrash(c);  // documents trashed more than 30 days ago go for good
  c.response().setStatus(204);
  c.response().send("");
}

void DocumentHandlers::restore(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c), true);
  if (!d.deleted_at) throw sdk::Conflict("The document is not in the trash.");
  if (*d.deleted_at < nowUtc(-kTrashSeconds))
    throw sdk::HttpError(410, "gone", "The document was in the trash for more than 30 days and is deleted for good.");
  c.db().execute("UPDATE documents SET deleted_at = NULL, updated_at = $2, updated_by = $3 WHERE id = $1",
                 {d.id, nowUtc(), c.principal().user_id});
  c.audit().record("document.restore", "document", std::to_string(d.id));
  sendDocument(c, store, d.id, false, 200);
}

void DocumentHandlers::content(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  const std::int64_t number =
      sdk::queryInt(c, "version", 1, 1000000, "version must be a version number of this document.").value_or(d.current_version);
  auto v = store.version(d.id, number);
  if (!v) throw sdk::NotFound("No such version.");
  c.audit().record("document.download", "document", std::to_string(d.id),
                   "version " + std::to_string(v->version) + ", sha256 " + v->sha256);
  sendVersion(c, *v);
}

void DocumentHandlers::addVersion(sdk::Context& c) {
  DocumentStore store(c);
  const std::int64_t id = docId(c);
  const Upload up = store.receive();  // before the first statement, as for upload()
  const Document d = store.require(id);
  const std::int64_t number = store.nextVersion(d.id);
  const std::string name = d.name;  // a new version keeps the document's name
  store.addVersion(d.id, d.client_id, number, name, up);
  c.audit().record("document.upload", "document", std::to_string(d.id),
                   "version " + std::to_string(number) + ", " + std::to_string(up.blob.size) + " bytes, sha256 " +
                       up.blob.sha256 + ", scan " + up.scan_status);
  if (up.quarantined()) {
    // Kept in the history, but the document goes on serving its previous version.
    store.auditQuarantine(d.id, number, up);
  } else {
    c.db().execute("UPDATE documents SET current_version = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
                   {d.id, number, nowUtc(), c.principal().user_id});
    store.syncPortal(d.id);  // a share of "the latest" now serves this version
  }
  JsonWriter w;
  w.beginObject();
  store.writeStaff(w, store.require(d.id), false);
  writeUpload(w, number, up);
  w.endObject();
  sdk::sendJson(c, w, 201);
}

void DocumentHandlers::restoreVersion(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  const std::int64_t number = sdk::pathId(c, "version", "No such version.");
  auto old = store.version(d.id, number);
  if (!old) throw sdk::NotFound("No such version.");
  if (old->quarantined())
    throw Quarantined("Version " + std::to_string(number) + " is quarantined (the malware scanner found " +
                      old->scan_signature + " in it) and cannot be restored.");
  // Restoring makes a new version with the old bytes (the history is never rewritten).
  Upload up;
  up.blob = c.vault().info(old->blob_id);
  up.scan_status = old->scan_status;  // the same bytes, the same verdict
  const std::int64_t next = store.nextVersion(d.id);
  store.addVersion(d.id, d.client_id, next, d.name, up);
  c.db().execute("UPDATE documents SET current_version = $2, updated_at = $3, updated_by = $4 WHERE id = $1",
                 {d.id, next, nowUtc(), c.principal().user_id});
  store.syncPortal(d.id);
  c.audit().record("document.restore_version", "document", std::to_string(d.id),
                   "version " + std::to_string(number) + " restored as version " + std::to_string(next));
  sendDocument(c, store, d.id, true, 201);
}

void DocumentHandlers::share(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  auto body = sdk::readJsonObject(c, {"version", "expires_at"});
  std::optional<std::int64_t> pinned;
  const sdk::JsonField ver = body["version"];
  if (ver.hasValue() && ver.json().isString()) {
    if (*ver.text(10) != "latest") ver.refuse("Choose \"latest\" or a version number.");
  } else if (ver.hasValue()) {
    pinned = ver.integer(1, 1000000, "Choose \"latest\" or a version number.");
    if (!store.version(d.id, *pinned)) ver.refuse("This document has no version " + std::to_string(*pinned) + ".");
  }
  std::optional<std::string> expires;
  if (auto v = body["expires_at"].text(40)) expires = checkExpiry(*v, "expires_at");
  const std::string now = nowUtc();
  const std::int64_t served = pinned.value_or(d.current_version);
  auto v = store.version(d.id, served);
  if (v && v->quarantined())
    throw Quarantined("Version " + std::to_string(served) + " is quarantined (the malware scanner found " +
                      v->scan_signature + " in it) and cannot be shared.");
  if (d.shared) revoke(c, store, d);  // a changed share is a new share in the history
  c.db().execute(
      "INSERT INTO document_shares (firm_id, id, document_id, client_id, pinned_version, pinned_sha256, expires_at, "
      "shared_at, shared_by, shared_by_name) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {c.db().newId(), d.id, d.client_id, pinned ? sdk::Value(*pinned) : sdk::Value(nullptr),
       pinned ? sdk::Value(v->sha256) : sdk::Value(nullptr), expires ? sdk::Value(*expires) : sdk::Value(nullptr), now,
       c.principal().user_id, store.actorName()});
  c.db().execute("UPDATE documents SET shared = TRUE, share_version = $2, share_expires_at = $3, shared_at = $4, "
                 "updated_at = $4, updated_by = $5 WHERE id = $1",
                 {d.id, pinned ? sdk::Value(*pinned) : sdk::Value(nullptr), expires ? sdk::Value(*expires) : sdk::Value(nullptr),
                  now, c.principal().user_id});
  store.syncPortal(d.id);
  c.audit().record("document.share", "document", std::to_string(d.id),
                   std::string("with client ") + std::to_string(d.client_id) + ", version " +
                       (pinned ? std::to_string(*pinned) + " (sha256 " + v->sha256 + ")" : "latest") +
                       (expires ? ", until " + *expires : ""));
  sendDocument(c, store, d.id, false, 200);
}

void DocumentHandlers::unshare(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c));
  if (revoke(c, store, d)) c.audit().record("document.unshare", "document", std::to_string(d.id));
  sendDocument(c, store, d.id, false, 200);
}

namespace {
struct LedgerRow {
  std::string at, action, actor_kind, actor_name, detail, address;
};

// The document events of the hash-chained audit log, with the actor's name; then those the
// host's sequencer has not chained yet (audit_pending, milliseconds old), in the order they get.
std::vector<LedgerRow> ledgerRows(sdk::Context& c, const std::string& where, const std::vector<sdk::Value>& params) {
  auto rs = c.db().query("SELECT at, action, actor, detail, address, object_id FROM ("
                         "SELECT 0 AS k, a.seq AS o, a.at, a.action, a.actor, a.detail, a.address, a.object_id "
                         "FROM audit_log a WHERE a.object_type = 'document' AND " + where +
                         " UNION ALL SELECT 1, a.id, a.at, a.action, a.actor, a.detail, a.address, a.object_id "
                         "FROM audit_pending a WHERE a.object_type = 'document' AND " + where +
                         ") x ORDER BY k, o",
                         params);
  std::vector<LedgerRow> out;
  for (const auto& r : rs.rows) {
    LedgerRow l;
    l.at = sdk::asText(r[0]);
    l.action = sdk::asText(r[1]);
    const std::string actor = sdk::asText(r[2]);  // "staff:ID email" or "portal:ID email"
    const auto colon = actor.find(':'), space = actor.find(' ');
    l.actor_kind = colon == std::string::npos ? "" : actor.substr(0, colon);
    l.actor_name = space == std::string::npos ? actor : actor.substr(space + 1);
    if (colon != std::string::npos && space != std::string::npos && space > colon + 1) {
      try {
        const std::int64_t uid = std::stoll(actor.substr(colon + 1, space - colon - 1));
        // A portal account often has no display name of its own: its client's name then.
        auto u = c.db().query("SELECT u.display_name, k.name FROM users u LEFT JOIN clients k ON k.id = u.client_id "
                              "WHERE u.id = $1",
                              {uid});
        if (!u.empty() && !sdk::asText(u.rows[0][0]).empty()) l.actor_name = sdk::asText(u.rows[0][0]);
        else if (!u.empty() && !sdk::isNull(u.rows[0][1])) l.actor_name = sdk::asText(u.rows[0][1]);
      } catch (const std::exception&) {
      }
    }
    l.detail = sdk::asText(r[3]);
    l.address = sdk::asText(r[4]);
    out.push_back(std::move(l));
  }
  return out;
}
}  // namespace

void DocumentHandlers::ledger(sdk::Context& c) {
  DocumentStore store(c);
  const Document d = store.require(docId(c), true);
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& l : ledgerRows(c, "a.object_id = $1", {std::to_string(d.id)}))
    w.beginObject()
        .member("at", l.at)
        .member("action", l.action)
        .member("actor_kind", l.actor_kind)
        .member("actor_name", l.actor_name)
        .member("detail", l.detail)
        .member("address", l.address)
        .endObject();
  sdk::endList(w);
  sdk::sendJson(c, w);
}

namespace {
// A CSV field no spreadsheet evaluates: the clients module's writer (the same rule as the client
// export, fuzzed as csv_writer; docs/fuzzing.md).
std::string csvField(const std::string& v) { return clients::CsvWriter::cell(v); }
}  // namespace

void DocumentHandlers::disclosures(sdk::Context& c) {
  const std::int64_t clientId = sdk::pathId(c, "id", "No such client.");
  if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty()) throw sdk::NotFound("No such client.");
  std::string out = "document_id,document,case_id,event,at,by,version,sha256,expires_at,detail\r\n";
  auto shares = c.db().query(
      "SELECT s.document_id, d.name, d.case_id, s.shared_at, s.shared_by_name, s.pinned_version, s.pinned_sha256, "
      "s.expires_at, s.revoked_at, s.revoked_by_name FROM document_shares s JOIN documents d ON d.id = s.document_id "
      "WHERE s.client_id = $1 ORDER BY s.shared_at, s.id",
      {clientId});
  std::vector<std::string> docIds;
  for (const auto& r : shares.rows) {
    const std::string id = std::to_string(sdk::asInt(r[0]));
    docIds.push_back(id);
    const std::string version = sdk::isNull(r[5]) ? "latest" : std::to_string(sdk::asInt(r[5]));
    out += id + "," + csvField(sdk::asText(r[1])) + "," + std::to_string(sdk::asInt(r[2])) + ",shared," +
           sdk::asText(r[3]) + "," + csvField(sdk::asText(r[4])) + "," + version + "," +
           (sdk::isNull(r[6]) ? "" : sdk::asText(r[6])) + "," + (sdk::isNull(r[7]) ? "" : sdk::asText(r[7])) + ",\r\n";
    if (!sdk::isNull(r[8]))
      out += id + "," + csvField(sdk::asText(r[1])) + "," + std::to_string(sdk::asInt(r[2])) + ",unshared," +
             sdk::asText(r[8]) + "," + csvField(sdk::isNull(r[9]) ? "" : sdk::asText(r[9])) + ",,,,\r\n";
  }
  // Every download of those documents by the client's portal users (and by staff).
  std::sort(docIds.begin(), docIds.end());
  docIds.erase(std::unique(docIds.begin(), docIds.end()), docIds.end());
  for (const auto& id : docIds) {
    auto name = c.db().query("SELECT name, case_id FROM documents WHERE id = $1", {std::stoll(id)});
    for (const auto& l : ledgerRows(c, "a.object_id = $1 AND a.action IN ('document.download', 'portal.document.download')", {id}))
      out += id + "," + csvField(sdk::asText(name.rows[0][0])) + "," + std::to_string(sdk::asInt(name.rows[0][1])) +
             ",downloaded," + l.at + "," + csvField(l.actor_name + " (" + l.actor_kind + ")") + ",,,," +
             csvField(l.detail) + "\r\n";
  }
  c.audit().record("documents.disclosures.export", "client", std::to_string(clientId));
  c.response().setHeader("Content-Disposition", "attachment; filename=\"disclosures-" + std::to_string(clientId) + ".csv\"");
  c.response().setContentType("text/csv; charset=utf-8");
  c.response().send(out);
}

void DocumentHandlers::preview(sdk::Context& c) {
  const std::int64_t clientId = sdk::pathId(c, "id", "No such client.");
  if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty()) throw sdk::NotFound("No such client.");
  JsonWriter w;
  sdk::beginList(w);
  writePortalList(c, w, clientId, 0);
  sdk::endList(w);
  sdk::sendJson(c, w);
}

namespace {
void writeTemplate(JsonWriter& w, const std::vector<sdk::Value>& r) {
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("name", sdk::asText(r[1]))
      .member("folder", sdk::asText(r[2]))
      .member("size", sdk::asInt(r[3]))
      .member("sha256", sdk::asText(r[4]))
      .member("content_type", sdk::asText(r[5]))
      .member("created_at", sdk::asText(r[6]))
      .member("author_name", sdk::asText(r[7]))
      .endObject();
}
constexpr const char* kTemplateColumns = "id, name, folder, size, sha256, content_type, created_at, author_name, blob_id";
}  // namespace

void DocumentHandlers::addTemplate(sdk::Context& c) {
  DocumentStore store(c);
  const auto nameParam = c.request().query("name");
  if (nameParam) DocumentStore::checkName(*nameParam, "name");
  const std::string folder = DocumentStore::checkFolder(c.request().query("folder").value_or(""), "folder");
  const Upload up = store.receive();
  const std::string name = DocumentStore::checkName(nameParam ? *nameParam : up.filename, "name");
  if (up.quarantined()) {
    // A template has no versions or quarantine to keep it in, and staff download templates to
    // fill them in: an infected one is refused. The refusal is audited (so the answer is sent,
    // not thrown: a throw would roll the audit back) and the blob's record goes; its bytes are
    // an orphan that `lexosctl vault fsck --repair` removes.
    c.vault().remove(up.blob.id);
    c.audit().record("document.template.quarantine", "document_template", "",
                     name + ": clamd found " + up.scan_signature + ", sha256 " + up.blob.sha256 + "; refused");
    JsonWriter w;
    w.beginObject().key("error").beginObject();
    w.member("code", "infected")
        .member("message", "The malware scanner found " + up.scan_signature + " in " + name +
                               ". A template must be clean, so it was not kept.")
        .member("field", "file");
    w.endObject().endObject();
    sdk::sendJson(c, w, 422);
    return;
  }
  const std::int64_t id = c.db().newId();
  c.db().execute(
      "INSERT INTO document_templates (firm_id, id, name, folder, blob_id, size, sha256, content_type, created_at, "
      "created_by, author_name) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {id, name, folder, up.blob.id, static_cast<std::int64_t>(up.blob.size), up.blob.sha256, up.blob.content_type,
       nowUtc(), c.principal().user_id, store.actorName()});
  c.audit().record("document.template.upload", "document_template", std::to_string(id), "sha256 " + up.blob.sha256);
  auto rs = c.db().query(std::string("SELECT ") + kTemplateColumns + " FROM document_templates WHERE id = $1", {id});
  JsonWriter w;
  writeTemplate(w, rs.rows.at(0));
  sdk::sendJson(c, w, 201);
}

void DocumentHandlers::listTemplates(sdk::Context& c) {
  auto rs = c.db().query(std::string("SELECT ") + kTemplateColumns + " FROM document_templates ORDER BY folder, name, id", {});
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) writeTemplate(w, r);
  sdk::endList(w);
  sdk::sendJson(c, w);
}

void DocumentHandlers::templateContent(sdk::Context& c) {
  const std::int64_t id = sdk::pathId(c, "id", "No such template.");
  auto rs = c.db().query(std::string("SELECT ") + kTemplateColumns + " FROM document_templates WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such template.");
  const auto& r = rs.rows[0];
  Version v;
  v.name = sdk::asText(r[1]);
  v.size = sdk::asInt(r[3]);
  v.sha256 = sdk::asText(r[4]);
  v.content_type = sdk::asText(r[5]);
  v.created_at = sdk::asText(r[6]);
  v.blob_id = sdk::asText(r[8]);
  c.audit().record("document.template.download", "document_template", std::to_string(id));
  sendVersion(c, v);
}

void DocumentHandlers::removeTemplate(sdk::Context& c) {
  const std::int64_t id = sdk::pathId(c, "id", "No such template.");
  auto rs = c.db().query("SELECT blob_id FROM document_templates WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such template.");
  c.db().execute("DELETE FROM document_templates WHERE id = $1", {id});
  c.vault().remove(sdk::asText(rs.rows[0][0]));  // the bytes go at the next fsck --repair
  c.audit().record("document.template.delete", "document_template", std::to_string(id));
  c.response().setStatus(204);
  c.response().send("");
}

}  // namespace lexos::documents
