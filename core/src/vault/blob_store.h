#pragma once
// Where the vault's (encrypted) blob bytes live, behind one interface: a local folder
// (local_blob_store.h, the default) or PostgreSQL rows (database_blob_store.h, for several
// nodes without a shared disk). A store sees ciphertext only and knows nothing of keys.

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace lexos::core::vault {

/// Bytes of one stored blob, read at any offset. Not thread-safe.
class BlobSource {
 public:
  virtual ~BlobSource() = default;
  virtual std::uint64_t size() const = 0;
  /// Up to `n` bytes at `offset`; 0 at the end.
  virtual std::size_t readAt(std::uint64_t offset, char* buf, std::size_t n) = 0;
};

/// A blob being written. Nothing is visible under the blob's id until commit() returns, and
/// then the bytes are durable. Destroyed without commit(), it leaves nothing behind (a crash
/// leaves at most an orphan that fsck finds). Not thread-safe.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  /// Throws sdk::InsufficientStorage when the disk is full.
  virtual void write(const char* data, std::size_t n) = 0;
  virtual void commit() = 0;
};

/// A blob as the store holds it, for fsck.
struct StoredBlob {
  std::int64_t firm_id = 0;
  std::string id;
  std::time_t modified = 0;  ///< when it was written (UTC seconds)
  bool partial = false;      ///< an unfinished write (a temporary file)
  std::string where;         ///< a path or a table row, for the operator
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  /// "local" or "database" (recorded in vault_blobs.store).
  virtual std::string name() const = 0;
  virtual std::unique_ptr<BlobSink> create(std::int64_t firmId, const std::string& id) = 0;
  /// The blob's bytes, or nullptr when the store has none under that id.
  virtual std::unique_ptr<BlobSource> open(std::int64_t firmId, const std::string& id) = 0;
  /// Removes the blob (or a partial write of it); false when there was nothing.
  virtual bool remove(const StoredBlob& blob) = 0;
  /// Everything the store holds, finished or not.
  virtual std::vector<StoredBlob> list() = 0;

  /// An anonymous file (no name, read-write) where blob `id`'s bytes can be written so that
  /// adopt() makes it the blob without copying; -1 when this store has no such place (the
  /// caller writes into a spool file, and adopt() copies it). Uploads in one pass
  /// (spooled_blob.h).
  virtual int createAnonymous(std::int64_t firmId, const std::string& id);
  /// Makes the `size` bytes of `fd` (from offset 0: a complete blob, not yet durable) blob
  /// `id`: durable and visible under the id when this returns, like a committed create(). The
  /// default copies them through create(); the caller keeps `fd`.
  virtual void adopt(std::int64_t firmId, const std::string& id, int fd, std::uint64_t size);
};

/// A fresh blob id: 128 random bits in lowercase hex.
std::string newBlobId();
/// True for a string newBlobId() could have made (guards paths built from ids).
bool isBlobId(const std::string& id);

/// Test hook for the crash tests (tests/integration/vault_crash_test.cpp): called with
/// "after-temp-write" (temporary file written and fsync'd) and "after-rename" (renamed into
/// place, folder fsync'd). Unset in production.
using CrashPoint = void (*)(const char* step);
void setCrashPoint(CrashPoint hook);
void crashPoint(const char* step);

}  // namespace lexos::core::vault
