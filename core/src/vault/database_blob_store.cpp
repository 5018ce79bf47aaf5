#include "vault/database_blob_store.h"

#include <openssl/evp.h>

#include <cstring>
#include <ctime>

#include "common/time.h"
#include "lexos/sdk/vault.h"

namespace lexos::core::vault {

std::string base64Encode(const char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data),
                                  static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

std::string base64Decode(const std::string& text) {
  std::string out(3 * (text.size() / 4) + 3, '\0');
  const int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (len < 0) throw sdk::VaultCorrupt("vault: a stored chunk is not base64");
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(len) - pad);
  return out;
}

namespace {

std::time_t parseUtc(const std::string& t) {
  std::tm tm{};
  if (!strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return timegm(&tm);
}

class ChunkSink : public BlobSink {
 public:
  ChunkSink(ConnectionPool& pool, std::int64_t firm, std::string id)
      : lease_(pool.acquire()), firm_(firm), id_(std::move(id)), now_(utcTimestamp()) {
    lease_->begin(true);
    lease_->setScope({firm_, 0});
    buf_.reserve(DatabaseBlobStore::kChunkBytes);
  }
  ~ChunkSink() override {
    try {
      if (lease_->inTransaction()) lease_->rollback();
    } catch (...) {
    }
  }
  void write(const char* data, std::size_t n) override {
    while (n > 0) {
      const std::size_t take = std::min(n, DatabaseBlobStore::kChunkBytes - buf_.size());
      buf_.append(data, take);
      data += take;
      n -= take;
      if (buf_.size() == DatabaseBlobStore::kChunkBytes) flush();
    }
  }
  void commit() override {
    if (!buf_.empty() || seq_ == 0) flush();
    crashPoint("after-temp-write");
    lease_->commit();
    crashPoint("after-rename");
  }

 private:
  void flush() {
    lease_->execute("INSERT INTO vault_chunks (firm_id, blob_id, seq, bytes, data, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    {firm_, id_, seq_, static_cast<std::int64_t>(buf_.size()), base64Encode(buf_.data(), buf_.size()), now_});
    ++seq_;
    buf_.clear();
  }
  ConnectionPool::Lease lease_;
  std::int64_t firm_;
  std::string id_;
  std::string now_;
  std::string buf_;
  std::int64_t seq_ = 0;
};

class ChunkSource : public BlobSource {
 public:
  ChunkSource(ConnectionPool& pool, std::int64_t firm, std::string id, std::uint64_t size)
      : pool_(pool), firm_(firm), id_(std::move(id)), size_(size) {}
  std::uint64_t size() const override { return size_; }
  std::size_t readAt(std::uint64_t offset, char* buf, std::size_t n) override {
    if (offset >= size_) return 0;
    const std::int64_t seq = static_cast<std::int64_t>(offset / DatabaseBlobStore::kChunkBytes);
    if (seq != cachedSeq_) {
      auto lease = pool_.acquire();
      auto rs = lease->readScoped({firm_, 0}, "SELECT data FROM vault_chunks WHERE blob_id = $1 AND seq = $2", {id_, seq});
      if (rs.empty()) return 0;
      chunk_ = base64Decode(sdk::asText(rs.rows[0][0]));
      cachedSeq_ = seq;
    }
    const std::size_t within = static_cast<std::size_t>(offset - static_cast<std::uint64_t>(seq) * DatabaseBlobStore::kChunkBytes);
    if (within >= chunk_.size()) return 0;
    const std::size_t take = std::min(n, chunk_.size() - within);
    std::memcpy(buf, chunk_.data() + within, take);
    return take;
  }

 private:
  ConnectionPool& pool_;
  std::int64_t firm_;
  std::string id_;
  std::uint64_t size_;
  std::int64_t cachedSeq_ = -1;
  std::string chunk_;
};

}  // namespace

std::unique_ptr<BlobSink> DatabaseBlobStore::create(std::int64_t firmId, const std::string& id) {
  return std::make_unique<ChunkSink>(pool_, firmId, id);
}

std::unique_ptr<BlobSource> DatabaseBlobStore::open(std::int64_t firmId, const std::string& id) {
  auto lease = pool_.acquire();
  auto rs = lease->readScoped({firmId, 0}, "SELECT count(*), coalesce(sum(bytes), 0) FROM vault_chunks WHERE blob_id = $1", {id});
  if (rs.empty() || sdk::asInt(rs.rows[0][0]) == 0) return nullptr;
  return std::make_unique<ChunkSource>(pool_, firmId, id, static_cast<std::uint64_t>(sdk::asInt(rs.rows[0][1])));
}

bool DatabaseBlobStore::remove(const StoredBlob& blob) {
  auto lease = pool_.acquire();
  lease->begin(true);
  lease->setScope({blob.firm_id, 0});
  const auto n = lease->execute("DELETE FROM vault_chunks WHERE blob_id = $1", {blob.id});
  lease->commit();
  return n > 0;
}

std::vector<StoredBlob> DatabaseBlobStore::list() {
  std::vector<StoredBlob> out;
  auto lease = pool_.acquire();
  auto firms = lease->readScoped({}, "SELECT id FROM firms ORDER BY id", {});
  for (const auto& f : firms.rows) {
    const auto firm = sdk::asInt(f[0]);
    auto rs = lease->readScoped({firm, 0}, "SELECT blob_id, min(created_at) FROM vault_chunks GROUP BY blob_id", {});
    for (const auto& r : rs.rows) {
      StoredBlob b;
      b.firm_id = firm;
      b.id = sdk::asText(r[0]);
      b.modified = parseUtc(sdk::asText(r[1]));
      b.where = "vault_chunks firm " + std::to_string(firm) + " blob " + b.id;
      out.push_back(b);
    }
  }
  return out;
}

}  // namespace lexos::core::vault
