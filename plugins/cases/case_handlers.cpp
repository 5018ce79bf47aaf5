#include "case_handlers.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "case_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::cases {

using sdk::JsonField;
using sdk::JsonObject;
using sdk::JsonWriter;
using sdk::Lines;

namespace {

// The {id} of the path: a case that does not exist unless it is a positive number.
std::int64_t caseId(sdk::Context& c) { return sdk::pathId(c, "id", "No such case."); }

// A date "YYYY-MM-DD" (validated as a calendar date) or 400 naming `field`.
std::string checkDate(const std::string& v, const std::string& field) {
  auto bad = [&] { return sdk::BadRequest(field, "Enter a date as YYYY-MM-DD."); };
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') throw bad();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) throw bad();
  const int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2)), d = std::stoi(v.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap ? 1 : 0)) throw bad();
  return v;
}

// A date field: nullopt when absent or null, else a checked date.
std::optional<std::string> dateField(const JsonField& f) {
  auto v = f.text(10);
  if (!v) return std::nullopt;
  return checkDate(*v, f.path());
}

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

// The practice area named by `field`, or 400 naming it.
const PracticeArea& requireArea(CaseStore& store, std::int64_t id, const std::string& field) {
  const PracticeArea* a = store.area(id);
  if (!a) throw sdk::BadRequest(field, "Choose one of the firm's practice areas.");
  return *a;
}

// The phase `key` of area `a` (its built-in phase with it), or 400 naming `field` with the area's
// phases: an estate-planning matter is never set to "trial".
const AreaPhase& requireAreaPhase(const PracticeArea& a, const std::string& key, const std::string& field) {
  const int at = a.indexOf(key);
  if (at < 0) {
    std::string list;
    for (const auto& p : a.phases) list += (list.empty() ? "" : ", ") + p.key;
    throw sdk::BadRequest(field, "Choose one of the phases of " + a.name + ": " + list + ".");
  }
  return a.phases[static_cast<std::size_t>(at)];
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

void setRelated(sdk::Context& c, std::int64_t caseId, std::int64_t clientId, const JsonObject& body) {
  const JsonField related = body["related_client_ids"];
  if (!related.present()) return;
  if (related.hasValue() && !related.json().isArray()) related.refuse("This must be a list of client ids.");
  if (related.hasValue() && related.json().size() > 20) related.refuse("Link at most 20 related clients.");
  c.db().execute("DELETE FROM case_related_clients WHERE case_id = $1", {caseId});
  for (const JsonField item : related.array(20)) {
    const std::int64_t id = item.requiredId("This must be a client id.");
    if (id == clientId) continue;
    requireClient(c, id, item.path());
    if (c.db().query("SELECT 1 FROM case_related_clients WHERE case_id = $1 AND client_id = $2", {caseId, id}).empty())
      c.db().execute("INSERT INTO case_related_clients (firm_id, case_id, client_id) VALUES (lexos_firm(), $1, $2)", {caseId, id});
  }
}

}  // namespace

void CaseHandlers::list(sdk::Context& c) {
  const std::int64_t limit = sdk::queryInt(c, "limit", 1, 100, "limit must be a whole number from 1 to 100.").value_or(25);
  std::string sql = std::string("SELECT ") + kCaseColumns + " FROM cases c WHERE 1 = 1";
  std::vector<sdk::Value> params;
  auto param = [&](sdk::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (auto id = sdk::queryId(c, "client_id", "client_id must be a client id.")) {
    const std::string p = param(*id);  // (named first: operands of + are not sequenced)
    sql += " AND (c.client_id = " + p + " OR c.id IN (SELECT case_id FROM case_related_clients WHERE client_id = " + p + "))";
  }
  if (auto v = c.request().query("phase")) sql += " AND c.phase = " + param(checkPhase(*v, "phase"));
  if (auto id = sdk::queryId(c, "practice_area_id", "practice_area_id must be a practice area id."))
    sql += " AND c.practice_area_id = " + param(*id);
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
    std::optional<std::int64_t> id;
    std::string opened;
    try {
      if (sep == std::string::npos) throw 0;
      opened = checkDate(cur->substr(0, sep), "cursor");
      id = JsonField::parseId(cur->substr(sep + 1));
      if (!id) throw 0;
    } catch (...) {
      throw sdk::BadRequest("cursor", "This cursor is not one the server gave out.");
    }
    const std::string po = param(opened);
    const std::string pi = param(*id);
    sql += " AND (c.opened_on < " + po + " OR (c.opened_on = " + po + " AND c.id < " + pi + "))";
  }
  sql += " ORDER BY c.opened_on DESC, c.id DESC LIMIT " + param(limit + 1);
  auto rs = c.db().query(sql, params);
  CaseStore store(c.db());
  const std::size_t n = std::min<std::size_t>(rs.size(), static_cast<std::size_t>(limit));
  std::map<std::int64_t, std::string> names;
  JsonWriter w;
  sdk::beginList(w);
  for (std::size_t i = 0; i < n; ++i) {
    const auto clientId = sdk::asInt(rs.rows[i][1]);
    if (!names.count(clientId)) {
      auto cl = c.db().query("SELECT name FROM clients WHERE id = $1", {clientId});
      names[clientId] = cl.empty() ? "" : sdk::asText(cl.rows[0][0]);
    }
    w.beginObject();
    store.writeCaseMembers(w, rs, i, true);
    w.member("client_name", names[clientId]);
    w.endObject();
  }
  std::optional<std::string> next;
  if (rs.size() > n) next = sdk::asText(rs.rows[n - 1][9]) + "_" + std::to_string(sdk::asInt(rs.rows[n - 1][0]));
  sdk::endList(w, next);
  sdk::sendJson(c, w);
}

void CaseHandlers::create(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"client_id", "title", "matter_number", "practice_area",
                                                "practice_area_id", "responsible_user_id", "phase", "opened_on",
                                                "description", "related_client_ids"});
  if (!b["client_id"].hasValue()) b["client_id"].refuse("Choose the client this case is for.");
  CaseStore store(c.db());
  const auto clientId = b["client_id"].id("Choose an existing client.");
  requireClient(c, *clientId, "client_id");
  const std::string title = b["title"].requiredText(200, "Enter a title for the case.");
  std::string matter = b["matter_number"].text(40).value_or("");
  std::string area = b["practice_area"].text(100).value_or("");
  // With a practice area, `phase` is one of the area's phases (its first when left out), and
  // the case also keeps the built-in phase it counts as; without one, a built-in phase.
  std::string phase;
  sdk::Value areaId = nullptr, areaPhase = nullptr;
  if (auto id = b["practice_area_id"].id("Choose one of the firm's practice areas.")) {
    const PracticeArea& a = requireArea(store, *id, "practice_area_id");
    const AreaPhase& p = requireAreaPhase(a, b["phase"].text(30).value_or(a.phases.front().key), "phase");
    phase = p.builtin;
    areaId = a.id;
    areaPhase = p.key;
    area = a.name;
  } else {
    phase = checkPhase(b["phase"].text(20).value_or("intake"), "phase");
  }
  const std::string opened = dateField(b["opened_on"]).value_or(today());
  const std::string description = b["description"].text(10000, Lines::Many).value_or("");
  auto responsible = b["responsible_user_id"].id("Choose an active member of staff.");
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
                 "contact_name, contact_email, phase, opened_on, closed_on, description, created_at, created_by, updated_at, updated_by, "
                 "practice_area_id, area_phase) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13, $14, $15, $16)",
                 {id, *clientId, title, matter, area, responsible ? sdk::Value(*responsible) : sdk::Value(nullptr), contact.first,
                  contact.second, phase, opened, phase == "closed" ? sdk::Value(today()) : sdk::Value(nullptr), description, now, me,
                  areaId, areaPhase});
  setRelated(c, id, *clientId, b);
  c.audit().record("case.create", "case", std::to_string(id));
  c.response().setHeader("Location", "/api/v1/cases/" + std::to_string(id));
  JsonWriter w;
  store.writeStaffCase(w, id);
  sdk::sendJson(c, w, 201);
}

void CaseHandlers::get(sdk::Context& c) {
  JsonWriter w;
  if (!CaseStore(c.db()).writeStaffCase(w, caseId(c))) throw sdk::NotFound("No such case.");
  sdk::sendJson(c, w);
}

void CaseHandlers::patch(sdk::Context& c) {
  const auto id = caseId(c);
  const auto clientNow = requireCase(c, id);
  const JsonObject b = sdk::readJsonObject(c, {"client_id", "title", "matter_number", "practice_area",
                                                "practice_area_id", "responsible_user_id", "phase", "opened_on",
                                                "closed_on", "description", "related_client_ids"});
  CaseStore store(c.db());
  std::vector<std::string> sets;
  std::vector<sdk::Value> params;
  auto set = [&](const std::string& col, sdk::Value v) {
    params.push_back(std::move(v));
    sets.push_back(col + " = $" + std::to_string(params.size()));
  };
  std::int64_t clientId = clientNow;
  if (auto v = b["client_id"].id("Choose an existing client.")) {
    requireClient(c, *v, "client_id");
    clientId = *v;
    set("client_id", *v);
  }
  if (b.has("title")) set("title", b["title"].requiredText(200, "Enter a title for the case."));
  if (b.has("matter_number")) {
    const std::string m = b["matter_number"].requiredText(40, "Enter a matter number.");
    if (!c.db().query("SELECT 1 FROM cases WHERE matter_number = $1 AND id <> $2", {m, id}).empty())
      throw sdk::Conflict("Another case already has matter number " + m + ".", "matter_number");
    set("matter_number", m);
  }
  // null clears a text; an absent field stays as it is.
  if (b.has("practice_area")) set("practice_area", b["practice_area"].text(100).value_or(""));
  if (b.has("description")) set("description", b["description"].text(10000, Lines::Many).value_or(""));
  if (b.has("responsible_user_id")) {
    if (auto r = b["responsible_user_id"].id("Choose an active member of staff.")) {
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
  // The phase and the practice area together: a phase must be one of the case's area (the one
  // it has, or the one this request gives it); a new area without a phase keeps the case where
  // it is if the area has a phase counting as the same built-in one, else starts it at the first.
  {
    auto now = c.db().query("SELECT practice_area_id, area_phase, phase FROM cases WHERE id = $1", {id});
    const auto& r = now.rows.at(0);
    std::optional<std::int64_t> area = sdk::isNull(r[0]) ? std::nullopt : std::optional<std::int64_t>(sdk::asInt(r[0]));
    const bool areaChanges = b.has("practice_area_id");
    if (areaChanges) area = b["practice_area_id"].id("Choose one of the firm's practice areas.");
    std::optional<std::string> phaseIn;
    if (b.has("phase")) phaseIn = b["phase"].requiredText(30, "Choose a phase.");
    std::optional<std::string> builtin;  // the new built-in phase, when it is set
    if (area) {
      const PracticeArea& a = requireArea(store, *area, "practice_area_id");
      const AreaPhase* p = nullptr;
      if (phaseIn) {
        p = &requireAreaPhase(a, *phaseIn, "phase");
      } else if (areaChanges) {
        const int same = a.indexOf(sdk::isNull(r[1]) ? "" : sdk::asText(r[1]));
        if (same >= 0 && a.phases[static_cast<std::size_t>(same)].builtin == sdk::asText(r[2]))
          p = &a.phases[static_cast<std::size_t>(same)];
        for (std::size_t i = 0; !p && i < a.phases.size(); ++i)
          if (a.phases[i].builtin == sdk::asText(r[2])) p = &a.phases[i];
        if (!p) p = &a.phases.front();
      }
      if (areaChanges) {
        set("practice_area_id", a.id);
        if (!b.has("practice_area")) set("practice_area", a.name);
      }
      if (p) {
        set("area_phase", p->key);
        builtin = p->builtin;
      }
    } else {
      if (areaChanges) {
        set("practice_area_id", nullptr);
        set("area_phase", nullptr);
      }
      if (phaseIn) builtin = checkPhase(*phaseIn, "phase");
    }
    if (builtin) {
      set("phase", *builtin);
      if (phaseIn || *builtin != sdk::asText(r[2])) {
        if (*builtin == "closed" && !b.has("closed_on")) set("closed_on", today());
        if (*builtin != "closed" && !b.has("closed_on")) set("closed_on", nullptr);
      }
    }
  }
  if (b["opened_on"].isNull()) b["opened_on"].refuse("Enter the date the case was opened.");
  if (auto v = dateField(b["opened_on"])) set("opened_on", *v);
  if (b.has("closed_on")) {
    auto v = b["closed_on"].text(10);
    set("closed_on", v && !v->empty() ? sdk::Value(checkDate(*v, "closed_on")) : sdk::Value(nullptr));
  }
  set("updated_at", c.db().now());
  set("updated_by", c.principal().user_id);
  params.push_back(id);
  std::string sql = "UPDATE cases SET ";
  for (std::size_t i = 0; i < sets.size(); ++i) sql += (i ? ", " : "") + sets[i];
  sql += " WHERE id = $" + std::to_string(params.size());
  try {
    if (c.db().execute(sql, params) == 0) throw sdk::NotFound("No such case.");
  } catch (const sdk::DbError& e) {
    // Rows of other modules that belong to the case's client keep it (its documents, the
    // messages of its conversation; issue 13): the database refuses to give the case another
    // client under them, so the client's files never become another client's.
    if (clientId == clientNow || e.kind() != sdk::DbError::Kind::Constraint) throw;
    throw sdk::Conflict("This case has documents or messages of its client; it cannot move to another client.",
                        "client_id");
  }
  if (clientId != clientNow)  // updates follow the case to its client
    c.db().execute("UPDATE case_updates SET client_id = $1 WHERE case_id = $2", {clientId, id});
  setRelated(c, id, clientId, b);
  c.audit().record("case.update", "case", std::to_string(id));
  JsonWriter w;
  store.writeStaffCase(w, id);
  sdk::sendJson(c, w);
}

void CaseHandlers::listUpdates(sdk::Context& c) {
  const auto id = caseId(c);
  requireCase(c, id);
  JsonWriter w;
  w.beginObject().key("items");
  CaseStore(c.db()).writeUpdates(w, id, true);
  w.member("next_cursor", nullptr).endObject();
  sdk::sendJson(c, w);
}

namespace {
// One update as staff see it.
void writeUpdate(JsonWriter& w, const sdk::ResultSet& rs) {
  const auto& r = rs.rows[0];
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("text", sdk::asText(r[1]))
      .member("client_visible", sdk::asBool(r[2]))
      .member("author_name", sdk::asText(r[3]))
      .member("created_at", sdk::asText(r[4]))
      .endObject();
}
}  // namespace

void CaseHandlers::addUpdate(sdk::Context& c) {
  const auto id = caseId(c);
  const auto clientId = requireCase(c, id);
  const JsonObject b = sdk::readJsonObject(c, {"text", "client_visible"});
  const std::string text = b["text"].requiredText(5000, "Write the update.", Lines::Many);
  const bool visible = b["client_visible"].boolean().value_or(false);  // staff choose; default not visible
  const auto uid = c.db().newId();
  const auto now = c.db().now();
  c.db().execute("INSERT INTO case_updates (firm_id, id, case_id, client_id, text, client_visible, author_name, created_at, "
                 "created_by, updated_at) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $7)",
                 {uid, id, clientId, text, visible, authorName(c), now, c.principal().user_id});
  c.db().execute("UPDATE cases SET updated_at = $1, updated_by = $2 WHERE id = $3", {now, c.principal().user_id, id});
  c.audit().record("case.update.add", "case", std::to_string(id), visible ? "client_visible" : "internal");
  JsonWriter w;
  w.beginObject()
      .member("id", uid)
      .member("text", text)
      .member("client_visible", visible)
      .member("author_name", authorName(c))
      .member("created_at", now)
      .endObject();
  sdk::sendJson(c, w, 201);
}

void CaseHandlers::patchUpdate(sdk::Context& c) {
  const auto id = caseId(c);
  requireCase(c, id);
  const auto uid = sdk::pathId(c, "update_id", "No such update.");
  const JsonObject b = sdk::readJsonObject(c, {"text", "client_visible"});
  if (b.has("text"))
    c.db().execute("UPDATE case_updates SET text = $1, updated_at = $2 WHERE id = $3 AND case_id = $4",
                   {b["text"].requiredText(5000, "Write the update.", Lines::Many), c.db().now(), uid, id});
  if (auto v = b["client_visible"].boolean()) {
    if (c.db().execute("UPDATE case_updates SET client_visible = $1, updated_at = $2 WHERE id = $3 AND case_id = $4",
                       {*v, c.db().now(), uid, id}) == 0)
      throw sdk::NotFound("No such update.");
    c.audit().record(*v ? "case.update.share" : "case.update.unshare", "case_update", std::to_string(uid));
  }
  auto rs = c.db().query("SELECT id, text, client_visible, author_name, created_at FROM case_updates WHERE id = $1 AND case_id = $2",
                         {uid, id});
  if (rs.empty()) throw sdk::NotFound("No such update.");
  JsonWriter w;
  writeUpdate(w, rs);
  sdk::sendJson(c, w);
}

void CaseHandlers::listNotes(sdk::Context& c) {
  const auto id = caseId(c);
  requireCase(c, id);
  auto rs = c.db().query("SELECT id, text, author_name, created_at FROM case_notes WHERE case_id = $1 ORDER BY created_at, id", {id});
  sdk::sendList(c, rs.rows, [](JsonWriter& w, const std::vector<sdk::Value>& r) {
    w.beginObject()
        .member("id", sdk::asInt(r[0]))
        .member("text", sdk::asText(r[1]))
        .member("author_name", sdk::asText(r[2]))
        .member("created_at", sdk::asText(r[3]))
        .endObject();
  });
}

void CaseHandlers::addNote(sdk::Context& c) {
  const auto id = caseId(c);
  requireCase(c, id);
  const JsonObject b = sdk::readJsonObject(c, {"text"});
  const std::string text = b["text"].requiredText(10000, "Write the note.", Lines::Many);
  const auto nid = c.db().newId();
  const auto now = c.db().now();
  c.db().execute("INSERT INTO case_notes (firm_id, id, case_id, text, author_name, created_at, created_by) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                 {nid, id, text, authorName(c), now, c.principal().user_id});
  c.audit().record("case.note.add", "case", std::to_string(id));
  JsonWriter w;
  w.beginObject()
      .member("id", nid)
      .member("text", text)
      .member("author_name", authorName(c))
      .member("created_at", now)
      .endObject();
  sdk::sendJson(c, w, 201);
}

void CaseHandlers::getPhases(sdk::Context& c) {
  CaseStore store(c.db());
  sdk::sendList(c, store.phaseLabels(), [](JsonWriter& w, const std::pair<std::string, std::string>& p) {
    w.beginObject()
        .member("phase", p.first)
        .member("label", p.second)
        .member("progress_percent", progressPercent(p.first))
        .endObject();
  });
}

void CaseHandlers::renamePhase(sdk::Context& c) {
  const std::string phase = c.request().pathParam("phase");
  const auto& p = phases();
  if (std::find(p.begin(), p.end(), phase) == p.end()) throw sdk::NotFound("No such phase.");
  const JsonObject b = sdk::readJsonObject(c, {"label"});
  const std::string label = b["label"].requiredText(40, "Enter a name for the phase.");
  c.db().execute("DELETE FROM case_phase_labels WHERE phase = $1", {phase});
  c.db().execute("INSERT INTO case_phase_labels (firm_id, phase, label) VALUES (lexos_firm(), $1, $2)", {phase, label});
  c.audit().record("case.phase.rename", "phase", phase, label);
  getPhases(c);
}

}  // namespace lexos::cases
