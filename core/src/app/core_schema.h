#pragma once
// SQL of the core module's migrations.

#include <string>
#include <vector>

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

// Per-firm ids (docs/ids.md): each firm draws its row ids from its own counter, which starts at
// a random point in [2^40, 2^50), so a firm's ids say nothing about other firms' inserts, and
// ids of different firms practically never coincide. Ids without a firm (the firms themselves)
// keep the shared counter, which stays far below 2^40. SQLite: one counter row per firm, bumped
// inside the write transaction that already holds the database's only write lock.
inline constexpr const char* kV6Sqlite = R"SQL(
CREATE TABLE lexos_firm_ids (firm_id INTEGER PRIMARY KEY, next_id INTEGER NOT NULL);
)SQL";

// PostgreSQL: one SEQUENCE per firm, created on the firm's first id. A sequence, unlike a counter
// row, is not locked until the transaction ends, so a firm's concurrent inserts do not queue
// behind each other. The function runs as the owner (SECURITY DEFINER) because the runtime role
// may not create objects; only the creation uses a subtransaction (an EXCEPTION block), so a
// request that draws many ids does not pile up subtransactions.
inline constexpr const char* kV6Postgres = R"SQL(
CREATE FUNCTION lexos_new_id() RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER
  SET search_path = public, pg_temp AS $$
DECLARE
  f bigint := lexos_firm();
  s text;
BEGIN
  IF f IS NULL THEN
    RETURN nextval('lexos_ids');
  END IF;
  s := 'lexos_ids_f' || f;
  FOR attempt IN 1..3 LOOP
    IF to_regclass(s) IS NOT NULL THEN
      RETURN nextval(s::regclass);
    END IF;
    BEGIN
      EXECUTE format('CREATE SEQUENCE %I START %s', s, (2::numeric ^ 40
                     + floor(random() * (2::numeric ^ 50 - 2::numeric ^ 40)))::bigint);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
      NULL;  -- another transaction created it first (and has committed): use that one
    END;
  END LOOP;
  RETURN nextval(s::regclass);
END $$;
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

// The guard caches sessions with their user and firm (data/change_feed.h): any change to those
// rows that the cache could be answering from is announced, row by row, by these triggers.
// Only real changes of cached columns count (the SQLite views' INSTEAD OF UPDATE writes every
// column): the idle clock (last_seen_at) and password_hash announce nothing. On PostgreSQL the
// triggers also NOTIFY lexos_guard '<firm id>', so every lexosd node hears of it at COMMIT, and
// lexos.guard_changed lists the firms for the committing connection's own node.
inline std::string guardTriggers(bool postgres) {
  struct Table {
    const char* name;
    const char* firm;  // the firm id column of OLD
    std::vector<const char*> cached;
  };
  const std::vector<Table> tables = {
      {"sessions", "firm_id", {"firm_id", "id", "token_hash", "user_id", "csrf_token", "expires_at"}},
      {"users", "firm_id", {"firm_id", "id", "email", "display_name", "kind", "role", "client_id", "status"}},
      {"firms", "id", {"id", "slug", "name"}},
  };
  auto changed = [&](const Table& t) {
    std::string w;
    for (const char* c : t.cached)
      w += std::string(w.empty() ? "" : " OR ") + "OLD." + c + (postgres ? " IS DISTINCT FROM NEW." : " IS NOT NEW.") + c;
    return w;
  };
  std::string sql;
  if (postgres) {
    sql +=
        "CREATE FUNCTION lexos_guard_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "DECLARE\n"
        "  f text;\n"
        "  seen text := coalesce(current_setting('lexos.guard_changed', true), '');\n"
        "BEGIN\n"
        "  IF TG_OP = 'TRUNCATE' THEN\n"
        "    f := '0';\n"
        "  ELSIF TG_TABLE_NAME = 'firms' THEN\n"
        "    f := OLD.id::text;\n"
        "  ELSE\n"
        "    f := OLD.firm_id::text;\n"
        "  END IF;\n"
        "  IF position(' ' || f || ' ' IN ' ' || seen) = 0 THEN\n"
        "    PERFORM pg_notify('lexos_guard', f);\n"
        "    PERFORM set_config('lexos.guard_changed', seen || f || ' ', true);\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$;\n";
    for (const auto& t : tables) {
      const std::string n = t.name;
      sql += "CREATE TRIGGER lexos_guard_d AFTER DELETE ON " + n + " FOR EACH ROW EXECUTE FUNCTION lexos_guard_changed();\n";
      sql += "CREATE TRIGGER lexos_guard_u AFTER UPDATE ON " + n + " FOR EACH ROW WHEN (" + changed(t) +
             ") EXECUTE FUNCTION lexos_guard_changed();\n";
      sql += "CREATE TRIGGER lexos_guard_t AFTER TRUNCATE ON " + n + " FOR EACH STATEMENT EXECUTE FUNCTION lexos_guard_changed();\n";
    }
  } else {
    for (const auto& t : tables) {
      const std::string n = t.name;
      const std::string call = std::string(" BEGIN SELECT lexos_guard_changed(OLD.") + t.firm + "); END;\n";
      sql += "CREATE TRIGGER lexos_guard_" + n + "_d AFTER DELETE ON " + n + call;
      sql += "CREATE TRIGGER lexos_guard_" + n + "_u AFTER UPDATE ON " + n + " WHEN " + changed(t) + call;
    }
  }
  return sql;
}

// The guard also caches each firm's module switches (firm_modules): a switch turned on or off,
// added or removed announces the firm like the rows above.
inline std::string moduleSwitchTriggers(bool postgres) {
  if (postgres)
    return  // For INSERT there is no OLD row: the firm comes from NEW.
        "CREATE FUNCTION lexos_guard_changed_new() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "DECLARE\n"
        "  f text := NEW.firm_id::text;\n"
        "  seen text := coalesce(current_setting('lexos.guard_changed', true), '');\n"
        "BEGIN\n"
        "  IF position(' ' || f || ' ' IN ' ' || seen) = 0 THEN\n"
        "    PERFORM pg_notify('lexos_guard', f);\n"
        "    PERFORM set_config('lexos.guard_changed', seen || f || ' ', true);\n"
        "  END IF;\n"
        "  RETURN NULL;\n"
        "END $$;\n"
        "CREATE TRIGGER lexos_guard_i AFTER INSERT ON firm_modules FOR EACH ROW EXECUTE FUNCTION lexos_guard_changed_new();\n"
        "CREATE TRIGGER lexos_guard_d AFTER DELETE ON firm_modules FOR EACH ROW EXECUTE FUNCTION lexos_guard_changed();\n"
        "CREATE TRIGGER lexos_guard_u AFTER UPDATE ON firm_modules FOR EACH ROW WHEN (OLD.firm_id IS DISTINCT FROM "
        "NEW.firm_id OR OLD.module IS DISTINCT FROM NEW.module OR OLD.enabled IS DISTINCT FROM NEW.enabled) "
        "EXECUTE FUNCTION lexos_guard_changed();\n"
        "CREATE TRIGGER lexos_guard_t AFTER TRUNCATE ON firm_modules FOR EACH STATEMENT EXECUTE FUNCTION lexos_guard_changed();\n";
  return "CREATE TRIGGER lexos_guard_firm_modules_i AFTER INSERT ON firm_modules BEGIN SELECT lexos_guard_changed(NEW.firm_id); END;\n"
         "CREATE TRIGGER lexos_guard_firm_modules_d AFTER DELETE ON firm_modules BEGIN SELECT lexos_guard_changed(OLD.firm_id); END;\n"
         "CREATE TRIGGER lexos_guard_firm_modules_u AFTER UPDATE ON firm_modules WHEN OLD.firm_id IS NOT NEW.firm_id OR "
         "OLD.module IS NOT NEW.module OR OLD.enabled IS NOT NEW.enabled BEGIN SELECT lexos_guard_changed(OLD.firm_id); END;\n";
}

// Idempotency-Key (http/idempotency.h): a writing request's first answer, per firm and user,
// replayed to its repeats for 24 hours.
inline constexpr const char* kV9Idempotency = R"SQL(
CREATE TABLE idempotency_keys (
  firm_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  idem_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('running', 'done')),
  status BIGINT,
  content_type TEXT,
  body TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, user_id, idem_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (firm_id, created_at);
)SQL";

// The audit chain's append on PostgreSQL in one call (identity/audit_log.cpp): the firm's chain
// lock, the last row, the hash and the insert, so that the lock is held for one round trip and
// the commit, not three (bench/billing.sh: portal reads queued on it). The hash is the one
// AuditLog::canonical() and hashToken() make: SHA-256, hex, of the previous hash and each field
// as "<bytes>:<text>|". Each statement of a VOLATILE function takes a fresh snapshot, so the
// last row is read after the lock is held. SQLite keeps the C++ path (one writer at a time).
inline constexpr const char* kV10AuditAppendPostgres = R"SQL(
CREATE FUNCTION lexos_audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT octet_length(coalesce(v, ''))::text || ':' || coalesce(v, '') || '|'
$$;
CREATE FUNCTION lexos_audit_append(p_firm bigint, p_at text, p_actor text, p_action text, p_type text, p_id text,
                                   p_address text, p_request text, p_detail text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_seq bigint;
  last_hash text;
  new_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7345002, (p_firm % 2147483647)::int);
  SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  IF last_seq IS NULL THEN
    last_seq := 0;
    last_hash := repeat('0', 64);
  END IF;
  last_seq := last_seq + 1;
  new_hash := encode(sha256(convert_to(last_hash || lexos_audit_field(last_seq::text) || lexos_audit_field(p_at) ||
                lexos_audit_field(p_actor) || lexos_audit_field(p_action) || lexos_audit_field(p_type) ||
                lexos_audit_field(p_id) || lexos_audit_field(p_address) || lexos_audit_field(p_request) ||
                lexos_audit_field(p_detail), 'UTF8')), 'hex');
  INSERT INTO audit_log (firm_id, seq, at, actor, action, object_type, object_id, address, request_id, detail,
                         prev_hash, hash)
  VALUES (p_firm, last_seq, p_at, p_actor, p_action, coalesce(p_type, ''), coalesce(p_id, ''), coalesce(p_address, ''),
          coalesce(p_request, ''), coalesce(p_detail, ''), last_hash, new_hash);
  RETURN last_seq;
END
$$;
)SQL";

// Idempotency-Key claims are named by a random token: only the request holding the claim
// completes or releases it (a claim taken over after kStaleSeconds is no longer the old one's).
inline constexpr const char* kV11IdempotencyClaims = R"SQL(
ALTER TABLE idempotency_keys ADD COLUMN claim TEXT NOT NULL DEFAULT '';
)SQL";

// Events of reads and refusals wait here until the sequencer (identity/audit_sequencer.h)
// chains them into audit_log: written without the firm's chain lock, so that one firm's portal
// views never queue behind each other (issue 15). Each row is chained once: the sequencer
// inserts it into audit_log and deletes it here in one transaction, under the chain lock.
// `id` orders a firm's events (a sequence on PostgreSQL; on SQLite, one writer at a time, the
// firm's largest id + 1); it is never shown to anyone.
inline constexpr const char* kV12AuditPending = R"SQL(
CREATE TABLE audit_pending (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id BIGINT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL DEFAULT '',
  object_id TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (firm_id, id)
);
)SQL";
// PostgreSQL, after the table: its ids from a sequence (no lock between recording requests).
inline constexpr const char* kV12AuditPendingPostgresIds = R"SQL(
CREATE SEQUENCE audit_pending_id;
ALTER TABLE audit_pending ALTER COLUMN id SET DEFAULT nextval('audit_pending_id');
)SQL";

// SQLite's read journal (identity/audit_journal.h): how far each journal file (by the id in its
// header) has been chained into audit_log, written in the same transaction as the rows it
// chained. PostgreSQL records reads in audit_pending and has no journal; the table stays empty.
inline constexpr const char* kV19AuditJournalMarks = R"SQL(
CREATE TABLE audit_journal_marks (
  journal_id TEXT NOT NULL PRIMARY KEY,
  drained_to BIGINT NOT NULL,
  updated_at TEXT NOT NULL
);
)SQL";

// A firm's own settings (identity/firm_settings.h): one row per firm, written when the owner first
// changes them; a firm without a row has the defaults (UTC, no country, no address).
inline constexpr const char* kV13FirmSettings = R"SQL(
CREATE TABLE firm_settings (
  firm_id BIGINT NOT NULL PRIMARY KEY REFERENCES firms (id),
  time_zone TEXT NOT NULL,
  country TEXT NOT NULL,
  address TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)SQL";

// Firm administration (docs/accounts.md): the firm's default currency (ISO 4217, '' until set).
inline constexpr const char* kV15FirmAdministration = R"SQL(
ALTER TABLE firm_settings ADD COLUMN default_currency TEXT NOT NULL DEFAULT '';
)SQL";

// The firm's logo (core migration 16; app/firm_face.h): one PNG or JPEG per firm, checked by
// libmagic, shown on the portal's sign-in page and header, in invitation e-mails and on PDFs.
// Public by nature (anyone with the firm's portal address sees it), so it is kept as base64
// text beside the settings rather than encrypted in the vault.
inline constexpr const char* kV16FirmLogo = R"SQL(
CREATE TABLE firm_logos (
  firm_id BIGINT NOT NULL PRIMARY KEY REFERENCES firms (id),
  content_type TEXT NOT NULL,
  data TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)SQL";

}  // namespace lexos::core::schema
