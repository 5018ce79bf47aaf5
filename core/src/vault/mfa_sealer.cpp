#include "vault/mfa_sealer.h"

#include <stdexcept>

#include "vault/segment_cipher.h"
#include "vault/vault_service.h"

namespace lexos::core::vault {

namespace {

const std::string kPrefix = "sealed:v1:";

std::string aad(std::int64_t firmId, std::int64_t userId) {
  return "lexos-totp-v1|" + std::to_string(firmId) + "|" + std::to_string(userId);
}

}  // namespace

std::string MfaSealer::masterIdOf(const std::string& stored) {
  if (stored.rfind(kPrefix, 0) != 0) return "";
  const auto colon = stored.find(':', kPrefix.size());
  return colon == std::string::npos ? "" : stored.substr(kPrefix.size(), colon - kPrefix.size());
}

std::string MfaSealer::sealWith(const MasterKey& m, std::int64_t firmId, std::int64_t userId,
                                const std::string& secretB32) {
  return kPrefix + m.id + ":" + toHex(vault::seal(m.key, aad(firmId, userId), secretB32));
}

std::string MfaSealer::seal(std::int64_t firmId, std::int64_t userId, const std::string& secretB32) const {
  vault_.reloadMasterKeys();  // the current key, even right after a rotation by lexosctl
  return sealWith(vault_.masterKeys()->current(), firmId, userId, secretB32);
}

std::string MfaSealer::open(std::int64_t firmId, std::int64_t userId, const std::string& stored) const {
  const std::string id = masterIdOf(stored);
  if (id.empty()) throw std::runtime_error("two-step sign-in: a stored TOTP secret is not in the sealed form");
  auto ring = vault_.masterKeys();
  if (!ring->find(id)) {  // rotated meanwhile (lexosctl), or the file was replaced: look again
    vault_.reloadMasterKeys();
    ring = vault_.masterKeys();
  }
  const MasterKey* m = ring->find(id);
  if (!m)
    throw std::runtime_error("two-step sign-in: user " + std::to_string(userId) + "'s TOTP secret is sealed by master key " + id +
                             ", which is not loaded (current: " + ring->current().id + "); restore that master key file (docs/vault.md)");
  try {
    return vault::unseal(m->key, aad(firmId, userId), fromHex(stored.substr(kPrefix.size() + id.size() + 1)));
  } catch (const std::exception&) {
    throw std::runtime_error("two-step sign-in: user " + std::to_string(userId) + "'s TOTP secret does not open for firm " +
                             std::to_string(firmId) + " (moved or altered)");
  }
}

}  // namespace lexos::core::vault
