#pragma once
// The documents module's tables. One SQL text for both engines. The bytes are in the vault
// (sdk/vault.h); a version row keeps its blob id, size, hash and type.

namespace lexos::documents::schema {

inline constexpr const char* kV1 = R"SQL(
CREATE TABLE documents (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  folder TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  current_version INTEGER NOT NULL,
  shared BOOLEAN NOT NULL DEFAULT FALSE,
  share_version INTEGER,
  share_expires_at TEXT,
  shared_at TEXT,
  deleted_at TEXT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id)
);
CREATE INDEX documents_by_case ON documents (firm_id, case_id, folder, name, id);
CREATE INDEX documents_by_client ON documents (firm_id, client_id, shared, id);
CREATE TABLE document_versions (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  document_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  portal_visible BOOLEAN NOT NULL DEFAULT FALSE,
  portal_until TEXT,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, document_id, version),
  FOREIGN KEY (firm_id, document_id) REFERENCES documents (firm_id, id)
);
CREATE TABLE document_shares (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  document_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  pinned_version INTEGER,
  pinned_sha256 TEXT,
  expires_at TEXT,
  shared_at TEXT NOT NULL,
  shared_by BIGINT NOT NULL,
  shared_by_name TEXT NOT NULL DEFAULT '',
  revoked_at TEXT,
  revoked_by BIGINT,
  revoked_by_name TEXT,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, document_id) REFERENCES documents (firm_id, id)
);
CREATE INDEX document_shares_by_document ON document_shares (firm_id, document_id, shared_at, id);
CREATE INDEX document_shares_by_client ON document_shares (firm_id, client_id, shared_at, id);
)SQL";

// Firm templates: the firm's own forms and precedents. A firm-only table: no portal session reads
// a row of it, whatever the SQL, and there is no share for it.
inline constexpr const char* kV2 = R"SQL(
CREATE TABLE document_templates (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  name TEXT NOT NULL,
  folder TEXT NOT NULL DEFAULT '',
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_type TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (firm_id, id)
);
CREATE INDEX document_templates_by_name ON document_templates (firm_id, folder, name, id);
)SQL";

// A version's malware scan (clamd_scanner.h): "clean", "infected" (quarantined: never
// downloadable, shareable or visible in the portal) or "not_scanned" (no clamd configured, and
// every version from before the scan existed).
inline constexpr const char* kV3 = R"SQL(
ALTER TABLE document_versions ADD COLUMN scan_status TEXT NOT NULL DEFAULT 'not_scanned';
ALTER TABLE document_versions ADD COLUMN scan_signature TEXT;
)SQL";

// A document's (firm, id, client) as a key: other modules' rows that point at a document name its
// client too, and the database keeps the two equal (messages v3: an attachment's client is its
// document's). PostgreSQL references it with a composite foreign key; SQLite checks with triggers
// and gets the same key so the two schemas keep one shape.
inline constexpr const char* kV4Postgres = R"SQL(
ALTER TABLE documents ADD CONSTRAINT documents_client_key UNIQUE (firm_id, id, client_id);
)SQL";
inline constexpr const char* kV4Sqlite = R"SQL(
CREATE UNIQUE INDEX documents_client_key ON documents (firm_id, id, client_id);
)SQL";

}  // namespace lexos::documents::schema
