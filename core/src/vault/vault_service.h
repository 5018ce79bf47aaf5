#pragma once
// The vault of an installation (docs/vault.md): configuration, master keys, the blob store and
// libmagic, shared by every request (FirmVault, firm_vault.h) and by lexosctl (vault_admin.h).
// The firm keys live in `vault_keys` (firm-only rows, sealed by a master key); the blobs'
// records in `vault_blobs` (app/vault_schema.h has both tables).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "config/config.h"
#include "data/connection.h"
#include "data/connection_pool.h"
#include "vault/blob_store.h"
#include "vault/content_types.h"
#include "vault/master_keys.h"
#include "vault/segment_cipher.h"

namespace lexos::core::vault {

/// A firm's key, opened.
struct FirmKey {
  std::uint32_t id = 0;
  Key key{};
};

/// Thread-safe after construction (the store and libmagic guard themselves).
class VaultService {
 public:
  /// Reads the master key (creating it on first run, unless firm keys already exist: then the
  /// missing file is an operator's problem, refused with the fix), opens the store. `env` is
  /// the process environment ($CREDENTIALS_DIRECTORY). Throws MasterKeyError/std::runtime_error.
  VaultService(const Config& config, ConnectionPool& pool, const std::map<std::string, std::string>& env);

  const VaultConfig& config() const { return config_; }
  /// The master keys as last read (a snapshot; rotation mutates its own).
  std::shared_ptr<MasterKeys> masterKeys() const;
  /// Reads the key files again (never creates one): a rotation by lexosctl, or a key file
  /// copied in from another node, is picked up without a restart.
  void reloadMasterKeys();
  BlobStore& store() { return *store_; }
  ContentTypes& types() { return types_; }
  ConnectionPool& pool() { return pool_; }

  /// The firm's current key, read through `c` (inside a transaction bound to the firm, staff
  /// scope); created and inserted when it has none and `create` (else NotFound-like nullopt:
  /// returns id 0).
  FirmKey firmKey(Connection& c, std::int64_t firmId, bool create);
  /// The firm's current key read on a pooled connection of its own (a short read transaction,
  /// no lock held); id 0 when the firm has none yet.
  FirmKey readFirmKey(std::int64_t firmId);
  /// The firm's stored bytes (quota), read like readFirmKey.
  std::uint64_t firmUsage(std::int64_t firmId);
  /// Opens a firm key row's sealed value with the master key its row names (reading the key
  /// files again once when that key is not loaded).
  Key openFirmKey(std::int64_t firmId, std::uint32_t keyId, const std::string& sealedHex, const std::string& masterId);
  /// Uploads stored in one pass since start: spooled into the vault as they arrived and adopted
  /// by put() (spooled_blob.h). Tests and the bench read it.
  std::uint64_t adoptedUploads() const { return adopted_.load(); }
  void countAdopted() { ++adopted_; }
  /// Seals a firm key with master key `m` (rotation).
  static std::string sealFirmKey(const MasterKey& m, std::int64_t firmId, std::uint32_t keyId, const Key& key);

 private:
  VaultConfig config_;
  ConnectionPool& pool_;
  std::map<std::string, std::string> env_;
  mutable std::mutex keysMu_;
  std::shared_ptr<MasterKeys> keys_;
  std::unique_ptr<BlobStore> store_;
  ContentTypes types_;
  std::atomic<std::uint64_t> adopted_{0};
};

/// How many vault_keys rows exist, over every firm (first-run check, rotation).
std::int64_t countFirmKeys(ConnectionPool& pool);

}  // namespace lexos::core::vault
