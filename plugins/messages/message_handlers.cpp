#include "message_handlers.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "notify.h"

namespace lexos::messages {

using sdk::JsonObject;
using sdk::JsonWriter;
using sdk::Lines;

namespace {

constexpr std::size_t kMaxText = 10000;   // characters of one message
constexpr std::int64_t kPage = 200;       // messages of one answer
constexpr int kSettleSeconds = 10;        // see `after` below
constexpr std::int64_t kMaxId = (std::int64_t{1} << 53);

struct CaseInfo {
  std::int64_t client_id = 0;
  std::string matter_number;
  std::string contact_email;
};

// The case as the scope sees it: staff see the firm's cases, a portal session only its own
// client's (the database filters; the client check below is the second time).
CaseInfo requireCase(sdk::Context& c, std::int64_t id, const char* missing) {
  auto rs = c.db().query("SELECT client_id, matter_number, contact_email FROM cases WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound(missing);
  CaseInfo info{sdk::asInt(rs.rows[0][0]), sdk::asText(rs.rows[0][1]), sdk::asText(rs.rows[0][2])};
  if (c.principal().isPortal() && info.client_id != c.principal().client_id) throw sdk::NotFound(missing);
  return info;
}

std::string authorName(sdk::Context& c) {
  const auto& p = c.principal();
  return p.display_name.empty() ? p.email : p.display_name;
}

// `after`: the caller's cursor from the previous answer (0 or absent: the latest page).
std::optional<std::int64_t> afterParam(sdk::Context& c) {
  return sdk::queryInt(c, "after", 0, kMaxId, "after must be a message id from a previous answer (or 0).");
}

// Writes {items, next_cursor, after} for a conversation. With `after`, the messages after it in
// order; otherwise the latest kPage. `after` in the answer is what to send next time: ids are
// drawn before a transaction commits, so on PostgreSQL a message may become visible after one with
// a larger id. The cursor therefore stops before any message younger than kSettleSeconds, and the
// next poll sends those again (the pages drop what they already show, by id): nothing is missed,
// at the price of a few repeated rows for ten seconds after a message.
struct Attachment {
  std::int64_t document_id = 0;
  std::string name;
  bool shared = false;
};

// The attachments of the messages `ids`, by message. In a portal scope the database returns only
// those whose document is shared with the client now (and its shared version's name); staff see
// every attachment, with whether its document is still shared.
std::map<std::int64_t, std::vector<Attachment>> attachmentsOf(sdk::Context& c, const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, std::vector<Attachment>> out;
  if (ids.empty()) return out;
  std::vector<sdk::Value> params;
  std::string in;
  for (auto id : ids) {
    params.push_back(id);
    in += (in.empty() ? "$" : ", $") + std::to_string(params.size());
  }
  auto rs = c.db().query(
      "SELECT a.message_id, a.document_id, (SELECT v.name FROM document_versions v WHERE v.firm_id = a.firm_id AND "
      "v.document_id = a.document_id ORDER BY v.version DESC LIMIT 1), d.shared, d.deleted_at "
      "FROM message_attachments a JOIN documents d ON d.firm_id = a.firm_id AND d.id = a.document_id "
      "WHERE a.message_id IN (" + in + ") ORDER BY a.message_id, a.document_id",
      params);
  for (const auto& r : rs.rows)
    out[sdk::asInt(r[0])].push_back({sdk::asInt(r[1]), sdk::asText(r[2]), sdk::asBool(r[3]) && sdk::isNull(r[4])});
  return out;
}

void writeAttachments(JsonWriter& w, const std::vector<Attachment>& list, bool forStaff) {
  w.key("attachments").beginArray();
  for (const auto& a : list) {
    w.beginObject().member("document_id", a.document_id).member("name", a.name);
    if (forStaff) w.member("shared", a.shared);
    w.endObject();
  }
  w.endArray();
}

// Returns how many messages it wrote and the largest id among them.
std::pair<std::size_t, std::int64_t> writeConversation(sdk::Context& c, std::int64_t caseId,
                                                       std::optional<std::int64_t> after, bool forStaff) {
  const std::string cols = forStaff ? "id, author_kind, author_name, text, created_at, staff_user_id"
                                    : "id, author_kind, author_name, text, created_at, portal_user_id";
  sdk::ResultSet rs;
  if (after && *after > 0) {
    rs = c.db().query("SELECT " + cols + " FROM messages WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                      {caseId, *after, kPage});
  } else {
    rs = c.db().query("SELECT " + cols + " FROM messages WHERE case_id = $1 ORDER BY id DESC LIMIT $2", {caseId, kPage});
    std::reverse(rs.rows.begin(), rs.rows.end());
  }
  const std::int64_t me = c.principal().user_id;
  // kSettleSeconds ago, in the database's format.
  std::string cutoff;
  {
    std::time_t t = std::time(nullptr) - kSettleSeconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cutoff = buf;
  }
  std::vector<std::int64_t> ids;
  for (const auto& r : rs.rows) ids.push_back(sdk::asInt(r[0]));
  auto attachments = attachmentsOf(c, ids);
  std::int64_t maxId = 0;
  std::int64_t next = after.value_or(0);
  bool settling = true;
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) {
    const std::int64_t id = sdk::asInt(r[0]);
    const std::string created = sdk::asText(r[4]);
    maxId = std::max(maxId, id);
    if (settling && created < cutoff) next = std::max(next, id);
    else settling = false;
    const bool mine = !sdk::isNull(r[5]) && sdk::asInt(r[5]) == me;
    const std::string kind = sdk::asText(r[1]);
    w.beginObject()
        .member("id", id)
        .member("author_kind", kind)
        .member("author_name", sdk::asText(r[2]))
        .member("mine", mine)
        .member("text", sdk::asText(r[3]))
        .member("created_at", created);
    writeAttachments(w, attachments[id], forStaff);
    w.endObject();
  }
  w.endArray();
  w.member("after", next);
  if (forStaff) {
    auto rd = c.db().query("SELECT last_read_id FROM message_reads WHERE case_id = $1 AND user_id = $2", {caseId, me});
    const std::int64_t lastRead = rd.empty() ? 0 : sdk::asInt(rd.rows[0][0]);
    auto un = c.db().query("SELECT count(*) FROM messages WHERE case_id = $1 AND author_kind = 'client' AND id > $2",
                           {caseId, lastRead});
    w.member("last_read_id", lastRead).member("unread", sdk::asInt(un.rows[0][0]));
  }
  w.member("next_cursor", nullptr).endObject();
  sdk::sendJson(c, w);
  return {rs.size(), maxId};
}

// The 201 answer of a new message.
void writeMessage(sdk::Context& c, std::int64_t mid, const std::string& now, const std::string& text, bool fromClient,
                  const std::string& author) {
  JsonWriter w;
  w.beginObject()
      .member("id", mid)
      .member("author_kind", fromClient ? "client" : "staff")
      .member("author_name", author)
      .member("mine", true)
      .member("text", text)
      .member("created_at", now);
  writeAttachments(w, attachmentsOf(c, {mid})[mid], !fromClient);
  w.endObject();
  sdk::sendJson(c, w, 201);
}

// The audit detail of a new message: its id, the SHA-256 of its text (the chain then vouches for
// the text without holding it) and how many e-mail notices went out.
std::string auditDetail(std::int64_t mid, const std::string& text, int notices, const std::vector<std::int64_t>& docs = {}) {
  JsonWriter d;
  d.beginObject().member("message", mid).member("sha256", sha256Hex(text)).member("notices", notices);
  if (!docs.empty()) {
    d.key("documents").beginArray();
    for (auto doc : docs) d.value(doc);
    d.endArray();
  }
  d.endObject();
  return d.take();
}

}  // namespace

void MessageHandlers::inbox(sdk::Context& c) {
  const std::int64_t limit = sdk::queryInt(c, "limit", 1, 100, "limit must be a whole number from 1 to 100.").value_or(50);
  const auto cursor = sdk::queryId(c, "cursor", "This cursor is not one the server gave out.");
  const std::int64_t me = c.principal().user_id;
  std::vector<sdk::Value> params{me};
  std::string sql =
      "SELECT m.case_id, max(m.id), count(*), "
      "sum(CASE WHEN m.author_kind = 'client' AND m.id > coalesce(r.last_read_id, 0) THEN 1 ELSE 0 END) "
      "FROM messages m LEFT JOIN message_reads r ON r.firm_id = m.firm_id AND r.case_id = m.case_id AND r.user_id = $1 "
      "GROUP BY m.case_id";
  if (cursor) {
    params.push_back(*cursor);
    sql += " HAVING max(m.id) < $2";
  }
  params.push_back(limit + 1);
  sql += " ORDER BY 2 DESC LIMIT $" + std::to_string(params.size());
  auto rs = c.db().query(sql, params);
  const std::size_t n = std::min<std::size_t>(rs.size(), static_cast<std::size_t>(limit));
  // The last message of each conversation, its case and client, in one statement.
  std::map<std::int64_t, std::vector<sdk::Value>> last;
  if (n > 0) {
    std::vector<sdk::Value> ids;
    std::string in;
    for (std::size_t i = 0; i < n; ++i) {
      ids.push_back(sdk::asInt(rs.rows[i][1]));
      in += (in.empty() ? "$" : ", $") + std::to_string(ids.size());
    }
    auto lr = c.db().query(
        "SELECT m.id, m.author_kind, m.author_name, m.text, m.created_at, c.title, c.matter_number, c.client_id, cl.name "
        "FROM messages m JOIN cases c ON c.firm_id = m.firm_id AND c.id = m.case_id "
        "JOIN clients cl ON cl.firm_id = c.firm_id AND cl.id = c.client_id WHERE m.id IN (" + in + ")",
        ids);
    for (auto& r : lr.rows) last[sdk::asInt(r[0])] = r;
  }
  JsonWriter w;
  sdk::beginList(w);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& g = rs.rows[i];
    auto it = last.find(sdk::asInt(g[1]));
    if (it == last.end()) continue;
    const auto& m = it->second;
    std::string preview = sdk::asText(m[3]);
    if (preview.size() > 140) {  // cut on a UTF-8 boundary
      std::size_t cut = 140;
      while (cut > 0 && (static_cast<unsigned char>(preview[cut]) & 0xC0) == 0x80) --cut;
      preview = preview.substr(0, cut) + "\u2026";
    }
    w.beginObject()
        .member("case_id", sdk::asInt(g[0]))
        .member("case_title", sdk::asText(m[5]))
        .member("matter_number", sdk::asText(m[6]))
        .member("client_id", sdk::asInt(m[7]))
        .member("client_name", sdk::asText(m[8]))
        .member("messages", sdk::asInt(g[2]))
        .member("unread", sdk::asInt(g[3]));
    w.key("last_message")
        .beginObject()
        .member("id", sdk::asInt(m[0]))
        .member("author_kind", sdk::asText(m[1]))
        .member("author_name", sdk::asText(m[2]))
        .member("preview", preview)
        .member("created_at", sdk::asText(m[4]))
        .endObject();
    w.endObject();
  }
  w.endArray();
  auto total = c.db().query(
      "SELECT count(*) FROM messages m LEFT JOIN message_reads r ON r.firm_id = m.firm_id AND r.case_id = m.case_id "
      "AND r.user_id = $1 WHERE m.author_kind = 'client' AND m.id > coalesce(r.last_read_id, 0)",
      {me});
  auto mentions = c.db().query("SELECT count(*) FROM war_room_mentions WHERE user_id = $1 AND seen_at IS NULL", {me});
  w.member("unread_total", sdk::asInt(total.rows[0][0])).member("mentions_unseen", sdk::asInt(mentions.rows[0][0]));
  std::optional<std::string> next;
  if (rs.size() > n) next = std::to_string(sdk::asInt(rs.rows[n - 1][1]));
  w.member("next_cursor", next).endObject();
  sdk::sendJson(c, w);
}

void MessageHandlers::list(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such case.");
  const auto after = afterParam(c);
  requireCase(c, id, "No such case.");
  writeConversation(c, id, after, true);
}

void MessageHandlers::post(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such case.");
  const CaseInfo kase = requireCase(c, id, "No such case.");
  const JsonObject b = sdk::readJsonObject(c, {"text", "document_ids"});
  const std::string text = b["text"].requiredText(kMaxText, "Write your message.", Lines::Many);
  const auto now = c.db().now();
  // Attachments: documents of this case that are shared with its client now (the documents
  // module's "Accessible to Client"), so that the client can download them and nobody else can.
  std::vector<std::int64_t> docs;
  const sdk::JsonField given = b["document_ids"];
  if (given.hasValue() && !given.json().isArray()) given.refuse("This must be a list of document ids.");
  if (given.hasValue() && given.json().size() > 10) given.refuse("Attach at most 10 documents to a message.");
  for (const sdk::JsonField item : given.array(10)) {
    const std::int64_t doc = item.requiredId("This must be a document id.");
    auto d = c.db().query("SELECT shared, deleted_at, share_expires_at FROM documents WHERE id = $1 AND case_id = $2", {doc, id});
    if (d.empty()) item.refuse("Choose a document of this case.");
    const auto& r = d.rows[0];
    const bool expired = !sdk::isNull(r[2]) && sdk::asText(r[2]) <= now;
    if (!sdk::asBool(r[0]) || !sdk::isNull(r[1]) || expired)
      item.refuse("Share this document with the client first (\u201cAccessible to Client\u201d), then attach it.");
    if (std::find(docs.begin(), docs.end(), doc) == docs.end()) docs.push_back(doc);
  }
  const auto mid = c.db().newId();
  const std::int64_t me = c.principal().user_id;
  c.db().execute("INSERT INTO messages (firm_id, id, case_id, client_id, author_kind, staff_user_id, author_name, text, "
                 "created_at) VALUES (lexos_firm(), $1, $2, $3, 'staff', $4, $5, $6, $7)",
                 {mid, id, kase.client_id, me, authorName(c), text, now});
  for (auto doc : docs)
    c.db().execute("INSERT INTO message_attachments (firm_id, message_id, document_id, client_id) VALUES (lexos_firm(), $1, $2, $3)",
                   {mid, doc, kase.client_id});
  // Writing in a conversation reads it up to here.
  c.db().execute("DELETE FROM message_reads WHERE case_id = $1 AND user_id = $2", {id, me});
  c.db().execute("INSERT INTO message_reads (firm_id, case_id, user_id, last_read_id, read_at) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4)",
                 {id, me, mid, now});
  const int notices = noticeToClient(c, id, kase.client_id, mid);
  c.audit().record("message.post", "case", std::to_string(id), auditDetail(mid, text, notices, docs));
  writeMessage(c, mid, now, text, false, authorName(c));
}

void MessageHandlers::markRead(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such case.");
  requireCase(c, id, "No such case.");
  const JsonObject b = sdk::readJsonObject(c, {"last_id"});
  if (!b["last_id"].hasValue()) b["last_id"].refuse("Send the id of the last message read.");
  const std::int64_t lastId = b["last_id"].requiredId("This must be a message id of this conversation.");
  if (c.db().query("SELECT 1 FROM messages WHERE id = $1 AND case_id = $2", {lastId, id}).empty())
    b["last_id"].refuse("This must be a message id of this conversation.");
  const std::int64_t me = c.principal().user_id;
  auto rd = c.db().query("SELECT last_read_id FROM message_reads WHERE case_id = $1 AND user_id = $2", {id, me});
  if (rd.empty())
    c.db().execute("INSERT INTO message_reads (firm_id, case_id, user_id, last_read_id, read_at) "
                   "VALUES (lexos_firm(), $1, $2, $3, $4)",
                   {id, me, lastId, c.db().now()});
  else if (sdk::asInt(rd.rows[0][0]) < lastId)  // never backwards (two tabs)
    c.db().execute("UPDATE message_reads SET last_read_id = $1, read_at = $2 WHERE case_id = $3 AND user_id = $4",
                   {lastId, c.db().now(), id, me});
  c.audit().record("message.read", "case", std::to_string(id), std::to_string(lastId));
  auto un = c.db().query("SELECT count(*) FROM messages WHERE case_id = $1 AND author_kind = 'client' AND id > "
                         "(SELECT last_read_id FROM message_reads WHERE case_id = $1 AND user_id = $2)",
                         {id, me});
  JsonWriter w;
  w.beginObject().member("unread", sdk::asInt(un.rows[0][0])).endObject();
  sdk::sendJson(c, w);
}

void MessageHandlers::portalList(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such matter.");
  const auto after = afterParam(c);
  requireCase(c, id, "No such matter.");
  // Enforced twice: the case is this client's (above), and the database returns only this
  // client's messages to a portal scope anyway.
  const auto [shown, upTo] = writeConversation(c, id, after, false);
  // What the client was shown is recorded (a receipt), but a poll that found nothing new is
  // not: the open page asks every few seconds, and an empty poll stays a read without a write.
  if (shown > 0) c.audit().record("portal.messages.view", "case", std::to_string(id), "up_to=" + std::to_string(upTo));
}

void MessageHandlers::portalPost(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such matter.");
  const CaseInfo kase = requireCase(c, id, "No such matter.");
  const JsonObject b = sdk::readJsonObject(c, {"text", "document_ids"});
  // Attachments: the client's files on this matter (uploaded first with POST
  // /api/v1/portal/cases/{id}/documents, the documents module's), or any document of the matter
  // shared with the client. A portal scope sees no other document, so a document of another client
  // or one the firm keeps to itself is "not of this matter" here, and the database checks the
  // attachment's row again (its message's and its document's client).
  std::vector<std::int64_t> docs;
  const sdk::JsonField given = b["document_ids"];
  if (given.hasValue() && !given.json().isArray()) given.refuse("This must be a list of document ids.");
  if (given.hasValue() && given.json().size() > 10) given.refuse("Attach at most 10 files to a message.");
  for (const sdk::JsonField item : given.array(10)) {
    const std::int64_t doc = item.requiredId("This must be a document id.");
    auto d = c.db().query("SELECT 1 FROM documents WHERE id = $1 AND case_id = $2 AND shared AND deleted_at IS NULL",
                          {doc, id});
    if (d.empty()) item.refuse("Choose a file you sent on this matter.");
    if (std::find(docs.begin(), docs.end(), doc) == docs.end()) docs.push_back(doc);
  }
  // A message may be files only.
  const std::string text = docs.empty() ? b["text"].requiredText(kMaxText, "Write your message.", Lines::Many)
                                        : b["text"].text(kMaxText, Lines::Many).value_or("");
  // The author as the firm knows them: the portal user's name, else the client's, else the address.
  std::string author = c.principal().display_name;
  if (author.empty()) {
    auto cl = c.db().query("SELECT name FROM clients WHERE id = $1", {c.principal().client_id});
    author = cl.empty() ? std::string() : sdk::asText(cl.rows[0][0]);
  }
  if (author.empty()) author = c.principal().email;
  const auto mid = c.db().newId();
  const auto now = c.db().now();
  // The database checks this row: the scope's firm and client (SDK 1.6 addPortalInsert).
  c.db().execute("INSERT INTO messages (firm_id, id, case_id, client_id, author_kind, portal_user_id, author_name, text, "
                 "created_at) VALUES (lexos_firm(), $1, $2, $3, 'client', $4, $5, $6, $7)",
                 {mid, id, c.principal().client_id, c.principal().user_id, author, text, now});
  for (auto doc : docs)
    c.db().execute("INSERT INTO message_attachments (firm_id, message_id, document_id, client_id) VALUES (lexos_firm(), $1, $2, $3)",
                   {mid, doc, c.principal().client_id});
  const int notices = noticeToFirm(c, id, kase.contact_email, kase.matter_number, mid);
  c.audit().record("portal.message.post", "case", std::to_string(id), auditDetail(mid, text, notices, docs));
  writeMessage(c, mid, now, text, true, author);
}

}  // namespace lexos::messages
