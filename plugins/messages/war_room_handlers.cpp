#include "war_room_handlers.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
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

constexpr std::size_t kMaxText = 10000;

std::int64_t requireCase(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such case.");
  if (c.db().query("SELECT 1 FROM cases WHERE id = $1", {id}).empty()) throw sdk::NotFound("No such case.");
  return id;
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::string authorName(sdk::Context& c) {
  const auto& p = c.principal();
  return p.display_name.empty() ? p.email : p.display_name;
}

struct Mentioned {
  std::int64_t user_id;
  std::string name;
  std::string email;
};

// "@jane" mentions the active member of staff whose e-mail address starts "jane@" (letters,
// digits, '.', '_', '-'; case does not matter). Anything else after an '@' stays plain text.
std::vector<Mentioned> findMentions(sdk::Context& c, const std::string& text) {
  std::set<std::string> tokens;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '@') continue;
    if (i > 0) {
      const unsigned char prev = static_cast<unsigned char>(text[i - 1]);
      if (std::isalnum(prev) || prev == '.' || prev == '_' || prev == '-') continue;  // an e-mail address
    }
    std::size_t j = i + 1;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '.' || text[j] == '_' ||
                               text[j] == '-'))
      ++j;
    std::string t = text.substr(i + 1, j - i - 1);
    while (!t.empty() && (t.back() == '.' || t.back() == '-')) t.pop_back();  // "ask @jane." ends a sentence
    if (!t.empty()) tokens.insert(lower(t));
  }
  std::vector<Mentioned> out;
  if (tokens.empty()) return out;
  auto staff = c.db().query("SELECT id, display_name, email FROM users WHERE kind = 'staff' AND status = 'active' ORDER BY id");
  for (const auto& r : staff.rows) {
    const std::string email = sdk::asText(r[2]);
    const auto at = email.find('@');
    if (at == std::string::npos || !tokens.count(lower(email.substr(0, at)))) continue;
    const std::int64_t uid = sdk::asInt(r[0]);
    if (uid == c.principal().user_id) continue;  // no notice to oneself
    std::string name = sdk::asText(r[1]);
    out.push_back({uid, name.empty() ? email : name, email});
  }
  return out;
}

void writePost(JsonWriter& w, std::int64_t id, std::int64_t threadId, const std::string& text, const std::string& author,
               const std::string& created, const std::vector<Mentioned>& mentions) {
  w.beginObject()
      .member("id", id)
      .member("thread_id", threadId)
      .member("text", text)
      .member("author_name", author)
      .member("created_at", created);
  w.key("mentions").beginArray();
  for (const auto& m : mentions) w.beginObject().member("user_id", m.user_id).member("name", m.name).endObject();
  w.endArray().endObject();
}

// Inserts a post with its mentions, e-mails the mentioned (never the text) and audits it.
std::int64_t addPost(sdk::Context& c, std::int64_t caseId, std::optional<std::int64_t> threadId, const std::string& title,
                     const std::string& text, std::vector<Mentioned>& mentions, std::string& now) {
  const auto pid = c.db().newId();
  now = c.db().now();
  c.db().execute("INSERT INTO war_room_posts (firm_id, id, case_id, thread_id, title, text, author_user_id, author_name, "
                 "created_at) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8)",
                 {pid, caseId, threadId.value_or(pid), title, text, c.principal().user_id, authorName(c), now});
  mentions = findMentions(c, text);
  for (const auto& m : mentions) {
    c.db().execute("INSERT INTO war_room_mentions (firm_id, post_id, user_id, case_id) VALUES (lexos_firm(), $1, $2, $3)",
                   {pid, m.user_id, caseId});
    noticeOfMention(c, caseId, m.email);
  }
  JsonWriter d;
  d.beginObject().member("post", pid).member("thread", threadId.value_or(pid)).member("sha256", sha256Hex(text));
  d.key("mentions").beginArray();
  for (const auto& m : mentions) d.value(m.user_id);
  d.endArray().endObject();
  c.audit().record(threadId ? "warroom.reply" : "warroom.thread", "case", std::to_string(caseId), d.take());
  return pid;
}

}  // namespace

void WarRoomHandlers::list(sdk::Context& c) {
  const auto caseId = requireCase(c);
  auto posts = c.db().query("SELECT id, thread_id, title, text, author_name, created_at FROM war_room_posts "
                            "WHERE case_id = $1 ORDER BY thread_id, id",
                            {caseId});
  std::map<std::int64_t, std::vector<Mentioned>> mentions;
  for (const auto& r : c.db()
                           .query("SELECT m.post_id, m.user_id, u.display_name, u.email FROM war_room_mentions m "
                                  "JOIN users u ON u.firm_id = m.firm_id AND u.id = m.user_id WHERE m.case_id = $1 "
                                  "ORDER BY m.post_id, m.user_id",
                                  {caseId})
                           .rows) {
    std::string name = sdk::asText(r[2]);
    mentions[sdk::asInt(r[0])].push_back({sdk::asInt(r[1]), name.empty() ? sdk::asText(r[3]) : name, ""});
  }
  // Threads in order of their latest post, newest first.
  std::map<std::int64_t, std::vector<std::size_t>> threads;
  for (std::size_t i = 0; i < posts.size(); ++i) threads[sdk::asInt(posts.rows[i][1])].push_back(i);
  std::vector<std::pair<std::int64_t, std::int64_t>> order;  // (latest post id, thread id)
  for (const auto& [tid, idx] : threads) order.emplace_back(sdk::asInt(posts.rows[idx.back()][0]), tid);
  std::sort(order.rbegin(), order.rend());
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& [latest, tid] : order) {
    const auto& idx = threads[tid];
    const auto& first = posts.rows[idx.front()];
    w.beginObject()
        .member("id", tid)
        .member("title", sdk::asText(first[2]))
        .member("author_name", sdk::asText(first[4]))
        .member("created_at", sdk::asText(first[5]))
        .member("last_post_id", latest);
    w.key("posts").beginArray();
    for (std::size_t i : idx) {
      const auto& r = posts.rows[i];
      const auto pid = sdk::asInt(r[0]);
      writePost(w, pid, tid, sdk::asText(r[3]), sdk::asText(r[4]), sdk::asText(r[5]), mentions[pid]);
    }
    w.endArray().endObject();
  }
  auto unseen = c.db().query("SELECT count(*) FROM war_room_mentions WHERE case_id = $1 AND user_id = $2 AND seen_at IS NULL",
                             {caseId, c.principal().user_id});
  w.endArray().member("mentions_unseen", sdk::asInt(unseen.rows[0][0])).member("next_cursor", nullptr).endObject();
  sdk::sendJson(c, w);
}

void WarRoomHandlers::startThread(sdk::Context& c) {
  const auto caseId = requireCase(c);
  const JsonObject b = sdk::readJsonObject(c, {"title", "text"});
  const std::string title = b["title"].requiredText(200, "Give the thread a title.");
  const std::string text = b["text"].requiredText(kMaxText, "Write the first post.", Lines::Many);
  std::vector<Mentioned> mentions;
  std::string now;
  const auto pid = addPost(c, caseId, std::nullopt, title, text, mentions, now);
  JsonWriter w;
  w.beginObject().member("id", pid).member("title", title).member("author_name", authorName(c)).member("created_at", now);
  w.key("posts").beginArray();
  writePost(w, pid, pid, text, authorName(c), now, mentions);
  w.endArray().endObject();
  sdk::sendJson(c, w, 201);
}

void WarRoomHandlers::reply(sdk::Context& c) {
  const auto caseId = requireCase(c);
  const auto threadId = sdk::pathId(c, "thread_id", "No such thread.");
  if (c.db().query("SELECT 1 FROM war_room_posts WHERE id = $1 AND case_id = $2 AND thread_id = id", {threadId, caseId}).empty())
    throw sdk::NotFound("No such thread.");
  const JsonObject b = sdk::readJsonObject(c, {"text"});
  const std::string text = b["text"].requiredText(kMaxText, "Write your reply.", Lines::Many);
  std::vector<Mentioned> mentions;
  std::string now;
  const auto pid = addPost(c, caseId, threadId, "", text, mentions, now);
  JsonWriter w;
  writePost(w, pid, threadId, text, authorName(c), now, mentions);
  sdk::sendJson(c, w, 201);
}

void WarRoomHandlers::markSeen(sdk::Context& c) {
  const auto caseId = requireCase(c);
  if (sdk::hasJsonBody(c)) sdk::readJsonObject(c, {});
  const auto n = c.db().execute("UPDATE war_room_mentions SET seen_at = $1 WHERE case_id = $2 AND user_id = $3 AND seen_at IS NULL",
                                {c.db().now(), caseId, c.principal().user_id});
  JsonWriter w;
  w.beginObject().member("seen", n).endObject();
  sdk::sendJson(c, w);
}

void WarRoomHandlers::mentions(sdk::Context& c) {
  auto rs = c.db().query(
      "SELECT m.post_id, m.case_id, m.seen_at, p.author_name, p.created_at, t.title, c.title, c.matter_number "
      "FROM war_room_mentions m JOIN war_room_posts p ON p.firm_id = m.firm_id AND p.id = m.post_id "
      "JOIN war_room_posts t ON t.firm_id = p.firm_id AND t.id = p.thread_id "
      "JOIN cases c ON c.firm_id = m.firm_id AND c.id = m.case_id "
      "WHERE m.user_id = $1 ORDER BY m.seen_at IS NOT NULL, m.post_id DESC LIMIT 50",
      {c.principal().user_id});
  sdk::sendList(c, rs.rows, [](JsonWriter& w, const std::vector<sdk::Value>& r) {
    w.beginObject()
        .member("post_id", sdk::asInt(r[0]))
        .member("case_id", sdk::asInt(r[1]))
        .member("seen", !sdk::isNull(r[2]))
        .member("author_name", sdk::asText(r[3]))
        .member("created_at", sdk::asText(r[4]))
        .member("thread_title", sdk::asText(r[5]))
        .member("case_title", sdk::asText(r[6]))
        .member("matter_number", sdk::asText(r[7]))
        .endObject();
  });
}

}  // namespace lexos::messages
