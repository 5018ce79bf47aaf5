#pragma once
// Everything the host knows about loaded modules: their gates, permissions, routes, tables,
// migrations and navigation. Filled at start-up on the main thread; read-only afterwards.

#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/router.h"
#include "lexos/sdk/plugin.h"

namespace lexos::core {

/// A plugin that cannot be loaded, or a declaration the host refuses. The message names the
/// file (or plugin), what was expected and what was found.
class LoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A registered route with the plugin that owns it.
struct RouteEntry {
  std::string plugin;
  sdk::Route route;
  /// SDK 1.9 addCachedRead: the host's portal read cache may answer it (http/read_cache.h).
  bool cached_read = false;
};

/// What a route takes and answers (SDK 1.7 describeRoute), by index into Registry::routes().
struct RouteDescriptionEntry {
  std::size_t route = 0;
  sdk::RouteDescription description;
};

/// Work a plugin asked the host to run per firm (SDK 1.8 addJob).
struct JobEntry {
  std::string plugin;
  sdk::Job job;
};

struct PermissionEntry {
  std::string plugin;
  sdk::Permission permission;
};

struct TableEntry {
  std::string plugin;
  sdk::Table table;
  /// Client and FirmShared tables: the columns portal sessions may read (SDK 1.2
  /// addPortalColumns) besides the keys; `portal_declared` is false when the plugin said nothing
  /// (then portal sessions read the keys only).
  std::vector<std::string> portal_columns;
  bool portal_declared = false;
  /// Client tables: the column after whose time portal sessions no longer see a row (SDK 1.3
  /// addPortalUntil); empty: none.
  std::string portal_until;
  /// Client tables: portal sessions may insert rows of their own client (SDK 1.6
  /// addPortalInsert).
  bool portal_insert = false;
};

/// A per-firm data step of a migration (SDK 1.2 addPerFirmStep).
struct PerFirmStepEntry {
  std::string plugin;
  sdk::PerFirmStep step;
};

struct MigrationEntry {
  std::string plugin;
  sdk::Migration migration;
};

struct NavEntryRecord {
  std::string plugin;
  sdk::NavEntry entry;
};

/// A screen a plugin declared (SDK 1.2), with the plugin that owns it.
struct ViewRecord {
  std::string plugin;
  sdk::View view;
};

/// A card or section a plugin contributes to an extension point of a shell (SDK 1.2).
struct ContributionRecord {
  std::string plugin;
  sdk::Contribution contribution;
  sdk::Audience audience = sdk::Audience::Staff;  ///< Of the point ("staff." or "portal.").
};

/// The extension points the shells define, each with its audience (registrar.h, Contribution).
const std::vector<std::pair<std::string, sdk::Audience>>& extensionPoints();

/// Facts about a loaded plugin, for `lexosctl plugins` and the logs.
struct PluginInfo {
  std::string id;
  std::string version;
  std::string file;
  std::string sdk_version;
  std::string compiler;
  unsigned abi_major = 0;
  unsigned abi_minor = 0;
  bool builtin = false;  ///< The host's own "core" module.
  std::vector<std::string> requires;  ///< Plugins this one needs (Registrar::requirePlugin).
};

/// The roles every firm has.
const std::vector<std::string>& knownRoles();

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// Registers a module: calls plugin.registerWith and validates all it declared. The registry
  /// takes ownership of the plugin object. Throws LoadError naming `origin` (the file).
  void registerPlugin(const PluginInfo& info, std::unique_ptr<sdk::Plugin> plugin);

  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  const std::vector<RouteEntry>& routes() const { return routes_; }
  const std::vector<PermissionEntry>& permissions() const { return permissions_; }
  const std::vector<TableEntry>& tables() const { return tables_; }
  const std::vector<MigrationEntry>& migrations() const { return migrations_; }
  const std::vector<PerFirmStepEntry>& perFirmSteps() const { return perFirmSteps_; }
  const std::vector<NavEntryRecord>& nav() const { return nav_; }
  const std::vector<ViewRecord>& views() const { return views_; }
  const std::vector<ContributionRecord>& contributions() const { return contributions_; }
  /// Route descriptions (SDK 1.7), each naming its route by index into routes().
  const std::vector<RouteDescriptionEntry>& descriptions() const { return descriptions_; }
  /// Jobs (SDK 1.8), in load order.
  const std::vector<JobEntry>& jobs() const { return jobs_; }
  /// The description of routes()[index], or nullptr when the plugin declared none.
  const sdk::RouteDescription* description(std::size_t index) const;
  const Router& router() const { return router_; }
  bool hasPlugin(const std::string& id) const;
  /// The permissions a role holds by default (sorted).
  std::vector<std::string> defaultGrants(const std::string& role) const;
  /// After every plugin registered: refuses a missing requirement or a cycle, and orders the
  /// migrations so that a plugin's come after those of the plugins it requires.
  void resolveRequirements();
  /// Configuration of plugin sections, set by the host before registering.
  void setPluginConfig(std::function<std::string(const std::string&, const std::string&,
                                                 const std::string&)> lookup) {
    config_ = std::move(lookup);
  }

 private:
  class Collector;
  std::vector<PluginInfo> plugins_;
  std::vector<std::unique_ptr<sdk::Plugin>> objects_;
  std::vector<RouteEntry> routes_;
  std::vector<PermissionEntry> permissions_;
  std::vector<TableEntry> tables_;
  std::vector<MigrationEntry> migrations_;
  std::vector<PerFirmStepEntry> perFirmSteps_;
  std::vector<NavEntryRecord> nav_;
  std::vector<ViewRecord> views_;
  std::vector<ContributionRecord> contributions_;
  std::vector<RouteDescriptionEntry> descriptions_;
  std::vector<JobEntry> jobs_;
  Router router_;
  std::function<std::string(const std::string&, const std::string&, const std::string&)> config_;
};

}  // namespace lexos::core
