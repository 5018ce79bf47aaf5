#pragma once
// The vault of an installation (docs/vault.md): configuration, master keys, the blob store and
// libmagic, shared by every request (FirmVault, firm_vault.h) and by lexosctl (vault_admin.h).
// The firm keys live in `vault_keys` (firm-only rows, sealed by a master key); the blobs'
// records in `vault_blobs` (app/vault_schema.h has both tables).

#include <cstdint>
#include <map>
#include <memory>
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
  MasterKeys& masterKeys() { return keys_; }
  BlobStore& store() { return *store_; }
  ContentTypes& types() { return types_; }
  ConnectionPool& pool() { return pool_; }

  /// The firm's current key, read through `c` (inside a transaction bound to the firm, staff
  /// scope); created and inserted when it has none and `create` (else NotFound-like nullopt:
  /// returns id 0).
  FirmKey firmKey(Connection& c, std::int64_t firmId, bool create);
  /// Opens a firm key row's sealed value with the master key its row names.
  Key openFirmKey(std::int64_t firmId, std::uint32_t keyId, const std::string& sealedHex, const std::string& masterId) const;
  /// Seals a firm key with master key `m` (rotation).
  static std::string sealFirmKey(const MasterKey& m, std::int64_t firmId, std::uint32_t keyId, const Key& key);

 private:
  VaultConfig config_;
  ConnectionPool& pool_;
  MasterKeys keys_;
  std::unique_ptr<BlobStore> store_;
  ContentTypes types_;
};

/// How many vault_keys rows exist, over every firm (first-run check, rotation).
std::int64_t countFirmKeys(ConnectionPool& pool);

}  // namespace lexos::core::vault
