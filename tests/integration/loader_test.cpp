// The loader refuses every kind of bad plugin with one line naming the file and the reason.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "app/host.h"
#include "test_host.h"

using namespace lexos::test;
namespace fs = std::filesystem;

namespace {
std::string loadError(const std::string& plugins, const std::string& pluginDir = LEXOS_TEST_PLUGIN_DIR) {
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, plugins), {});
  cfg.plugins_dir = pluginDir;
  try {
    lexos::core::Host host(cfg);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(loaded)";
}
}  // namespace

TEST_CASE("the loader refuses a plugin built for another ABI, naming file, expected and found") {
  auto msg = loadError("badabi");
  CHECK_THAT(msg, Catch::Contains("badabi.so"));
  CHECK_THAT(msg, Catch::Contains("ABI mismatch"));
  CHECK_THAT(msg, Catch::Contains("expected SDK ABI major 1"));
  CHECK_THAT(msg, Catch::Contains("found 99.0"));
}

TEST_CASE("the loader refuses a shared library that is not a LexOS plugin") {
  auto msg = loadError("notaplugin");
  CHECK_THAT(msg, Catch::Contains("notaplugin.so"));
  CHECK_THAT(msg, Catch::Contains("not a LexOS plugin"));
}

TEST_CASE("the loader refuses a plugin with a route that declares no permission") {
  auto msg = loadError("nopermission");
  CHECK_THAT(msg, Catch::Contains("nopermission.so"));
  CHECK_THAT(msg, Catch::Contains("GET /api/v1/nopermission"));
  CHECK_THAT(msg, Catch::Contains("declares no permission"));
}

TEST_CASE("the loader refuses two routes with one method and path") {
  auto msg = loadError("probe,duproute");
  CHECK_THAT(msg, Catch::Contains("duproute.so"));
  CHECK_THAT(msg, Catch::Contains("GET /api/v1/probe/ping is already registered"));
}

TEST_CASE("the loader refuses a plugin whose id differs from its file name") {
  auto msg = loadError("wrongid");
  CHECK_THAT(msg, Catch::Contains("wrongid.so"));
  CHECK_THAT(msg, Catch::Contains("plugin id mismatch"));
  CHECK_THAT(msg, Catch::Contains("someoneelse"));
}

TEST_CASE("the loader refuses a plugin that is enabled but missing") {
  auto msg = loadError("nosuchplugin");
  CHECK_THAT(msg, Catch::Contains("nosuchplugin.so"));
  CHECK_THAT(msg, Catch::Contains("plugins.enabled"));
}

TEST_CASE("the loader reports a plugin that throws while registering") {
  auto msg = loadError("throwsreg");
  CHECK_THAT(msg, Catch::Contains("throwsreg.so"));
  CHECK_THAT(msg, Catch::Contains("missing setting plugin.throwsreg.key"));
}

TEST_CASE("the loader refuses a plugin file writable by others") {
  TempDir plugins;
  const auto copy = fs::path(plugins.path) / "probe.so";
  fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", copy);
  ::chmod(copy.c_str(), 0757 & ~0050);  // rwx---rwx: writable by others
  ::chmod(plugins.path.c_str(), 0755);
  auto msg = loadError("probe", plugins.path);
  CHECK_THAT(msg, Catch::Contains(copy.string()));
  CHECK_THAT(msg, Catch::Contains("writable by others"));
  ::chmod(copy.c_str(), 0775);
  CHECK_THAT(loadError("probe", plugins.path), Catch::Contains("writable by its group"));
  ::chmod(copy.c_str(), 0755);
  CHECK(loadError("probe", plugins.path) == "(loaded)");
}

TEST_CASE("the loader refuses two files for one plugin id") {
  TempDir plugins;
  fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", fs::path(plugins.path) / "probe.so");
  fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", fs::path(plugins.path) / "libprobe.so");
  ::chmod(plugins.path.c_str(), 0755);
  auto msg = loadError("probe", plugins.path);
  CHECK_THAT(msg, Catch::Contains("two files for plugin id 'probe'"));
}

TEST_CASE("a good plugin loads with its gate's facts, routes and permissions") {
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "probe"), {});
  lexos::core::Host host(cfg);
  const auto& plugins = host.registry().plugins();
  REQUIRE(plugins.size() == 2);  // core + probe
  CHECK(plugins[1].id == "probe");
  CHECK(plugins[1].version == "1.2.3");
  CHECK(plugins[1].abi_major == 1);
  bool found = false;
  for (const auto& r : host.registry().routes())
    if (r.route.path == "/api/v1/probe/items" && r.route.method == lexos::sdk::Method::Get) {
      found = true;
      CHECK(r.plugin == "probe");
      CHECK(r.route.permission == "probe.read");
    }
  CHECK(found);
  auto grants = host.guard().permissionsOf("paralegal");
  CHECK(std::find(grants.begin(), grants.end(), "probe.read") != grants.end());
  CHECK(std::find(grants.begin(), grants.end(), "probe.write") == grants.end());
}
