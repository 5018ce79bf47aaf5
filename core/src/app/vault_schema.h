#pragma once
// SQL of core migration 8: the vault's tables (docs/vault.md). All three are firm-only tenant
// tables (Tenancy::Firm): a portal session never reads them, whatever its SQL; the vault reads
// them for a portal request bound to the firm as staff, after the plugin has checked the
// portal user's right to the document in its own scoped SQL.

namespace lexos::core::schema {

// vault_keys: each firm's key, sealed (AES-256-GCM) by the master key named in master_key_id.
// vault_blobs: one row per stored blob, inserted by put() in the caller's transaction, so it
//   commits with the plugin's own row; a blob without one is an orphan for fsck.
// vault_chunks: the database store's bytes (vault.store = database), 1 MiB base64 rows.
inline constexpr const char* kV8Vault = R"SQL(
CREATE TABLE vault_keys (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id BIGINT NOT NULL,
  sealed TEXT NOT NULL,
  master_key_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id)
);
CREATE TABLE vault_blobs (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  key_id BIGINT NOT NULL,
  store TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, key_id) REFERENCES vault_keys (firm_id, id)
);
CREATE TABLE vault_chunks (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  blob_id TEXT NOT NULL,
  seq BIGINT NOT NULL,
  bytes BIGINT NOT NULL,
  data TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, blob_id, seq)
);
)SQL";

}  // namespace lexos::core::schema
