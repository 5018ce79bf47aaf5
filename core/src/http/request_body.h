#pragma once
// A request body as the connection layer receives it: the first `memory_limit` bytes in memory,
// the rest (once the body outgrows that) in an anonymous temporary file in the spool folder, so
// that a 1 GiB upload costs disk, not memory. The file has no name (O_TMPFILE, or unlinked the
// moment it is created): nothing of it stays behind when the body is dropped or lexosd dies.

#include <cstdint>
#include <memory>
#include <streambuf>
#include <string>

namespace lexos::core {

namespace vault {
class SpooledBlob;
}

class RequestBody {
 public:
  enum class Append { kOk, kDiskFull, kError };

  RequestBody();
  ~RequestBody();
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  /// Empties the body (closing its file, if any) and sets where the next one goes.
  void reset(std::size_t memoryLimit, const std::string& spoolDir);
  /// Appends bytes; moves the body to a spool file once it outgrows the memory limit.
  /// kDiskFull: the file system is full or over quota (ENOSPC, EDQUOT, EFBIG); kError: another
  /// failure (`error` says which). Either way the body is dropped.
  Append append(const char* data, std::size_t n, std::string& error);
  /// Drops the body: frees its memory, closes (and so removes) its file.
  void clear();
  /// Makes this body (still empty) go into `blob` as it arrives: encrypted in the vault's
  /// format for the request's firm, instead of memory and the plain spool (uploads in one pass,
  /// vault/spooled_blob.h).
  void intoVault(std::unique_ptr<vault::SpooledBlob> blob);
  /// The body is all here: seals a vault body's last segment (nothing to do otherwise). Errors
  /// as append()'s; the body is dropped then.
  Append complete(std::string& error);
  /// The vault file holding this body, or null.
  vault::SpooledBlob* vaultBlob() const { return blob_.get(); }

  std::uint64_t size() const { return size_; }
  bool spooled() const { return fd_ >= 0 || blob_ != nullptr; }
  /// The bytes when not spooled.
  const std::string& memory() const { return memory_; }
  /// The plain spool file when there is one (read it with pread; it is never written after the
  /// body is complete); -1 for a body in memory or in the vault.
  int fd() const { return fd_; }

 private:
  bool openSpool(std::string& error);
  Append writeAll(const char* data, std::size_t n, std::string& error);
  std::string memory_;
  std::size_t memory_limit_ = 1 << 20;
  std::string spool_dir_;
  int fd_ = -1;
  std::unique_ptr<vault::SpooledBlob> blob_;
  int open_errno_ = 0;
  std::uint64_t size_ = 0;
};

/// Reads a complete RequestBody from its start: from memory, or from its file in blocks
/// (pread, 64 KiB; a vault body decrypted segment by segment), never copying the file into
/// memory.
class RequestBodyReadBuf : public std::streambuf {
 public:
  explicit RequestBodyReadBuf(const RequestBody& body);

 protected:
  int_type underflow() override;

 public:
  /// True while nothing has been read (the vault may then adopt the body as it is).
  bool untouched() const { return offset_ == 0 && gptr() == eback(); }
  const RequestBody& body() const { return body_; }
  /// Makes the rest of the body read as its end (the vault took it whole).
  void exhaust();

 private:
  const RequestBody& body_;
  std::uint64_t offset_ = 0;  // of the next block in the file
  std::string block_;
};

}  // namespace lexos::core
