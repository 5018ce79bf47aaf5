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

// Practice areas (issue 13): a firm's own ordered phase lists, each phase mapped to one of the six
// built-in phases (so reports, the closed/settled logic and filters keep working). A case with an
// area keeps the built-in phase in `phase` and the area's phase key in `area_phase`; the database
// keeps the pair consistent: PostgreSQL with a foreign key (ON UPDATE CASCADE: remapping an
// area's phase moves its cases' built-in phase), SQLite (where a composite foreign key on an
// existing table means rebuilding `cases`, which every other module references) with triggers
// on the stored tables doing the same checks. No ON DELETE CASCADE: on SQLite the cascade would
// reach the stored table outside any named trigger, which the tenancy authorizer refuses, so the
// handler deletes an area's phases first.
#define LEXOS_CASES_V2_COMMON \
  "CREATE TABLE practice_areas (\n" \
  "  firm_id BIGINT NOT NULL,\n" \
  "  id BIGINT NOT NULL,\n" \
  "  name TEXT NOT NULL,\n" \
  "  position INTEGER NOT NULL DEFAULT 0,\n" \
  "  created_at TEXT NOT NULL,\n" \
  "  updated_at TEXT NOT NULL,\n" \
  "  PRIMARY KEY (firm_id, id),\n" \
  "  UNIQUE (firm_id, name)\n" \
  ");\n" \
  "CREATE TABLE practice_area_phases (\n" \
  "  firm_id BIGINT NOT NULL,\n" \
  "  area_id BIGINT NOT NULL,\n" \
  "  phase_key TEXT NOT NULL,\n" \
  "  label TEXT NOT NULL,\n" \
  "  builtin_phase TEXT NOT NULL CHECK (builtin_phase IN ('intake', 'active', 'discovery', 'trial', 'settled', 'closed')),\n" \
  "  position INTEGER NOT NULL,\n" \
  "  PRIMARY KEY (firm_id, area_id, phase_key),\n" \
  "  UNIQUE (firm_id, area_id, phase_key, builtin_phase),\n" \
  "  FOREIGN KEY (firm_id, area_id) REFERENCES practice_areas (firm_id, id)\n" \
  ");\n" \
  "ALTER TABLE cases ADD COLUMN practice_area_id BIGINT;\n" \
  "ALTER TABLE cases ADD COLUMN area_phase TEXT;\n" \
  "CREATE INDEX cases_by_area ON cases (firm_id, practice_area_id, area_phase);\n"

inline constexpr const char* kV2Postgres = LEXOS_CASES_V2_COMMON R"SQL(
ALTER TABLE cases ADD CONSTRAINT cases_area_phase_pair CHECK ((practice_area_id IS NULL) = (area_phase IS NULL));
ALTER TABLE cases ADD CONSTRAINT cases_area_phase_fk FOREIGN KEY (firm_id, practice_area_id, area_phase, phase)
  REFERENCES practice_area_phases (firm_id, area_id, phase_key, builtin_phase) ON UPDATE CASCADE;
)SQL";

inline constexpr const char* kV2Sqlite = LEXOS_CASES_V2_COMMON R"SQL(
CREATE TRIGGER cases_area_phase_insert BEFORE INSERT ON cases
WHEN NEW.practice_area_id IS NOT NULL OR NEW.area_phase IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: cases area phase') WHERE NOT EXISTS (
    SELECT 1 FROM practice_area_phases p WHERE p.firm_id = NEW.firm_id AND p.area_id = NEW.practice_area_id
      AND p.phase_key = NEW.area_phase AND p.builtin_phase = NEW.phase);
END;
CREATE TRIGGER cases_area_phase_update BEFORE UPDATE OF practice_area_id, area_phase, phase ON cases
WHEN NEW.practice_area_id IS NOT NULL OR NEW.area_phase IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: cases area phase') WHERE NOT EXISTS (
    SELECT 1 FROM practice_area_phases p WHERE p.firm_id = NEW.firm_id AND p.area_id = NEW.practice_area_id
      AND p.phase_key = NEW.area_phase AND p.builtin_phase = NEW.phase);
END;
CREATE TRIGGER practice_area_phases_in_use BEFORE DELETE ON practice_area_phases
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: practice area phase in use') WHERE EXISTS (
    SELECT 1 FROM cases c WHERE c.firm_id = OLD.firm_id AND c.practice_area_id = OLD.area_id
      AND c.area_phase = OLD.phase_key);
END;
CREATE TRIGGER practice_area_phases_remap AFTER UPDATE OF builtin_phase ON practice_area_phases
BEGIN
  UPDATE cases SET phase = NEW.builtin_phase
    WHERE firm_id = NEW.firm_id AND practice_area_id = NEW.area_id AND area_phase = NEW.phase_key;
END;
)SQL";
#undef LEXOS_CASES_V2_COMMON

// A key other modules' rows name a case and its client by (issue 13): the database keeps a row's
// client equal to its case's client (messages: a composite foreign key to this key on
// PostgreSQL; triggers on SQLite, whose foreign keys need no such key but get one alike so the two
// schemas keep the same shape).
inline constexpr const char* kV3Postgres = R"SQL(
ALTER TABLE cases ADD CONSTRAINT cases_client_key UNIQUE (firm_id, id, client_id);
)SQL";
inline constexpr const char* kV3Sqlite = R"SQL(
CREATE UNIQUE INDEX cases_client_key ON cases (firm_id, id, client_id);
)SQL";

}  // namespace lexos::cases::schema
