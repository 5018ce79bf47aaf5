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

// The database keeps a message's client equal to its case's client, and an attachment's client
// equal to its message's and its document's (issue 13), below the handlers: a row of the
// conversation of Anderson's case can never be Smith's, whoever's SQL writes it (a portal session's
// INSERT names its case and its client; the scope checks only the client). PostgreSQL: composite
// foreign keys to the (firm_id, id, client_id) keys of cases (cases v3), messages and documents
// (documents v4); a case, message or document then keeps its client while rows name it (NO ACTION:
// the case's PATCH answers 409). SQLite: the same checks as triggers on the stored tables (a
// composite foreign key there means rebuilding the tables, and cascading actions reach the stored
// tables outside a named trigger, which the tenancy authorizer refuses).
inline constexpr const char* kV3Postgres = R"SQL(
ALTER TABLE messages ADD CONSTRAINT messages_case_client_fk FOREIGN KEY (firm_id, case_id, client_id)
  REFERENCES cases (firm_id, id, client_id) ON DELETE CASCADE;
ALTER TABLE messages ADD CONSTRAINT messages_client_key UNIQUE (firm_id, id, client_id);
ALTER TABLE message_attachments ADD CONSTRAINT message_attachments_message_client_fk
  FOREIGN KEY (firm_id, message_id, client_id) REFERENCES messages (firm_id, id, client_id) ON DELETE CASCADE;
ALTER TABLE message_attachments ADD CONSTRAINT message_attachments_document_client_fk
  FOREIGN KEY (firm_id, document_id, client_id) REFERENCES documents (firm_id, id, client_id);
)SQL";

inline constexpr const char* kV3Sqlite = R"SQL(
CREATE TRIGGER messages_case_client_insert BEFORE INSERT ON messages
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a message''s client is its case''s client') WHERE NOT EXISTS (
    SELECT 1 FROM cases c WHERE c.firm_id = NEW.firm_id AND c.id = NEW.case_id AND c.client_id = NEW.client_id);
END;
CREATE TRIGGER messages_case_client_update BEFORE UPDATE OF firm_id, id, case_id, client_id ON messages
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a message''s client is its case''s client') WHERE NOT EXISTS (
    SELECT 1 FROM cases c WHERE c.firm_id = NEW.firm_id AND c.id = NEW.case_id AND c.client_id = NEW.client_id);
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its message''s client') WHERE EXISTS (
    SELECT 1 FROM message_attachments a WHERE a.firm_id = OLD.firm_id AND a.message_id = OLD.id
      AND (a.firm_id IS NOT NEW.firm_id OR a.message_id IS NOT NEW.id OR a.client_id IS NOT NEW.client_id));
END;
CREATE TRIGGER cases_messages_client BEFORE UPDATE OF firm_id, id, client_id ON cases
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: a message''s client is its case''s client') WHERE EXISTS (
    SELECT 1 FROM messages m WHERE m.firm_id = OLD.firm_id AND m.case_id = OLD.id
      AND (m.firm_id IS NOT NEW.firm_id OR m.case_id IS NOT NEW.id OR m.client_id IS NOT NEW.client_id));
END;
CREATE TRIGGER message_attachments_client_insert BEFORE INSERT ON message_attachments
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its message''s client') WHERE NOT EXISTS (
    SELECT 1 FROM messages m WHERE m.firm_id = NEW.firm_id AND m.id = NEW.message_id AND m.client_id = NEW.client_id);
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its document''s client') WHERE NOT EXISTS (
    SELECT 1 FROM documents d WHERE d.firm_id = NEW.firm_id AND d.id = NEW.document_id AND d.client_id = NEW.client_id);
END;
CREATE TRIGGER message_attachments_client_update BEFORE UPDATE OF firm_id, message_id, document_id, client_id ON message_attachments
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its message''s client') WHERE NOT EXISTS (
    SELECT 1 FROM messages m WHERE m.firm_id = NEW.firm_id AND m.id = NEW.message_id AND m.client_id = NEW.client_id);
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its document''s client') WHERE NOT EXISTS (
    SELECT 1 FROM documents d WHERE d.firm_id = NEW.firm_id AND d.id = NEW.document_id AND d.client_id = NEW.client_id);
END;
CREATE TRIGGER documents_attachments_client BEFORE UPDATE OF firm_id, id, client_id ON documents
BEGIN
  SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: an attachment''s client is its document''s client') WHERE EXISTS (
    SELECT 1 FROM message_attachments a WHERE a.firm_id = OLD.firm_id AND a.document_id = OLD.id
      AND (a.firm_id IS NOT NEW.firm_id OR a.document_id IS NOT NEW.id OR a.client_id IS NOT NEW.client_id));
END;
)SQL";

}  // namespace lexos::messages::schema
