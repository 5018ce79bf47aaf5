// A test plugin whose migrations grow with its config ([plugin.stepper] migrations = N): the
// per-firm data steps of a migration (SDK 1.2, Registrar::addPerFirmStep) are tested by starting
// a host with one migration, adding firms and rows, then starting it again with two.
#include <string>

#include "lexos/sdk/lexos.h"

using namespace lexos::sdk;

namespace {

class Stepper : public Plugin {
 public:
  void registerWith(Registrar& r) override {
    r.addPermission({"stepper.read", "Read stepper rows", {kRoleOwner}});
    r.addTable({"stepper_rows", Tenancy::Client, "client_id", "", {"firm_id", "id"}});
    r.addPortalColumns({"stepper_rows", {"label"}});
    // Shares that leave the portal's reach at a time (SDK 1.3, Registrar::addPortalUntil).
    r.addTable({"stepper_shares", Tenancy::Client, "client_id", "active", {"firm_id", "id"}});
    r.addPortalColumns({"stepper_shares", {"label"}});
    r.addPortalUntil({"stepper_shares", "expires_at"});
    r.addMigration({1, "rows",
                    "CREATE TABLE stepper_rows (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, client_id BIGINT NOT NULL, "
                    "label TEXT NOT NULL, PRIMARY KEY (firm_id, id));\n"
                    "CREATE TABLE stepper_shares (firm_id BIGINT NOT NULL, id BIGINT NOT NULL, client_id BIGINT NOT NULL, "
                    "label TEXT NOT NULL, active BOOLEAN NOT NULL, expires_at TEXT, PRIMARY KEY (firm_id, id));",
                    "", ""});
    if (r.config("migrations", "1") == "2") {
      r.addMigration({2, "firm tag", "ALTER TABLE stepper_rows ADD COLUMN tag TEXT;", "", ""});
      // Filled for every firm, each with its own scope: the statement names no firm.
      r.addPerFirmStep({2, "UPDATE stepper_rows SET tag = 'firm ' || lexos_firm() || ' ' || label;", "", ""});
    }
    r.addRoute({Method::Get, "/api/v1/stepper/rows", Audience::Staff, "stepper.read",
                [](Context& c) {
                  auto rs = c.db().query("SELECT label, tag FROM stepper_rows ORDER BY label");
                  std::string out = "{\"items\":[";
                  for (std::size_t i = 0; i < rs.rows.size(); ++i)
                    out += (i ? ",\"" : "\"") + asText(rs.rows[i][0]) + "=" + asText(rs.rows[i][1]) + "\"";
                  c.response().sendJson(out + "]}");
                }, 0, "rows with their tags"});
    r.addRoute({Method::Post, "/api/v1/stepper/rows", Audience::Staff, "stepper.read",
                [](Context& c) {
                  c.db().execute("INSERT INTO stepper_rows (id, client_id, label) VALUES ($1, 1, $2)",
                                 {c.db().newId(), c.request().query("label").value_or("row")});
                  c.response().sendJson("{}", 201);
                }, 0, "add a row"});
  }
};

}  // namespace

LEXOS_PLUGIN(Stepper, "stepper", "1.0.0")
