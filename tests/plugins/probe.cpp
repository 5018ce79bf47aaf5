// A plugin for the tests: its handlers run plain SQL with no WHERE clause, so what they return
// is exactly what the host's tenancy enforcement lets through.
#include <chrono>
#include <string>
#include <thread>

#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

namespace {

// {"items":[{"col":value,...},...]} with integers as numbers, booleans as 1/0 and the rest as strings.
std::string rowsJson(const ResultSet& rs) {
  JsonWriter w;
  w.beginObject().key("items").beginArray();
  for (const auto& row : rs.rows) {
    w.beginObject();
    for (std::size_t c = 0; c < rs.columns.size(); ++c) {
      const auto& v = row[c];
      w.key(rs.columns[c]);
      if (isNull(v)) w.null();
      else if (std::holds_alternative<std::int64_t>(v)) w.value(asInt(v));
      else if (std::holds_alternative<bool>(v)) w.value(asBool(v) ? 1 : 0);
      else w.value(asText(v));
    }
    w.endObject();
  }
  w.endArray().endObject();
  return w.take();
}

// {"refused":true,"kind":N,"message":"..."}: what the database said when the host refused SQL.
std::string refusedJson(const DbError& e) {
  JsonWriter w;
  w.beginObject()
      .member("refused", true)
      .member("kind", static_cast<int>(e.kind()))
      .member("message", e.what())
      .endObject();
  return w.take();
}

std::int64_t queryInt(Context& c, const std::string& name, std::int64_t fallback) {
  auto v = c.request().query(name);
  if (!v) return fallback;
  try {
    return std::stoll(*v);
  } catch (...) {
    throw BadRequest(name, name + " must be a number.");
  }
}

class Probe : public Plugin {
 public:
  void registerWith(Registrar& r) override {
    r.addPermission({"probe.read", "Read probe items", {kRoleOwner, kRoleAttorney, kRoleParalegal, kRoleBilling, kRolePortal}});
    r.addPermission({"probe.write", "Write probe items", {kRoleOwner, kRoleAttorney}});
    r.addTable({"probe_items", Tenancy::Client, "client_id", "visible", {"firm_id", "id"}});
    r.addTable({"probe_notes", Tenancy::Firm, "", "", {"firm_id", "id"}});
    // probe_items.label is portal-readable; probe_items.secret is staff-only (column isolation).
    r.addPortalColumns({"probe_items", {"label"}});
    r.addMigration({1, "probe tables",
                    "CREATE TABLE probe_items (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, client_id BIGINT NOT NULL, "
                    "visible BOOLEAN NOT NULL DEFAULT FALSE, label TEXT NOT NULL, secret TEXT, PRIMARY KEY (firm_id, id));\n"
                    "CREATE TABLE probe_notes (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, text TEXT NOT NULL, "
                    "PRIMARY KEY (firm_id, id));",
                    "", ""});
    r.addNav({Audience::Staff, "Practice Management", "Probe", "#/probe", "probe.read", 50});
    // Screens (SDK 1.2): tests/plugins/probe_web/, linked as test-plugins/web/probe.
    r.addView({Audience::Staff, "probe", "probe_view.js", "probe.read", "Probe"});
    r.addView({Audience::Staff, "probe/{id}/edit", "probe_view.js", "probe.write", "Edit probe"});
    r.addView({Audience::Portal, "probe", "probe_view.js", "probe.read", "Probe"});
    r.addContribution({"staff.client.cards", "probe_card.js", "probe.read", "Probe card", 10});
    r.addContribution({"portal.matter.sections", "probe_card.js", "probe.read", "Probe section", 10});
    const std::string greeting = r.config("greeting", "hello");

    r.addRoute({Method::Get, "/api/v1/probe/ping", Audience::Public, kPublic,
                [greeting](Context& c) {
                  JsonWriter w;
                  w.beginObject().member("greeting", greeting).endObject();
                  sendJson(c, w);
                }, 0, "ping"});
    r.addRoute({Method::Get, "/api/v1/probe/items", Audience::Staff, "probe.read",
                [](Context& c) { c.response().sendJson(rowsJson(c.db().query("SELECT * FROM probe_items ORDER BY id"))); }, 0,
                "all probe items the tenant scope lets through"});
    r.addRoute({Method::Post, "/api/v1/probe/items", Audience::Staff, "probe.write",
                [](Context& c) {
                  // firm_id from the query lets a test try to write into another firm.
                  const std::int64_t firm = queryInt(c, "firm_id", 0);
                  const std::int64_t id = c.db().newId();
                  const std::string label = c.request().query("label").value_or("item");
                  if (c.request().query("omit"))  // plugin SQL that leaves firm_id to the host
                    c.db().execute("INSERT INTO probe_items (id, client_id, visible, label) VALUES ($1, $2, $3, $4)",
                                   {id, queryInt(c, "client_id", 0), queryInt(c, "visible", 0) != 0, label});
                  else if (firm)
                    c.db().execute("INSERT INTO probe_items (firm_id, id, client_id, visible, label) VALUES ($1, $2, $3, $4, $5)",
                                   {firm, id, queryInt(c, "client_id", 0), queryInt(c, "visible", 0) != 0, label});
                  else
                    c.db().execute("INSERT INTO probe_items (firm_id, id, client_id, visible, label) VALUES (lexos_firm(), $1, $2, $3, $4)",
                                   {id, queryInt(c, "client_id", 0), queryInt(c, "visible", 0) != 0, label});
                  c.db().execute("INSERT INTO probe_notes (firm_id, id, text) VALUES (lexos_firm(), $1, $2)", {c.db().newId(), "note for " + label});
                  c.audit().record("probe.create", "probe_item", std::to_string(id));
                  c.response().sendJson("{\"id\":" + std::to_string(id) + "}", 201);
                }, 4096, "create a probe item"});
    r.addRoute({Method::Post, "/api/v1/probe/items/{id}/rename", Audience::Staff, "probe.write",
                [](Context& c) {
                  auto n = c.db().execute("UPDATE probe_items SET label = $1 WHERE id = $2",
                                          {c.request().query("label").value_or("renamed"), std::stoll(c.request().pathParam("id"))});
                  if (n == 0) throw NotFound();
                  c.response().sendJson("{\"changed\":" + std::to_string(n) + "}");
                }, 0, "rename"});
    r.addRoute({Method::Delete, "/api/v1/probe/items", Audience::Staff, "probe.write",
                [](Context& c) {
                  auto n = c.db().execute("DELETE FROM probe_items");
                  c.response().sendJson("{\"deleted\":" + std::to_string(n) + "}");
                }, 0, "delete every item the scope reaches"});
    r.addRoute({Method::Get, "/api/v1/probe/raw", Audience::Staff, "probe.read",
                [](Context& c) {
                  // Tries to get around the scoping; the host must refuse.
                  const std::string sql = c.request().query("sql").value_or("SELECT * FROM lexos_t_probe_items");
                  try {
                    auto rs = c.db().query(sql);
                    c.response().sendJson(rowsJson(rs));
                  } catch (const DbError& e) {
                    c.response().sendJson(refusedJson(e), 200);
                  }
                }, 0, "raw SQL probe"});
    r.addRoute({Method::Get, "/api/v1/portal/probe/items", Audience::Portal, "probe.read",
                [](Context& c) { c.response().sendJson(rowsJson(c.db().query("SELECT * FROM probe_items ORDER BY id"))); }, 0,
                "portal view of probe items"});
    r.addRoute({Method::Get, "/api/v1/portal/probe/raw", Audience::Portal, "probe.read",
                [](Context& c) {
                  // Any SQL a (careless) portal handler could run: SELECT *, joins, subqueries.
                  const std::string sql = c.request().query("sql").value_or("SELECT * FROM probe_items");
                  try {
                    c.response().sendJson(rowsJson(c.db().query(sql)));
                  } catch (const DbError& e) {
                    c.response().sendJson(refusedJson(e), 200);
                  }
                }, 0, "raw SQL in a portal scope (column isolation proof)"});
    // Context::firm (SDK 1.5) from a staff and from a portal request, after a read of the
    // request's own scope, and a read after it (the scope must be the request's again).
    auto firmJson = [](Context& c) {
      FirmProfile f;
      const auto before = c.db().query("SELECT count(*) FROM probe_items").rows.at(0).at(0);
      c.firm(f);
      const auto after = c.db().query("SELECT count(*) FROM probe_items").rows.at(0).at(0);
      JsonWriter w;
      w.beginObject();
      w.member("slug", f.slug).member("name", f.name).member("time_zone", f.time_zone).member("country", f.country);
      w.member("address", f.address).member("items_before", asInt(before)).member("items_after", asInt(after));
      w.endObject();
      c.response().sendJson(w.take());
    };
    r.addRoute({Method::Get, "/api/v1/probe/firm", Audience::Staff, "probe.read", firmJson, 0, "Context::firm, staff"});
    r.addRoute({Method::Get, "/api/v1/portal/probe/firm", Audience::Portal, "probe.read", firmJson, 0,
                "Context::firm, portal"});
    r.addRoute({Method::Get, "/api/v1/portal/probe/notes", Audience::Portal, "probe.read",
                [](Context& c) { c.response().sendJson(rowsJson(c.db().query("SELECT * FROM probe_notes"))); }, 0,
                "portal view of firm-only notes (must be empty)"});
    r.addRoute({Method::Post, "/api/v1/portal/probe/items", Audience::Portal, "probe.read",
                [](Context& c) {
                  c.db().execute("INSERT INTO probe_items (firm_id, id, client_id, visible, label) VALUES (lexos_firm(), $1, $2, TRUE, 'portal')",
                                 {c.db().newId(), c.principal().client_id});
                  c.response().sendJson("{}", 201);
                }, 0, "a portal write (must be refused by the database)"});
    r.addRoute({Method::Get, "/api/v1/probe/slow", Audience::Public, kPublic,
                [](Context& c) {
                  std::this_thread::sleep_for(std::chrono::milliseconds(queryInt(c, "ms", 1000)));
                  c.response().sendJson("{\"slept\":true}");
                }, 0, "sleeps, for shutdown tests"});
    r.addRoute({Method::Post, "/api/v1/probe/mail", Audience::Staff, "probe.write",
                [](Context& c) {
                  // n messages to `to` ("<subject> 1" … "<subject> n"), a probe note beside them;
                  // fail=1 throws afterwards (the durable mail tests: nothing may be queued then).
                  const std::int64_t n = queryInt(c, "n", 1);
                  if (n < 1 || n > 100) throw BadRequest("n", "Send 1 to 100 messages.");
                  const std::string to = c.request().query("to").value_or("probe@example.test");
                  const std::string subject = c.request().query("subject").value_or("probe");
                  c.db().execute("INSERT INTO probe_notes (firm_id, id, text) VALUES (lexos_firm(), $1, $2)",
                                 {c.db().newId(), "mail " + subject});
                  for (std::int64_t i = 1; i <= n; ++i)
                    c.mail().send({to, subject + " " + std::to_string(i), "Probe message " + std::to_string(i) + "\n", ""});
                  if (c.request().query("fail")) throw Conflict("probe: failing after queueing mail");
                  c.response().sendJson("{\"queued\":" + std::to_string(n) + "}", 201);
                }, 0, "queue n e-mails (durable mail tests)"});
    // SDK 1.8 Context::bindPortalUser, for the tests only: binds the firm and the portal user the
    // query names (a real route proves them with a configured secret, like the schedules feed),
    // then runs `sql` (default: every probe item) as that user. step=user-first calls
    // bindPortalUser before bindFirm; twice=1 calls it twice.
    r.addRoute({Method::Get, "/api/v1/probe/as-portal", Audience::Public, kPublic,
                [](Context& c) {
                  const std::int64_t user = queryInt(c, "user", 0);
                  if (c.request().query("step").value_or("") == "user-first") c.bindPortalUser(user);
                  c.bindFirm(queryInt(c, "firm", 0));
                  const auto before = c.db().query("SELECT count(*) FROM probe_items").rows.at(0).at(0);
                  c.bindPortalUser(user);
                  if (c.request().query("twice")) c.bindPortalUser(user);
                  const std::string sql = c.request().query("sql").value_or("SELECT * FROM probe_items ORDER BY id");
                  JsonWriter w;
                  w.beginObject()
                      .member("staff_scope_items", asInt(before))
                      .member("portal", c.principal().isPortal())
                      .member("user_id", c.principal().user_id)
                      .member("client_id", c.principal().client_id)
                      .member("can_read", c.principal().can("probe.read"))
                      .member("can_write", c.principal().can("probe.write"));
                  try {
                    w.member("rows", rowsJson(c.db().query(sql)));
                  } catch (const DbError& e) {
                    w.member("refused", e.what());
                  }
                  w.endObject();
                  c.response().sendJson(w.take());
                }, 0, "bindPortalUser (tests only: the firm and user come from the query)"});
    // SDK 1.8 jobs, with [plugin.probe] jobs = on: `tick` writes a note, records an audit event and
    // sends a mail; `fails` writes a note and then throws (none of it may stay).
    if (r.config("jobs", "") == "on") {
      Job tick;
      tick.id = "tick";
      tick.every_seconds = 10;
      tick.summary = "a note, an audit event and a mail";
      tick.handler = [](Context& c) {
        c.db().execute("INSERT INTO probe_notes (firm_id, id, text) VALUES (lexos_firm(), $1, 'tick')", {c.db().newId()});
        c.audit().record("probe.tick", "firm", std::to_string(c.principal().firm_id));
        c.mail().send({"jobs@example.test", "probe tick " + std::to_string(c.principal().firm_id), "tick\n", ""});
      };
      r.addJob(tick);
      Job fails;
      fails.id = "fails";
      fails.every_seconds = 10;
      fails.summary = "throws after writing";
      fails.handler = [](Context& c) {
        c.db().execute("INSERT INTO probe_notes (firm_id, id, text) VALUES (lexos_firm(), $1, 'fails')", {c.db().newId()});
        c.audit().record("probe.fails", "firm", std::to_string(c.principal().firm_id));
        c.request();  // a job has no request: throws
      };
      r.addJob(fails);
    }
    r.addRoute({Method::Get, "/api/v1/probe/throw", Audience::Public, kPublic,
                [](Context&) -> void { throw std::runtime_error("secret internal detail"); }, 0, "throws"});
    r.addRoute({Method::Post, "/api/v1/probe/echo", Audience::Public, kPublic,
                [](Context& c) {
                  auto body = c.request().body();
                  if (body.empty()) throw BadRequest("body", "Send something.");
                  c.response().sendJson("{\"bytes\":" + std::to_string(body.size()) + "}");
                }, 64, "echo length; max 64 bytes"});
  }
};

}  // namespace

LEXOS_PLUGIN(Probe, "probe", "1.2.3")
