#include "http/request_body.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>

#include "common/files.h"
#include "vault/spooled_blob.h"

namespace lexos::core {

namespace {
constexpr std::size_t kReadBlock = 64 * 1024;
}  // namespace

RequestBody::RequestBody() = default;
RequestBody::~RequestBody() { clear(); }

void RequestBody::intoVault(std::unique_ptr<vault::SpooledBlob> blob) {
  clear();
  blob_ = std::move(blob);
}

RequestBody::Append RequestBody::complete(std::string& error) {
  if (!blob_ || blob_->finished()) return Append::kOk;
  const auto r = blob_->finish(error);
  if (r == vault::SpooledBlob::Result::kOk) return Append::kOk;
  clear();
  return r == vault::SpooledBlob::Result::kDiskFull ? Append::kDiskFull : Append::kError;
}

void RequestBody::reset(std::size_t memoryLimit, const std::string& spoolDir) {
  clear();
  memory_limit_ = memoryLimit;
  spool_dir_ = spoolDir;
}

void RequestBody::clear() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  blob_.reset();
  size_ = 0;
  memory_.clear();
  if (memory_.capacity() > (64u << 10)) memory_.shrink_to_fit();
}

bool RequestBody::openSpool(std::string& error) {
  const int fd = openAnonymousFile(spool_dir_, "body-");
  if (fd < 0) {
    open_errno_ = errno;
    error = "cannot create a spool file in " + spool_dir_ + ": " + std::strerror(open_errno_);
    return false;
  }
  fd_ = fd;
  return true;
}

RequestBody::Append RequestBody::writeAll(const char* data, std::size_t n, std::string& error) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w > 0) {
      data += w;
      n -= static_cast<std::size_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    const int e = w < 0 ? errno : ENOSPC;  // a write of 0 bytes: no room
    error = std::string("writing the spool file: ") + std::strerror(e);
    clear();
    return isDiskFull(e) ? Append::kDiskFull : Append::kError;
  }
  return Append::kOk;
}

RequestBody::Append RequestBody::append(const char* data, std::size_t n, std::string& error) {
  if (n == 0) return Append::kOk;
  if (blob_) {
    const auto r = blob_->write(data, n, error);
    if (r == vault::SpooledBlob::Result::kOk) {
      size_ += n;
      return Append::kOk;
    }
    clear();
    return r == vault::SpooledBlob::Result::kDiskFull ? Append::kDiskFull : Append::kError;
  }
  if (fd_ < 0 && memory_.size() + n <= memory_limit_) {
    memory_.append(data, n);
    size_ += n;
    return Append::kOk;
  }
  if (fd_ < 0) {
    if (!openSpool(error)) {
      clear();
      return isDiskFull(open_errno_) ? Append::kDiskFull : Append::kError;
    }
    std::string held;
    held.swap(memory_);
    const Append r = writeAll(held.data(), held.size(), error);
    if (r != Append::kOk) return r;
  }
  const Append r = writeAll(data, n, error);
  if (r == Append::kOk) size_ += n;
  return r;
}

RequestBodyReadBuf::RequestBodyReadBuf(const RequestBody& body) : body_(body) {
  if (!body.spooled()) {
    char* p = const_cast<char*>(body.memory().data());  // read-only: setg needs char*
    setg(p, p, p + body.memory().size());
  }
}

RequestBodyReadBuf::int_type RequestBodyReadBuf::underflow() {
  if (!body_.spooled() || offset_ >= body_.size()) return traits_type::eof();
  block_.resize(kReadBlock);
  if (auto* blob = body_.vaultBlob()) {
    const std::size_t got = blob->read(offset_, block_.data(), block_.size());
    if (got == 0) return traits_type::eof();
    offset_ += got;
    setg(block_.data(), block_.data(), block_.data() + got);
    return traits_type::to_int_type(block_[0]);
  }
  ssize_t n;
  do {
    n = ::pread(body_.fd(), block_.data(), block_.size(), static_cast<off_t>(offset_));
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return traits_type::eof();
  offset_ += static_cast<std::uint64_t>(n);
  setg(block_.data(), block_.data(), block_.data() + n);
  return traits_type::to_int_type(block_[0]);
}

void RequestBodyReadBuf::exhaust() {
  offset_ = body_.size();
  setg(nullptr, nullptr, nullptr);
}

}  // namespace lexos::core
