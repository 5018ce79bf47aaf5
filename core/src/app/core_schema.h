#pragma once
// SQL of the core module's migrations.

namespace lexos::core::schema {

inline constexpr const char* kV1Sqlite = R"SQL(
CREATE TABLE lexos_ids (next_id INTEGER NOT NULL);
INSERT INTO lexos_ids (next_id) VALUES (1000);
)SQL";

inline constexpr const char* kV1Postgres = R"SQL(
CREATE SEQUENCE lexos_ids START 1000;
CREATE FUNCTION lexos_firm() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('lexos.firm_id', true), '')::bigint $$;
CREATE FUNCTION lexos_client() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('lexos.client_id', true), '')::bigint $$;
)SQL";

inline constexpr const char* kV2 = R"SQL(
CREATE TABLE firms (
  id BIGINT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE firm_modules (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  module TEXT NOT NULL,
  enabled BOOLEAN NOT NULL,
  PRIMARY KEY (firm_id, module)
);
CREATE TABLE users (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id BIGINT NOT NULL,
  email TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  password_hash TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('staff', 'portal')),
  role TEXT NOT NULL,
  client_id BIGINT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'disabled', 'revoked')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, email)
);
CREATE TABLE sessions (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  token_hash TEXT NOT NULL,
  user_id BIGINT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, token_hash),
  FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (firm_id, user_id);
CREATE TABLE audit_log (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  seq BIGINT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (firm_id, seq)
);
CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);
CREATE TABLE setup_tokens (
  token_hash TEXT PRIMARY KEY,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
)SQL";

inline constexpr const char* kV3 = R"SQL(
ALTER TABLE users ADD COLUMN invited_at TEXT;
ALTER TABLE users ADD COLUMN activated_at TEXT;
CREATE INDEX users_client ON users (firm_id, client_id);
CREATE TABLE invitations (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  token_hash TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, token_hash),
  FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE
);
)SQL";

}  // namespace lexos::core::schema
