#include "practice_area_handlers.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

#include "case_store.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "practice_areas.h"

namespace lexos::cases {

using sdk::JsonObject;
using sdk::JsonWriter;

namespace {

std::int64_t areaId(sdk::Context& c) { return sdk::pathId(c, "id", "No such practice area."); }

std::string lower(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) out += static_cast<char>(std::tolower(ch));
  return out;
}

std::string today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// 409 naming `name` when another area of the firm has that name (ignoring case).
void requireFreeName(sdk::Context& c, const std::string& name, std::int64_t except) {
  for (const auto& r : c.db().query("SELECT id, name FROM practice_areas").rows)
    if (sdk::asInt(r[0]) != except && lower(sdk::asText(r[1])) == lower(name))
      throw sdk::Conflict("The firm already has a practice area called " + sdk::asText(r[1]) + ".", "name");
}

// Cases per phase key of one area.
std::map<std::string, std::int64_t> casesByPhase(sdk::Context& c, std::int64_t id) {
  std::map<std::string, std::int64_t> n;
  for (const auto& r : c.db().query("SELECT area_phase, count(*) FROM cases WHERE practice_area_id = $1 GROUP BY area_phase", {id}).rows)
    n[sdk::asText(r[0])] = sdk::asInt(r[1]);
  return n;
}

void writeArea(JsonWriter& w, const PracticeArea& a, std::int64_t caseCount, const std::string& createdAt,
               const std::string& updatedAt) {
  w.beginObject().member("id", a.id).member("name", a.name);
  w.key("phases").beginArray();
  for (std::size_t i = 0; i < a.phases.size(); ++i)
    w.beginObject()
        .member("key", a.phases[i].key)
        .member("label", a.phases[i].label)
        .member("builtin_phase", a.phases[i].builtin)
        .member("progress_percent", areaProgressPercent(i, a.phases.size(), a.phases[i].builtin))
        .endObject();
  w.endArray();
  w.member("case_count", caseCount).member("created_at", createdAt).member("updated_at", updatedAt).endObject();
}

// One area as the API answers it.
void sendArea(sdk::Context& c, std::int64_t id, int status) {
  CaseStore store(c.db());
  const PracticeArea* a = store.area(id);
  if (!a) throw sdk::NotFound("No such practice area.");
  auto rs = c.db().query("SELECT created_at, updated_at FROM practice_areas WHERE id = $1", {id});
  auto n = c.db().query("SELECT count(*) FROM cases WHERE practice_area_id = $1", {id});
  JsonWriter w;
  writeArea(w, *a, sdk::asInt(n.rows[0][0]), sdk::asText(rs.rows[0][0]), sdk::asText(rs.rows[0][1]));
  sdk::sendJson(c, w, status);
}

void insertPhases(sdk::Context& c, std::int64_t id, const std::vector<AreaPhase>& phases) {
  for (std::size_t i = 0; i < phases.size(); ++i)
    c.db().execute("INSERT INTO practice_area_phases (firm_id, area_id, phase_key, label, builtin_phase, position) "
                   "VALUES (lexos_firm(), $1, $2, $3, $4, $5)",
                   {id, phases[i].key, phases[i].label, phases[i].builtin, static_cast<std::int64_t>(i)});
}

}  // namespace

void PracticeAreaHandlers::list(sdk::Context& c) {
  auto rs = c.db().query("SELECT id, name, created_at, updated_at FROM practice_areas ORDER BY position, lower(name), id");
  std::map<std::int64_t, std::int64_t> counts;
  for (const auto& r : c.db().query("SELECT practice_area_id, count(*) FROM cases WHERE practice_area_id IS NOT NULL "
                                    "GROUP BY practice_area_id").rows)
    counts[sdk::asInt(r[0])] = sdk::asInt(r[1]);
  CaseStore store(c.db());
  sdk::sendList(c, rs.rows, [&](JsonWriter& w, const std::vector<sdk::Value>& r) {
    const PracticeArea* a = store.area(sdk::asInt(r[0]));
    if (a) writeArea(w, *a, counts[a->id], sdk::asText(r[2]), sdk::asText(r[3]));
  });
}

void PracticeAreaHandlers::templates(sdk::Context& c) {
  sdk::sendList(c, areaTemplates(), [](JsonWriter& w, const AreaTemplate& t) {
    w.beginObject().member("id", t.id).member("name", t.name);
    w.key("phases").beginArray();
    for (const auto& p : t.phases)
      w.beginObject().member("key", p.key).member("label", p.label).member("builtin_phase", p.builtin).endObject();
    w.endArray().endObject();
  });
}

void PracticeAreaHandlers::create(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"name", "phases", "template"});
  std::string name;
  std::vector<AreaPhase> phases;
  if (auto tid = b["template"].text(40)) {
    const AreaTemplate* t = findAreaTemplate(*tid);
    if (!t) b["template"].refuse("Choose one of the ready-made practice areas (GET /api/v1/practice-areas/templates).");
    name = b["name"].text(100).value_or("");
    if (name.empty()) name = t->name;
    phases = b.has("phases") ? readAreaPhases(b["phases"]) : t->phases;
  } else {
    name = b["name"].requiredText(100, "Enter a name for the practice area.");
    phases = readAreaPhases(b["phases"]);
  }
  requireFreeName(c, name, 0);
  const auto id = c.db().newId();
  const auto now = c.db().now();
  auto pos = c.db().query("SELECT coalesce(max(position), 0) + 1 FROM practice_areas");
  c.db().execute("INSERT INTO practice_areas (firm_id, id, name, position, created_at, updated_at) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $4)",
                 {id, name, sdk::asInt(pos.rows[0][0]), now});
  insertPhases(c, id, phases);
  c.audit().record("practice_area.create", "practice_area", std::to_string(id), name);
  c.response().setHeader("Location", "/api/v1/practice-areas/" + std::to_string(id));
  sendArea(c, id, 201);
}

void PracticeAreaHandlers::patch(sdk::Context& c) {
  const auto id = areaId(c);
  const JsonObject b = sdk::readJsonObject(c, {"name", "phases"});
  CaseStore store(c.db());
  const PracticeArea* found = store.area(id);
  if (!found) throw sdk::NotFound("No such practice area.");
  const PracticeArea before = *found;
  std::optional<std::string> name;
  if (b.has("name")) {
    name = b["name"].requiredText(100, "Enter a name for the practice area.");
    requireFreeName(c, *name, id);
  }
  std::optional<std::vector<AreaPhase>> phases;
  if (b.has("phases")) phases = readAreaPhases(b["phases"]);
  if (phases) {  // every check first: a refused request changes nothing
    const auto inUse = casesByPhase(c, id);
    for (const auto& [key, n] : inUse) {
      if (std::none_of(phases->begin(), phases->end(), [&](const AreaPhase& p) { return p.key == key; })) {
        const int at = before.indexOf(key);
        const std::string label = at >= 0 ? before.phases[static_cast<std::size_t>(at)].label : key;
        throw sdk::Conflict(std::to_string(n) + (n == 1 ? " case is" : " cases are") + " in the phase " + label +
                                ": move " + (n == 1 ? "it" : "them") + " to another phase before removing it.",
                            "phases");
      }
    }
  }
  const auto now = c.db().now();
  if (name) {
    c.db().execute("UPDATE practice_areas SET name = $1, updated_at = $2 WHERE id = $3", {*name, now, id});
    // The cases' own practice area text follows the area (what lists and exports show).
    c.db().execute("UPDATE cases SET practice_area = $1 WHERE practice_area_id = $2", {*name, id});
  }
  if (phases) {
    for (const auto& old : before.phases)
      if (std::none_of(phases->begin(), phases->end(), [&](const AreaPhase& p) { return p.key == old.key; }))
        c.db().execute("DELETE FROM practice_area_phases WHERE area_id = $1 AND phase_key = $2", {id, old.key});
    for (std::size_t i = 0; i < phases->size(); ++i) {
      const auto& p = (*phases)[i];
      const int at = before.indexOf(p.key);
      if (at < 0) {
        c.db().execute("INSERT INTO practice_area_phases (firm_id, area_id, phase_key, label, builtin_phase, position) "
                       "VALUES (lexos_firm(), $1, $2, $3, $4, $5)",
                       {id, p.key, p.label, p.builtin, static_cast<std::int64_t>(i)});
        continue;
      }
      // Remapping a phase moves its cases' built-in phase with it (the database does: a
      // cascading foreign key on PostgreSQL, a trigger on SQLite); their closed date follows here.
      c.db().execute("UPDATE practice_area_phases SET label = $1, builtin_phase = $2, position = $3 "
                     "WHERE area_id = $4 AND phase_key = $5",
                     {p.label, p.builtin, static_cast<std::int64_t>(i), id, p.key});
      const auto& old = before.phases[static_cast<std::size_t>(at)];
      if (old.builtin != p.builtin && (old.builtin == "closed" || p.builtin == "closed"))
        c.db().execute("UPDATE cases SET closed_on = $1 WHERE practice_area_id = $2 AND area_phase = $3",
                       {p.builtin == "closed" ? sdk::Value(today()) : sdk::Value(nullptr), id, p.key});
    }
    c.db().execute("UPDATE practice_areas SET updated_at = $1 WHERE id = $2", {now, id});
  }
  c.audit().record("practice_area.update", "practice_area", std::to_string(id), name.value_or(""));
  sendArea(c, id, 200);
}

void PracticeAreaHandlers::remove(sdk::Context& c) {
  const auto id = areaId(c);
  auto rs = c.db().query("SELECT name FROM practice_areas WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such practice area.");
  auto n = sdk::asInt(c.db().query("SELECT count(*) FROM cases WHERE practice_area_id = $1", {id}).rows[0][0]);
  if (n > 0)
    throw sdk::Conflict(std::to_string(n) + (n == 1 ? " case is" : " cases are") + " in " + sdk::asText(rs.rows[0][0]) +
                        ": move " + (n == 1 ? "it" : "them") + " to another practice area first.");
  // The phases first (no cascade: on SQLite it would reach the stored table outside a named
  // trigger, which the tenancy authorizer refuses).
  c.db().execute("DELETE FROM practice_area_phases WHERE area_id = $1", {id});
  c.db().execute("DELETE FROM practice_areas WHERE id = $1", {id});
  c.audit().record("practice_area.delete", "practice_area", std::to_string(id), sdk::asText(rs.rows[0][0]));
  c.response().setStatus(204);
  c.response().send("");
}

}  // namespace lexos::cases
