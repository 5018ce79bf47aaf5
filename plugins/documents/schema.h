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

// Client uploads (issue 13, secure messages): a portal session inserts a document of its own
// client and its first version (Registrar::addPortalInsert), shared with that client from the
// start; the database checks each row below the handler. What that takes of the tables:
// - who uploaded it: `portal_user_id` on both (NULL: a member of staff), and the client's name on
//   the version (`portal_author_name`; `author_name` stays the staff's, staff-only);
// - the staff-only columns a portal row cannot name get a DEFAULT: `created_by` and `updated_by`
//   (0: no member of staff). PostgreSQL sets the default; SQLite changes a default only by adding
//   the column again (ADD, copy, DROP the old one, RENAME), which keeps every row's value;
// - a document's client is its case's client, and a version's its document's: composite foreign
//   keys to the (firm, id, client) keys of cases (cases v3) and documents (v4) on PostgreSQL, the
//   same checks as triggers on SQLite (no table rebuild, no cascading action). A portal row names
//   its case; the scope checks only its client, this checks the pair.
#define LEXOS_DOCUMENTS_V5_COMMON \
  "ALTER TABLE documents ADD COLUMN portal_user_id BIGINT;\n" \
  "ALTER TABLE document_versions ADD COLUMN portal_user_id BIGINT;\n" \
  "ALTER TABLE document_versions ADD COLUMN portal_author_name TEXT;\n"

inline constexpr const char* kV5Postgres = LEXOS_DOCUMENTS_V5_COMMON R"SQL(
ALTER TABLE documents ALTER COLUMN created_by SET DEFAULT 0, ALTER COLUMN updated_by SET DEFAULT 0;
ALTER TABLE document_versions ALTER COLUMN created_by SET DEFAULT 0;
ALTER TABLE documents ADD CONSTRAINT documents_case_client_fk FOREIGN KEY (firm_id, case_id, client_id)
  REFERENCES cases (firm_id, id, client_id);
ALTER TABLE document_versions ADD CONSTRAINT document_versions_client_fk FOREIGN KEY (firm_id, document_id, client_id)
  REFERENCES documents (firm_id, id, client_id);
)SQL";

inline constexpr const char* kV5Sqlite = LEXOS_DOCUMENTS_V5_COMMON R"SQL(
ALTER TABLE documents ADD COLUMN created_by_v5 BIGINT NOT NULL DEFAULT 0;
UPDATE documents SET created_by_v5 = created_by;
ALTER TABLE documents DROP COLUMN created_by;
ALTER TABLE documents RENAME COLUMN created_by_v5 TO created_by;
ALTER TABLE documents ADD COLUMN updated_by_v5 BIGINT NOT NULL DEFAULT 0;
UPDATE documents SET updated_by_v5 = updated_by;
ALTER TABLE documents DROP COLUMN updated_by;
ALTER TABLE documents RENAME COLUMN updated_by_v5 TO updated_by;
ALTER TABLE document_versions ADD COLUMN created_by_v5 BIGINT NOT NULL DEFAULT 0;
UPDATE document_versions SET created_by_v5 = created_by;
ALTER TABLE document_versions DROP COLUMN created_by;
ALTER TABLE document_versions RENAME COLUMN created_by_v5 TO created_by;
CREATE TRIGGER documents_case_client_insert BEFORE INSERT ON documents
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a document''s client is its case''s client') WHERE NOT EXISTS (
    SELECT 1 FROM cases c WHERE c.firm_id = NEW.firm_id AND c.id = NEW.case_id AND c.client_id = NEW.client_id);
END;
CREATE TRIGGER documents_case_client_update BEFORE UPDATE OF firm_id, id, case_id, client_id ON documents
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a document''s client is its case''s client') WHERE NOT EXISTS (
    SELECT 1 FROM cases c WHERE c.firm_id = NEW.firm_id AND c.id = NEW.case_id AND c.client_id = NEW.client_id);
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a version''s client is its document''s client') WHERE EXISTS (
    SELECT 1 FROM document_versions v WHERE v.firm_id = OLD.firm_id AND v.document_id = OLD.id
      AND (v.firm_id IS NOT NEW.firm_id OR v.document_id IS NOT NEW.id OR v.client_id IS NOT NEW.client_id));
END;
CREATE TRIGGER cases_documents_client BEFORE UPDATE OF firm_id, id, client_id ON cases
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a document''s client is its case''s client') WHERE EXISTS (
    SELECT 1 FROM documents d WHERE d.firm_id = OLD.firm_id AND d.case_id = OLD.id
      AND (d.firm_id IS NOT NEW.firm_id OR d.case_id IS NOT NEW.id OR d.client_id IS NOT NEW.client_id));
END;
CREATE TRIGGER document_versions_client_insert BEFORE INSERT ON document_versions
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a version''s client is its document''s client') WHERE NOT EXISTS (
    SELECT 1 FROM documents d WHERE d.firm_id = NEW.firm_id AND d.id = NEW.document_id AND d.client_id = NEW.client_id);
END;
CREATE TRIGGER document_versions_client_update BEFORE UPDATE OF firm_id, document_id, client_id ON document_versions
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a version''s client is its document''s client') WHERE NOT EXISTS (
    SELECT 1 FROM documents d WHERE d.firm_id = NEW.firm_id AND d.id = NEW.document_id AND d.client_id = NEW.client_id);
END;
)SQL";
#undef LEXOS_DOCUMENTS_V5_COMMON

}  // namespace lexos::documents::schema
