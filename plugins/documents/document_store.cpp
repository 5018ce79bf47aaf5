#include "document_store.h"

#include <cctype>
#include <ctime>
#include <memory>

#include "clamd_scanner.h"
#include "lexos/sdk/errors.h"

namespace lexos::documents {

namespace {

constexpr const char* kDocColumns =
    "id, case_id, client_id, folder, name, current_version, shared, share_version, share_expires_at, shared_at, "
    "deleted_at, created_at, updated_at, portal_user_id";
constexpr const char* kVersionColumns =
    "id, version, name, blob_id, size, sha256, content_type, created_at, author_name, scan_status, scan_signature, "
    "portal_author_name";

std::optional<std::string> optText(const sdk::Value& v) {
  if (sdk::isNull(v)) return std::nullopt;
  return sdk::asText(v);
}

Document docOf(const std::vector<sdk::Value>& r) {
  Document d;
  d.id = sdk::asInt(r[0]);
  d.case_id = sdk::asInt(r[1]);
  d.client_id = sdk::asInt(r[2]);
  d.folder = sdk::asText(r[3]);
  d.name = sdk::asText(r[4]);
  d.current_version = sdk::asInt(r[5]);
  d.shared = sdk::asBool(r[6]);
  if (!sdk::isNull(r[7])) d.share_version = sdk::asInt(r[7]);
  d.share_expires_at = optText(r[8]);
  d.shared_at = optText(r[9]);
  d.deleted_at = optText(r[10]);
  d.created_at = sdk::asText(r[11]);
  d.updated_at = sdk::asText(r[12]);
  d.from_client = !sdk::isNull(r[13]);
  return d;
}

Version versionOf(const std::vector<sdk::Value>& r) {
  Version v;
  v.id = sdk::asInt(r[0]);
  v.version = sdk::asInt(r[1]);
  v.name = sdk::asText(r[2]);
  v.blob_id = sdk::asText(r[3]);
  v.size = sdk::asInt(r[4]);
  v.sha256 = sdk::asText(r[5]);
  v.content_type = sdk::asText(r[6]);
  v.created_at = sdk::asText(r[7]);
  v.author_name = sdk::asText(r[8]);
  v.scan_status = sdk::asText(r[9]);
  v.scan_signature = sdk::isNull(r[10]) ? "" : sdk::asText(r[10]);
  // A client's upload has no staff author: the client's name, said to be the client's.
  if (v.author_name.empty() && !sdk::isNull(r[11])) v.author_name = sdk::asText(r[11]) + " (client)";
  return v;
}

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Characters of UTF-8 text (continuation bytes not counted).
std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char ch : s) n += (ch & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string nowUtc(long offsetSeconds) {
  std::time_t t = std::time(nullptr) + offsetSeconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::int64_t epochOf(const std::string& utc) {
  std::tm tm{};
  if (utc.size() != 20 || !strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string purgeAfter(const std::string& deletedAt) {
  const std::int64_t at = epochOf(deletedAt);
  if (at == 0) return "";
  std::time_t t = static_cast<std::time_t>(at + kTrashSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int purgeTrash(sdk::Context& c, int limit) {
  auto old = c.db().query("SELECT id FROM documents WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2",
                          {nowUtc(-kTrashSeconds), static_cast<std::int64_t>(limit)});
  int n = 0;
  for (const auto& r : old.rows) {
    const std::int64_t id = sdk::asInt(r[0]);
    for (const auto& b : c.db().query("SELECT blob_id FROM document_versions WHERE document_id = $1", {id}).rows)
      c.vault().remove(sdk::asText(b[0]));  // the bytes go at the next fsck --repair
    c.db().execute("DELETE FROM document_shares WHERE document_id = $1", {id});
    c.db().execute("DELETE FROM document_versions WHERE document_id = $1", {id});
    c.db().execute("DELETE FROM documents WHERE id = $1", {id});
    c.audit().record("document.purge", "document", std::to_string(id), "30 days in the trash");
    ++n;
  }
  return n;
}

std::string DocumentStore::checkName(const std::string& raw, const std::string& field) {
  const std::string name = trim(raw);
  if (name.empty()) throw sdk::BadRequest(field, "Give the document a name.");
  if (chars(name) > 255) throw sdk::BadRequest(field, "Use at most 255 characters for the name.");
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7F) throw sdk::BadRequest(field, "The name cannot hold control characters or line breaks.");
    if (ch == '/' || ch == '\\') throw sdk::BadRequest(field, "The name cannot hold / or \\; put the document in a folder instead.");
  }
  if (name == "." || name == "..") throw sdk::BadRequest(field, "Give the document a name.");
  return name;
}

std::string DocumentStore::checkFolder(const std::string& raw, const std::string& field) {
  const std::string folder = trim(raw);
  if (folder.empty()) return "";
  if (chars(folder) > 500) throw sdk::BadRequest(field, "Use at most 500 characters for the folder.");
  std::string out, seg;
  auto flush = [&] {
    const std::string s = trim(seg);
    if (s.empty()) throw sdk::BadRequest(field, "Write a folder as names separated by /, e.g. Pleadings/Drafts.");
    out += (out.empty() ? "" : "/") + checkName(s, field);
    seg.clear();
  };
  for (char ch : folder) {
    if (ch == '/') flush();
    else seg += ch;
  }
  flush();
  return out;
}

std::string DocumentStore::actorName() const {
  const auto& p = c_.principal();
  return p.display_name.empty() ? p.email : p.display_name;
}

std::int64_t DocumentStore::caseClient(std::int64_t caseId) {
  auto rs = c_.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
  if (rs.empty()) throw sdk::NotFound("No such case.");
  return sdk::asInt(rs.rows[0][0]);
}

std::optional<Document> DocumentStore::find(std::int64_t id) {
  auto rs = c_.db().query(std::string("SELECT ") + kDocColumns + " FROM documents WHERE id = $1", {id});
  if (rs.empty()) return std::nullopt;
  return docOf(rs.rows[0]);
}

Document DocumentStore::require(std::int64_t id, bool trashed) {
  auto d = find(id);
  if (!d || (d->deleted_at && !trashed)) throw sdk::NotFound("No such document.");
  return *d;
}

std::optional<Version> DocumentStore::version(std::int64_t documentId, std::int64_t number) {
  auto rs = c_.db().query(std::string("SELECT ") + kVersionColumns +
                              " FROM document_versions WHERE document_id = $1 AND version = $2",
                          {documentId, number});
  if (rs.empty()) return std::nullopt;
  return versionOf(rs.rows[0]);
}

std::vector<Version> DocumentStore::versions(std::int64_t documentId) {
  auto rs = c_.db().query(std::string("SELECT ") + kVersionColumns +
                              " FROM document_versions WHERE document_id = $1 ORDER BY version DESC",
                          {documentId});
  std::vector<Version> out;
  for (const auto& r : rs.rows) out.push_back(versionOf(r));
  return out;
}

namespace {
// Puts `in` into the vault; with clamd configured, every chunk the vault reads goes to clamd
// too (one pass over the body), and the verdict is in before any row is written.
void store(sdk::Context& c, std::istream& in, Upload& up) {
  const ClamdAddress* clamd = configuredClamd();
  if (!clamd) {
    up.blob = c.vault().put(in);
    up.scan_status = "not_scanned";
    return;
  }
  ClamdScan scan(*clamd);  // connects first: clamd down refuses the upload before it is read
  ScanningStream tee(in, scan);
  up.blob = c.vault().put(tee);
  // On a failure here the blob's record rolls back with the request; its bytes are an orphan
  // that `lexosctl vault fsck --repair` removes.
  const ScanVerdict verdict = scan.finish();
  up.scan_status = verdict.infected ? "infected" : "clean";
  up.scan_signature = verdict.signature;
}
}  // namespace

Upload DocumentStore::receive() {
  auto& req = c_.request();
  Upload up;
  if (req.contentType() == "multipart/form-data") {
    struct Parts : sdk::PartHandler {
      sdk::Context& c;
      std::optional<Upload> file;
      explicit Parts(sdk::Context& ctx) : c(ctx) {}
      void part(const std::string& name, const std::string& filename, const std::string&, std::istream& data) override {
        if (name != "file") return;  // other fields (a browser may add some) are skipped
        if (file) throw sdk::BadRequest("file", "Send one file per upload.");
        Upload u;
        store(c, data, u);
        u.filename = filename;
        file = std::move(u);
      }
    } parts(c_);
    req.forEachPart(parts);
    if (!parts.file) throw sdk::BadRequest("file", "Attach the document as a form part named \"file\".");
    up = std::move(*parts.file);
  } else {
    if (req.bodySize() == 0) throw sdk::BadRequest("file", "The document is empty: send its bytes as the request body.");
    store(c_, req.bodyStream(), up);
  }
  if (up.blob.size == 0) {
    c_.vault().remove(up.blob.id);
    throw sdk::BadRequest("file", "The document is empty.");
  }
  return up;
}

std::int64_t DocumentStore::nextVersion(std::int64_t documentId) {
  auto rs = c_.db().query("SELECT COALESCE(MAX(version), 0) FROM document_versions WHERE document_id = $1", {documentId});
  return (rs.empty() ? 0 : sdk::asInt(rs.rows[0][0])) + 1;
}

void DocumentStore::auditQuarantine(std::int64_t documentId, std::int64_t number, const Upload& up) {
  c_.audit().record("document.quarantine", "document", std::to_string(documentId),
                    "version " + std::to_string(number) + ": clamd found " + up.scan_signature + ", sha256 " +
                        up.blob.sha256 + "; kept, never downloadable or shareable");
}

Version DocumentStore::addVersion(std::int64_t documentId, std::int64_t clientId, std::int64_t number,
                                  const std::string& name, const Upload& up) {
  Version v;
  v.id = c_.db().newId();
  v.version = number;
  v.name = name;
  v.blob_id = up.blob.id;
  v.size = static_cast<std::int64_t>(up.blob.size);
  v.sha256 = up.blob.sha256;
  v.content_type = up.blob.content_type;
  v.created_at = nowUtc();
  v.author_name = actorName();
  v.scan_status = up.scan_status;
  v.scan_signature = up.scan_signature;
  c_.db().execute(
      "INSERT INTO document_versions (firm_id, id, document_id, client_id, version, name, blob_id, size, sha256, "
      "content_type, portal_visible, created_at, created_by, author_name, scan_status, scan_signature) "
      "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $11, $12, $13, $14)",
      {v.id, documentId, clientId, number, name, v.blob_id, v.size, v.sha256, v.content_type, v.created_at,
       c_.principal().user_id, v.author_name, v.scan_status,
       v.scan_signature.empty() ? sdk::Value(nullptr) : sdk::Value(v.scan_signature)});
  return v;
}

void DocumentStore::syncPortal(std::int64_t documentId) {
  const Document d = require(documentId, true);
  const bool visible = d.shared && !d.deleted_at;
  const std::int64_t target = d.share_version.value_or(d.current_version);
  // One statement: every version hidden but the one shared, with the share's expiry; a
  // quarantined version never, whatever the share says.
  c_.db().execute(
      "UPDATE document_versions SET portal_visible = (version = $2 AND $3 AND scan_status <> 'infected'), "
      "portal_until = $4 WHERE document_id = $1",
      {documentId, target, visible, d.share_expires_at ? sdk::Value(*d.share_expires_at) : sdk::Value(nullptr)});
}

void DocumentStore::writeScan(sdk::JsonWriter& w, const std::string& status, const std::string& signature) {
  w.key("scan").beginObject().member("status", status);
  if (status == "infected") w.member("signature", signature);
  w.endObject();
}

void DocumentStore::writeStaff(sdk::JsonWriter& w, const Document& d, bool withVersions) {
  auto cur = version(d.id, d.current_version);
  w.member("id", d.id)
      .member("case_id", d.case_id)
      .member("client_id", d.client_id)
      .member("name", d.name)
      .member("folder", d.folder)
      .member("version", d.current_version)
      .member("from_client", d.from_client);
  if (cur) {
    w.member("size", cur->size).member("sha256", cur->sha256).member("content_type", cur->content_type);
    writeScan(w, cur->scan_status, cur->scan_signature);
  }
  w.member("shared", d.shared && !d.deleted_at);
  w.key("share");
  if (d.shared && !d.deleted_at) {
    w.beginObject();
    w.key("version");
    if (d.share_version) w.value(*d.share_version);
    else w.value("latest");
    w.member("expires_at", d.share_expires_at).member("shared_at", d.shared_at);
    w.member("expired", d.share_expires_at.has_value() && *d.share_expires_at <= nowUtc());
    w.endObject();
  } else {
    w.null();
  }
  w.member("deleted_at", d.deleted_at);
  if (d.deleted_at) w.member("purge_after", purgeAfter(*d.deleted_at));
  w.member("created_at", d.created_at).member("updated_at", d.updated_at);
  if (!withVersions) return;
  w.key("versions").beginArray();
  for (const auto& v : versions(d.id)) {
    w.beginObject()
        .member("version", v.version)
        .member("name", v.name)
        .member("size", v.size)
        .member("sha256", v.sha256)
        .member("content_type", v.content_type)
        .member("created_at", v.created_at)
        .member("author_name", v.author_name);
    writeScan(w, v.scan_status, v.scan_signature);
    w.endObject();
  }
  w.endArray();
  auto shares = c_.db().query(
      "SELECT pinned_version, pinned_sha256, expires_at, shared_at, shared_by_name, revoked_at, revoked_by_name "
      "FROM document_shares WHERE document_id = $1 ORDER BY shared_at DESC, id DESC",
      {d.id});
  w.key("share_history").beginArray();
  for (const auto& r : shares.rows) {
    w.beginObject();
    w.key("version");
    if (sdk::isNull(r[0])) w.value("latest");
    else w.value(sdk::asInt(r[0]));
    w.member("sha256", optText(r[1]))
        .member("expires_at", optText(r[2]))
        .member("shared_at", sdk::asText(r[3]))
        .member("shared_by", sdk::asText(r[4]))
        .member("revoked_at", optText(r[5]))
        .member("revoked_by", optText(r[6]))
        .endObject();
  }
  w.endArray();
}

void sendVersion(sdk::Context& c, const Version& v) {
  if (v.quarantined())
    throw Quarantined("Version " + std::to_string(v.version) + " of this document is quarantined: the malware scanner found " +
                      v.scan_signature + " in it. It is kept for the record but cannot be downloaded.");
  BlobSource source(c.vault().open(v.blob_id));
  sdk::SendOptions o;
  o.content_type = v.content_type;
  o.etag = v.sha256;
  o.last_modified = epochOf(v.created_at);
  o.filename = v.name;
  const auto inl = c.request().query("inline");
  o.disposition = inl && *inl == "1" ? sdk::Disposition::Inline : sdk::Disposition::Attachment;
  c.response().sendSource(source, o);
}

}  // namespace lexos::documents
