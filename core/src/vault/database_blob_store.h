#pragma once
// The vault's shared store (vault.store = database, PostgreSQL only): a blob's ciphertext in
// rows of `vault_chunks` (firm_id, blob_id, seq, bytes, data, created_at), 1 MiB each, so
// several lexosd nodes share documents without a shared disk. A blob's chunks are written in
// one transaction of their own (on a second pooled connection), committed before put()
// returns: they appear all at once or not at all. The row values are base64 text (the data
// layer binds text, not bytea; a third more bytes, measured in docs/vault.md).

#include "data/connection_pool.h"
#include "vault/blob_store.h"

namespace lexos::core::vault {

class DatabaseBlobStore : public BlobStore {
 public:
  static constexpr std::size_t kChunkBytes = 1 << 20;
  explicit DatabaseBlobStore(ConnectionPool& pool) : pool_(pool) {}
  std::string name() const override { return "database"; }
  std::unique_ptr<BlobSink> create(std::int64_t firmId, const std::string& id) override;
  std::unique_ptr<BlobSource> open(std::int64_t firmId, const std::string& id) override;
  bool remove(const StoredBlob& blob) override;
  std::vector<StoredBlob> list() override;

 private:
  ConnectionPool& pool_;
};

std::string base64Encode(const char* data, std::size_t n);
std::string base64Decode(const std::string& text);

}  // namespace lexos::core::vault
