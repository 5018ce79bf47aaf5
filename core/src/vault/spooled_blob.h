#pragma once
// An upload's body written straight into the vault's blob format while it arrives (one pass:
// SHA-256, AES-256-GCM, write), in an anonymous file that becomes the blob itself when the
// handler stores the untouched body with Vault::put (FirmVault adopts it: fsync, link, row),
// or is dropped with the request otherwise. Anything else that reads the body gets the
// plaintext back through the same segment decryption a download uses.
//
// The connection layer starts one for an upload whose head the guard has already accepted
// (routed, authenticated, authorized: Dispatcher::uploadFirm), so only a signed-in user of a
// firm with a vault key can make lexosd encrypt. docs/documents.md, "Uploads in one pass".
//
// Not thread-safe: used by the worker holding the connection, then by the one request.

#include <cstdint>
#include <memory>
#include <string>

#include "vault/segment_cipher.h"
#include "vault/vault_service.h"

namespace lexos::core::vault {

/// SHA-256 of a stream computed on a thread of its own, so that an upload's hash and its
/// encryption run on two cores (the hash is the larger cost: docs/benchmarks.md). update()
/// copies into one of a few blocks and returns at once unless all of them wait to be hashed.
class ParallelSha256 {
 public:
  ParallelSha256();
  ~ParallelSha256();
  ParallelSha256(const ParallelSha256&) = delete;
  ParallelSha256& operator=(const ParallelSha256&) = delete;
  void update(const char* data, std::size_t n);
  /// Waits for every block and returns the digest in lowercase hex. Call once.
  std::string finish();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

class SpooledBlob {
 public:
  enum class Result { kOk, kDiskFull, kError };

  /// At most this many uploads go into the vault as they arrive at once (each holds a hashing
  /// thread and 1.5 MiB of blocks); more wait in the plain spool, as before this path existed,
  /// so many slow uploads cannot pile up threads.
  static constexpr int kMaxLive = 64;

  /// Starts blob bytes for `firmId` under its key `key`: in the store's anonymous file for a new
  /// blob (so adopting it moves no bytes), else in an anonymous file in `spoolDir`. Null when
  /// kMaxLive are already being written. Throws std::runtime_error when no file can be created.
  static std::unique_ptr<SpooledBlob> start(VaultService& service, std::int64_t firmId, const FirmKey& key,
                                            const std::string& spoolDir);
  ~SpooledBlob();
  SpooledBlob(const SpooledBlob&) = delete;
  SpooledBlob& operator=(const SpooledBlob&) = delete;

  /// Encrypts and writes plaintext bytes. kDiskFull: ENOSPC, EDQUOT, EFBIG (`error` says which).
  Result write(const char* data, std::size_t n, std::string& error);
  /// Seals the last segment; the body is complete. Call once, after the last write().
  Result finish(std::string& error);
  bool finished() const { return finished_; }

  std::int64_t firmId() const { return firm_; }
  const std::string& id() const { return id_; }
  std::uint32_t keyId() const { return keyId_; }
  /// Plaintext bytes written so far (all of them once finished).
  std::uint64_t size() const;
  /// The plaintext's SHA-256 in lowercase hex; after finish().
  const std::string& sha256() const;
  /// The first ContentTypes::kHeadBytes plaintext bytes (fewer for a shorter body): the type.
  const std::string& head() const { return head_; }
  /// The blob file (its complete ciphertext after finish()) and its length.
  int fd() const { return fd_; }
  std::uint64_t ciphertextSize() const { return written_; }
  /// Whether the file is the store's anonymous file (BlobStore::adopt links it, no copy).
  bool inStore() const { return inStore_; }

  /// Reads plaintext at `offset` (after finish()): decrypts the segments it touches. Returns
  /// the bytes copied, 0 at the end; throws VaultCorrupt if the file was changed under it.
  std::size_t read(std::uint64_t offset, char* buf, std::size_t n);

 private:
  SpooledBlob(std::int64_t firmId, const FirmKey& key, std::string id, int fd, bool inStore);
  void writeOut(const char* data, std::size_t n);
  /// Runs a step of writing, turning its failures into a Result and `error`.
  template <class F>
  Result attempt(F step, std::string& error);
  std::int64_t firm_;
  std::uint32_t keyId_;
  Key key_;
  std::string id_;
  int fd_;
  bool inStore_;
  bool counted_ = false;
  bool finished_ = false;
  std::uint64_t written_ = 0, flushed_ = 0;
  std::string head_, sha256_;
  std::unique_ptr<ParallelSha256> digest_;
  std::unique_ptr<SegmentEncryptor> enc_;
  std::unique_ptr<SegmentDecryptor> dec_;
};

}  // namespace lexos::core::vault
