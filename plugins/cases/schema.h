#pragma once
// The cases module's tables. One SQL text for both engines.

namespace lexos::cases::schema {

inline constexpr const char* kV1 = R"SQL(
CREATE TABLE cases (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  matter_number TEXT NOT NULL,
  practice_area TEXT NOT NULL DEFAULT '',
  responsible_user_id BIGINT,
  contact_name TEXT NOT NULL DEFAULT '',
  contact_email TEXT NOT NULL DEFAULT '',
  phase TEXT NOT NULL CHECK (phase IN ('intake', 'active', 'discovery', 'trial', 'settled', 'closed')),
  opened_on TEXT NOT NULL,
  closed_on TEXT,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  UNIQUE (firm_id, matter_number),
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE INDEX cases_by_opened ON cases (firm_id, opened_on, id);
CREATE INDEX cases_by_client ON cases (firm_id, client_id, opened_on, id);
CREATE TABLE case_related_clients (
  firm_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  PRIMARY KEY (firm_id, case_id, client_id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE,
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE TABLE case_updates (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  text TEXT NOT NULL,
  client_visible BOOLEAN NOT NULL DEFAULT FALSE,
  author_name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX case_updates_by_case ON case_updates (firm_id, case_id, created_at, id);
CREATE TABLE case_notes (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  text TEXT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by BIGINT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX case_notes_by_case ON case_notes (firm_id, case_id, created_at, id);
CREATE TABLE case_phase_labels (
  firm_id BIGINT NOT NULL,
  phase TEXT NOT NULL,
  label TEXT NOT NULL,
  PRIMARY KEY (firm_id, phase)
);
)SQL";

}  // namespace lexos::cases::schema
