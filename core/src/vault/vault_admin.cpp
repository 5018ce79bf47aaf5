#include "vault/vault_admin.h"

#include <ctime>
#include <map>
#include <set>

#include "lexos/sdk/vault.h"
#include "vault/firm_vault.h"
#include "vault/mfa_sealer.h"

namespace lexos::core::vault {

FsckReport fsck(VaultService& vault, const FsckOptions& options, std::ostream& out) {
  FsckReport rep;
  std::set<std::pair<std::int64_t, std::string>> recorded;
  auto lease = vault.pool().acquire();
  const auto firms = lease->readScoped({}, "SELECT id, slug FROM firms ORDER BY id", {});
  for (const auto& f : firms.rows) {
    const std::int64_t firm = sdk::asInt(f[0]);
    const std::string slug = sdk::asText(f[1]);
    const auto keys = lease->readScoped({firm, 0}, "SELECT id, sealed, master_key_id FROM vault_keys", {});
    std::map<std::int64_t, Key> opened;
    std::map<std::int64_t, std::string> keyProblem;
    for (const auto& k : keys.rows) {
      try {
        opened[sdk::asInt(k[0])] = vault.openFirmKey(firm, static_cast<std::uint32_t>(sdk::asInt(k[0])), sdk::asText(k[1]),
                                                     sdk::asText(k[2]));
      } catch (const std::exception& e) {
        keyProblem[sdk::asInt(k[0])] = e.what();
      }
    }
    const auto blobs =
        lease->readScoped({firm, 0}, "SELECT id, size, sha256, key_id, store FROM vault_blobs ORDER BY created_at, id", {});
    for (const auto& b : blobs.rows) {
      const std::string id = sdk::asText(b[0]);
      const std::string where = "firm " + slug + " (" + std::to_string(firm) + ") blob " + id;
      recorded.insert({firm, id});
      if (sdk::asText(b[4]) != vault.store().name()) {
        rep.missing.push_back(where + ": recorded in the " + sdk::asText(b[4]) + " store, vault.store is " + vault.store().name());
        out << "MISSING  " << rep.missing.back() << "\n";
        continue;
      }
      const std::int64_t keyId = sdk::asInt(b[3]);
      auto k = opened.find(keyId);
      if (k == opened.end()) {
        rep.corrupt.push_back(where + ": its firm key " + std::to_string(keyId) + " does not open: " +
                              (keyProblem.count(keyId) ? keyProblem[keyId] : "no such key"));
        out << "CORRUPT  " << rep.corrupt.back() << "\n";
        continue;
      }
      ++rep.checked;
      try {
        if (!vault.store().open(firm, id)) {
          rep.missing.push_back(where + ": not in the " + vault.store().name() + " store");
          out << "MISSING  " << rep.missing.back() << "\n";
          continue;
        }
        auto source = vault.store().open(firm, id);
        SegmentDecryptor d([&](std::uint64_t off, char* buf, std::size_t n) { return source->readAt(off, buf, n); },
                           source->size(), k->second, blobKeyAad(firm, id, static_cast<std::uint32_t>(keyId)));
        if (d.size() != static_cast<std::uint64_t>(sdk::asInt(b[1])))
          throw sdk::VaultCorrupt("holds " + std::to_string(d.size()) + " bytes, its record says " + sdk::asText(b[1]));
        const std::string sha = d.verifyAll();
        if (sha != sdk::asText(b[2])) throw sdk::VaultCorrupt("SHA-256 " + sha + " differs from the recorded " + sdk::asText(b[2]));
        ++rep.intact;
      } catch (const std::exception& e) {
        rep.corrupt.push_back(where + ": " + e.what());
        out << "CORRUPT  " << rep.corrupt.back() << "\n";
      }
    }
  }
  const std::time_t cutoff = std::time(nullptr) - static_cast<std::time_t>(options.grace_hours) * 3600;
  for (const auto& s : vault.store().list()) {
    if (!s.partial && recorded.count({s.firm_id, s.id})) continue;
    if (s.modified > cutoff) {
      ++rep.young_orphans;
      continue;
    }
    rep.orphans.push_back(s);
    const std::string what = std::string(s.partial ? "unfinished write " : "blob without a record ") + s.where;
    if (options.repair && vault.store().remove(s)) {
      ++rep.removed;
      out << "REMOVED  orphan " << what << "\n";
    } else {
      out << "ORPHAN   " << what << "\n";
    }
  }
  return rep;
}

RotationReport rotateMasterKey(VaultService& vault) {
  RotationReport rep;
  const auto ring = vault.masterKeys();
  MasterKeys& keys = *ring;
  rep.old_id = keys.current().id;
  const MasterKey next = keys.prepareNext();
  rep.new_id = next.id;
  {
    auto lease = vault.pool().acquire();
    Connection& c = *lease;
    const auto firms = c.readScoped({}, "SELECT id FROM firms ORDER BY id", {});
    c.begin(true);
    try {
      for (const auto& f : firms.rows) {
        const std::int64_t firm = sdk::asInt(f[0]);
        c.setScope({firm, 0});
        const auto rows = c.query("SELECT id, sealed, master_key_id FROM vault_keys", {});
        if (!rows.empty()) ++rep.firms;
        for (const auto& r : rows.rows) {
          const auto id = static_cast<std::uint32_t>(sdk::asInt(r[0]));
          if (sdk::asText(r[2]) == next.id) continue;  // an earlier, interrupted rotation got this far
          const Key k = vault.openFirmKey(firm, id, sdk::asText(r[1]), sdk::asText(r[2]));
          c.execute("UPDATE vault_keys SET sealed = $1, master_key_id = $2 WHERE id = $3",
                    {VaultService::sealFirmKey(next, firm, id, k), next.id, static_cast<std::int64_t>(id)});
          ++rep.keys;
        }
        // TOTP secrets sealed by the old master key (vault/mfa_sealer.h) follow it.
        const auto secrets = c.query("SELECT user_id, secret FROM user_mfa", {});
        for (const auto& r : secrets.rows) {
          const std::int64_t user = sdk::asInt(r[0]);
          const std::string stored = sdk::asText(r[1]);
          const std::string id = MfaSealer::masterIdOf(stored);
          if (id.empty() || id == next.id) continue;  // not sealed yet, or done by an interrupted run
          const std::string plain = MfaSealer(vault).open(firm, user, stored);
          c.execute("UPDATE user_mfa SET secret = $1 WHERE user_id = $2",
                    {MfaSealer::sealWith(next, firm, user, plain), user});
          ++rep.mfa_secrets;
        }
      }
      c.setScope({});
      c.commit();
    } catch (...) {
      if (c.inTransaction()) c.rollback();
      throw;
    }
  }
  rep.old_file = keys.commitNext();
  return rep;
}

}  // namespace lexos::core::vault
