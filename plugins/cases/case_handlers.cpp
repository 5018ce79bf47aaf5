#include "case_handlers.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <ctime>

#include "case_store.h"
#include "json_request.h"
#include "lexos/sdk/errors.h"

namespace lexos::cases {

using plugin::checkDate;
using plugin::jsonObject;
using plugin::optBool;
using plugin::optInt;
using plugin::optText;
using plugin::pathId;
using plugin::reqText;
using plugin::sendJson;

namespace {

std::int64_t requireCase(sdk::Context& c, std::int64_t id) {
  auto rs = c.db().query("SELECT client_id FROM cases WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such case.");
  return sdk::asInt(rs.rows[0][0]);
}

void requireClient(sdk::Context& c, std::int64_t clientId, const std::string& field) {
  if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty())
    throw sdk::BadRequest(field, "Choose an existing client.");
}

std::string checkPhase(const std::string& phase, const std::string& field) {
  const auto& p = phases();
  if (std::find(p.begin(), p.end(), phase) == p.end())
    throw sdk::BadRequest(field, "Choose one of intake, active, discovery, trial, settled, closed.");
  return phase;
}

// The responsible attorney's name and e-mail, kept on the case as the client's contact.
std::pair<std::string, std::string> staffContact(sdk::Context& c, std::int64_t userId, const std::string& field) {
  auto rs = c.db().query("SELECT display_name, email FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active'", {userId});
  if (rs.empty()) throw sdk::BadRequest(field, "Choose an active member of staff.");
  std::string name = sdk::asText(rs.rows[0][0]);
  const std::string email = sdk::asText(rs.rows[0][1]);
  return {name.empty() ? email : name, email};
}

std::string today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string authorName(sdk::Context& c) {
  const auto& p = c.principal();
  return p.display_name.empty() ? p.email : p.display_name;
}

void setRelated(sdk::Context& c, std::int64_t caseId, std::int64_t clientId, const Poco::JSON::Object::Ptr& body) {
  if (!body->has("related_client_ids")) return;
  auto arr = body->getArray("related_client_ids");
  if (!arr && !body->isNull("related_client_ids"))
    throw sdk::BadRequest("related_client_ids", "This must be a list of client ids.");
  c.db().execute("DELETE FROM case_related_clients WHERE case_id = $1", {caseId});
  if (!arr) return;
  if (arr->size() > 20) throw sdk::BadRequest("related_client_ids", "Link at most 20 related clients.");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string field = "related_client_ids[" + std::to_string(i) + "]";
    std::int64_t id = 0;
    try {
      id = arr->get(i).convert<std::int64_t>();
    } catch (...) {
      throw sdk::BadRequest(field, "This must be a client id.");
    }
    if (id == clientId) continue;
    requireClient(c, id, field);
    if (c.db().query("SELECT 1 FROM case_related_clients WHERE case_id = $1 AND client_id = $2", {caseId, id}).empty())
      c.db().execute("INSERT INTO case_related_clients (firm_id, case_id, client_id) VALUES (lexos_firm(), $1, $2)", {caseId, id});
  }
}

}  // namespace

void CaseHandlers::list(sdk::Context& c) {
  std::int64_t limit = 25;
  if (auto l = c.request().query("limit")) {
    try {
      limit = std::stoll(*l);
    } catch (...) {
      limit = 0;
    }
    if (limit < 1 || limit > 100) throw sdk::BadRequest("limit", "limit must be a whole number from 1 to 100.");
  }
  std::string sql = std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE 1 = 1";
  std::vector<sdk::Value> params;
  auto param = [&](sdk::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (auto v = c.request().query("client_id")) {
    std::int64_t id = 0;
    try {
      id = std::stoll(*v);
    } catch (...) {
      throw sdk::BadRequest("client_id", "client_id must be a client id.");
    }
    const std::string p = param(id);  // (named first: operands of + are not sequenced)
    sql += " AND (c.client_id = " + p + " OR c.id IN (SELECT case_id FROM case_related_clients WHERE client_id = " + p + "))";
  }
  if (auto v = c.request().query("phase")) sql += " AND c.phase = " + param(checkPhase(*v, "phase"));
  if (auto v = c.request().query("q"); v && !v->empty()) {
    if (v->size() > 100) throw sdk::BadRequest("q", "Search for at most 100 characters.");
    std::string q;
    for (char ch : *v) q += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::string p = param("%" + q + "%");
    sql += " AND (lower(c.title) LIKE " + p + " OR lower(c.matter_number) LIKE " + p +
           " OR c.client_id IN (SELECT id FROM clients WHERE lower(name) LIKE " + p + "))";
  }
  // Keyset pagination on (opened_on, id), newest first.
  if (auto cur = c.request().query("cursor"); cur && !cur->empty()) {
    const auto sep = cur->find('_');
    std::int64_t id = 0;
    std::string opened;
    try {
      if (sep == std::string::npos) throw 0;
      opened = checkDate(cur->substr(0, sep), "cursor");
      id = std::stoll(cur->substr(sep + 1));
    } catch (...) {
      throw sdk::BadRequest("cursor", "This cursor is not one the server gave out.");
    }
    const std::string po = param(opened);
    const std::string pi = param(id);
    sql += " AND (c.opened_on < " + po + " OR (c.opened_on = " + po + " AND c.id < " + pi + "))";
  }
  sql += " ORDER BY c.opened_on DESC, c.id DESC LIMIT " + param(limit + 1);
  auto rs = c.db().query(sql, params);
  CaseStore store(c.db());
  Poco::JSON::Array items;
  const std::size_t n = std::min<std::size_t>(rs.size(), static_cast<std::size_t>(limit));
  std::map<std::int64_t, std::string> names;
  for (std::size_t i = 0; i < n; ++i) {
    auto o = store.caseJson(rs, i);
    const auto clientId = sdk::asInt(rs.rows[i][1]);
    if (!names.count(clientId)) {
      auto cl = c.db().query("SELECT name FROM clients WHERE id = $1", {clientId});
      names[clientId] = cl.empty() ? "" : sdk::asText(cl.rows[0][0]);
    }
    o->set("client_name", names[clientId]);
    items.add(o);
  }
  Poco::JSON::Object out;
  out.set("items", items);
  if (rs.size() > n) out.set("next_cursor", sdk::asText(rs.rows[n - 1][9]) + "_" + std::to_string(sdk::asInt(rs.rows[n - 1][0])));
  else out.set("next_cursor", Poco::Dynamic::Var());
  sendJson(c, out);
}

void CaseHandlers::create(sdk::Context& c) {
  auto b = jsonObject(c, {"client_id", "title", "matter_number", "practice_area", "responsible_user_id", "phase",
                          "opened_on", "description", "related_client_ids"});
  auto clientId = optInt(b, "client_id");
  if (!clientId) throw sdk::BadRequest("client_id", "Choose the client this case is for.");
  requireClient(c, *clientId, "client_id");
  const std::string title = reqText(b, "title", 200, "Enter a title for the case.");
  std::string matter = optText(b, "matter_number", 40).value_or("");
  const std::string area = optText(b, "practice_area", 100).value_or("");
  const std::string phase = checkPhase(optText(b, "phase", 20).value_or("intake"), "phase");
  const std::string opened = b->has("opened_on") && !b->isNull("opened_on")
                                 ? checkDate(optText(b, "opened_on", 10).value_or(""), "opened_on")
                                 : today();
  const std::string description = optText(b, "description", 10000).value_or("");
  auto responsible = optInt(b, "responsible_user_id");
  std::pair<std::string, std::string> contact;
  if (responsible) contact = staffContact(c, *responsible, "responsible_user_id");
  else if (c.principal().isStaff()) {
    responsible = c.principal().user_id;
    contact = staffContact(c, *responsible, "responsible_user_id");
  }
  if (matter.empty()) {  // YYYY-NNNN, numbered per firm and year; skips numbers typed by hand
    auto n = c.db().query("SELECT count(*) FROM cases WHERE matter_number LIKE $1", {opened.substr(0, 4) + "-%"});
    for (std::int64_t k = sdk::asInt(n.rows[0][0]) + 1;; ++k) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s-%04lld", opened.substr(0, 4).c_str(), static_cast<long long>(k));
      if (c.db().query("SELECT 1 FROM cases WHERE matter_number = $1", {std::string(buf)}).empty()) {
        matter = buf;
        break;
      }
    }
  }
  if (!c.db().query("SELECT 1 FROM cases WHERE matter_number = $1", {matter}).empty())
    throw sdk::Conflict("Another case already has matter number " + matter + ".", "matter_number");
  const auto id = c.db().newId();
  const auto now = c.db().now();
  const auto me = c.principal().user_id;
  c.db().execute("INSERT INTO cases (firm_id, id, client_id, title, matter_number, practice_area, responsible_user_id, "
                 "contact_name, contact_email, phase, opened_on, closed_on, description, created_at, created_by, updated_at, updated_by) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14)",
                 {id, *clientId, title, matter, area, responsible ? sdk::Value(*responsible) : sdk::Value(nullptr), contact.first,
                  contact.second, phase, opened, phase == "closed" ? sdk::Value(today()) : sdk::Value(nullptr), description, now, me});
  setRelated(c, id, *clientId, b);
  c.audit().record("case.create", "case", std::to_string(id));
  c.response().setHeader("Location", "/api/v1/cases/" + std::to_string(id));
  sendJson(c, CaseStore(c.db()).staffCase(id), 201);
}

void CaseHandlers::get(sdk::Context& c) {
  auto o = CaseStore(c.db()).staffCase(pathId(c));
  if (!o) throw sdk::NotFound("No such case.");
  sendJson(c, o);
}

void CaseHandlers::patch(sdk::Context& c) {
  const auto id = pathId(c);
  const auto clientNow = requireCase(c, id);
  auto b = jsonObject(c, {"client_id", "title", "matter_number", "practice_area", "responsible_user_id", "phase",
                          "opened_on", "closed_on", "description", "related_client_ids"});
  std::vector<std::string> sets;
  std::vector<sdk::Value> params;
  auto set = [&](const std::string& col, sdk::Value v) {
    params.push_back(std::move(v));
    sets.push_back(col + " = $" + std::to_string(params.size()));
  };
  std::int64_t clientId = clientNow;
  if (auto v = optInt(b, "client_id")) {
    requireClient(c, *v, "client_id");
    clientId = *v;
    set("client_id", *v);
  }
  if (b->has("title")) set("title", reqText(b, "title", 200, "Enter a title for the case."));
  if (b->has("matter_number")) {
    const std::string m = reqText(b, "matter_number", 40, "Enter a matter number.");
    if (!c.db().query("SELECT 1 FROM cases WHERE matter_number = $1 AND id <> $2", {m, id}).empty())
      throw sdk::Conflict("Another case already has matter number " + m + ".", "matter_number");
    set("matter_number", m);
  }
  if (auto v = optText(b, "practice_area", 100)) set("practice_area", *v);
  if (auto v = optText(b, "description", 10000)) set("description", *v);
  if (b->has("responsible_user_id")) {
    auto r = optInt(b, "responsible_user_id");
    if (r) {
      auto contact = staffContact(c, *r, "responsible_user_id");
      set("responsible_user_id", *r);
      set("contact_name", contact.first);
      set("contact_email", contact.second);
    } else {
      set("responsible_user_id", nullptr);
      set("contact_name", std::string());
      set("contact_email", std::string());
    }
  }
  if (auto v = optText(b, "phase", 20)) {
    const std::string phase = checkPhase(*v, "phase");
    set("phase", phase);
    if (phase == "closed" && !b->has("closed_on")) set("closed_on", today());
    if (phase != "closed" && !b->has("closed_on")) set("closed_on", nullptr);
  }
  if (auto v = optText(b, "opened_on", 10, false)) set("opened_on", checkDate(*v, "opened_on"));
  if (b->has("closed_on")) {
    auto v = optText(b, "closed_on", 10);
    set("closed_on", v && !v->empty() ? sdk::Value(checkDate(*v, "closed_on")) : sdk::Value(nullptr));
  }
  set("updated_at", c.db().now());
  set("updated_by", c.principal().user_id);
  params.push_back(id);
  std::string sql = "UPDATE cases SET ";
  for (std::size_t i = 0; i < sets.size(); ++i) sql += (i ? ", " : "") + sets[i];
  sql += " WHERE id = $" + std::to_string(params.size());
  if (c.db().execute(sql, params) == 0) throw sdk::NotFound("No such case.");
  if (clientId != clientNow)  // updates follow the case to its client
    c.db().execute("UPDATE case_updates SET client_id = $1 WHERE case_id = $2", {clientId, id});
  setRelated(c, id, clientId, b);
  c.audit().record("case.update", "case", std::to_string(id));
  sendJson(c, CaseStore(c.db()).staffCase(id));
}

void CaseHandlers::listUpdates(sdk::Context& c) {
  const auto id = pathId(c);
  requireCase(c, id);
  plugin::sendList(c, *CaseStore(c.db()).updates(id, true));
}

void CaseHandlers::addUpdate(sdk::Context& c) {
  const auto id = pathId(c);
  const auto clientId = requireCase(c, id);
  auto b = jsonObject(c, {"text", "client_visible"});
  const std::string text = reqText(b, "text", 5000, "Write the update.");
  const bool visible = optBool(b, "client_visible").value_or(false);  // staff choose; default not visible
  const auto uid = c.db().newId();
  const auto now = c.db().now();
  c.db().execute("INSERT INTO case_updates (firm_id, id, case_id, client_id, text, client_visible, author_name, created_at, "
                 "created_by, updated_at) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $7)",
                 {uid, id, clientId, text, visible, authorName(c), now, c.principal().user_id});
  c.db().execute("UPDATE cases SET updated_at = $1, updated_by = $2 WHERE id = $3", {now, c.principal().user_id, id});
  c.audit().record("case.update.add", "case", std::to_string(id), visible ? "client_visible" : "internal");
  Poco::JSON::Object o;
  o.set("id", uid);
  o.set("text", text);
  o.set("client_visible", visible);
  o.set("author_name", authorName(c));
  o.set("created_at", now);
  sendJson(c, o, 201);
}

void CaseHandlers::patchUpdate(sdk::Context& c) {
  const auto id = pathId(c);
  requireCase(c, id);
  const auto uid = pathId(c, "update_id");
  auto b = jsonObject(c, {"text", "client_visible"});
  if (b->has("text"))
    c.db().execute("UPDATE case_updates SET text = $1, updated_at = $2 WHERE id = $3 AND case_id = $4",
                   {reqText(b, "text", 5000, "Write the update."), c.db().now(), uid, id});
  if (auto v = optBool(b, "client_visible")) {
    if (c.db().execute("UPDATE case_updates SET client_visible = $1, updated_at = $2 WHERE id = $3 AND case_id = $4",
                       {*v, c.db().now(), uid, id}) == 0)
      throw sdk::NotFound("No such update.");
    c.audit().record(*v ? "case.update.share" : "case.update.unshare", "case_update", std::to_string(uid));
  }
  auto rs = c.db().query("SELECT id, text, client_visible, author_name, created_at FROM case_updates WHERE id = $1 AND case_id = $2",
                         {uid, id});
  if (rs.empty()) throw sdk::NotFound("No such update.");
  Poco::JSON::Object o;
  o.set("id", sdk::asInt(rs.rows[0][0]));
  o.set("text", sdk::asText(rs.rows[0][1]));
  o.set("client_visible", sdk::asBool(rs.rows[0][2]));
  o.set("author_name", sdk::asText(rs.rows[0][3]));
  o.set("created_at", sdk::asText(rs.rows[0][4]));
  sendJson(c, o);
}

void CaseHandlers::listNotes(sdk::Context& c) {
  const auto id = pathId(c);
  requireCase(c, id);
  Poco::JSON::Array items;
  for (const auto& r : c.db().query("SELECT id, text, author_name, created_at FROM case_notes WHERE case_id = $1 ORDER BY created_at, id",
                                    {id}).rows) {
    Poco::JSON::Object n;
    n.set("id", sdk::asInt(r[0]));
    n.set("text", sdk::asText(r[1]));
    n.set("author_name", sdk::asText(r[2]));
    n.set("created_at", sdk::asText(r[3]));
    items.add(n);
  }
  plugin::sendList(c, items);
}

void CaseHandlers::addNote(sdk::Context& c) {
  const auto id = pathId(c);
  requireCase(c, id);
  auto b = jsonObject(c, {"text"});
  const std::string text = reqText(b, "text", 10000, "Write the note.");
  const auto nid = c.db().newId();
  const auto now = c.db().now();
  c.db().execute("INSERT INTO case_notes (firm_id, id, case_id, text, author_name, created_at, created_by) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                 {nid, id, text, authorName(c), now, c.principal().user_id});
  c.audit().record("case.note.add", "case", std::to_string(id));
  Poco::JSON::Object o;
  o.set("id", nid);
  o.set("text", text);
  o.set("author_name", authorName(c));
  o.set("created_at", now);
  sendJson(c, o, 201);
}

void CaseHandlers::getPhases(sdk::Context& c) {
  Poco::JSON::Array items;
  for (const auto& [p, label] : CaseStore(c.db()).phaseLabels()) {
    Poco::JSON::Object o;
    o.set("phase", p);
    o.set("label", label);
    o.set("progress_percent", progressPercent(p));
    items.add(o);
  }
  plugin::sendList(c, items);
}

void CaseHandlers::renamePhase(sdk::Context& c) {
  const std::string phase = c.request().pathParam("phase");
  const auto& p = phases();
  if (std::find(p.begin(), p.end(), phase) == p.end()) throw sdk::NotFound("No such phase.");
  auto b = jsonObject(c, {"label"});
  const std::string label = reqText(b, "label", 40, "Enter a name for the phase.");
  c.db().execute("DELETE FROM case_phase_labels WHERE phase = $1", {phase});
  c.db().execute("INSERT INTO case_phase_labels (firm_id, phase, label) VALUES (lexos_firm(), $1, $2)", {phase, label});
  c.audit().record("case.phase.rename", "phase", phase, label);
  getPhases(c);
}

}  // namespace lexos::cases
