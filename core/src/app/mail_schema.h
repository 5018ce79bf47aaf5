#pragma once
// SQL of core migration 17: the durable mail queue (docs/operations.md, "Mail"). Kept apart from
// core_schema.h so that other core migrations can be added beside it without touching it.

namespace lexos::core::schema {

// mail_queue: one row per message a request (or lexosctl) queued, inserted in that request's own
// transaction, so a request that is rolled back queues nothing. A firm table (row-level security
// on PostgreSQL, a TEMP view on SQLite): the sender works firm by firm in the firm's scope, like
// the audit sequencer. status: queued (waiting for next_attempt_at), sending (claimed by a
// sender until lease_until, under the random `claim`), sent, failed (max attempts reached, or a
// permanent refusal). The bodies are cleared once the message is sent: they may hold sign-in
// links, and the row stays only as a record (lexosctl mail purge removes it).
inline constexpr const char* kV17MailQueue = R"SQL(
CREATE TABLE mail_queue (
  firm_id BIGINT NOT NULL REFERENCES firms (id),
  id BIGINT NOT NULL,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body_text TEXT NOT NULL,
  body_html TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_until TEXT,
  claim TEXT NOT NULL DEFAULT '',
  last_error TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  sent_at TEXT,
  PRIMARY KEY (firm_id, id)
);
CREATE INDEX mail_queue_due ON mail_queue (firm_id, status, next_attempt_at);
)SQL";

}  // namespace lexos::core::schema
