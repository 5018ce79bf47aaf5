#pragma once
// SQL of core migration 18: when each firm's run of each module job is due (SDK 1.8
// Registrar::addJob; http/job_runner.h). Kept apart from core_schema.h like mail_schema.h.

namespace lexos::core::schema {

// job_runs: one row per firm and job ("<plugin>.<job>"), a firm table (row-level security on
// PostgreSQL, a TEMP view on SQLite) read and written in the firm's staff scope. A node claims a
// run by moving next_run_at forward in a short transaction of its own (PostgreSQL: the row
// locked FOR UPDATE SKIP LOCKED first, so two nodes never claim one run), then runs the job in
// another transaction and writes how it ended. A node that dies in between leaves the run to
// the next interval.
inline constexpr const char* kV18JobRuns = R"SQL(
CREATE TABLE job_runs (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  job TEXT NOT NULL,
  next_run_at TEXT NOT NULL,
  last_started_at TEXT,
  last_finished_at TEXT,
  last_status TEXT NOT NULL DEFAULT '' CHECK (last_status IN ('', 'ok', 'failed')),
  last_error TEXT NOT NULL DEFAULT '',
  runs BIGINT NOT NULL DEFAULT 0,
  failures BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (firm_id, job)
);
)SQL";

}  // namespace lexos::core::schema
