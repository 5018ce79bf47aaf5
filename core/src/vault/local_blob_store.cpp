#include "vault/local_blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "lexos/sdk/vault.h"
#include "vault/master_keys.h"
#include "vault/segment_cipher.h"

namespace lexos::core::vault {

namespace fs = std::filesystem;

namespace {

CrashPoint gCrashPoint = nullptr;

[[noreturn]] void ioFailure(const std::string& what, const std::string& path, int err) {
  if (err == ENOSPC || err == EDQUOT)
    throw sdk::InsufficientStorage("The document store is full; nothing was saved. Ask the administrator to free space.");
  throw std::runtime_error("vault: " + what + " " + path + ": " + std::strerror(err));
}

// Creates `dir` and any missing parents (0700), fsyncing the parent of each one created so the
// new folder's entry is durable before a blob is renamed into it.
void makeFolders(const fs::path& dir) {
  if (fs::is_directory(dir)) return;
  makeFolders(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) ioFailure("cannot create folder", dir.string(), errno);
  syncDirectory(dir.parent_path().string());
}

class FileSource : public BlobSource {
 public:
  FileSource(int fd, std::uint64_t size) : fd_(fd), size_(size) {}
  ~FileSource() override { ::close(fd_); }
  std::uint64_t size() const override { return size_; }
  std::size_t readAt(std::uint64_t offset, char* buf, std::size_t n) override {
    for (;;) {
      const ssize_t r = ::pread(fd_, buf, n, static_cast<off_t>(offset));
      if (r >= 0) return static_cast<std::size_t>(r);
      if (errno != EINTR) throw std::runtime_error(std::string("vault: read failed: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::uint64_t size_;
};

class FileSink : public BlobSink {
 public:
  FileSink(std::string temp, std::string final) : temp_(std::move(temp)), final_(std::move(final)) {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0) ioFailure("cannot create", temp_, errno);
  }
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  void write(const char* data, std::size_t n) override {
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        ioFailure("cannot write", temp_, errno);
      }
      data += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void commit() override {
    if (::fsync(fd_) != 0) ioFailure("cannot fsync", temp_, errno);
    ::close(fd_);
    fd_ = -1;
    crashPoint("after-temp-write");
    if (::rename(temp_.c_str(), final_.c_str()) != 0) ioFailure("cannot rename", temp_, errno);
    committed_ = true;
    syncDirectory(fs::path(final_).parent_path().string());
    crashPoint("after-rename");
  }

 private:
  std::string temp_, final_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void setCrashPoint(CrashPoint hook) { gCrashPoint = hook; }
void crashPoint(const char* step) {
  if (gCrashPoint) gCrashPoint(step);
}

std::string newBlobId() {
  unsigned char b[16];
  randomBytes(b, sizeof b);
  return toHex(b, sizeof b);
}

bool isBlobId(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

LocalBlobStore::LocalBlobStore(std::string dir) : dir_(std::move(dir)) { makeFolders(dir_); }

std::string LocalBlobStore::pathOf(std::int64_t firmId, const std::string& id) const {
  if (!isBlobId(id) || firmId <= 0) throw std::invalid_argument("vault: not a blob id");
  return (fs::path(dir_) / std::to_string(firmId) / id.substr(0, 2) / id).string();
}

std::unique_ptr<BlobSink> LocalBlobStore::create(std::int64_t firmId, const std::string& id) {
  const fs::path final = pathOf(firmId, id);
  makeFolders(final.parent_path());
  return std::make_unique<FileSink>((final.parent_path() / ("." + id + ".tmp")).string(), final.string());
}

std::unique_ptr<BlobSource> LocalBlobStore::open(std::int64_t firmId, const std::string& id) {
  if (!isBlobId(id)) return nullptr;
  const std::string p = pathOf(firmId, id);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return nullptr;
    throw std::runtime_error("vault: cannot open " + p + ": " + std::strerror(errno));
  }
  struct stat st {};
  ::fstat(fd, &st);
  return std::make_unique<FileSource>(fd, static_cast<std::uint64_t>(st.st_size));
}

int BlobStore::createAnonymous(std::int64_t, const std::string&) { return -1; }

void BlobStore::adopt(std::int64_t firmId, const std::string& id, int fd, std::uint64_t size) {
  auto sink = create(firmId, id);
  std::vector<char> buf(1 << 20);
  std::uint64_t off = 0;
  while (off < size) {
    const ssize_t r = ::pread(fd, buf.data(), std::min<std::uint64_t>(buf.size(), size - off), static_cast<off_t>(off));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) throw std::runtime_error(std::string("vault: reading an upload's file: ") + (r < 0 ? std::strerror(errno) : "cut short"));
    sink->write(buf.data(), static_cast<std::size_t>(r));
    off += static_cast<std::uint64_t>(r);
  }
  sink->commit();
}

int LocalBlobStore::createAnonymous(std::int64_t firmId, const std::string& id) {
#ifdef O_TMPFILE
  const fs::path final = pathOf(firmId, id);
  makeFolders(final.parent_path());
  return ::open(final.parent_path().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#else
  (void)firmId;
  (void)id;
  return -1;
#endif
}

void LocalBlobStore::adopt(std::int64_t firmId, const std::string& id, int fd, std::uint64_t size) {
  const fs::path final = pathOf(firmId, id);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_nlink != 0 || static_cast<std::uint64_t>(st.st_size) != size) {
    BlobStore::adopt(firmId, id, fd, size);  // not our anonymous file: copy
    return;
  }
  if (::fsync(fd) != 0) ioFailure("cannot fsync the upload of", final.string(), errno);
  crashPoint("after-temp-write");
  // Linking an O_TMPFILE file gives it its name atomically; through /proc, since linkat's
  // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH.
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, final.c_str(), AT_SYMLINK_FOLLOW) != 0) {
    if (errno == ENOSPC || errno == EDQUOT) ioFailure("cannot link", final.string(), errno);
    BlobStore::adopt(firmId, id, fd, size);  // no /proc, or a file system that refuses: copy
    return;
  }
  syncDirectory(final.parent_path().string());
  crashPoint("after-rename");
}

bool LocalBlobStore::remove(const StoredBlob& blob) {
  const fs::path p = blob.partial ? blob.where : pathOf(blob.firm_id, blob.id);
  if (::unlink(p.c_str()) != 0) return false;
  syncDirectory(p.parent_path().string());
  return true;
}

std::vector<StoredBlob> LocalBlobStore::list() {
  std::vector<StoredBlob> out;
  std::error_code ec;
  for (const auto& firm : fs::directory_iterator(dir_, ec)) {
    if (!firm.is_directory()) continue;
    std::int64_t firmId = 0;
    try {
      firmId = std::stoll(firm.path().filename().string());
    } catch (...) {
      continue;
    }
    for (const auto& fan : fs::directory_iterator(firm.path(), ec)) {
      if (!fan.is_directory()) continue;
      for (const auto& f : fs::directory_iterator(fan.path(), ec)) {
        std::string name = f.path().filename().string();
        StoredBlob b;
        b.firm_id = firmId;
        b.where = f.path().string();
        if (name.size() > 5 && name[0] == '.' && name.substr(name.size() - 4) == ".tmp") {
          b.partial = true;
          name = name.substr(1, name.size() - 5);
        }
        if (!isBlobId(name)) continue;
        b.id = name;
        struct stat st {};
        if (::stat(f.path().c_str(), &st) == 0) b.modified = st.st_mtime;
        out.push_back(b);
      }
    }
  }
  return out;
}

}  // namespace lexos::core::vault
