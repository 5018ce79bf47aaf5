#pragma once
// TOTP secrets sealed by the vault's master key (identity/mfa.h, MfaSecretSealer): AES-256-GCM
// with the (firm, user) as additional data, stored as "sealed:v1:<master key id>:<hex>". The
// master key lives outside the database (vault.master_key_file or a systemd credential), so a
// copy of the database alone holds no usable second factor. `lexosctl vault
// rotate-master-key` reseals them with the new key (vault_admin.cpp).

#include <cstdint>
#include <string>

#include "identity/mfa.h"
#include "vault/master_keys.h"

namespace lexos::core::vault {

class VaultService;

class MfaSealer : public MfaSecretSealer {
 public:
  explicit MfaSealer(VaultService& vault) : vault_(vault) {}
  std::string seal(std::int64_t firmId, std::int64_t userId, const std::string& secretB32) const override;
  std::string open(std::int64_t firmId, std::int64_t userId, const std::string& stored) const override;

  /// The sealed form under a given master key (rotation).
  static std::string sealWith(const MasterKey& m, std::int64_t firmId, std::int64_t userId, const std::string& secretB32);
  /// The master key id a sealed value names (empty when it is not in the sealed form).
  static std::string masterIdOf(const std::string& stored);

 private:
  VaultService& vault_;
};

}  // namespace lexos::core::vault
