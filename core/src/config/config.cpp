#include "config/config.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace lexos::core {
namespace fs = std::filesystem;

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string upper(std::string s) {
  for (auto& c : s) c = (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(c));
  return s;
}

struct Entry {
  std::string value;
  std::string origin;  // "FILE:LINE" or "environment LEXOS_X_Y"
};

// postgresql://user:secret@host -> postgresql://user:***@host (errors end up in logs).
std::string redactUrl(const std::string& v) {
  const auto scheme = v.find("://"), at = v.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return v;
  const auto colon = v.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return v;
  return v.substr(0, colon + 1) + "***" + v.substr(at);
}

[[noreturn]] void fail(const std::string& key, const Entry& e, const std::string& expected) {
  const bool secret = key.find("password") != std::string::npos;
  throw ConfigError("config: " + key + " = '" + (secret ? std::string("***") : redactUrl(e.value)) + "' (" + e.origin +
                    "): expected " + expected);
}

int parseInt(const std::string& key, const Entry& e, long lo, long hi) {
  const std::string& v = e.value;
  if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(c); }) ||
      v.size() > 10)
    fail(key, e, "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  long n = std::stol(v);
  if (n < lo || n > hi)
    fail(key, e, "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(n);
}

std::uint64_t parseBytes(const std::string& key, const Entry& e) {
  const std::string& v = e.value;
  const char* expected = "a number of bytes from 0 to 2^50 (e.g. 2147483648 for 2 GiB)";
  if (v.empty() || v.size() > 16 || !std::all_of(v.begin(), v.end(), [](char c) { return std::isdigit(c); }))
    fail(key, e, expected);
  const auto n = std::stoull(v);
  if (n > (1ull << 50)) fail(key, e, expected);
  return n;
}

std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Every key of the known sections, with its default (empty: computed later or optional).
const std::map<std::string, std::string>& knownKeys() {
  static const std::map<std::string, std::string> keys = {
      {"server.listen", "127.0.0.1:8080"},
      {"server.public_url", ""},
      {"server.threads", "auto"},
      {"server.max_connections", "10000"},
      {"server.max_connections_per_address", "256"},
      {"server.head_timeout_seconds", "10"},
      {"server.body_grace_seconds", "10"},
      {"server.body_min_rate", "1024"},
      {"server.send_timeout_seconds", "30"},
      {"server.max_head_bytes", "16384"},
      {"server.keepalive_requests", "1000"},
      {"server.keepalive_timeout_seconds", "10"},
      {"server.shutdown_grace_seconds", "20"},
      {"server.max_body_bytes", "268435456"},
      {"server.body_memory_bytes", "1048576"},
      {"server.trusted_proxies", ""},
      {"state.dir", ""},
      {"plugins.dir", ""},
      {"plugins.enabled", ""},
      {"web.dir", ""},
      {"web.plugins_dir", ""},
      {"database.url", ""},
      {"database.migration_url", ""},
      {"database.listen_url", ""},
      {"database.backup_url", ""},
      {"database.prepared_statements", "true"},
      {"database.pool_size", "16"},
      {"mail.transport", "outbox"},
      {"mail.smtp_host", "localhost"},
      {"mail.smtp_port", "25"},
      {"mail.from", "LexOS <lexos@localhost>"},
      {"mail.smtp_tls", "auto"},
      {"mail.smtp_username", ""},
      {"mail.smtp_password", ""},
      {"mail.max_attempts", "8"},
      {"mail.retry_base_seconds", "30"},
      {"mail.retry_max_seconds", "3600"},
      {"mail.poll_seconds", "30"},
      {"mail.lease_seconds", "300"},
      {"jobs.enabled", "true"},
      {"session.idle_minutes", "30"},
      {"session.absolute_hours", "12"},
      {"session.cache_seconds", "60"},
      {"cache.portal_seconds", "30"},
      {"cache.portal_entries", "20000"},
      {"mfa.remember_days", "30"},
      {"log.level", "information"},
      {"log.format", "text"},
      {"log.levels", ""},
      {"vault.dir", ""},
      {"vault.master_key_file", ""},
      {"vault.store", "local"},
      {"vault.allowed_types", ""},
      {"vault.max_file_bytes", "2147483648"},
      {"vault.firm_quota_bytes", "0"},
      {"metrics.listen", ""},
  };
  return keys;
}

}  // namespace

const std::vector<std::string>& defaultVaultTypes() {
  // Documents a law firm exchanges: PDF, scans and photos, office files (OOXML and
  // OpenDocument are zip files that libmagic names by their content; the legacy binary formats
  // too), plain text, CSV, RTF and saved e-mail. Plain zip archives, executables, scripts, HTML
  // and SVG (which can carry script) are not taken by default.
  static const std::vector<std::string> types = {
      "application/pdf", "image/jpeg", "image/png", "image/gif", "image/tiff", "image/webp", "image/heic", "image/bmp",
      "application/vnd.openxmlformats-officedocument.*", "application/vnd.oasis.opendocument.*", "application/msword",
      "application/vnd.ms-excel", "application/vnd.ms-powerpoint", "application/vnd.ms-outlook", "text/plain",
      "text/csv", "text/rtf", "application/rtf", "message/rfc822", "application/x-empty"};
  return types;
}

std::string Config::envName(const std::string& section, const std::string& key) {
  return "LEXOS_" + upper(section) + "_" + upper(key);
}

std::map<std::string, std::string> Config::processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos && kv.rfind("LEXOS_", 0) == 0)
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::string Config::pluginValue(const std::string& id, const std::string& key,
                                const std::string& fallback) const {
  auto s = plugin_sections.find(id);
  if (s == plugin_sections.end()) return fallback;
  auto k = s->second.find(key);
  return k == s->second.end() ? fallback : k->second;
}

Config Config::load(const std::string& file, const std::map<std::string, std::string>& env) {
  Config c;
  std::error_code ec;
  fs::path p = fs::absolute(file, ec);
  std::ifstream in(p);
  if (!in) throw ConfigError("config: cannot read file '" + file + "': expected a readable INI file");
  c.path = p.lexically_normal().string();
  const fs::path base = p.parent_path();

  std::map<std::string, Entry> values;  // "section.key" -> entry
  std::set<std::string> pluginSections;  // "plugin.<id>" headers in the file
  std::string section, line;
  int lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    std::string t = trim(line);
    if (t.empty() || t[0] == ';' || t[0] == '#') continue;
    const std::string where = c.path + ":" + std::to_string(lineNo);
    if (t.front() == '[') {
      if (t.back() != ']' || t.size() < 3)
        throw ConfigError("config: " + where + ": expected a section header like [server], found '" + t + "'");
      section = trim(t.substr(1, t.size() - 2));
      std::transform(section.begin(), section.end(), section.begin(), ::tolower);
      if (section.rfind("plugin.", 0) == 0) pluginSections.insert(section);
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string::npos || section.empty())
      throw ConfigError("config: " + where + ": expected 'key = value' inside a [section], found '" + t + "'");
    std::string key = trim(t.substr(0, eq));
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    std::string full = section + "." + key;
    if (section.rfind("plugin.", 0) != 0 && !knownKeys().count(full))
      throw ConfigError("config: " + where + ": unknown key '" + full + "'");
    values[full] = Entry{trim(t.substr(eq + 1)), where};
  }

  // Environment overrides: every known key, and every key a plugin section already has or that
  // the environment names as LEXOS_PLUGIN_<ID>_<KEY> for a section present in the file.
  for (const auto& [full, def] : knownKeys()) {
    auto dot = full.find('.');
    auto it = env.find(envName(full.substr(0, dot), full.substr(dot + 1)));
    if (it != env.end()) values[full] = Entry{it->second, "environment " + it->first};
  }
  for (auto& [full, e] : values) {
    if (full.rfind("plugin.", 0) != 0) continue;
    auto dot = full.rfind('.');
    auto it = env.find(envName(full.substr(0, dot), full.substr(dot + 1)));
    if (it != env.end()) e = Entry{it->second, "environment " + it->first};
  }
  // A key the file does not have, for a [plugin.<id>] section it has: LEXOS_PLUGIN_<ID>_<KEY>
  // (the key is what follows the section's prefix, lower case).
  for (const auto& sec : pluginSections) {
    const std::string prefix = envName(sec, "");
    for (const auto& [name, v] : env) {
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      std::string key = name.substr(prefix.size());
      std::transform(key.begin(), key.end(), key.begin(), ::tolower);
      const std::string full = sec + "." + key;
      if (!values.count(full)) values[full] = Entry{v, "environment " + name};
    }
  }
  for (const auto& [name, v] : env) {
    if (name.rfind("LEXOS_", 0) != 0) continue;
    bool known = false;
    for (const auto& [full, def] : knownKeys()) {
      auto dot = full.find('.');
      if (envName(full.substr(0, dot), full.substr(dot + 1)) == name) known = true;
    }
    for (const auto& [full, e] : values)
      if (full.rfind("plugin.", 0) == 0) {
        auto dot = full.rfind('.');
        if (envName(full.substr(0, dot), full.substr(dot + 1)) == name) known = true;
      }
    // Test and tool variables share the prefix; only refuse look-alikes of our sections.
    static const std::vector<std::string> sections = {"SERVER_", "STATE_", "PLUGINS_", "WEB_",
                                                      "DATABASE_", "MAIL_", "SESSION_", "LOG_", "VAULT_", "MFA_",
                                                      "METRICS_", "CACHE_"};
    bool looksLikeKey = false;
    for (const auto& s : sections)
      if (name.compare(6, s.size(), s) == 0) looksLikeKey = true;
    if (looksLikeKey && !known)
      throw ConfigError("config: environment variable " + name +
                        " names no configuration key (see etc/lexos.ini for the keys)");
  }

  auto get = [&](const std::string& key) -> Entry {
    auto it = values.find(key);
    if (it != values.end()) return it->second;
    return Entry{knownKeys().at(key), "default"};
  };
  auto path = [&](const std::string& key, const std::string& fallback) -> std::string {
    Entry e = get(key);
    std::string v = e.value.empty() ? fallback : e.value;
    if (v.empty()) fail(key, e, "a folder path");
    fs::path q(v);
    if (q.is_relative()) q = base / q;
    return q.lexically_normal().string();
  };

  // server.*
  {
    Entry e = get("server.listen");
    auto colon = e.value.rfind(':');
    if (colon == std::string::npos || colon == 0) fail("server.listen", e, "HOST:PORT, e.g. 127.0.0.1:8080");
    c.listen_host = e.value.substr(0, colon);
    if (c.listen_host.size() > 2 && c.listen_host.front() == '[' && c.listen_host.back() == ']')
      c.listen_host = c.listen_host.substr(1, c.listen_host.size() - 2);
    c.listen_port = parseInt("server.listen", Entry{e.value.substr(colon + 1), e.origin}, 0, 65535);
  }
  {
    Entry e = get("server.public_url");
    c.public_url = e.value;
    if (c.public_url.empty())
      c.public_url = "http://" + c.listen_host + ":" + std::to_string(c.listen_port);
    else if (c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
      fail("server.public_url", e, "an http:// or https:// URL");
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  }
  {
    const Entry e = get("server.threads");
    if (e.value == "auto")
      c.threads = autoThreads(std::thread::hardware_concurrency());
    else if (!e.value.empty() && std::all_of(e.value.begin(), e.value.end(), [](char ch) { return std::isdigit(ch); }))
      c.threads = parseInt("server.threads", e, 2, 4096);
    else
      fail("server.threads", e, "auto, or a whole number from 2 to 4096");
  }
  c.keepalive_requests = parseInt("server.keepalive_requests", get("server.keepalive_requests"), 1, 1000000);
  c.keepalive_timeout_seconds = parseInt("server.keepalive_timeout_seconds", get("server.keepalive_timeout_seconds"), 1, 3600);
  c.max_connections = parseInt("server.max_connections", get("server.max_connections"), 16, 1000000);
  c.max_connections_per_address =
      parseInt("server.max_connections_per_address", get("server.max_connections_per_address"), 0, 1000000);
  c.head_timeout_seconds = parseInt("server.head_timeout_seconds", get("server.head_timeout_seconds"), 1, 3600);
  c.body_grace_seconds = parseInt("server.body_grace_seconds", get("server.body_grace_seconds"), 1, 3600);
  c.body_min_rate = parseInt("server.body_min_rate", get("server.body_min_rate"), 0, 1000000000);
  c.send_timeout_seconds = parseInt("server.send_timeout_seconds", get("server.send_timeout_seconds"), 1, 3600);
  c.max_head_bytes = parseInt("server.max_head_bytes", get("server.max_head_bytes"), 1024, 1048576);
  c.shutdown_grace_seconds = parseInt("server.shutdown_grace_seconds", get("server.shutdown_grace_seconds"), 0, 3600);
  c.max_body_bytes = static_cast<std::size_t>(parseInt("server.max_body_bytes", get("server.max_body_bytes"), 1024, 2000000000));
  c.body_memory_bytes =
      static_cast<std::size_t>(parseInt("server.body_memory_bytes", get("server.body_memory_bytes"), 0, 1073741824));

  {
    Entry e = get("server.trusted_proxies");
    for (const auto& ip : splitList(e.value)) {
      const bool ok = !ip.empty() && std::all_of(ip.begin(), ip.end(), [](char ch) {
        return std::isxdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == ':';
      });
      if (!ok) fail("server.trusted_proxies", e, "a comma list of IP addresses, e.g. 127.0.0.1, ::1 (found '" + ip + "')");
      c.trusted_proxies.push_back(ip);
    }
  }
  c.state_dir = path("state.dir", "");
  c.plugins_dir = path("plugins.dir", "");
  c.web_dir = path("web.dir", "");
  // Plugins' screens: <web.plugins_dir>/<id>/ (installed: share/lexos/web/plugins/<id>/).
  c.web_plugins_dir = get("web.plugins_dir").value.empty() ? (fs::path(c.web_dir) / "plugins").lexically_normal().string()
                                                           : path("web.plugins_dir", "");
  {
    Entry e = get("plugins.enabled");
    c.plugins_enabled = splitList(e.value);
    std::set<std::string> seen;
    for (const auto& id : c.plugins_enabled) {
      bool ok = !id.empty() && std::islower(static_cast<unsigned char>(id[0])) &&
                std::all_of(id.begin(), id.end(), [](char ch) {
                  return std::islower(static_cast<unsigned char>(ch)) ||
                         std::isdigit(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-';
                });
      if (!ok) fail("plugins.enabled", e, "a comma list of plugin ids like 'clients,cases' (found id '" + id + "')");
      if (!seen.insert(id).second) fail("plugins.enabled", e, "each plugin id once (found '" + id + "' twice)");
    }
  }

  // database.*
  {
    Entry e = get("database.url");
    std::string v = e.value.empty() ? "sqlite:" + (fs::path(c.state_dir) / "lexos.db").string() : e.value;
    if (v.rfind("sqlite:", 0) == 0) {
      std::string f = v.substr(7);
      if (f.empty()) fail("database.url", e, "sqlite:PATH with a file path");
      fs::path q(f);
      if (q.is_relative()) q = base / q;
      c.database_url = "sqlite:" + q.lexically_normal().string();
    } else if (v.rfind("postgresql://", 0) == 0 || v.rfind("postgres://", 0) == 0) {
      c.database_url = v;
    } else {
      fail("database.url", e, "sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DB");
    }
    Entry m = get("database.migration_url");
    c.migration_url = m.value;
    if (!c.migration_url.empty() && c.migration_url.rfind("postgresql://", 0) != 0 &&
        c.migration_url.rfind("postgres://", 0) != 0 && c.migration_url.rfind("sqlite:", 0) != 0)
      fail("database.migration_url", m, "postgresql://USER:PASSWORD@HOST:PORT/DB");
    Entry l = get("database.listen_url");
    c.listen_url = l.value;
    if (!c.listen_url.empty() && ((c.listen_url.rfind("postgresql://", 0) != 0 && c.listen_url.rfind("postgres://", 0) != 0) ||
                                  c.database_url.rfind("sqlite:", 0) == 0))
      fail("database.listen_url", l,
           "postgresql://USER:PASSWORD@HOST:PORT/DB, with a PostgreSQL database.url (a direct connection, not "
           "through PgBouncer in transaction mode)");
    Entry b = get("database.backup_url");
    c.backup_url = b.value;
    if (!c.backup_url.empty() && ((c.backup_url.rfind("postgresql://", 0) != 0 && c.backup_url.rfind("postgres://", 0) != 0) ||
                                  c.database_url.rfind("sqlite:", 0) == 0))
      fail("database.backup_url", b,
           "postgresql://USER:PASSWORD@HOST:PORT/DB (a role with BYPASSRLS that is a member of the owner role), with a "
           "PostgreSQL database.url");
  }
  c.pool_size = parseInt("database.pool_size", get("database.pool_size"), 1, 1000);
  {
    Entry e = get("jobs.enabled");
    if (e.value != "true" && e.value != "false") fail("jobs.enabled", e, "true or false");
    c.jobs_enabled = e.value == "true";
  }
  {
    Entry e = get("database.prepared_statements");
    if (e.value != "true" && e.value != "false") fail("database.prepared_statements", e, "true or false");
    c.prepared_statements = e.value == "true";
  }

  // mail.*
  {
    Entry e = get("mail.transport");
    if (e.value != "smtp" && e.value != "outbox") fail("mail.transport", e, "smtp or outbox");
    c.mail_transport = e.value;
  }
  c.smtp_host = get("mail.smtp_host").value;
  if (c.smtp_host.empty()) fail("mail.smtp_host", get("mail.smtp_host"), "a host name");
  c.smtp_port = parseInt("mail.smtp_port", get("mail.smtp_port"), 1, 65535);
  {
    Entry e = get("mail.from");
    if (e.value.find('@') == std::string::npos) fail("mail.from", e, "an address like 'Firm <office@example.com>'");
    c.mail_from = e.value;
  }

  {
    Entry e = get("mail.smtp_tls");
    if (e.value != "auto" && e.value != "starttls" && e.value != "required" && e.value != "off")
      fail("mail.smtp_tls", e, "auto, starttls (use it when offered), required or off");
    c.smtp_tls = e.value;
  }
  c.smtp_username = get("mail.smtp_username").value;
  c.smtp_password = get("mail.smtp_password").value;
  c.mail_max_attempts = parseInt("mail.max_attempts", get("mail.max_attempts"), 1, 100);
  c.mail_retry_base_seconds = parseInt("mail.retry_base_seconds", get("mail.retry_base_seconds"), 1, 86400);
  c.mail_retry_max_seconds = parseInt("mail.retry_max_seconds", get("mail.retry_max_seconds"), 1, 7 * 86400);
  if (c.mail_retry_max_seconds < c.mail_retry_base_seconds)
    fail("mail.retry_max_seconds", get("mail.retry_max_seconds"),
         "a number of seconds no smaller than mail.retry_base_seconds (" + std::to_string(c.mail_retry_base_seconds) + ")");
  c.mail_poll_seconds = parseInt("mail.poll_seconds", get("mail.poll_seconds"), 1, 3600);
  // Longer than one SMTP conversation may take (30 s timeout per step), or a slow send would
  // lose its claim and the message could go out twice.
  c.mail_lease_seconds = parseInt("mail.lease_seconds", get("mail.lease_seconds"), 120, 86400);
  c.session_idle_minutes = parseInt("session.idle_minutes", get("session.idle_minutes"), 1, 10080);
  c.session_absolute_hours = parseInt("session.absolute_hours", get("session.absolute_hours"), 1, 8760);
  c.session_cache_seconds = parseInt("session.cache_seconds", get("session.cache_seconds"), 0, 3600);
  c.cache_portal_seconds = parseInt("cache.portal_seconds", get("cache.portal_seconds"), 0, 3600);
  c.cache_portal_entries = parseInt("cache.portal_entries", get("cache.portal_entries"), 16, 10000000);
  c.mfa_remember_days = parseInt("mfa.remember_days", get("mfa.remember_days"), 0, 365);
  {
    Entry e = get("log.level");
    static const std::set<std::string> levels = {"fatal", "critical", "error", "warning",
                                                  "notice", "information", "debug", "trace"};
    if (!levels.count(e.value)) fail("log.level", e, "one of fatal, critical, error, warning, notice, information, debug, trace");
    c.log_level = e.value;
    Entry f = get("log.format");
    if (f.value != "text" && f.value != "json") fail("log.format", f, "text or json");
    c.log_format = f.value;
    // log.levels: "component=level, component=level" (e.g. "access=warning, plugin.billing=debug").
    Entry l = get("log.levels");
    std::stringstream items(l.value);
    std::string item;
    while (std::getline(items, item, ',')) {
      const auto trim = [](std::string v) {
        v.erase(0, v.find_first_not_of(" \t"));
        v.erase(v.find_last_not_of(" \t") + 1);
        return v;
      };
      item = trim(item);
      if (item.empty()) continue;
      const auto eq = item.find('=');
      const std::string name = eq == std::string::npos ? "" : trim(item.substr(0, eq));
      const std::string level = eq == std::string::npos ? "" : trim(item.substr(eq + 1));
      const bool nameOk = !name.empty() && name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.-") == std::string::npos &&
                          name.front() != '.' && name.back() != '.';
      if (!nameOk || !levels.count(level))
        fail("log.levels", l, "a comma list of component=level (components such as access, lexosd, mail, plugin, "
                              "plugin.<id>; levels fatal ... trace), e.g. 'access=warning, plugin.billing=debug'; '" +
                                  item + "' is not one");
      c.log_levels[name] = level;
    }
  }

  // vault.*
  c.vault.dir = get("vault.dir").value.empty() ? (fs::path(c.state_dir) / "vault" / "blobs").string() : path("vault.dir", "");
  c.vault.master_key_file = get("vault.master_key_file").value.empty()
                                ? (fs::path(c.state_dir) / "vault" / "master.key").string()
                                : path("vault.master_key_file", "");
  {
    Entry e = get("vault.store");
    if (e.value != "local" && e.value != "database") fail("vault.store", e, "local or database");
    if (e.value == "database" && c.database_url.rfind("sqlite:", 0) == 0)
      fail("vault.store", e,
           "local with a SQLite database.url (store = database keeps blobs in PostgreSQL, for several nodes; a SQLite "
           "database is one machine's file already)");
    c.vault.store = e.value;
  }
  {
    Entry e = get("vault.allowed_types");
    c.vault.allowed_types = e.value.empty() ? defaultVaultTypes() : splitList(e.value);
    for (const auto& t : c.vault.allowed_types) {
      const auto slash = t.find('/');
      const bool ok = slash != std::string::npos && slash > 0 && slash + 1 < t.size() &&
                      t.find('/', slash + 1) == std::string::npos &&
                      std::all_of(t.begin(), t.end(), [](char ch) {
                        return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) ||
                               ch == '/' || ch == '.' || ch == '-' || ch == '+' || ch == '*' || ch == '_';
                      }) &&
                      (t.find('*') == std::string::npos || t.find('*') == t.size() - 1);
      if (!ok)
        fail("vault.allowed_types", e,
             "a comma list of lower-case content types such as application/pdf, image/* (found '" + t + "')");
    }
  }
  c.vault.max_file_bytes = parseBytes("vault.max_file_bytes", get("vault.max_file_bytes"));
  if (c.vault.max_file_bytes == 0) fail("vault.max_file_bytes", get("vault.max_file_bytes"), "at least 1 byte");
  c.vault.firm_quota_bytes = parseBytes("vault.firm_quota_bytes", get("vault.firm_quota_bytes"));

  // metrics.*: empty (the default) serves no metrics at all; never on the API's own address.
  {
    Entry e = get("metrics.listen");
    if (!e.value.empty()) {
      const auto colon = e.value.rfind(':');
      if (colon == std::string::npos || colon == 0)
        fail("metrics.listen", e, "HOST:PORT of a second, private listener, e.g. 127.0.0.1:9464 (empty: off)");
      c.metrics_host = e.value.substr(0, colon);
      if (c.metrics_host.size() > 2 && c.metrics_host.front() == '[' && c.metrics_host.back() == ']')
        c.metrics_host = c.metrics_host.substr(1, c.metrics_host.size() - 2);
      c.metrics_port = parseInt("metrics.listen", Entry{e.value.substr(colon + 1), e.origin}, 0, 65535);
      if (c.metrics_port != 0 && c.metrics_port == c.listen_port &&
          (c.metrics_host == c.listen_host || c.metrics_host == "0.0.0.0" || c.listen_host == "0.0.0.0" ||
           c.metrics_host == "::" || c.listen_host == "::"))
        fail("metrics.listen", e,
             "an address other than server.listen (" + c.listen_host + ":" + std::to_string(c.listen_port) +
                 "): metrics get a listener of their own, never the API's");
      c.metrics_enabled = true;
    }
  }

  for (const auto& [full, e] : values) {
    if (full.rfind("plugin.", 0) != 0) continue;
    auto dot = full.rfind('.');
    c.plugin_sections[full.substr(7, dot - 7)][full.substr(dot + 1)] = e.value;
  }
  return c;
}

int autoThreads(unsigned cpus) {
  const long n = 4L * (cpus == 0 ? 2 : static_cast<long>(cpus));
  return static_cast<int>(std::clamp(n, 8L, 64L));
}

}  // namespace lexos::core
