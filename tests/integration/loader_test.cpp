// The loader refuses every kind of bad plugin with one line naming the file and the reason.
#include <sys/stat.h>

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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

// What the ctor_mark test plugins' static constructors wrote (LEXOS_TEST_CTOR_MARK), or "".
struct CtorMark {
  TempDir dir;
  std::string file = dir.path + "/mark";
  CtorMark() { ::setenv("LEXOS_TEST_CTOR_MARK", file.c_str(), 1); }
  ~CtorMark() { ::unsetenv("LEXOS_TEST_CTOR_MARK"); }
  std::string text() const {
    std::ifstream in(file);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

// A plugins folder of its own (mode 0755) holding a copy of the probe plugin (mode 0644).
struct ProbeCopy {
  TempDir plugins;
  fs::path file = fs::path(plugins.path) / "probe.so";
  ProbeCopy() {
    fs::copy_file(fs::path(LEXOS_TEST_PLUGIN_DIR) / "probe.so", file);
    ::chmod(file.c_str(), 0644);
    ::chmod(plugins.path.c_str(), 0755);
  }
};
}  // namespace

TEST_CASE("the loader refuses a plugin whose note claims another ABI before any of its code runs") {
  CtorMark mark;
  auto msg = loadError("ctorbadabi");
  CHECK_THAT(msg, Catch::Contains("ctorbadabi.so: ABI mismatch"));
  CHECK_THAT(msg, Catch::Contains("expected SDK ABI major 1, found 99."));
  CHECK_THAT(msg, Catch::Contains("refused before loading it"));
  CHECK(mark.text().empty());  // its static constructor never ran
  // The same plugin with a right note loads, and its constructor leaves the mark: the mark works.
  CHECK(loadError("ctormark") == "(loaded)");
  CHECK(mark.text() == "ctormark\n");
}

TEST_CASE("the loader refuses a plugin without a LexOS note, built against an older SDK, before any of its code runs") {
  CtorMark mark;
  auto msg = loadError("ctornonote");
  CHECK_THAT(msg, Catch::Contains("ctornonote.so: not a LexOS plugin, or built against an SDK older than 1.2"));
  CHECK_THAT(msg, Catch::Contains("rebuild it against the installed SDK"));
  CHECK(mark.text().empty());
}

TEST_CASE("the loader refuses a plugin folder writable by its group, naming the folder and the fix") {
  ProbeCopy copy;
  ::chmod(copy.plugins.path.c_str(), 0775);
  auto msg = loadError("probe", copy.plugins.path);
  CHECK_THAT(msg, Catch::StartsWith(copy.file.string() + ": refused: folder " + copy.plugins.path +
                                    " on its path is writable by its group (mode 0775)"));
  CHECK_THAT(msg, Catch::EndsWith("chmod go-w " + copy.plugins.path));
  ::chmod(copy.plugins.path.c_str(), 0755);
  CHECK(loadError("probe", copy.plugins.path) == "(loaded)");
}

TEST_CASE("the loader refuses a plugin file owned by another user, naming the file and the fix") {
  if (::geteuid() != 0) {
    WARN("skipped: giving a file to another user needs root");
    return;
  }
  ProbeCopy copy;
  REQUIRE(::chown(copy.file.c_str(), 65534, 65534) == 0);
  auto msg = loadError("probe", copy.plugins.path);
  CHECK_THAT(msg, Catch::StartsWith(copy.file.string() + ": refused: the file is owned by uid 65534"));
  CHECK_THAT(msg, Catch::EndsWith("chown root " + copy.file.string()));
}

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
