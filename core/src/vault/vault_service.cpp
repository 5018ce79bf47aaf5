#include "vault/vault_service.h"

#include <filesystem>

#include "common/time.h"
#include "lexos/sdk/vault.h"
#include "vault/database_blob_store.h"
#include "vault/local_blob_store.h"

namespace lexos::core::vault {

namespace {

std::string firmKeyAad(std::int64_t firmId, std::uint32_t keyId) {
  return "lexos-vault/v1/firm-key firm=" + std::to_string(firmId) + " key=" + std::to_string(keyId);
}

MasterKeys loadKeys(const Config& config, ConnectionPool& pool, const std::map<std::string, std::string>& env) {
  try {
    return MasterKeys::load(config.vault, false, env);
  } catch (const MasterKeyError&) {
    if (std::filesystem::exists(config.vault.master_key_file)) throw;
    if (auto cred = env.find("CREDENTIALS_DIRECTORY"); cred != env.end() && !cred->second.empty() &&
                                                       std::filesystem::exists(std::filesystem::path(cred->second) / "lexos-master-key"))
      throw;
  }
  // No key file: a first run, unless firm keys exist (then they need the lost key back).
  if (const auto n = countFirmKeys(pool); n > 0)
    throw MasterKeyError("vault.master_key_file: " + config.vault.master_key_file + " does not exist, but " +
                         std::to_string(n) + " firm keys in the database are sealed by a master key: restore the file "
                         "from the master key's backup (docs/vault.md, Backup); lexosd will not make a new one");
  return MasterKeys::load(config.vault, true, env);
}

}  // namespace

std::int64_t countFirmKeys(ConnectionPool& pool) {
  auto lease = pool.acquire();
  std::int64_t n = 0;
  for (const auto& f : lease->readScoped({}, "SELECT id FROM firms", {}).rows)
    n += sdk::asInt(lease->readScoped({sdk::asInt(f[0]), 0}, "SELECT count(*) FROM vault_keys", {}).rows.at(0).at(0));
  return n;
}

VaultService::VaultService(const Config& config, ConnectionPool& pool, const std::map<std::string, std::string>& env)
    : config_(config.vault), pool_(pool), env_(env), keys_(std::make_shared<MasterKeys>(loadKeys(config, pool, env))) {
  if (config_.store == "database")
    store_ = std::make_unique<DatabaseBlobStore>(pool_);
  else
    store_ = std::make_unique<LocalBlobStore>(config_.dir);
}

std::string VaultService::sealFirmKey(const MasterKey& m, std::int64_t firmId, std::uint32_t keyId, const Key& key) {
  return toHex(seal(m.key, firmKeyAad(firmId, keyId), std::string(reinterpret_cast<const char*>(key.data()), key.size())));
}

std::shared_ptr<MasterKeys> VaultService::masterKeys() const {
  std::lock_guard<std::mutex> lock(keysMu_);
  return keys_;
}

void VaultService::reloadMasterKeys() {
  auto fresh = std::make_shared<MasterKeys>(MasterKeys::load(config_, false, env_));
  std::lock_guard<std::mutex> lock(keysMu_);
  keys_ = std::move(fresh);
}

Key VaultService::openFirmKey(std::int64_t firmId, std::uint32_t keyId, const std::string& sealedHex,
                              const std::string& masterId) {
  auto ring = masterKeys();
  if (!ring->find(masterId)) {  // rotated meanwhile (lexosctl), or the file was replaced: look again
    reloadMasterKeys();
    ring = masterKeys();
  }
  const MasterKeys& keys = *ring;
  const MasterKey* m = keys.find(masterId);
  if (!m)
    throw std::runtime_error("vault: firm " + std::to_string(firmId) + "'s key " + std::to_string(keyId) +
                             " is sealed by master key " + masterId + ", which is not loaded (current: " + keys.current().id +
                             " from " + keys.file() + "); restore that master key file (docs/vault.md)");
  std::string sealed;
  try {
    sealed = fromHex(sealedHex);
  } catch (const std::exception&) {
    throw sdk::VaultCorrupt("vault: firm " + std::to_string(firmId) + "'s key row is not hex");
  }
  return keyFromBytes(unseal(m->key, firmKeyAad(firmId, keyId), sealed));
}

FirmKey VaultService::firmKey(Connection& c, std::int64_t firmId, bool create) {
  const char* select = "SELECT id, sealed, master_key_id FROM vault_keys ORDER BY id DESC LIMIT 1";
  auto rs = c.query(select, {});
  if (rs.empty()) {
    if (!create) return {};
    const Key k = randomKey();
    const std::uint32_t id = 1;
    reloadMasterKeys();  // seal with the current master key, even right after a rotation
    const auto ring = masterKeys();
    const auto& m = ring->current();
    const std::string sql = c.backend() == sdk::Backend::PostgreSQL
                                ? "INSERT INTO vault_keys (firm_id, id, sealed, master_key_id, created_at) VALUES ($1, $2, $3, "
                                  "$4, $5) ON CONFLICT DO NOTHING"  // a concurrent first upload made it: use that one
                                : "INSERT INTO vault_keys (firm_id, id, sealed, master_key_id, created_at) VALUES ($1, $2, $3, $4, $5)";
    c.execute(sql, {firmId, static_cast<std::int64_t>(id), sealFirmKey(m, firmId, id, k), m.id, utcTimestamp()});
    rs = c.query(select, {});
    if (rs.empty()) throw std::runtime_error("vault: the firm key just stored cannot be read back");
  }
  FirmKey fk;
  fk.id = static_cast<std::uint32_t>(sdk::asInt(rs.rows[0][0]));
  fk.key = openFirmKey(firmId, fk.id, sdk::asText(rs.rows[0][1]), sdk::asText(rs.rows[0][2]));
  return fk;
}

FirmKey VaultService::readFirmKey(std::int64_t firmId) {
  auto lease = pool_.acquire();
  auto rs = lease->readScoped({firmId, 0}, "SELECT id, sealed, master_key_id FROM vault_keys ORDER BY id DESC LIMIT 1", {});
  if (rs.empty()) return {};
  FirmKey fk;
  fk.id = static_cast<std::uint32_t>(sdk::asInt(rs.rows[0][0]));
  fk.key = openFirmKey(firmId, fk.id, sdk::asText(rs.rows[0][1]), sdk::asText(rs.rows[0][2]));
  return fk;
}

std::uint64_t VaultService::firmUsage(std::int64_t firmId) {
  auto lease = pool_.acquire();
  auto rs = lease->readScoped({firmId, 0}, "SELECT coalesce(sum(size), 0) FROM vault_blobs", {});
  return static_cast<std::uint64_t>(sdk::asInt(rs.rows.at(0).at(0)));
}

}  // namespace lexos::core::vault
