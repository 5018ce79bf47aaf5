#pragma once
// SQL of core migration 7: the sign-in throttle's attempt reservations and the device-cookie
// secret (docs/throttling.md). Kept apart from core_schema.h so that other core migrations can
// be added beside it without touching these lines.

#include <string>

namespace lexos::core::schema {

// Both tables are host bookkeeping outside any tenant, like `firms` (migrator.cpp lists them):
// an address or an account key is counted across firms, and the secret is the installation's.
// auth_attempts replaces login_failures (v2), which is dropped.
inline std::string throttleMigration(bool postgres) {
  std::string sql =
      "CREATE TABLE auth_attempts (\n"
      "  key TEXT NOT NULL,\n"
      "  reservation TEXT NOT NULL,\n"
      "  at BIGINT NOT NULL,\n"
      "  PRIMARY KEY (key, reservation)\n"
      ");\n"
      "CREATE INDEX auth_attempts_key_at ON auth_attempts (key, at);\n"
      "CREATE INDEX auth_attempts_at ON auth_attempts (at);\n"
      "CREATE INDEX auth_attempts_reservation ON auth_attempts (reservation);\n"
      "DROP TABLE login_failures;\n"
      "CREATE TABLE lexos_secrets (\n"
      "  name TEXT PRIMARY KEY,\n"
      "  value TEXT NOT NULL\n"
      ");\n";
  // The device-cookie HMAC key: 256 bits from the database's strong random source, made once
  // here so that every node sharing the database signs and checks with the same key. On
  // PostgreSQL gen_random_uuid() draws from pg_strong_random: two v4 UUIDs carry 244 bits.
  sql += postgres ? "INSERT INTO lexos_secrets (name, value) VALUES ('device_cookie', "
                    "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));\n"
                  : "INSERT INTO lexos_secrets (name, value) VALUES ('device_cookie', "
                    "lower(hex(randomblob(32))));\n";
  return sql;
}

}  // namespace lexos::core::schema
