#pragma once
// Reading and writing the documents module's rows, shared by the staff and portal handlers.
#include <cstdint>
#include <optional>
#include <string>

#include "lexos/sdk/lexos.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/vault.h"

namespace lexos::documents {

/// One document row (staff scope).
struct Document {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::int64_t client_id = 0;
  std::string folder;
  std::string name;
  std::int64_t current_version = 0;
  bool shared = false;
  std::optional<std::int64_t> share_version;  ///< pinned version; nullopt: always the latest
  std::optional<std::string> share_expires_at;
  std::optional<std::string> shared_at;
  std::optional<std::string> deleted_at;
  std::string created_at;
  std::string updated_at;
  bool from_client = false;  ///< uploaded by a portal user of the client (portal_user_id set)
};

/// One version row.
struct Version {
  std::int64_t id = 0;
  std::int64_t version = 0;
  std::string name;
  std::string blob_id;
  std::int64_t size = 0;
  std::string sha256;
  std::string content_type;
  std::string created_at;
  std::string author_name;
  std::string scan_status;     ///< "clean", "infected" (quarantined) or "not_scanned"
  std::string scan_signature;  ///< clamd's signature name when infected
  bool quarantined() const { return scan_status == "infected"; }
};

/// What an upload brought: the blob in the vault and the name the browser gave it.
struct Upload {
  sdk::BlobInfo blob;
  std::string filename;
  std::string scan_status = "not_scanned";  ///< as Version::scan_status
  std::string scan_signature;
  bool quarantined() const { return scan_status == "infected"; }
};

class DocumentStore {
 public:
  explicit DocumentStore(sdk::Context& c) : c_(c) {}

  /// The case's client; NotFound("No such case.") when the case does not exist (in this scope).
  std::int64_t caseClient(std::int64_t caseId);
  /// The document, or nullopt (staff scope: any of the firm's; trash included).
  std::optional<Document> find(std::int64_t id);
  /// The document or 404; `trashed` allows one in the trash.
  Document require(std::int64_t id, bool trashed = false);
  /// A version of a document, or nullopt.
  std::optional<Version> version(std::int64_t documentId, std::int64_t version);
  /// Every version, newest first.
  std::vector<Version> versions(std::int64_t documentId);

  /// Reads the request's body (raw bytes, or multipart/form-data with a part named "file") into
  /// the vault, scanning it with clamd on the way when `clamd_socket` is set (clamd_scanner.h).
  /// 400 naming "file" when there is none or it is empty; 503 when clamd cannot scan it.
  Upload receive();
  /// The number the next version of a document gets (one past every version, quarantined ones
  /// included).
  std::int64_t nextVersion(std::int64_t documentId);
  /// Records a quarantined upload in the audit log (document.quarantine).
  void auditQuarantine(std::int64_t documentId, std::int64_t number, const Upload& up);
  /// Adds version `number` of `doc` from `up`.
  Version addVersion(std::int64_t documentId, std::int64_t clientId, std::int64_t number, const std::string& name,
                     const Upload& up);
  /// Makes the portal-visible version and expiry of `doc`'s versions follow its share state
  /// (the database then shows the client exactly that version, until the expiry).
  void syncPortal(std::int64_t documentId);

  /// Writes `"scan": {status, signature}` of a version.
  static void writeScan(sdk::JsonWriter& w, const std::string& status, const std::string& signature);
  /// Writes a document's members (staff view). `withVersions` adds its version history and shares.
  void writeStaff(sdk::JsonWriter& w, const Document& d, bool withVersions);

  /// A name checked as a file name: trimmed, 1 to 255 characters, no control characters, no
  /// slash or backslash. 400 naming `field`.
  static std::string checkName(const std::string& raw, const std::string& field);
  /// A folder path: "" or segments of checkName joined by "/", at most 500 characters.
  static std::string checkFolder(const std::string& raw, const std::string& field);

  std::string actorName() const;

 private:
  sdk::Context& c_;
};

/// A vault reader as the streaming response's byte source.
class BlobSource : public sdk::ByteSource {
 public:
  explicit BlobSource(std::unique_ptr<sdk::BlobReader> r) : r_(std::move(r)) {}
  std::uint64_t size() override { return r_->size(); }
  std::size_t read(std::uint64_t offset, char* buf, std::size_t n) override { return r_->read(offset, buf, n); }

 private:
  std::unique_ptr<sdk::BlobReader> r_;
};

/// Sends a version's bytes as a download (Range, ETag = its SHA-256, RFC 6266 file name);
/// `?inline=1` previews a PDF or an image in the browser (sandboxed by the host).
void sendVersion(sdk::Context& c, const Version& v);

/// Seconds since 1970 of a "YYYY-MM-DDTHH:MM:SSZ" time (0 when it cannot be read).
std::int64_t epochOf(const std::string& utc);
/// The current UTC time as the SDK writes times; `offsetSeconds` from now.
std::string nowUtc(long offsetSeconds = 0);

/// How long a document stays restorable in the trash.
inline constexpr long kTrashSeconds = 30L * 24 * 3600;
/// The time a trashed document is purged after.
std::string purgeAfter(const std::string& deletedAt);
/// Purges (rows and vault blobs) up to `limit` documents of the firm trashed more than 30 days
/// ago; returns how many. Called by write requests of the module (lazily: no timer needed).
int purgeTrash(sdk::Context& c, int limit = 50);

}  // namespace lexos::documents
