#pragma once
// The operator's vault tasks (lexosctl vault fsck, lexosctl vault rotate-master-key):
// docs/operations.md has their output and exit codes, docs/vault.md the reasoning.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "vault/vault_service.h"

namespace lexos::core::vault {

struct FsckOptions {
  bool repair = false;
  int grace_hours = 24;  ///< orphans younger than this are left alone (uploads in flight)
};

struct FsckReport {
  std::int64_t checked = 0;                  ///< records whose blob was read to the end
  std::int64_t intact = 0;                   ///< ... and decrypted with the recorded hash
  std::vector<std::string> corrupt;          ///< "firm F blob ID: why"
  std::vector<std::string> missing;          ///< records whose blob the store does not have
  std::vector<StoredBlob> orphans;           ///< stored blobs without a record, older than the grace
  std::int64_t young_orphans = 0;            ///< ... younger (left alone)
  std::int64_t removed = 0;                  ///< orphans removed (--repair)
  /// Clean: every record's blob intact, no orphan past the grace left behind.
  bool clean() const { return corrupt.empty() && missing.empty() && static_cast<std::int64_t>(orphans.size()) == removed; }
};

/// Verifies every blob of every firm (present, every segment decrypts, size and SHA-256 as
/// recorded) and lists orphans; with `repair`, removes orphans older than the grace period.
/// Writes one line per finding to `out`.
FsckReport fsck(VaultService& vault, const FsckOptions& options, std::ostream& out);

struct RotationReport {
  std::int64_t firms = 0;
  std::int64_t keys = 0;       ///< firm keys rewrapped
  std::int64_t mfa_secrets = 0;  ///< TOTP secrets resealed
  std::string old_id, new_id;  ///< master key ids
  std::string old_file;        ///< where the old master key was kept
};

/// Rewraps every firm key with a new master key in one transaction, then puts the new key
/// file in place (docs/vault.md, "Rotation"). Blobs are not touched.
RotationReport rotateMasterKey(VaultService& vault);

}  // namespace lexos::core::vault
