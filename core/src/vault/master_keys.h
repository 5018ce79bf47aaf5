#pragma once
// The installation's master key (docs/vault.md, "Keys"): 256 bits kept outside the database,
// in a file only the service can read (vault.master_key_file, created 0600 on first run) or a
// systemd credential ($CREDENTIALS_DIRECTORY/lexos-master-key). It wraps the firms' keys.
// Each key has an id derived from the key itself, recorded beside every firm key it wraps, so
// a rotation interrupted between its steps is still readable: every key file present
// (master.key, master.key.new, master.key.old-*) is loaded and a firm key opens with the one
// its row names.

#include <map>
#include <string>

#include "config/config.h"
#include "vault/segment_cipher.h"

namespace lexos::core::vault {

/// An operator's problem with the master key (missing, readable by others, malformed). The
/// message names the file and the fix.
class MasterKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MasterKey {
  std::string id;    ///< 16 hex characters, from the key (masterKeyId)
  Key key{};
  std::string path;  ///< where it was read from
};

/// The id of a master key: the first 8 bytes of SHA-256 over a label and the key, in hex.
std::string masterKeyId(const Key& key);

/// The master keys of an installation. Plain data once loaded; read from several threads.
class MasterKeys {
 public:
  /// Reads the master key: the systemd credential when $CREDENTIALS_DIRECTORY holds
  /// lexos-master-key, else `cfg.master_key_file`, created (0600, in a 0700 folder) when
  /// missing and `mayCreate`. Refuses a file that group or others may read or write. Loads
  /// the files a rotation leaves beside it too. Throws MasterKeyError.
  static MasterKeys load(const VaultConfig& cfg, bool mayCreate, const std::map<std::string, std::string>& env);

  const MasterKey& current() const { return current_; }
  /// The key with this id, or nullptr.
  const MasterKey* find(const std::string& id) const;
  bool fromCredential() const { return fromCredential_; }
  /// True when load() created the key file just now (first run).
  bool created() const { return created_; }
  const std::string& file() const { return file_; }

  /// Rotation, step 1: the next key, written to `<file>.new` (0600, fsync'd), or read from it
  /// when an earlier rotation stopped before its end. Added to this ring.
  MasterKey prepareNext();
  /// Rotation, last step: keeps the current file as `<file>.old-<UTC time>` (a hard link, so
  /// the file is never missing) and renames `<file>.new` over it, then fsyncs the folder.
  /// Returns the old key's new path.
  std::string commitNext();

 private:
  std::map<std::string, MasterKey> keys_;
  MasterKey current_;
  std::string file_;
  bool fromCredential_ = false;
  bool created_ = false;
};

/// Writes `bytes` to a new file `path` (O_EXCL, `mode`), fsyncs it and its folder. Throws
/// std::runtime_error naming the path.
void writeFileDurably(const std::string& path, const std::string& bytes, unsigned mode);
/// fsync of a folder (after a rename or a create inside it).
void syncDirectory(const std::string& dir);

}  // namespace lexos::core::vault
