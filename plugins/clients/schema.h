#pragma once
// The clients plugin's tables. One SQL text for both engines; the only difference is that on
// PostgreSQL the sort and search keys are declared COLLATE "C": byte order, like SQLite's
// BINARY, so both engines sort the same way, prefix ranges (token >= 'smi' AND token <
// 'smi' || U+10FFFF) are exact whatever the database's locale, and comparisons are memcmp.

#include <string>

namespace lexos::clients::schema {

/// Migration 1 for one engine: `collateC` is true for PostgreSQL.
inline std::string v1(bool collateC) {
  const std::string c = collateC ? " COLLATE \"C\"" : "";
  return R"SQL(
CREATE TABLE clients (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id BIGINT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('individual', 'organisation')),
  name TEXT NOT NULL,
  sort_name TEXT)SQL" + c + R"SQL( NOT NULL,
  contact_person TEXT,
  email TEXT,
  phone TEXT,
  address_line1 TEXT,
  address_line2 TEXT,
  address_city TEXT,
  address_region TEXT,
  address_postal_code TEXT,
  address_country TEXT,
  billing_contact TEXT,
  billing_email TEXT,
  billing_address_line1 TEXT,
  billing_address_line2 TEXT,
  billing_address_city TEXT,
  billing_address_region TEXT,
  billing_address_postal_code TEXT,
  billing_address_country TEXT,
  billing_currency TEXT,
  billing_payment_terms_days BIGINT,
  billing_tax_id TEXT,
  billing_hourly_rate_minor BIGINT,
  notes TEXT,
  status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
  portal_status TEXT NOT NULL DEFAULT 'none' CHECK (portal_status IN ('none', 'invited', 'active', 'revoked')),
  search_text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id)
);
CREATE INDEX clients_by_name ON clients (firm_id, sort_name, id);
CREATE INDEX clients_by_status_name ON clients (firm_id, status, sort_name, id);
CREATE INDEX clients_by_portal_name ON clients (firm_id, portal_status, sort_name, id);
CREATE TABLE client_emails (
  firm_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  position BIGINT NOT NULL,
  address TEXT NOT NULL,
  label TEXT,
  is_primary BOOLEAN NOT NULL,
  PRIMARY KEY (firm_id, client_id, id),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE TABLE client_phones (
  firm_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  position BIGINT NOT NULL,
  number TEXT NOT NULL,
  label TEXT,
  is_primary BOOLEAN NOT NULL,
  PRIMARY KEY (firm_id, client_id, id),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE TABLE client_search (
  firm_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  token TEXT)SQL" + c + R"SQL( NOT NULL,
  PRIMARY KEY (firm_id, client_id, token),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE INDEX client_search_by_token ON client_search (firm_id, token, client_id);
)SQL";
}

/// Migration 2: the search tokens carry their client's sort key and status, and the token
/// index covers them, so a search finds a page of matches from the index alone (see
/// ClientRepository::list). Existing tokens are filled in from their clients. On PostgreSQL the
/// owner must not be subject to row-level security for that one UPDATE (it runs with no firm
/// bound): NO FORCE here; the host forces it again right after the migrations.
inline std::string v2(bool postgresql) {
  if (postgresql)
    return R"SQL(
ALTER TABLE client_search ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE client_search ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE clients NO FORCE ROW LEVEL SECURITY;
ALTER TABLE client_search NO FORCE ROW LEVEL SECURITY;
UPDATE client_search s SET sort_name = c.sort_name, status = c.status
  FROM clients c WHERE c.firm_id = s.firm_id AND c.id = s.client_id;
DROP INDEX client_search_by_token;
CREATE INDEX client_search_by_token ON client_search (firm_id, token, status, sort_name, client_id);
)SQL";
  return R"SQL(
ALTER TABLE client_search ADD COLUMN sort_name TEXT NOT NULL DEFAULT '';
ALTER TABLE client_search ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
UPDATE client_search SET
  sort_name = (SELECT c.sort_name FROM clients c WHERE c.firm_id = client_search.firm_id AND c.id = client_search.client_id),
  status = (SELECT c.status FROM clients c WHERE c.firm_id = client_search.firm_id AND c.id = client_search.client_id);
DROP INDEX client_search_by_token;
CREATE INDEX client_search_by_token ON client_search (firm_id, token, status, sort_name, client_id);
)SQL";
}

}  // namespace lexos::clients::schema
