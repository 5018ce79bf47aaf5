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

/// Migration 3: the list sorted by the date a client was added (indexes like the name ones,
/// so that paging by `created_at` is a keyset walk too); an organisation's contact person in
/// its search tokens; and client_prefixes, the prefixes (1 to 6 code points) of each client's
/// tokens that are not digits only, with the client's sort key and status, indexed so that a
/// search word's matches come out of one index range already in name order.
/// Existing contact persons are split into words here with SQL's lower-casing (on SQLite ASCII
/// only, without the diacritic folding of SearchIndex::fold): a client saved again gets the
/// exact tokens. The prefixes are made from the tokens (SQL's substr counts code points, as
/// SearchIndex::prefixesOf does). On PostgreSQL row-level security is lifted for the backfill
/// as in migration 2 (the host enables and forces it again after migrating).
inline std::string v3(bool postgresql) {
  const std::string c = postgresql ? " COLLATE \"C\"" : "";
  const std::string common = R"SQL(
CREATE INDEX clients_by_added ON clients (firm_id, created_at, id);
CREATE INDEX clients_by_status_added ON clients (firm_id, status, created_at, id);
CREATE INDEX clients_by_portal_added ON clients (firm_id, portal_status, created_at, id);
CREATE TABLE client_prefixes (
  firm_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  prefix TEXT)SQL" + c + R"SQL( NOT NULL,
  sort_name TEXT)SQL" + c + R"SQL( NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (firm_id, client_id, prefix),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
)SQL";
  // After the contact persons' tokens: every token's prefixes.
  const std::string prefixes = std::string(R"SQL(
INSERT INTO client_prefixes (firm_id, client_id, prefix, sort_name, status)
  SELECT DISTINCT s.firm_id, s.client_id, substr(s.token, 1, n.n), s.sort_name, s.status
  FROM client_search s CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                                   UNION ALL SELECT 5 UNION ALL SELECT 6) n
  WHERE length(s.token) >= n.n AND )SQL") +
                             (postgresql ? "s.token ~ '[^0-9]'" : "s.token GLOB '*[^0-9]*'") + R"SQL(;
CREATE INDEX client_prefixes_by_prefix ON client_prefixes (firm_id, prefix, sort_name, client_id, status);
)SQL";
  if (postgresql)
    return common + R"SQL(
ALTER TABLE clients NO FORCE ROW LEVEL SECURITY;
ALTER TABLE client_search NO FORCE ROW LEVEL SECURITY;
INSERT INTO client_search (firm_id, client_id, token, sort_name, status)
  SELECT DISTINCT c.firm_id, c.id, w, c.sort_name, c.status
  FROM clients c, regexp_split_to_table(lower(c.contact_person), '[^[:alnum:]]+') w
  WHERE c.contact_person IS NOT NULL AND w <> ''
  ON CONFLICT DO NOTHING;
UPDATE clients c SET search_text = ' ' || (SELECT string_agg(s.token, ' ' ORDER BY s.token) FROM client_search s
  WHERE s.firm_id = c.firm_id AND s.client_id = c.id) || ' '
  WHERE c.contact_person IS NOT NULL;
)SQL" + prefixes;
  return common + R"SQL(
WITH RECURSIVE src(firm_id, client_id, sort_name, status, rest) AS (
  SELECT firm_id, id, sort_name, status,
         trim(replace(replace(replace(replace(replace(replace(replace(lower(contact_person),
           '''', ' '), '.', ' '), '-', ' '), ',', ' '), '&', ' '), '(', ' '), ')', ' ')) || ' '
  FROM clients WHERE contact_person IS NOT NULL
), w(firm_id, client_id, sort_name, status, word, rest) AS (
  SELECT firm_id, client_id, sort_name, status, '', rest FROM src
  UNION ALL
  SELECT firm_id, client_id, sort_name, status, substr(rest, 1, instr(rest, ' ') - 1),
         ltrim(substr(rest, instr(rest, ' ') + 1))
  FROM w WHERE rest <> ''
)
INSERT INTO client_search (firm_id, client_id, token, sort_name, status)
  SELECT DISTINCT firm_id, client_id, word, sort_name, status FROM w WHERE word <> ''
  ON CONFLICT DO NOTHING;
UPDATE clients SET search_text = ' ' || (SELECT group_concat(token, ' ') FROM
  (SELECT s.token FROM client_search s WHERE s.firm_id = clients.firm_id AND s.client_id = clients.id
   ORDER BY s.token)) || ' '
  WHERE contact_person IS NOT NULL;
)SQL" + prefixes;
}

}  // namespace lexos::clients::schema
