#pragma once
// A request body as the connection layer receives it: the first `memory_limit` bytes in memory,
// the rest (once the body outgrows that) in an anonymous temporary file in the spool folder, so
// that a 1 GiB upload costs disk, not memory. The file has no name (O_TMPFILE, or unlinked the
// moment it is created): nothing of it stays behind when the body is dropped or lexosd dies.

#include <cstdint>
#include <streambuf>
#include <string>

namespace lexos::core {

class RequestBody {
 public:
  enum class Append { kOk, kDiskFull, kError };

  RequestBody() = default;
  ~RequestBody() { clear(); }
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

  std::uint64_t size() const { return size_; }
  bool spooled() const { return fd_ >= 0; }
  /// The bytes when not spooled.
  const std::string& memory() const { return memory_; }
  /// The spool file when spooled (read it with pread; it is never written after the body is
  /// complete).
  int fd() const { return fd_; }

 private:
  bool openSpool(std::string& error);
  Append writeAll(const char* data, std::size_t n, std::string& error);
  std::string memory_;
  std::size_t memory_limit_ = 1 << 20;
  std::string spool_dir_;
  int fd_ = -1;
  int open_errno_ = 0;
  std::uint64_t size_ = 0;
};

/// Reads a complete RequestBody from its start: from memory, or from its file in blocks
/// (pread, 64 KiB), never copying the file into memory.
class RequestBodyReadBuf : public std::streambuf {
 public:
  explicit RequestBodyReadBuf(const RequestBody& body);

 protected:
  int_type underflow() override;

 private:
  const RequestBody& body_;
  std::uint64_t offset_ = 0;  // of the next block in the file
  std::string block_;
};

}  // namespace lexos::core
