#pragma once
/// @file vault.h
/// The vault (ABI 1.3): the host's encrypted store for documents' bytes, reached through
/// Context::vault(). Every blob is encrypted at rest (AES-256-GCM in 64 KiB segments, a key per
/// blob wrapped by the firm's key, itself wrapped by the installation's master key), written
/// durably (temporary file, fsync, rename, fsync of the folder) before put() returns, and typed
/// from its bytes (libmagic) against the installation's allow-list. docs/vault.md has the
/// details; this header is what a plugin needs.
///
/// Everything is scoped to the request's firm: a blob of another firm is not found. The vault
/// does not know who may see a blob inside the firm: a portal request reads the firm's blobs,
/// so check the portal user's right to the document in your own (tenant-scoped) SQL first and
/// keep blob ids out of portal answers.
///
/// Transactions: put() records the blob in the host's table `vault_blobs` inside the request's
/// transaction, so the blob and the plugin's own row (which keeps BlobInfo::id) commit or roll
/// back together. The bytes are durable before put() returns; if the transaction then rolls
/// back they are an orphan that `lexosctl vault fsck --repair` removes after a grace period.
/// remove() deletes the record in the request's transaction; the bytes follow through fsck.
///
/// Implemented by the host; valid during the handler call only; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// What the vault knows of one blob. Plain data; owned by the caller.
struct BlobInfo {
  std::string id;            ///< opaque, 32 lowercase hex characters; keep it in your row
  std::uint64_t size = 0;    ///< plaintext bytes
  std::string sha256;        ///< plaintext SHA-256, lowercase hex (a strong ETag)
  std::string content_type;  ///< from the bytes (libmagic), e.g. "application/pdf"
  std::string created_at;    ///< UTC ISO-8601
};

/// Options of one put(). Plain data.
struct PutOptions {
  /// A limit for this upload below the installation's `[vault] max_file_bytes`; 0: that limit.
  std::uint64_t max_bytes = 0;
  /// Content types this upload may have, narrower than the installation's allow-list
  /// (`[vault] allowed_types`; same syntax: "image/*" matches any image); empty: the allow-list.
  std::vector<std::string> allowed_types;
};

/// Reads one blob's plaintext at any offset, decrypting only the 64 KiB segments a read
/// touches (each checked against its tag: a changed, cut or reordered segment throws
/// VaultCorrupt). Same shape as the streaming response's byte source (SDK 1.3), so it can be
/// handed to a ranged download. Owned by the caller; used from one thread at a time; may
/// outlive the handler call only as long as the request (it holds no database connection).
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  /// Plaintext size in bytes.
  virtual std::uint64_t size() const = 0;
  /// Copies up to `n` bytes from `offset` into `buf`; returns how many (0 at or past the end).
  virtual std::size_t read(std::uint64_t offset, char* buf, std::size_t n) = 0;
};

/// 415: the bytes are of a type the vault does not take. The message names the detected type.
class LEXOS_SDK_VISIBLE UnsupportedType : public HttpError {
 public:
  UnsupportedType(std::string detected, const std::string& message)
      : HttpError(415, "unsupported_type", message, "file"), detected_(std::move(detected)) {}
  /// The type libmagic found, e.g. "application/x-executable".
  const std::string& detected() const noexcept { return detected_; }

 private:
  std::string detected_;
};

/// 507: the firm's quota (`[vault] firm_quota_bytes`) or the disk is full.
class LEXOS_SDK_VISIBLE InsufficientStorage : public HttpError {
 public:
  explicit InsufficientStorage(const std::string& message) : HttpError(507, "insufficient_storage", message, "file") {}
};

/// A stored blob failed its integrity check (a tag, the size or the header): its bytes were
/// changed on disk. Mapped to 500; `lexosctl vault fsck` lists such blobs.
class LEXOS_SDK_VISIBLE VaultCorrupt : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The request's firm's vault.
class Vault {
 public:
  virtual ~Vault() = default;
  /// Reads `in` to its end, typing, hashing, encrypting and storing it. Pass the request's
  /// bodyStream() itself, before reading from it, to store an upload: the host may then have
  /// encrypted it into the vault while it arrived and only adopts that file here (docs/vault.md,
  /// "Uploads in one pass"); the answer and the checks are the same either way. Throws
  /// PayloadTooLarge (413) over the size limit, UnsupportedType (415) for a type outside the
  /// allow-list, InsufficientStorage (507) over the firm's quota or when the disk is full,
  /// BadRequest("file") when `in` fails. Needs a writing request (not GET).
  virtual BlobInfo put(std::istream& in, const PutOptions& options = {}) = 0;
  /// What the vault recorded for `id`; NotFound for an unknown id or another firm's.
  virtual BlobInfo info(const std::string& id) = 0;
  /// A reader of the blob's plaintext; NotFound as info().
  virtual std::unique_ptr<BlobReader> open(const std::string& id) = 0;
  /// Forgets the blob (in the request's transaction); false when there was none.
  virtual bool remove(const std::string& id) = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
