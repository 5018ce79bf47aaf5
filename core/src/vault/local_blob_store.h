#pragma once
// The vault's default store: one file per blob under vault.dir, at <firm id>/<first two hex
// digits of the id>/<id> (256 folders per firm, so no folder grows past what ext4 and backups
// like). A write goes to ".<id>.tmp" in the same folder, is fsync'd, renamed into place, and the
// folder is fsync'd: a crash at any point leaves the old state or the new, never a partial blob
// under its name.

#include <string>

#include "vault/blob_store.h"

namespace lexos::core::vault {

class LocalBlobStore : public BlobStore {
 public:
  /// `dir` is created (0700) when missing.
  explicit LocalBlobStore(std::string dir);
  std::string name() const override { return "local"; }
  std::unique_ptr<BlobSink> create(std::int64_t firmId, const std::string& id) override;
  std::unique_ptr<BlobSource> open(std::int64_t firmId, const std::string& id) override;
  bool remove(const StoredBlob& blob) override;
  std::vector<StoredBlob> list() override;
  /// O_TMPFILE in the blob's own folder; adopt() fsyncs it and links it under the blob's name
  /// (no copy), falling back to a copy where linking an anonymous file is not possible.
  int createAnonymous(std::int64_t firmId, const std::string& id) override;
  void adopt(std::int64_t firmId, const std::string& id, int fd, std::uint64_t size) override;
  /// Where the blob's file is (tests, fsck output).
  std::string pathOf(std::int64_t firmId, const std::string& id) const;

 private:
  std::string dir_;
};

}  // namespace lexos::core::vault
