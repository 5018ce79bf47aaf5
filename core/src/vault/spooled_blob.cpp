#include "vault/spooled_blob.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "common/files.h"
#include "vault/content_types.h"

namespace lexos::core::vault {

namespace {

// Thrown by the encryptor's sink when the file cannot take its bytes.
struct WriteFailed {
  int err;
};

// Writeback is started every this many bytes (sync_file_range, asynchronous), so that the
// fsync when the blob is adopted finds little left to write.
constexpr std::uint64_t kWritebackStep = 8u << 20;

std::atomic<int> gLive{0};  // SpooledBlobs alive (SpooledBlob::kMaxLive)

}  // namespace

// ---- ParallelSha256 ----

struct ParallelSha256::State {
  static constexpr std::size_t kBlock = 256 * 1024;
  static constexpr int kBlocks = 6;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<char>> full, free;
  std::vector<char> current;
  bool ending = false, done = false, failed = false;
  EVP_MD_CTX* md = nullptr;
  std::thread worker;

  void run() {
    for (;;) {
      std::vector<char> block;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !full.empty() || ending; });
        if (full.empty()) break;
        block = std::move(full.front());
        full.pop_front();
      }
      if (EVP_DigestUpdate(md, block.data(), block.size()) != 1) failed = true;
      block.clear();
      {
        std::lock_guard<std::mutex> lock(mu);
        free.push_back(std::move(block));
      }
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    done = true;
    cv.notify_all();
  }
  void submit() {
    if (current.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu);
      full.push_back(std::move(current));
    }
    cv.notify_all();
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return !free.empty(); });
    current = std::move(free.front());
    free.pop_front();
  }
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu);
      ending = true;
    }
    cv.notify_all();
    if (worker.joinable()) worker.join();
  }
};

ParallelSha256::ParallelSha256() : s_(std::make_unique<State>()) {
  s_->md = EVP_MD_CTX_new();
  if (!s_->md || EVP_DigestInit_ex(s_->md, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(s_->md);
    throw std::runtime_error("vault: cannot start SHA-256");
  }
  for (int i = 0; i < State::kBlocks; ++i) {
    s_->free.emplace_back();
    s_->free.back().reserve(State::kBlock);
  }
  s_->current = std::move(s_->free.front());
  s_->free.pop_front();
  s_->worker = std::thread([st = s_.get()] { st->run(); });
}

ParallelSha256::~ParallelSha256() {
  s_->stop();
  EVP_MD_CTX_free(s_->md);
}

void ParallelSha256::update(const char* data, std::size_t n) {
  while (n > 0) {
    const std::size_t take = std::min(n, State::kBlock - s_->current.size());
    s_->current.insert(s_->current.end(), data, data + take);
    data += take;
    n -= take;
    if (s_->current.size() == State::kBlock) s_->submit();
  }
}

std::string ParallelSha256::finish() {
  if (!s_->current.empty()) {
    std::lock_guard<std::mutex> lock(s_->mu);
    s_->full.push_back(std::move(s_->current));
  }
  s_->stop();  // hashes what is queued, in order, then ends
  if (s_->failed) throw std::runtime_error("vault: SHA-256 failed");
  unsigned char d[32];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(s_->md, d, &len) != 1) throw std::runtime_error("vault: SHA-256 failed");
  return toHex(d, len);
}

// ---- SpooledBlob ----

std::unique_ptr<SpooledBlob> SpooledBlob::start(VaultService& service, std::int64_t firmId, const FirmKey& key,
                                                const std::string& spoolDir) {
  if (gLive.fetch_add(1) >= kMaxLive) {
    --gLive;
    return nullptr;
  }
  struct Release {  // gives the slot back unless the blob took it
    bool armed = true;
    ~Release() {
      if (armed) --gLive;
    }
  } release;
  std::string id = newBlobId();
  int fd = service.store().createAnonymous(firmId, id);
  const bool inStore = fd >= 0;
  if (fd < 0) fd = openAnonymousFile(spoolDir, "upload-");
  if (fd < 0)
    throw std::runtime_error("vault: cannot create an upload file in " + spoolDir + ": " + std::strerror(errno));
  std::unique_ptr<SpooledBlob> blob;
  try {
    blob.reset(new SpooledBlob(firmId, key, std::move(id), fd, inStore));
  } catch (...) {
    ::close(fd);  // no thread (or no memory) for it: the caller uses the plain spool
    throw;
  }
  blob->counted_ = true;
  release.armed = false;
  return blob;
}

SpooledBlob::SpooledBlob(std::int64_t firmId, const FirmKey& key, std::string id, int fd, bool inStore)
    : firm_(firmId), keyId_(key.id), key_(key.key), id_(std::move(id)), fd_(fd), inStore_(inStore) {
  digest_ = std::make_unique<ParallelSha256>();
  enc_ = std::make_unique<SegmentEncryptor>(
      key_, keyId_, blobKeyAad(firm_, id_, keyId_), [this](const char* p, std::size_t n) { writeOut(p, n); }, kSegmentSize,
      false);
}

SpooledBlob::~SpooledBlob() {
  if (counted_) --gLive;
  dec_.reset();
  enc_.reset();
  digest_.reset();
  if (fd_ >= 0) ::close(fd_);  // anonymous: its bytes go with it
  key_.fill(0);
}

void SpooledBlob::writeOut(const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w > 0) {
      data += w;
      n -= static_cast<std::size_t>(w);
      written_ += static_cast<std::uint64_t>(w);
      continue;
    }
    if (w < 0 && errno == EINTR) continue;
    throw WriteFailed{w < 0 ? errno : ENOSPC};
  }
#ifdef SYNC_FILE_RANGE_WRITE
  if (inStore_ && written_ - flushed_ >= kWritebackStep) {
    (void)::sync_file_range(fd_, static_cast<off_t>(flushed_), static_cast<off_t>(written_ - flushed_), SYNC_FILE_RANGE_WRITE);
    flushed_ = written_;
  }
#endif
}

template <class F>
SpooledBlob::Result SpooledBlob::attempt(F step, std::string& error) {
  try {
    step();
    return Result::kOk;
  } catch (const WriteFailed& f) {
    error = std::string("writing the upload's vault file: ") + std::strerror(f.err);
    return isDiskFull(f.err) ? Result::kDiskFull : Result::kError;
  } catch (const std::exception& e) {
    error = std::string("encrypting the upload: ") + e.what();
    return Result::kError;
  }
}

SpooledBlob::Result SpooledBlob::write(const char* data, std::size_t n, std::string& error) {
  if (head_.size() < ContentTypes::kHeadBytes)
    head_.append(data, std::min(n, ContentTypes::kHeadBytes - head_.size()));
  return attempt(
      [&] {
        digest_->update(data, n);
        enc_->write(data, n);
      },
      error);
}

SpooledBlob::Result SpooledBlob::finish(std::string& error) {
  const Result r = attempt(
      [&] {
        enc_->finish();
        sha256_ = digest_->finish();
        digest_.reset();
      },
      error);
  finished_ = r == Result::kOk;
  return r;
}

std::uint64_t SpooledBlob::size() const { return enc_->plaintextBytes(); }

const std::string& SpooledBlob::sha256() const { return sha256_; }

std::size_t SpooledBlob::read(std::uint64_t offset, char* buf, std::size_t n) {
  if (!finished_) throw std::logic_error("vault: an upload's body read before it was complete");
  if (!dec_) {
    dec_ = std::make_unique<SegmentDecryptor>(
        [this](std::uint64_t off, char* b, std::size_t len) -> std::size_t {
          for (;;) {
            const ssize_t r = ::pread(fd_, b, len, static_cast<off_t>(off));
            if (r >= 0) return static_cast<std::size_t>(r);
            if (errno != EINTR) throw std::runtime_error(std::string("vault: reading an upload back: ") + std::strerror(errno));
          }
        },
        written_, key_, blobKeyAad(firm_, id_, keyId_));
  }
  return dec_->read(offset, buf, n);
}

}  // namespace lexos::core::vault
