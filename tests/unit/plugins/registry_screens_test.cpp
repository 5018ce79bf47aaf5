// The registry's checks of what a plugin declares for the web apps (SDK 1.2): views and
// contributions are refused at load, naming the plugin, the declaration and what is wrong.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>

#include "plugins/registry.h"

using namespace lexos;

namespace {

class Declares : public sdk::Plugin {
 public:
  explicit Declares(std::function<void(sdk::Registrar&)> f) : f_(std::move(f)) {}
  void registerWith(sdk::Registrar& r) override {
    r.addPermission({r.pluginId() + ".read", "Read", {sdk::kRoleOwner}});
    f_(r);
  }

 private:
  std::function<void(sdk::Registrar&)> f_;
};

core::PluginInfo info(const std::string& id) {
  core::PluginInfo i;
  i.id = id;
  i.file = "/plugins/" + id + ".so";
  return i;
}

std::string refusal(core::Registry& reg, const std::string& id, std::function<void(sdk::Registrar&)> f) {
  try {
    reg.registerPlugin(info(id), std::make_unique<Declares>(std::move(f)));
    reg.resolveRequirements();
  } catch (const core::LoadError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a plugin's views and contributions are kept with their plugin and the point's audience") {
  core::Registry reg;
  CHECK(refusal(reg, "notes", [](sdk::Registrar& r) {
          r.addView({sdk::Audience::Staff, "notes/{id}/edit", "views/edit.js", "notes.read", "Edit note"});
          r.addContribution({"portal.matter.sections", "section.mjs", "notes.read", "Notes", 5});
        }) == "");
  REQUIRE(reg.views().size() == 1);
  CHECK(reg.views()[0].plugin == "notes");
  CHECK(reg.views()[0].view.module == "views/edit.js");
  REQUIRE(reg.contributions().size() == 1);
  CHECK(reg.contributions()[0].audience == sdk::Audience::Portal);
}

TEST_CASE("views with a bad route, module, audience or permission are refused by name") {
  core::Registry reg;
  auto view = [&](sdk::View v) { return refusal(reg, "notes", [v](sdk::Registrar& r) { r.addView(v); }); };
  using A = sdk::Audience;
  CHECK_THAT(view({A::Staff, "#/notes", "n.js", "notes.read", ""}), Catch::Contains("view '#/notes': route must be"));
  CHECK_THAT(view({A::Staff, "{id}", "n.js", "notes.read", ""}), Catch::Contains("route must be"));
  CHECK_THAT(view({A::Staff, "notes//x", "n.js", "notes.read", ""}), Catch::Contains("route must be"));
  CHECK_THAT(view({A::Staff, "Notes", "n.js", "notes.read", ""}), Catch::Contains("route must be"));
  CHECK_THAT(view({A::Staff, "notes/{Id}", "n.js", "notes.read", ""}), Catch::Contains("route must be"));
  CHECK_THAT(view({A::Staff, "", "n.js", "notes.read", ""}), Catch::Contains("route must be"));
  CHECK_THAT(view({A::Staff, "signin", "n.js", "notes.read", ""}), Catch::Contains("the shells keep this route"));
  CHECK_THAT(view({A::Portal, "activate/{token}", "n.js", "notes.read", ""}), Catch::Contains("the shells keep"));
  CHECK_THAT(view({A::Public, "notes", "n.js", "notes.read", ""}), Catch::Contains("audience must be staff or portal"));
  CHECK_THAT(view({A::Staff, "notes", "../n.js", "notes.read", ""}), Catch::Contains("module '../n.js'"));
  CHECK_THAT(view({A::Staff, "notes", "/n.js", "notes.read", ""}), Catch::Contains("module '/n.js'"));
  CHECK_THAT(view({A::Staff, "notes", "n.html", "notes.read", ""}), Catch::Contains("must be a .js or .mjs path"));
  CHECK_THAT(view({A::Staff, "notes", "a/.hidden.js", "notes.read", ""}), Catch::Contains("must be a .js or .mjs"));
  CHECK_THAT(view({A::Staff, "notes", "n.js", "", ""}), Catch::Contains("declares no permission"));
  CHECK_THAT(view({A::Staff, "notes", "n.js", "public", ""}), Catch::Contains("declares no permission"));
  CHECK_THAT(view({A::Staff, "notes", "n.js", "other.read", ""}),
             Catch::Contains("names permission 'other.read', which no loaded plugin declares"));
}

TEST_CASE("two views on the same route of one shell are refused, across plugins too") {
  core::Registry reg;
  REQUIRE(refusal(reg, "notes", [](sdk::Registrar& r) {
            r.addView({sdk::Audience::Staff, "notes/{id}", "n.js", "notes.read", ""});
            r.addView({sdk::Audience::Portal, "notes/{id}", "n.js", "notes.read", ""});  // other shell: fine
          }) == "");
  CHECK_THAT(refusal(reg, "memos", [](sdk::Registrar& r) {
               r.addView({sdk::Audience::Staff, "notes/{other}", "m.js", "memos.read", ""});
             }),
             Catch::Contains("view 'notes/{other}' clashes with view 'notes/{id}' of plugin 'notes'"));
  core::Registry again;
  CHECK_THAT(refusal(again, "memos", [](sdk::Registrar& r) {
               r.addView({sdk::Audience::Staff, "memos", "m.js", "memos.read", ""});
               r.addView({sdk::Audience::Staff, "memos", "m2.js", "memos.read", ""});
             }),
             Catch::Contains("is declared twice"));
}

TEST_CASE("contributions to an unknown point or without a module or permission are refused by name") {
  core::Registry reg;
  auto card = [&](sdk::Contribution c) { return refusal(reg, "notes", [c](sdk::Registrar& r) { r.addContribution(c); }); };
  CHECK_THAT(card({"staff.client.sidebar", "c.js", "notes.read", "", 1}),
             Catch::Contains("no such extension point (the shells have: staff.client.cards"));
  CHECK_THAT(card({"staff.case.cards", "c.css", "notes.read", "", 1}), Catch::Contains("must be a .js or .mjs path"));
  CHECK_THAT(card({"staff.case.cards", "c.js", "", "", 1}), Catch::Contains("declares no permission"));
  CHECK_THAT(card({"staff.case.cards", "c.js", "ghost.read", "", 1}), Catch::Contains("which no loaded plugin declares"));
}

TEST_CASE("portal columns must name a client-owned or firm-shared table of the plugin, once, with plain names") {
  auto decl = [](std::function<void(sdk::Registrar&)> extra) {
    core::Registry reg;
    return refusal(reg, "notes", [extra](sdk::Registrar& r) {
      r.addTable({"notes_own", sdk::Tenancy::Client, "client_id", "", {"firm_id", "id"}});
      r.addTable({"notes_firm", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
      extra(r);
    });
  };
  CHECK(decl([](sdk::Registrar& r) { r.addPortalColumns({"notes_own", {"title", "body"}}); }) == "");
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalColumns({"clients", {"name"}}); }),
             Catch::Contains("portal columns of table 'clients': this plugin declares no such table"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalColumns({"notes_firm", {"title"}}); }),
             Catch::Contains("Tenancy::Firm, which portal sessions never read"));
  CHECK_THAT(decl([](sdk::Registrar& r) {
               r.addPortalColumns({"notes_own", {"title"}});
               r.addPortalColumns({"notes_own", {"body"}});
             }),
             Catch::Contains("declared twice"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalColumns({"notes_own", {"title", "title"}}); }),
             Catch::Contains("column 'title' listed twice"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalColumns({"notes_own", {"Title; DROP"}}); }),
             Catch::Contains("is not a lower-case column name"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPerFirmStep({3, "UPDATE notes_own SET title = ''", "", ""}); }),
             Catch::Contains("per-firm step of migration 3: this plugin declares no migration with that version"));
}

TEST_CASE("portal inserts must name a client-owned table of the plugin, once") {
  auto decl = [](std::function<void(sdk::Registrar&)> extra) {
    core::Registry reg;
    return refusal(reg, "notes", [extra](sdk::Registrar& r) {
      r.addTable({"notes_own", sdk::Tenancy::Client, "client_id", "", {"firm_id", "id"}});
      r.addTable({"notes_shared", sdk::Tenancy::FirmShared, "", "", {"firm_id", "id"}});
      r.addTable({"notes_firm", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
      extra(r);
    });
  };
  CHECK(decl([](sdk::Registrar& r) { r.addPortalInsert({"notes_own"}); }) == "");
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalInsert({"clients"}); }),
             Catch::Contains("portal inserts into table 'clients': this plugin declares no such table"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalInsert({"notes_firm"}); }),
             Catch::Contains("only a Tenancy::Client table"));
  CHECK_THAT(decl([](sdk::Registrar& r) { r.addPortalInsert({"notes_shared"}); }),
             Catch::Contains("only a Tenancy::Client table"));
  CHECK_THAT(decl([](sdk::Registrar& r) {
               r.addPortalInsert({"notes_own"});
               r.addPortalInsert({"notes_own"});
             }),
             Catch::Contains("declared twice"));
}
