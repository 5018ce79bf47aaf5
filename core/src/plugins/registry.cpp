#include "plugins/registry.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <set>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace lexos::core {

const std::vector<std::string>& knownRoles() {
  static const std::vector<std::string> roles = {sdk::kRoleOwner, sdk::kRoleAttorney,
                                                 sdk::kRoleParalegal, sdk::kRoleBilling,
                                                 sdk::kRolePortal};
  return roles;
}

const std::vector<std::pair<std::string, sdk::Audience>>& extensionPoints() {
  static const std::vector<std::pair<std::string, sdk::Audience>> points = {
      {"staff.client.cards", sdk::Audience::Staff},
      {"staff.case.cards", sdk::Audience::Staff},
      {"portal.matter.sections", sdk::Audience::Portal},
      {"portal.home.cards", sdk::Audience::Portal}};
  return points;
}

namespace {
// A web module's path inside the plugin's web folder: relative, plain segments, an ES module.
bool isModulePath(const std::string& m) {
  if (m.empty() || m.size() > 200 || m.front() == '/') return false;
  if (!(m.size() > 3 && (m.compare(m.size() - 3, 3, ".js") == 0 || m.compare(m.size() - 4, 4, ".mjs") == 0)))
    return false;
  std::size_t start = 0;
  while (start <= m.size()) {
    const auto end = std::min(m.find('/', start), m.size());
    const std::string seg = m.substr(start, end - start);
    if (seg.empty() || seg[0] == '.') return false;
    for (char ch : seg)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.')) return false;
    start = end + 1;
  }
  return true;
}
// A view's route: "notes", "notes/{id}", "notes/{id}/edit". The first segment is literal.
// Returns its shape ("notes/{}") or "" when the route is not valid.
std::string routeShape(const std::string& route) {
  if (route.empty() || route.size() > 200) return "";
  std::string shape;
  std::size_t start = 0;
  bool first = true;
  while (start <= route.size()) {
    const auto end = std::min(route.find('/', start), route.size());
    const std::string seg = route.substr(start, end - start);
    if (seg.empty()) return "";
    if (seg.front() == '{') {
      if (first || seg.size() < 3 || seg.back() != '}') return "";
      for (std::size_t i = 1; i + 1 < seg.size(); ++i)
        if (!(std::islower(static_cast<unsigned char>(seg[i])) || std::isdigit(static_cast<unsigned char>(seg[i])) ||
              seg[i] == '_'))
          return "";
      shape += "/{}";
    } else {
      for (char ch : seg)
        if (!(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
              ch == '_' || ch == '-'))
          return "";
      shape += "/" + seg;
    }
    first = false;
    start = end + 1;
  }
  return shape.substr(1);
}
// Routes the shells keep for themselves (sign-in, first start, portal activation).
bool reservedRoute(const std::string& shape) {
  const std::string head = shape.substr(0, shape.find('/'));
  return head == "signin" || head == "setup" || head == "activate";
}

bool isIdentifier(const std::string& s) {
  if (s.empty() || !(std::islower(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}
// A schema text of a route description: a JSON object, or the reason it is not.
std::string schemaProblem(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(text);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) return "it is JSON but not an object";
    return "";
  } catch (const std::exception& e) {
    return std::string("it is not JSON (") + e.what() + ")";
  }
}
bool isMediaType(const std::string& t) {
  const auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size() || t.size() > 100) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' || c == '-' || c == '_';
  });
}
const char* audienceName(sdk::Audience a) {
  switch (a) {
    case sdk::Audience::Public: return "public";
    case sdk::Audience::Staff: return "staff";
    case sdk::Audience::Portal: return "portal";
  }
  return "?";
}
}  // namespace

// Collects one plugin's declarations; nothing reaches the registry unless all are valid.
class Registry::Collector : public sdk::Registrar {
 public:
  Collector(const PluginInfo& info, const Registry& reg) : info_(info), reg_(reg) {}
  const std::string& pluginId() const override { return info_.id; }
  void addPermission(const sdk::Permission& p) override { permissions.push_back(p); }
  void addRoute(const sdk::Route& r) override { routes.push_back(r); }
  void addTable(const sdk::Table& t) override { tables.push_back(t); }
  void addMigration(const sdk::Migration& m) override { migrations.push_back(m); }
  void addNav(const sdk::NavEntry& n) override { nav.push_back(n); }
  std::string config(const std::string& key, const std::string& fallback) const override {
    return reg_.config_ ? reg_.config_(info_.id, key, fallback) : fallback;
  }
  void requirePlugin(const std::string& id) override { requires.push_back(id); }
  void addView(const sdk::View& v) override { views.push_back(v); }
  void addContribution(const sdk::Contribution& c) override { contributions.push_back(c); }
  void addPortalColumns(const sdk::PortalColumns& p) override { portalColumns.push_back(p); }
  void addPerFirmStep(const sdk::PerFirmStep& s) override { perFirmSteps.push_back(s); }
  void addPortalUntil(const sdk::PortalUntil& u) override { portalUntil.push_back(u); }
  void addPortalInsert(const sdk::PortalInsert& i) override { portalInserts.push_back(i); }
  void describeRoute(const sdk::RouteDescription& d) override {
    // Read only the fields of the version the plugin's copy carries (registrar.h): version 1
    // has them all so far.
    if (d.version < 1) throw std::invalid_argument("describeRoute: RouteDescription.version must be at least 1");
    sdk::RouteDescription copy;
    copy.method = d.method;
    copy.path = d.path;
    copy.description = d.description;
    copy.query_schema = d.query_schema;
    copy.request_schema = d.request_schema;
    copy.request_content_type = d.request_content_type;
    copy.response_status = d.response_status;
    copy.response_schema = d.response_schema;
    copy.response_content_type = d.response_content_type;
    descriptions.push_back(copy);
  }
  void addJob(const sdk::Job& j) override {
    // Fields of version 1 only (registrar.h).
    if (j.version < 1) throw std::invalid_argument("addJob: Job.version must be at least 1");
    sdk::Job copy;
    copy.id = j.id;
    copy.every_seconds = j.every_seconds;
    copy.handler = j.handler;
    copy.summary = j.summary;
    jobs.push_back(copy);
  }
  void addCachedRead(const sdk::CachedRead& cr) override {
    // Fields of version 1 only (registrar.h).
    if (cr.version < 1) throw std::invalid_argument("addCachedRead: CachedRead.version must be at least 1");
    sdk::CachedRead copy;
    copy.path = cr.path;
    cachedReads.push_back(copy);
  }

  std::vector<sdk::Permission> permissions;
  std::vector<sdk::Route> routes;
  std::vector<sdk::Table> tables;
  std::vector<sdk::Migration> migrations;
  std::vector<sdk::NavEntry> nav;
  std::vector<std::string> requires;
  std::vector<sdk::View> views;
  std::vector<sdk::Contribution> contributions;
  std::vector<sdk::PortalColumns> portalColumns;
  std::vector<sdk::PerFirmStep> perFirmSteps;
  std::vector<sdk::PortalUntil> portalUntil;
  std::vector<sdk::PortalInsert> portalInserts;
  std::vector<sdk::RouteDescription> descriptions;
  std::vector<sdk::Job> jobs;
  std::vector<sdk::CachedRead> cachedReads;

 private:
  const PluginInfo& info_;
  const Registry& reg_;
};

Registry::Registry() = default;

const sdk::RouteDescription* Registry::description(std::size_t index) const {
  for (const auto& d : descriptions_)
    if (d.route == index) return &d.description;
  return nullptr;
}
Registry::~Registry() {
  // Plugin objects go before the libraries that hold their code (the loader keeps those).
  objects_.clear();
}

bool Registry::hasPlugin(const std::string& id) const {
  return std::any_of(plugins_.begin(), plugins_.end(), [&](const PluginInfo& p) { return p.id == id; });
}

std::vector<std::string> Registry::defaultGrants(const std::string& role) const {
  std::vector<std::string> out;
  for (const auto& p : permissions_)
    if (std::find(p.permission.default_roles.begin(), p.permission.default_roles.end(), role) !=
        p.permission.default_roles.end())
      out.push_back(p.permission.name);
  std::sort(out.begin(), out.end());
  return out;
}

void Registry::resolveRequirements() {
  std::vector<std::string> order;  // core first, then every plugin after what it requires
  std::set<std::string> done, visiting;
  std::function<void(const PluginInfo&)> visit = [&](const PluginInfo& p) {
    if (done.count(p.id)) return;
    if (visiting.count(p.id)) throw LoadError("plugin '" + p.id + "' (" + p.file + "): requirements form a cycle");
    visiting.insert(p.id);
    for (const auto& r : p.requires) {
      auto it = std::find_if(plugins_.begin(), plugins_.end(), [&](const PluginInfo& q) { return q.id == r; });
      if (it == plugins_.end())
        throw LoadError("plugin '" + p.id + "' (" + p.file + ") requires plugin '" + r +
                        "', which is not loaded; add '" + r + "' to plugins.enabled");
      visit(*it);
    }
    visiting.erase(p.id);
    done.insert(p.id);
    order.push_back(p.id);
  };
  for (const auto& p : plugins_) visit(p);
  // Screens and cards name a permission of any loaded plugin (a plugin's card on another
  // plugin's page often needs the page's permission too); it must exist.
  auto known = [&](const std::string& name) {
    return std::any_of(permissions_.begin(), permissions_.end(),
                       [&](const PermissionEntry& e) { return e.permission.name == name; });
  };
  for (const auto& v : views_)
    if (!known(v.view.permission))
      throw LoadError("plugin '" + v.plugin + "': view '" + v.view.route + "' names permission '" +
                      v.view.permission + "', which no loaded plugin declares");
  for (const auto& c : contributions_)
    if (!known(c.contribution.permission))
      throw LoadError("plugin '" + c.plugin + "': contribution " + c.contribution.module + " to '" +
                      c.contribution.point + "' names permission '" + c.contribution.permission +
                      "', which no loaded plugin declares");
  std::stable_sort(migrations_.begin(), migrations_.end(), [&](const MigrationEntry& a, const MigrationEntry& b) {
    auto ia = std::find(order.begin(), order.end(), a.plugin) - order.begin();
    auto ib = std::find(order.begin(), order.end(), b.plugin) - order.begin();
    return ia < ib;
  });
}

void Registry::registerPlugin(const PluginInfo& info, std::unique_ptr<sdk::Plugin> plugin) {
  const std::string who = "plugin '" + info.id + "' (" + info.file + ")";
  if (hasPlugin(info.id)) throw LoadError(who + ": a plugin with id '" + info.id + "' is already loaded");
  Collector c(info, *this);
  try {
    plugin->registerWith(c);
  } catch (const std::exception& e) {
    throw LoadError(who + ": registration failed: " + e.what());
  } catch (...) {
    throw LoadError(who + ": registration failed with an unknown exception");
  }

  std::map<std::string, bool> declared;
  for (const auto& p : c.permissions) {
    if (p.name.rfind(info.id + ".", 0) != 0 || p.name.size() <= info.id.size() + 1)
      throw LoadError(who + ": permission '" + p.name + "' must be named '" + info.id + ".<what>'");
    if (declared.count(p.name)) throw LoadError(who + ": permission '" + p.name + "' declared twice");
    for (const auto& r : p.default_roles)
      if (std::find(knownRoles().begin(), knownRoles().end(), r) == knownRoles().end())
        throw LoadError(who + ": permission '" + p.name + "' grants unknown role '" + r + "'");
    declared[p.name] = true;
  }
  for (const auto& r : c.routes) {
    const std::string rn = std::string(sdk::methodName(r.method)) + " " + r.path;
    if (r.path.rfind("/api/", 0) != 0)
      throw LoadError(who + ": route " + rn + ": path must start with /api/");
    if (r.permission.empty())
      throw LoadError(who + ": route " + rn + " (audience " + audienceName(r.audience) +
                      ") declares no permission; every route needs one (use \"public\" for public routes)");
    if (!r.handler) throw LoadError(who + ": route " + rn + " has no handler");
    if (r.audience == sdk::Audience::Public) {
      if (r.permission != sdk::kPublic)
        throw LoadError(who + ": route " + rn + ": a public route must declare permission \"public\", found '" + r.permission + "'");
    } else {
      if (r.permission == sdk::kPublic)
        throw LoadError(who + ": route " + rn + ": permission \"public\" is only for audience public");
      if (!declared.count(r.permission))
        throw LoadError(who + ": route " + rn + ": permission '" + r.permission + "' is not declared by this plugin");
    }
    if (r.audience == sdk::Audience::Portal && r.path.rfind("/api/v1/portal/", 0) != 0)
      throw LoadError(who + ": route " + rn + ": portal routes must live under /api/v1/portal/");
  }
  for (const auto& t : c.tables) {
    if (!isIdentifier(t.name)) throw LoadError(who + ": table name '" + t.name + "' is not a lower-case identifier");
    for (const auto& existing : tables_)
      if (existing.table.name == t.name)
        throw LoadError(who + ": table '" + t.name + "' is already declared by plugin '" + existing.plugin + "'");
    if (t.tenancy == sdk::Tenancy::Client && !isIdentifier(t.client_column))
      throw LoadError(who + ": client-owned table '" + t.name + "' must name its client column");
    if (t.primary_key.empty() || t.primary_key.front() != "firm_id")
      throw LoadError(who + ": table '" + t.name + "': the primary key must start with firm_id");
  }
  for (const auto& v : c.views) {
    const std::string vn = "view '" + v.route + "'";
    if (v.audience == sdk::Audience::Public)
      throw LoadError(who + ": " + vn + ": audience must be staff or portal (screens need a session)");
    const std::string shape = routeShape(v.route);
    if (shape.empty())
      throw LoadError(who + ": " + vn + ": route must be lower-case segments and {params} after a literal first "
                      "segment, without '#/' (e.g. \"notes/{id}\")");
    if (reservedRoute(shape)) throw LoadError(who + ": " + vn + ": the shells keep this route for themselves");
    if (!isModulePath(v.module))
      throw LoadError(who + ": " + vn + ": module '" + v.module +
                      "' must be a .js or .mjs path inside the plugin's web folder (e.g. \"notes.js\")");
    if (v.permission.empty() || v.permission == sdk::kPublic)
      throw LoadError(who + ": " + vn + ": declares no permission; every view needs one");
    for (const auto& e : views_)
      if (e.view.audience == v.audience && routeShape(e.view.route) == shape)
        throw LoadError(who + ": " + vn + " clashes with view '" + e.view.route + "' of plugin '" + e.plugin + "'");
    for (const auto& o : c.views)
      if (&o != &v && o.audience == v.audience && routeShape(o.route) == shape)
        throw LoadError(who + ": " + vn + " is declared twice");
  }
  for (const auto& ct : c.contributions) {
    const std::string cn = "contribution " + ct.module + " to '" + ct.point + "'";
    auto point = std::find_if(extensionPoints().begin(), extensionPoints().end(),
                              [&](const auto& p) { return p.first == ct.point; });
    if (point == extensionPoints().end()) {
      std::string names;
      for (const auto& p : extensionPoints()) names += (names.empty() ? "" : ", ") + p.first;
      throw LoadError(who + ": " + cn + ": no such extension point (the shells have: " + names + ")");
    }
    if (!isModulePath(ct.module))
      throw LoadError(who + ": " + cn + ": module must be a .js or .mjs path inside the plugin's web folder");
    if (ct.permission.empty() || ct.permission == sdk::kPublic)
      throw LoadError(who + ": " + cn + ": declares no permission; every contribution needs one");
  }
  std::map<std::string, std::vector<std::string>> portal;  // table -> columns
  for (const auto& pc : c.portalColumns) {
    const std::string pn = "portal columns of table '" + pc.table + "'";
    auto t = std::find_if(c.tables.begin(), c.tables.end(), [&](const sdk::Table& x) { return x.name == pc.table; });
    if (t == c.tables.end()) throw LoadError(who + ": " + pn + ": this plugin declares no such table");
    if (t->tenancy == sdk::Tenancy::Firm)
      throw LoadError(who + ": " + pn + ": the table is Tenancy::Firm, which portal sessions never read");
    if (portal.count(pc.table)) throw LoadError(who + ": " + pn + " declared twice");
    std::set<std::string> seen;
    for (const auto& col : pc.columns) {
      if (!isIdentifier(col)) throw LoadError(who + ": " + pn + ": '" + col + "' is not a lower-case column name");
      if (!seen.insert(col).second) throw LoadError(who + ": " + pn + ": column '" + col + "' listed twice");
    }
    portal[pc.table] = pc.columns;
  }
  std::map<std::string, std::string> until;  // table -> column
  for (const auto& u : c.portalUntil) {
    const std::string un = "portal expiry of table '" + u.table + "'";
    auto t = std::find_if(c.tables.begin(), c.tables.end(), [&](const sdk::Table& x) { return x.name == u.table; });
    if (t == c.tables.end()) throw LoadError(who + ": " + un + ": this plugin declares no such table");
    if (t->tenancy != sdk::Tenancy::Client)
      throw LoadError(who + ": " + un + ": only a Tenancy::Client table has rows a portal session reads by client");
    if (!isIdentifier(u.column)) throw LoadError(who + ": " + un + ": '" + u.column + "' is not a lower-case column name");
    if (u.column == "firm_id" || u.column == t->client_column)
      throw LoadError(who + ": " + un + ": '" + u.column + "' is a key column, not a time");
    if (until.count(u.table)) throw LoadError(who + ": " + un + " declared twice");
    until[u.table] = u.column;
  }
  std::set<std::string> inserts;  // tables portal sessions insert their own rows into (SDK 1.6)
  for (const auto& pi : c.portalInserts) {
    const std::string in = "portal inserts into table '" + pi.table + "'";
    auto t = std::find_if(c.tables.begin(), c.tables.end(), [&](const sdk::Table& x) { return x.name == pi.table; });
    if (t == c.tables.end()) throw LoadError(who + ": " + in + ": this plugin declares no such table");
    if (t->tenancy != sdk::Tenancy::Client)
      throw LoadError(who + ": " + in + ": only a Tenancy::Client table has rows a portal session owns by client");
    if (!inserts.insert(pi.table).second) throw LoadError(who + ": " + in + " declared twice");
  }
  std::set<std::string> described;
  for (const auto& d : c.descriptions) {
    const std::string rn = std::string(sdk::methodName(d.method)) + " " + d.path;
    const std::string dn = "description of route " + rn;
    if (std::none_of(c.routes.begin(), c.routes.end(),
                     [&](const sdk::Route& r) { return r.method == d.method && r.path == d.path; }))
      throw LoadError(who + ": " + dn + ": this plugin adds no such route");
    if (!described.insert(rn).second) throw LoadError(who + ": " + dn + ": described twice");
    const std::pair<const char*, const std::string*> schemas[] = {
        {"query_schema", &d.query_schema}, {"request_schema", &d.request_schema}, {"response_schema", &d.response_schema}};
    for (const auto& [name, text] : schemas)
      if (!text->empty())
        if (auto why = schemaProblem(*text); !why.empty())
          throw LoadError(who + ": " + dn + ": " + name + " must be a JSON Schema object; " + why);
    if (d.response_status < 200 || d.response_status > 299)
      throw LoadError(who + ": " + dn + ": response_status must be a success status (200-299), found " +
                      std::to_string(d.response_status));
    if (d.response_status == 204 && !d.response_schema.empty())
      throw LoadError(who + ": " + dn + ": a 204 answer has no body, so it takes no response_schema");
    if (!isMediaType(d.request_content_type) || !isMediaType(d.response_content_type))
      throw LoadError(who + ": " + dn + ": content types must be media types like application/json");
  }
  std::set<std::string> jobIds;
  for (const auto& j : c.jobs) {
    const std::string jn = "job '" + j.id + "'";
    if (!isIdentifier(j.id)) throw LoadError(who + ": " + jn + ": a job id is a lower-case name like 'reminders'");
    if (!jobIds.insert(j.id).second) throw LoadError(who + ": " + jn + " declared twice");
    if (j.every_seconds < 10 || j.every_seconds > 86400)
      throw LoadError(who + ": " + jn + ": every_seconds must be between 10 and 86400, found " +
                      std::to_string(j.every_seconds));
    if (!j.handler) throw LoadError(who + ": " + jn + ": it has no handler");
  }
  std::set<std::string> cachedPaths;  // SDK 1.9: portal GET routes of this plugin only
  for (const auto& cr : c.cachedReads) {
    const std::string cn = "cached read of '" + cr.path + "'";
    if (std::none_of(c.routes.begin(), c.routes.end(), [&](const sdk::Route& r) {
          return r.method == sdk::Method::Get && r.audience == sdk::Audience::Portal && r.path == cr.path;
        }))
      throw LoadError(who + ": " + cn + ": this plugin adds no GET route with audience portal at that path "
                      "(only portal GET routes may be cached)");
    if (!cachedPaths.insert(cr.path).second) throw LoadError(who + ": " + cn + " declared twice");
  }
  for (const auto& st : c.perFirmSteps)
    if (std::none_of(c.migrations.begin(), c.migrations.end(), [&](const sdk::Migration& m) { return m.version == st.version; }))
      throw LoadError(who + ": per-firm step of migration " + std::to_string(st.version) +
                      ": this plugin declares no migration with that version");
  std::vector<int> versions;
  for (const auto& m : c.migrations) versions.push_back(m.version);
  std::sort(versions.begin(), versions.end());
  for (std::size_t i = 0; i < versions.size(); ++i)
    if (versions[i] != static_cast<int>(i) + 1)
      throw LoadError(who + ": migrations must be numbered 1, 2, 3, ... without gaps or repeats");

  // All valid: add routes to the router (which refuses duplicates across plugins).
  for (const auto& r : c.routes) {
    try {
      router_.add(r.method, r.path, routes_.size());
    } catch (const RouteConflict& e) {
      throw LoadError(who + ": route conflict: " + e.what());
    }
    routes_.push_back({info.id, r, r.method == sdk::Method::Get && cachedPaths.count(r.path) > 0});
    for (const auto& d : c.descriptions)
      if (d.method == r.method && d.path == r.path) descriptions_.push_back({routes_.size() - 1, d});
  }
  for (const auto& p : c.permissions) permissions_.push_back({info.id, p});
  for (const auto& j : c.jobs) jobs_.push_back({info.id, j});
  for (const auto& t : c.tables) {
    TableEntry e{info.id, t, {}, false, {}};
    if (auto it = portal.find(t.name); it != portal.end()) {
      e.portal_columns = it->second;
      e.portal_declared = true;
    }
    if (auto it = until.find(t.name); it != until.end()) e.portal_until = it->second;
    e.portal_insert = inserts.count(t.name) > 0;
    tables_.push_back(std::move(e));
  }
  for (const auto& st : c.perFirmSteps) perFirmSteps_.push_back({info.id, st});
  auto ms = c.migrations;
  std::sort(ms.begin(), ms.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (const auto& m : ms) migrations_.push_back({info.id, m});
  for (const auto& n : c.nav) nav_.push_back({info.id, n});
  for (const auto& v : c.views) views_.push_back({info.id, v});
  for (const auto& ct : c.contributions) {
    auto point = std::find_if(extensionPoints().begin(), extensionPoints().end(),
                              [&](const auto& p) { return p.first == ct.point; });
    contributions_.push_back({info.id, ct, point->second});
  }
  PluginInfo stored = info;
  stored.requires = c.requires;
  plugins_.push_back(stored);
  objects_.push_back(std::move(plugin));
}

}  // namespace lexos::core
