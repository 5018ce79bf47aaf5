#pragma once
// lexosctl backup / restore / backup --verify (docs/operations.md, "Backup and restore").
//
// A backup is a folder:
//   manifest.json            what the backup holds: LexOS version, backend, schema versions
//                            (each plugin's last migration), the master key ids the firm keys
//                            need, and every file with its size and SHA-256. Written last: a
//                            folder without it is an unfinished backup.
//   database/lexos.db        SQLite, copied with SQLite's online backup API (one read snapshot)
//   database/lexos.pgdump    PostgreSQL, pg_dump --format=custom of the LexOS database
//   vault/<firm>/<xx>/<id>   the local store's blobs the database copy records (encrypted as
//                            stored; the database store's blobs are inside the dump)
//   keys/                    the master key files and their own manifest.json; or elsewhere
//                            (--keys-to), or not at all (--no-keys): without them the blobs and
//                            the firm keys in the copy cannot be opened.
//
// Consistency while lexosd serves: the database is copied first, as one snapshot (SQLite: the
// backup API in one step, a read transaction that writers in WAL mode do not wait for;
// PostgreSQL: pg_dump on a snapshot exported by lexosctl's own REPEATABLE READ transaction,
// which also lists the blobs that snapshot records). Blobs are immutable and written, made
// durable and renamed into place before the row that records them commits, so every blob the
// snapshot records exists when the snapshot is taken; only those are copied afterwards. A blob
// written later is simply not in the backup (nor is its row).

#include <ostream>
#include <string>

namespace lexos::core {

class Host;

namespace backup {

struct BackupOptions {
  std::string to;       ///< the backup folder: must not exist, or be empty
  std::string keys_to;  ///< where the key files go; empty: <to>/keys
  bool no_keys = false; ///< leave the master key out (store it apart yourself)
};

/// Takes a backup of the installation `host` is configured for, while lexosd may serve. Writes
/// progress lines to `out`. Returns the process exit code: 0 done, 3 done but some recorded
/// blobs were missing from the store (listed). Throws std::runtime_error (one line for the
/// operator) when it cannot make a backup; the folder is then incomplete (no manifest).
int runBackup(Host& host, const BackupOptions& options, std::ostream& out);

struct RestoreOptions {
  std::string from;       ///< the backup folder
  std::string keys_from;  ///< the key files' folder; empty: <from>/keys when it exists
  bool force = false;     ///< replace a target that is not empty (set aside, or dropped on PostgreSQL)
};

/// Restores a backup into the configured state folder and database, which must be empty unless
/// `force`. Verifies the manifest first and changes nothing when a file does not match, the
/// backup comes from a newer schema than this build, or the target is not empty. Then migrates
/// forward and verifies tenancy. Returns the exit code (0). Throws std::runtime_error.
int runRestore(Host& host, const RestoreOptions& options, std::ostream& out);

/// Checks every file of a backup (and of its keys folder, when present) against its manifest.
/// Returns 0 when all match, 3 when a file is missing, changed or unlisted (each named on `out`).
int verifyBackup(const std::string& dir, const std::string& keysDir, std::ostream& out);

}  // namespace backup
}  // namespace lexos::core
