#pragma once
// SQL of core migration 14: two-step sign-in (docs/accounts.md, "Two-step sign-in"). Kept apart
// from core_schema.h so that other core migrations can be added beside it without touching it.

#include <string>

namespace lexos::core::schema {

// user_mfa: one TOTP secret per user; confirmed_at is NULL while enrolment waits for a first
// code, last_step is the newest time step whose code was accepted (a code works once).
// user_recovery_codes: SHA-256 of each single-use recovery code. firm_mfa_policy: whether the
// firm makes staff and portal users use a second factor. All three are firm tables (row-level
// security on PostgreSQL, TEMP views on SQLite), keyed by firm first.
inline std::string mfaMigration(bool postgres) {
  std::string sql =
      "CREATE TABLE user_mfa (\n"
      "  firm_id BIGINT NOT NULL,\n"
      "  user_id BIGINT NOT NULL,\n"
      "  secret TEXT NOT NULL,\n"
      "  confirmed_at TEXT,\n"
      "  last_step BIGINT NOT NULL DEFAULT 0,\n"
      "  created_at TEXT NOT NULL,\n"
      "  PRIMARY KEY (firm_id, user_id),\n"
      "  FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE\n"
      ");\n"
      "CREATE TABLE user_recovery_codes (\n"
      "  firm_id BIGINT NOT NULL,\n"
      "  user_id BIGINT NOT NULL,\n"
      "  code_hash TEXT NOT NULL,\n"
      "  used_at TEXT,\n"
      "  PRIMARY KEY (firm_id, user_id, code_hash),\n"
      "  FOREIGN KEY (firm_id, user_id) REFERENCES users (firm_id, id) ON DELETE CASCADE\n"
      ");\n"
      "CREATE TABLE firm_mfa_policy (\n"
      "  firm_id BIGINT NOT NULL PRIMARY KEY REFERENCES firms (id),\n"
      "  enforce_staff BOOLEAN NOT NULL,\n"
      "  enforce_portal BOOLEAN NOT NULL,\n"
      "  updated_at TEXT NOT NULL\n"
      ");\n";
  // The HMAC key of the pending-sign-in and remembered-device cookies, made once so that every
  // node sharing the database signs and checks with the same key (as migration 7's).
  sql += postgres ? "INSERT INTO lexos_secrets (name, value) VALUES ('mfa_cookie', "
                    "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));\n"
                  : "INSERT INTO lexos_secrets (name, value) VALUES ('mfa_cookie', "
                    "lower(hex(randomblob(32))));\n";
  return sql;
}

}  // namespace lexos::core::schema
