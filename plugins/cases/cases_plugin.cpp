// The cases module: declarations only; the work is in the handler classes.
#include "case_handlers.h"
#include "lexos/sdk/lexos.h"
#include "portal_case_handlers.h"
#include "practice_area_handlers.h"
#include "schema.h"

namespace lexos::cases {

using sdk::Audience;
using sdk::Method;

// What the routes take and answer (SDK 1.7), for GET /api/v1/openapi.json: the members are
// case_store.cpp's. The portal's case is closed (no member beyond those listed), so an answer
// that leaked a staff-only field (client_id, description, responsible_user_id) fails the
// description's check in the tests.
static void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  auto common = [](S s) {
    return s.field("id", S::id())
        .field("title", S::string())
        .field("matter_number", S::string())
        .field("practice_area", S::string())
        .field("practice_area_id", S::id().orNull())
        .field("contact", S::object().field("name", S::string()).field("email", S::string()))
        .field("phase", S::string())
        .field("builtin_phase", S::string().oneOf({"intake", "active", "discovery", "trial", "settled", "closed"}))
        .field("phase_label", S::string())
        .field("progress_percent", S::integer().minimum(0).maximum(100))
        .field("opened_on", S::date())
        .field("closed_on", S::date().orNull());
  };
  const S staffCase = common(S::object())
                          .field("client_id", S::id())
                          .field("responsible_user_id", S::id().orNull())
                          .field("description", S::string())
                          .field("created_at", S::dateTime())
                          .field("updated_at", S::dateTime())
                          .field("client_name", S::string());
  // A progress step: the case's practice area's phase (or a built-in one), as the portal shows it.
  const S step = S::object()
                     .field("phase", S::string())
                     .field("label", S::string())
                     .field("builtin_phase", S::string())
                     .field("progress_percent", S::integer().minimum(0).maximum(100))
                     .closed();
  const S oneCase = S(staffCase).field("related_client_ids", S::array(S::id())).field("phases", S::array(step));
  const S input = S::object()
                      .field("client_id", S::id())
                      .field("title", S::string())
                      .optionalField("matter_number", S::string().orNull())
                      .optionalField("practice_area", S::string().orNull())
                      .optionalField("practice_area_id", S::id().orNull())
                      .optionalField("responsible_user_id", S::id().orNull())
                      .optionalField("phase", S::string())
                      .optionalField("opened_on", S::date())
                      .optionalField("description", S::string().orNull())
                      .optionalField("related_client_ids", S::array(S::id()))
                      .closed();
  const S update = S::object()
                       .field("id", S::id())
                       .field("text", S::string())
                       .field("client_visible", S::boolean())
                       .field("author_name", S::string())
                       .field("created_at", S::dateTime());
  const S note = S::object()
                     .field("id", S::id())
                     .field("text", S::string())
                     .field("author_name", S::string())
                     .field("created_at", S::dateTime());
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases")
                      .query(S::object()
                                 .optionalField("client_id", S::id())
                                 .optionalField("phase", S::string())
                                 .optionalField("practice_area_id", S::id())
                                 .optionalField("q", S::string())
                                 .optionalField("limit", S::integer().minimum(1).maximum(100))
                                 .optionalField("cursor", S::string()))
                      .response(S::list(staffCase)));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases").request(input).response(oneCase, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases/{id}").response(oneCase));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/updates")
                      .request(S::object().field("text", S::string()).optionalField("client_visible", S::boolean()).closed())
                      .response(update, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases/{id}/notes").response(S::list(note)));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/notes")
                      .request(S::object().field("text", S::string()).closed())
                      .response(note, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/cases")
                      .description("The signed-in client's matters, with the latest update shared with them.")
                      .response(S::list(common(S::object())
                                            .field("latest_update", S::object()
                                                                        .field("text", S::string())
                                                                        .field("created_at", S::dateTime())
                                                                        .closed()
                                                                        .orNull())
                                            .field("phases", S::array(step))
                                            .closed())));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/cases/{id}")
                      .response(common(S::object())
                                    .field("updates", S::array(S::object()
                                                                   .field("id", S::id())
                                                                   .field("text", S::string())
                                                                   .field("author_name", S::string())
                                                                   .field("created_at", S::dateTime())
                                                                   .closed()))
                                    .field("phases", S::array(step))
                                    .closed()));
}

class CasesPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("clients");  // cases reference clients (foreign key, names)
    r.addPermission({"cases.read", "See case files and their status updates",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
    r.addPermission({"cases.write", "Open and edit case files, post status updates",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"cases.notes", "Read and write internal notes (the war room)",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"cases.settings", "Rename the firm's case phases, define its practice areas", {sdk::kRoleOwner}});
    r.addPermission({"cases.portal", "Portal: see my own matters and their shared updates", {sdk::kRolePortal}});

    r.addTable({"cases", sdk::Tenancy::Client, "client_id", "", {"firm_id", "id"}});
    r.addTable({"case_related_clients", sdk::Tenancy::Firm, "", "", {"firm_id", "case_id", "client_id"}});
    r.addTable({"case_updates", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"case_notes", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"case_phase_labels", sdk::Tenancy::FirmShared, "", "", {"firm_id", "phase"}});
    // What a portal session may read of these tables (SDK 1.2); every other column reads as NULL
    // in a portal scope: the description (the firm's working notes on the matter), the
    // responsible lawyer and who created or changed what stay staff-only (docs/isolation.md).
    r.addTable({"practice_areas", sdk::Tenancy::FirmShared, "", "", {"firm_id", "id"}});
    r.addTable({"practice_area_phases", sdk::Tenancy::FirmShared, "", "", {"firm_id", "area_id", "phase_key"}});
    r.addPortalColumns({"cases", {"title", "matter_number", "practice_area", "contact_name", "contact_email", "phase",
                                  "opened_on", "closed_on", "created_at", "updated_at", "practice_area_id", "area_phase"}});
    // A client's matter shows its area's phases, by the firm's names (issue 13).
    r.addPortalColumns({"practice_areas", {"name", "position"}});
    r.addPortalColumns({"practice_area_phases", {"label", "builtin_phase", "position"}});
    r.addPortalColumns({"case_updates", {"case_id", "text", "author_name", "created_at", "updated_at"}});
    r.addPortalColumns({"case_phase_labels", {"label"}});
    r.addMigration({1, "cases, updates, notes, phase labels", schema::kV1, "", ""});
    r.addMigration({2, "practice areas and their phases", "", schema::kV2Sqlite, schema::kV2Postgres});
    r.addMigration({3, "a case's (firm, id, client) as a key", "", schema::kV3Sqlite, schema::kV3Postgres});

    r.addNav({Audience::Staff, "Practice Management", "Cases", "#/cases", "cases.read", 20});
    r.addNav({Audience::Portal, "", "My matters", "#/matters", "cases.portal", 10});
    // Screens (web/, served at /plugins/cases/; docs/web-kit.md): the staff's case list, form and
    // page, the client's cases as a card on the client profile, and the portal's matters.
    r.addView({Audience::Staff, "cases", "list.js", "cases.read", "Cases"});
    r.addView({Audience::Staff, "cases/new", "form.js", "cases.write", "New case"});
    r.addView({Audience::Staff, "cases/{id}", "case.js", "cases.read", "Case"});
    r.addContribution({"staff.client.cards", "client_card.js", "cases.read", "Cases", 20});
    r.addNav({Audience::Staff, "Firm", "Practice areas", "#/firm/practice-areas", "cases.settings", 905});
    r.addView({Audience::Staff, "firm/practice-areas", "practice_areas.js", "cases.settings", "Practice areas"});
    r.addView({Audience::Portal, "matters", "matters.js", "cases.portal", "My matters"});
    r.addView({Audience::Portal, "matters/{id}", "matter.js", "cases.portal", "Matter"});

    constexpr std::size_t kBody = 64 * 1024;
    describeRoutes(r);
    r.addRoute({Method::Get, "/api/v1/cases", Audience::Staff, "cases.read", &CaseHandlers::list, 0, "List case files"});
    r.addRoute({Method::Post, "/api/v1/cases", Audience::Staff, "cases.write", &CaseHandlers::create, kBody, "Open a case"});
    r.addRoute({Method::Get, "/api/v1/cases/phases", Audience::Staff, "cases.read", &CaseHandlers::getPhases, 0,
                "The firm's case phases"});
    r.addRoute({Method::Put, "/api/v1/cases/phases/{phase}", Audience::Staff, "cases.settings", &CaseHandlers::renamePhase,
                4096, "Rename a phase"});
    r.addRoute({Method::Get, "/api/v1/practice-areas", Audience::Staff, "cases.read", &PracticeAreaHandlers::list, 0,
                "The firm's practice areas and their phases"});
    r.addRoute({Method::Get, "/api/v1/practice-areas/templates", Audience::Staff, "cases.read",
                &PracticeAreaHandlers::templates, 0, "Ready-made practice areas"});
    r.addRoute({Method::Post, "/api/v1/practice-areas", Audience::Staff, "cases.settings", &PracticeAreaHandlers::create,
                kBody, "Define a practice area {name, phases} or {template}"});
    r.addRoute({Method::Patch, "/api/v1/practice-areas/{id}", Audience::Staff, "cases.settings",
                &PracticeAreaHandlers::patch, kBody, "Rename a practice area or change its phases"});
    r.addRoute({Method::Delete, "/api/v1/practice-areas/{id}", Audience::Staff, "cases.settings",
                &PracticeAreaHandlers::remove, 0, "Delete a practice area no case uses"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}", Audience::Staff, "cases.read", &CaseHandlers::get, 0, "A case"});
    r.addRoute({Method::Patch, "/api/v1/cases/{id}", Audience::Staff, "cases.write", &CaseHandlers::patch, kBody,
                "Edit a case"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/updates", Audience::Staff, "cases.read", &CaseHandlers::listUpdates, 0,
                "Status updates with their visibility"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/updates", Audience::Staff, "cases.write", &CaseHandlers::addUpdate,
                kBody, "Post a status update {text, client_visible}"});
    r.addRoute({Method::Patch, "/api/v1/cases/{id}/updates/{update_id}", Audience::Staff, "cases.write",
                &CaseHandlers::patchUpdate, kBody, "Edit an update or change its visibility"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/notes", Audience::Staff, "cases.notes", &CaseHandlers::listNotes, 0,
                "Internal notes"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/notes", Audience::Staff, "cases.notes", &CaseHandlers::addNote, kBody,
                "Add an internal note"});
    r.addRoute({Method::Get, "/api/v1/portal/cases", Audience::Portal, "cases.portal", &PortalCaseHandlers::list, 0,
                "Portal: my matters"});
    r.addRoute({Method::Get, "/api/v1/portal/cases/{id}", Audience::Portal, "cases.portal", &PortalCaseHandlers::get, 0,
                "Portal: one of my matters with its shared updates"});
    // SDK 1.9: both portal pages answer from the client's rows of this module's tables (cases,
    // shared updates, phase labels, practice areas) and nothing else: no clock, no config. The
    // host may serve a repeat from memory until one of those rows changes (docs/portal-cache.md).
    r.addCachedRead({1, "/api/v1/portal/cases"});
    r.addCachedRead({1, "/api/v1/portal/cases/{id}"});
  }
};

}  // namespace lexos::cases

LEXOS_PLUGIN(lexos::cases::CasesPlugin, "cases", "0.1.0")
