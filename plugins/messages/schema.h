#pragma once
// The messages module's tables. One SQL text for both engines.

namespace lexos::messages::schema {

// messages: the conversation of a matter (Tenancy::Client: the client's portal users read their
// own client's rows, and insert them: Registrar::addPortalInsert). A row is written by the client
// (portal_user_id set, staff_user_id NULL) or by the firm (the reverse); the CHECK keeps the two
// apart, and on PostgreSQL a portal session cannot even name staff_user_id (it is not a portal
// column), so a portal row is a client's row. message_reads: how far each member of staff has
// read each conversation (the inbox's unread counts). war_room_*: the staff-only discussion of a
// case, threads of posts with @mentions (Tenancy::Firm: no portal scope reads a row of them,
// whatever the SQL).
inline constexpr const char* kV1 = R"SQL(
CREATE TABLE messages (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  author_kind TEXT NOT NULL CHECK (author_kind IN ('client', 'staff')),
  portal_user_id BIGINT,
  staff_user_id BIGINT,
  author_name TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  CHECK ((author_kind = 'client' AND portal_user_id IS NOT NULL AND staff_user_id IS NULL) OR
         (author_kind = 'staff' AND staff_user_id IS NOT NULL AND portal_user_id IS NULL)),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE,
  FOREIGN KEY (firm_id, client_id) REFERENCES clients (firm_id, id)
);
CREATE INDEX messages_by_case ON messages (firm_id, case_id, id);
CREATE TABLE message_reads (
  firm_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  last_read_id BIGINT NOT NULL,
  read_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, case_id, user_id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX message_reads_by_user ON message_reads (firm_id, user_id, case_id);
CREATE TABLE war_room_posts (
  firm_id BIGINT NOT NULL,
  id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  thread_id BIGINT NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  author_user_id BIGINT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (firm_id, id),
  FOREIGN KEY (firm_id, case_id) REFERENCES cases (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX war_room_posts_by_case ON war_room_posts (firm_id, case_id, thread_id, id);
CREATE TABLE war_room_mentions (
  firm_id BIGINT NOT NULL,
  post_id BIGINT NOT NULL,
  user_id BIGINT NOT NULL,
  case_id BIGINT NOT NULL,
  seen_at TEXT,
  PRIMARY KEY (firm_id, post_id, user_id),
  FOREIGN KEY (firm_id, post_id) REFERENCES war_room_posts (firm_id, id) ON DELETE CASCADE
);
CREATE INDEX war_room_mentions_by_user ON war_room_mentions (firm_id, user_id, seen_at);
)SQL";

// message_attachments: documents of the case (the documents module's vault) a member of staff
// attached to a message. The attachment is a pointer only: the bytes, their encryption and who may
// download them stay the documents module's, so a portal session reads an attachment (and its
// document) only while the document is shared with its client and not expired, below any SQL of
// this plugin (docs/documents.md). Tenancy::Client, keys only for the portal.
inline constexpr const char* kV2 = R"SQL(
CREATE TABLE message_attachments (
  firm_id BIGINT NOT NULL,
  message_id BIGINT NOT NULL,
  document_id BIGINT NOT NULL,
  client_id BIGINT NOT NULL,
  PRIMARY KEY (firm_id, message_id, document_id),
  FOREIGN KEY (firm_id, message_id) REFERENCES messages (firm_id, id) ON DELETE CASCADE,
  FOREIGN KEY (firm_id, document_id) REFERENCES documents (firm_id, id)
);
)SQL";

}  // namespace lexos::messages::schema
