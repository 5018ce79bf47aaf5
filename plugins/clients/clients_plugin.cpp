// The clients module: the firm's client directory (issue 4). Declares its permissions, tables,
// migration, routes, navigation and screens; the handlers are in client_handlers.cpp.
#include "client_handlers.h"
#include "lexos/sdk/lexos.h"
#include "schema.h"

namespace lexos::clients {

namespace {

using sdk::Audience;
using sdk::Method;

// What the routes take and answer (SDK 1.7), for GET /api/v1/openapi.json. The answer's shape
// is client_json.cpp's; the request's fields are client_validator.cpp's.
void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  auto text = [] { return S::string().orNull(); };
  const S address = S::object()
                        .field("line1", text()).field("line2", text()).field("city", text())
                        .field("region", text()).field("postal_code", text()).field("country", text());
  const S client =
      S::object()
          .field("id", S::id())
          .field("kind", S::string().oneOf({"individual", "organisation"}))
          .field("name", S::string())
          .field("contact_person", text())
          .field("email", text())
          .field("phone", text().describe("E.164"))
          .field("phone_display", S::string())
          .field("emails", S::array(S::object().field("address", S::string()).field("label", text()).field("primary", S::boolean())))
          .field("phones", S::array(S::object()
                                        .field("number", S::string())
                                        .field("display", S::string())
                                        .field("label", text())
                                        .field("primary", S::boolean())))
          .field("address", address)
          .field("billing", S::object()
                                .field("contact", text())
                                .field("email", text())
                                .field("address", address)
                                .field("currency", text())
                                .field("payment_terms_days", S::integer().orNull())
                                .field("tax_id", text())
                                .field("hourly_rate_minor", S::integer().orNull()))
          .field("notes", text())
          .field("status", S::string().oneOf({"active", "archived"}))
          .field("portal_status", S::string().oneOf({"none", "invited", "active", "revoked"}))
          .field("created_at", S::dateTime())
          .field("created_by", S::integer())
          .field("updated_at", S::dateTime())
          .field("updated_by", S::integer());
  const S input = S::object()
                      .optionalField("kind", S::string().oneOf({"individual", "organisation"}))
                      .field("name", S::string().maxLength(200))
                      .optionalField("contact_person", text())
                      .optionalField("email", text())
                      .optionalField("phone", text())
                      .optionalField("emails", S::array(S::object()).orNull())
                      .optionalField("phones", S::array(S::object()).orNull())
                      .optionalField("address", S::object().orNull())
                      .optionalField("billing", S::object().orNull())
                      .optionalField("notes", text())
                      .optionalField("status", S::string());
  const S filters = S::object()
                        .optionalField("q", S::string().describe("Name, contact person, e-mail or phone"))
                        .optionalField("status", S::string().oneOf({"active", "archived", "all"}))
                        .optionalField("portal_status", S::string())
                        .optionalField("sort", S::string().oneOf({"name", "-name", "added", "-added"}));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/clients")
                      .query(S(filters)
                                 .optionalField("limit", S::integer().minimum(1).maximum(100))
                                 .optionalField("cursor", S::string().describe("next_cursor of the page before")))
                      .response(S::list(client)
                                    .optionalField("total", S::integer().describe("First page only"))
                                    .optionalField("total_exact", S::boolean())));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/clients").request(input).response(client, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/clients/{id}").response(client));
  r.describeRoute(DescriptionBuilder(Method::Patch, "/api/v1/clients/{id}")
                      .request(S::object().raw("description", "\"Only the fields sent change; the fields of POST.\""))
                      .response(client));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/clients/export.csv")
                      .query(filters)
                      .responseOf("text/csv"));
}

class ClientsPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.addPermission({"clients.read", "See the client directory and client details",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
    r.addPermission({"clients.write", "Add, edit, archive, restore and delete clients",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"clients.export", "Export the client directory as CSV", {sdk::kRoleOwner, sdk::kRoleBilling}});

    // Portal users will read their own client row (the portal module), so the client tables
    // are client-owned: staff see the firm's rows, a portal user only their client's.
    r.addTable({"clients", sdk::Tenancy::Client, "id", "", {"firm_id", "id"}});
    r.addTable({"client_emails", sdk::Tenancy::Client, "client_id", "", {"firm_id", "client_id", "id"}});
    r.addTable({"client_phones", sdk::Tenancy::Client, "client_id", "", {"firm_id", "client_id", "id"}});
    // What a portal session may read of its own client rows (SDK 1.2): its name and contact
    // details. Notes, billing details, portal status, the search text and who changed what read
    // as NULL in a portal scope, whatever the SQL (docs/isolation.md).
    // The sort keys too (the name folded, the date the row was made: nothing a client does not
    // know): a staff-only column reads through SQLite's view as a CASE expression, which no
    // index can order, so the directory's first page would sort every client of the firm.
    r.addPortalColumns({"clients", {"kind", "name", "contact_person", "email", "phone", "address_line1", "address_line2",
                                    "address_city", "address_region", "address_postal_code", "address_country",
                                    "status", "sort_name", "created_at"}});
    r.addPortalColumns({"client_emails", {"position", "address", "label", "is_primary"}});
    r.addPortalColumns({"client_phones", {"position", "number", "label", "is_primary"}});
    // The search tokens serve staff search only.
    r.addTable({"client_search", sdk::Tenancy::Firm, "", "", {"firm_id", "client_id", "token"}});
    r.addTable({"client_prefixes", sdk::Tenancy::Firm, "", "", {"firm_id", "client_id", "prefix"}});
    r.addMigration({1, "clients, emails, phones, search tokens", "", schema::v1(false), schema::v1(true)});
    r.addMigration({2, "search tokens carry sort key and status", "", schema::v2(false), schema::v2(true)});
    r.addMigration({3, "sort by date added, contact person searchable", "", schema::v3(false), schema::v3(true)});

    constexpr std::size_t kBody = 128 * 1024;
    r.addRoute({Method::Get, "/api/v1/clients", Audience::Staff, "clients.read", &ClientHandlers::list, 0,
                "List clients: q (name, contact person, email, phone), status, portal_status, sort, limit, cursor"});
    r.addRoute({Method::Post, "/api/v1/clients", Audience::Staff, "clients.write", &ClientHandlers::create, kBody,
                "Create a client"});
    r.addRoute({Method::Get, "/api/v1/clients/export.csv", Audience::Staff, "clients.export",
                &ClientHandlers::exportCsv, 0, "The client directory as CSV: q, status (default all), portal_status, sort"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}", Audience::Staff, "clients.read", &ClientHandlers::get, 0,
                "A client"});
    r.addRoute({Method::Patch, "/api/v1/clients/{id}", Audience::Staff, "clients.write", &ClientHandlers::patch,
                kBody, "Change a client (only the fields sent)"});
    r.addRoute({Method::Delete, "/api/v1/clients/{id}", Audience::Staff, "clients.write", &ClientHandlers::remove, 0,
                "Delete a client nothing refers to (409 otherwise; archive instead)"});
    r.addRoute({Method::Post, "/api/v1/clients/{id}/archive", Audience::Staff, "clients.write",
                &ClientHandlers::archive, 0, "Archive a client"});
    r.addRoute({Method::Post, "/api/v1/clients/{id}/restore", Audience::Staff, "clients.write",
                &ClientHandlers::restore, 0, "Restore an archived client"});

    describeRoutes(r);

    r.addNav({Audience::Staff, "Practice Management", "Clients", "#/clients", "clients.read", 10});
    // Screens (web/, served at /plugins/clients/; docs/web-kit.md).
    r.addView({Audience::Staff, "clients", "list.js", "clients.read", "Clients"});
    r.addView({Audience::Staff, "clients/new", "form.js", "clients.write", "New client"});
    r.addView({Audience::Staff, "clients/{id}", "profile.js", "clients.read", "Client"});
    r.addView({Audience::Staff, "clients/{id}/edit", "form.js", "clients.write", "Edit client"});
  }
};

}  // namespace

}  // namespace lexos::clients

LEXOS_PLUGIN(lexos::clients::ClientsPlugin, "clients", "1.0.0")
