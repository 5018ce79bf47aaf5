#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "config/config.h"
#include "test_host.h"

using lexos::core::Config;
using lexos::core::ConfigError;

namespace {
std::string write(const lexos::test::TempDir& d, const std::string& text) {
  const std::string f = d.path + "/c.ini";
  std::ofstream(f) << text;
  return f;
}
std::string errorOf(const std::string& text, const std::map<std::string, std::string>& env = {}) {
  lexos::test::TempDir d;
  try {
    Config::load(write(d, text), env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

TEST_CASE("config defaults fill every key and relative paths resolve against the file's folder") {
  lexos::test::TempDir d;
  auto c = Config::load(write(d, "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\n"), {});
  CHECK(c.listen_host == "127.0.0.1");
  CHECK(c.listen_port == 8080);
  CHECK(c.public_url == "http://127.0.0.1:8080");
  CHECK(c.state_dir == d.path + "/var");
  CHECK(c.database_url == "sqlite:" + d.path + "/var/lexos.db");
  CHECK(c.mail_transport == "outbox");
  CHECK(c.plugins_enabled.empty());
  CHECK(c.session_cache_seconds == 60);
  CHECK(c.cache_portal_seconds == 30);
  CHECK(c.cache_portal_entries == 20000);
  CHECK(c.listen_url.empty());
}

TEST_CASE("server.threads is auto by default: 4 per hardware thread, from 8 to 64, a number is taken as it is") {
  lexos::test::TempDir d;
  const std::string base = "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n";
  CHECK(Config::load(write(d, base), {}).threads == lexos::core::autoThreads(std::thread::hardware_concurrency()));
  CHECK(Config::load(write(d, base + "[server]\nthreads = auto\n"), {}).threads ==
        lexos::core::autoThreads(std::thread::hardware_concurrency()));
  CHECK(Config::load(write(d, base + "[server]\nthreads = 5\n"), {}).threads == 5);
  CHECK(Config::load(write(d, base), {{"LEXOS_SERVER_THREADS", "40"}}).threads == 40);
  CHECK(lexos::core::autoThreads(0) == 8);   // the machine does not say
  CHECK(lexos::core::autoThreads(1) == 8);
  CHECK(lexos::core::autoThreads(2) == 8);
  CHECK(lexos::core::autoThreads(3) == 12);
  CHECK(lexos::core::autoThreads(16) == 64);
  CHECK(lexos::core::autoThreads(128) == 64);
  CHECK_THAT(errorOf(base + "[server]\nthreads = Auto\n"), Catch::Contains("server.threads") && Catch::Contains("'Auto'"));
}

TEST_CASE("environment variables LEXOS_SECTION_KEY override the file") {
  lexos::test::TempDir d;
  auto c = Config::load(write(d, "[server]\nlisten = 127.0.0.1:8080\n[state]\ndir = v\n[plugins]\ndir = p\nenabled = a\n[web]\ndir = w\n[plugin.hello]\ngreeting = hi\n"),
                        {{"LEXOS_SERVER_LISTEN", "0.0.0.0:9090"}, {"LEXOS_PLUGINS_ENABLED", "x, y"},
                         {"LEXOS_PLUGIN_HELLO_GREETING", "hey"}});
  CHECK(c.listen_host == "0.0.0.0");
  CHECK(c.listen_port == 9090);
  CHECK(c.plugins_enabled == std::vector<std::string>{"x", "y"});
  CHECK(c.pluginValue("hello", "greeting", "") == "hey");
}

TEST_CASE("LEXOS_PLUGIN_ID_KEY sets a key the file's plugin section does not have") {
  lexos::test::TempDir d;
  auto c = Config::load(write(d, "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n[plugin.documents]\nmax_upload_bytes = 1000\n"),
                        {{"LEXOS_PLUGIN_DOCUMENTS_CLAMD_SOCKET", "/run/clamav/clamd.ctl"}});
  CHECK(c.pluginValue("documents", "clamd_socket", "") == "/run/clamav/clamd.ctl");
  CHECK(c.pluginValue("documents", "max_upload_bytes", "") == "1000");
  // A plugin whose section the file lacks gets nothing from the environment.
  CHECK(c.pluginValue("billing", "currency", "none") == "none");
}

TEST_CASE("a bad value stops loading with one line naming the key, the value and what is expected") {
  const std::string base = "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n";
  auto e = errorOf(base + "[server]\nlisten = localhost\n");
  CHECK_THAT(e, Catch::Contains("server.listen") && Catch::Contains("'localhost'") && Catch::Contains("HOST:PORT"));
  e = errorOf(base + "[server]\nthreads = lots\n");
  CHECK_THAT(e, Catch::Contains("server.threads") && Catch::Contains("'lots'") && Catch::Contains("auto, or a whole number"));
  e = errorOf(base + "[mail]\ntransport = pigeon\n");
  CHECK_THAT(e, Catch::Contains("mail.transport") && Catch::Contains("smtp or outbox"));
  e = errorOf(base + "[database]\nurl = mysql://x\n");
  CHECK_THAT(e, Catch::Contains("database.url") && Catch::Contains("postgresql://"));
  e = errorOf(base, {{"LEXOS_SERVER_THREADS", "0"}});
  CHECK_THAT(e, Catch::Contains("server.threads") && Catch::Contains("environment LEXOS_SERVER_THREADS"));
  e = errorOf(base + "[database]\nprepared_statements = maybe\n");
  CHECK_THAT(e, Catch::Contains("database.prepared_statements") && Catch::Contains("true or false"));
  e = errorOf(base + "[session]\ncache_seconds = -1\n");
  CHECK_THAT(e, Catch::Contains("session.cache_seconds") && Catch::Contains("'-1'"));
  e = errorOf(base + "[cache]\nportal_seconds = 3601\n");
  CHECK_THAT(e, Catch::Contains("cache.portal_seconds") && Catch::Contains("'3601'"));
  e = errorOf(base + "[cache]\nportal_entries = 15\n");
  CHECK_THAT(e, Catch::Contains("cache.portal_entries") && Catch::Contains("'15'"));
  e = errorOf(base, {{"LEXOS_CACHE_PORTAL_SECONDS", "soon"}});
  CHECK_THAT(e, Catch::Contains("cache.portal_seconds") && Catch::Contains("environment LEXOS_CACHE_PORTAL_SECONDS"));
  CHECK(errorOf(base + "[cache]\nportal_seconds = 0\nportal_entries = 16\n") == "(accepted)");
  CHECK_THAT(errorOf(base, {{"LEXOS_CACHE_PORTAL_SECOND", "1"}}), Catch::Contains("LEXOS_CACHE_PORTAL_SECOND"));
  e = errorOf(base + "[database]\nlisten_url = postgresql://u@h/db\n");  // with SQLite
  CHECK_THAT(e, Catch::Contains("database.listen_url") && Catch::Contains("PostgreSQL database.url"));
  e = errorOf(base + "[database]\nurl = postgresql://u@h/db\nlisten_url = pgbouncer\n");
  CHECK_THAT(e, Catch::Contains("database.listen_url") && Catch::Contains("'pgbouncer'"));
  CHECK(errorOf(base + "[database]\nurl = postgresql://u@h/db\nlisten_url = postgresql://u@h2/db\n") == "(accepted)");
  e = errorOf(base + "[database]\nbackup_url = postgresql://b@h/db\n");  // with SQLite
  CHECK_THAT(e, Catch::Contains("database.backup_url") && Catch::Contains("PostgreSQL database.url"));
  e = errorOf(base + "[database]\nurl = postgresql://u@h/db\nbackup_url = sqlite:x.db\n");
  CHECK_THAT(e, Catch::Contains("database.backup_url") && Catch::Contains("'sqlite:x.db'") && Catch::Contains("BYPASSRLS"));
  CHECK(errorOf(base + "[database]\nurl = postgresql://u@h/db\nbackup_url = postgresql://b@h/db\n") == "(accepted)");
  e = errorOf(base + "[plugins]\nenabled = Bad Id\n");
  CHECK_THAT(e, Catch::Contains("plugins.enabled"));
  CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("unknown keys, malformed lines and unknown LEXOS_ variables are refused") {
  const std::string base = "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n";
  CHECK_THAT(errorOf(base + "[server]\nlisen = 1\n"), Catch::Contains("unknown key 'server.lisen'"));
  CHECK_THAT(errorOf(base + "[server\n"), Catch::Contains("section header"));
  CHECK_THAT(errorOf(base + "just words\n"), Catch::Contains("'key = value'"));
  CHECK_THAT(errorOf(base, {{"LEXOS_SERVER_LISEN", "1"}}), Catch::Contains("LEXOS_SERVER_LISEN"));
  CHECK(errorOf(base, {{"LEXOS_TEST_PG_URL", "x"}}) == "(accepted)");
}

TEST_CASE("a missing config file is reported with its path") {
  CHECK_THROWS_WITH(Config::load("/nonexistent/lexos.ini", {}), Catch::Contains("/nonexistent/lexos.ini"));
}

TEST_CASE("web.plugins_dir defaults to <web.dir>/plugins and resolves against the file's folder when set") {
  lexos::test::TempDir d;
  auto c = Config::load(write(d, "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\n"), {});
  CHECK(c.web_plugins_dir == d.path + "/w/plugins");
  auto set = Config::load(write(d, "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\nplugins_dir = ../screens\n"), {});
  CHECK(set.web_plugins_dir == (std::filesystem::path(d.path) / "../screens").lexically_normal().string());
  auto env = Config::load(write(d, "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\n"),
                          {{"LEXOS_WEB_PLUGINS_DIR", "/srv/lexos/screens"}});
  CHECK(env.web_plugins_dir == "/srv/lexos/screens");
}

TEST_CASE("log.format is text or json and log.levels sets components' levels, each refusal naming the key") {
  lexos::test::TempDir d;
  const std::string base = "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\n";
  const auto defaults = Config::load(write(d, base), {});
  CHECK(defaults.log_format == "text");
  CHECK(defaults.log_levels.empty());

  const auto c = Config::load(write(d, base + "[log]\nformat = json\nlevels = access=warning, plugin.billing = debug,,\n"), {});
  CHECK(c.log_format == "json");
  REQUIRE(c.log_levels.size() == 2);
  CHECK(c.log_levels.at("access") == "warning");
  CHECK(c.log_levels.at("plugin.billing") == "debug");
  CHECK(Config::load(write(d, base), {{"LEXOS_LOG_LEVELS", "mail=error"}}).log_levels.at("mail") == "error");

  CHECK_THAT(errorOf(base + "[log]\nformat = yaml\n"), Catch::Contains("log.format = 'yaml'") && Catch::Contains("text or json"));
  CHECK_THAT(errorOf(base + "[log]\nlevels = access=loud\n"),
             Catch::Contains("log.levels") && Catch::Contains("'access=loud' is not one"));
  CHECK_THAT(errorOf(base + "[log]\nlevels = access\n"), Catch::Contains("'access' is not one"));
  CHECK_THAT(errorOf(base + "[log]\nlevels = Access Log=debug\n"), Catch::Contains("'Access Log=debug' is not one"));
  CHECK_THAT(errorOf(base + "[log]\nlevels = .plugin=debug\n"), Catch::Contains("log.levels"));
}

TEST_CASE("metrics.listen is off by default, takes HOST:PORT, and is refused on server.listen's address") {
  lexos::test::TempDir d;
  const std::string base = "[state]\ndir = var\n[plugins]\ndir = p\n[web]\ndir = w\n[server]\nlisten = 127.0.0.1:8080\n";
  auto c = Config::load(write(d, base), {});
  CHECK_FALSE(c.metrics_enabled);
  c = Config::load(write(d, base + "[metrics]\nlisten = 127.0.0.1:9464\n"), {});
  CHECK(c.metrics_enabled);
  CHECK(c.metrics_host == "127.0.0.1");
  CHECK(c.metrics_port == 9464);
  c = Config::load(write(d, base), {{"LEXOS_METRICS_LISTEN", "[::1]:9464"}});
  CHECK(c.metrics_host == "::1");
  // Another port on the same host, or port 0 (the system picks one), is its own listener.
  CHECK(errorOf(base + "[metrics]\nlisten = 127.0.0.1:8081\n") == "(accepted)");
  CHECK(errorOf(base + "[metrics]\nlisten = 127.0.0.1:0\n") == "(accepted)");
  for (const char* same : {"127.0.0.1:8080", "0.0.0.0:8080"}) {
    const std::string e = errorOf(base + "[metrics]\nlisten = " + same + "\n");
    CHECK_THAT(e, Catch::StartsWith("config: metrics.listen = '" + std::string(same) + "'"));
    CHECK_THAT(e, Catch::Contains("other than server.listen (127.0.0.1:8080)"));
  }
  CHECK_THAT(errorOf(base + "[metrics]\nlisten = 9464\n"), Catch::Contains("metrics.listen = '9464'"));
  CHECK_THAT(errorOf(base + "[metrics]\nlisten = 127.0.0.1:99999\n"), Catch::Contains("metrics.listen"));
  CHECK_THAT(errorOf(base + "[metrics]\nport = 9464\n"), Catch::Contains("unknown key 'metrics.port'"));
}
