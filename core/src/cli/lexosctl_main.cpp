// lexosctl: the operator's tool. Works on the same configuration as lexosd.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "app/host.h"
#include "cli/backup.h"
#include "cli/demo.h"
#include "cli/mail_verbs.h"
#include "common/json.h"
#include "http/request_context.h"
#include "app/firm_admin.h"
#include "identity/accounts.h"
#include "mail/mail_queue.h"
#include "identity/audit_log.h"
#include "lexos/sdk/version.h"
#include "schema/migrator.h"
#include "vault/vault_admin.h"

using namespace lexos::core;
namespace sdk = lexos::sdk;

namespace {

const char* kUsage =
    "Usage: lexosctl --config FILE VERB [OPTIONS]\n"
    "\n"
    "Verbs:\n"
    "  plugins                         list loaded plugins (id, version, file, SDK ABI)\n"
    "  routes [--json]                 every route: method, path, audience, permission, plugin\n"
    "  migrate                         apply pending migrations, rebuild tenancy enforcement\n"
    "  firm create --slug S --name N   create a firm\n"
    "  firm list                       list firms\n"
    "  firm modules --firm S [--enable M] [--disable M]   show or switch modules for a firm\n"
    "  firm show --firm S              the firm's settings: name, time zone, country, address\n"
    "  firm set --firm S [--name N] [--time-zone TZ] [--country CC] [--address A] [--currency CUR]\n"
    "                                  change them (TZ from the tz database, e.g. America/Chicago; CC an\n"
    "                                  ISO 3166 code, e.g. US; lines of A separated by \\n; CUR the default\n"
    "                                  currency, ISO 4217, e.g. EUR)\n"
    "  user create --firm S --email E --role R [--name N] --password-stdin\n"
    "                                  create a staff user (roles: owner, attorney, paralegal, billing)\n"
    "  user disable|enable --firm S --email E   disable (ends sessions at once) or re-enable a user\n"
    "  firm mfa --firm S [--enforce-staff on|off] [--enforce-portal on|off]\n"
    "                                  show or change whether the firm requires two-step sign-in\n"
    "  user mfa-reset --firm S --email E   remove a user's authenticator and recovery codes\n"
    "  user list --firm S              staff accounts: e-mail, name, role, status, last sign-in\n"
    "  user role --firm S --email E --role R   change a member of staff's role (the last owner stays)\n"
    "  user invite --firm S --email E --role R [--name N]\n"
    "                                  e-mail a single-use invitation link (72 h) and print it\n"
    "  demo [--slug S]                 a demo firm (default slug 'demo') with two portal clients, random passwords\n"
    "  audit verify --firm S [--head SEQ:HASH]\n"
    "                                  check the firm's hash-chained audit log; prints its head, and with\n"
    "                                  --head (a head printed earlier) also finds rows cut from the end\n"
    "  mail queue [--firm S] [--status queued|sending|failed|sent] [--limit N] [--json]\n"
    "                                  the durable mail queue, newest first: recipient, subject, status,\n"
    "                                  attempts, next attempt, last error (never a message's body)\n"
    "  mail retry ID [--firm S]        queue a failed message again, attempts reset\n"
    "  mail purge --sent-before DATE [--firm S]   remove sent messages' records (DATE: YYYY-MM-DD, UTC)\n"
    "  mail stats                      messages by status and the oldest waiting one's age, all firms\n"
    "  jobs [--firm S]                 the modules' jobs and, per firm, when each ran, how it ended, when next\n"
    "  jobs run [--firm S] [--job PLUGIN.JOB]\n"
    "                                  run jobs now, due or not (each firm with the module on); exit 3 if one failed\n"
    "  vault fsck [--repair] [--grace-hours N]\n"
    "                                  verify every document blob (present, decrypts, SHA-256 as recorded) and\n"
    "                                  list orphans; --repair removes orphans older than N hours (default 24).\n"
    "                                  Exit 0 clean, 3 problems found (docs/operations.md)\n"
    "  vault rotate-master-key         rewrap every firm key with a new master key (no blob is touched); the\n"
    "                                  old key stays as master.key.old-<time> until you delete it\n"
    "  backup --to DIR [--keys-to KDIR | --no-keys]\n"
    "                                  a consistent copy while lexosd serves: the database (SQLite online backup\n"
    "                                  or pg_dump, which needs database.backup_url), the vault's blobs, a manifest\n"
    "                                  with SHA-256 of every file; the master key to DIR/keys (or KDIR): store it\n"
    "                                  apart. Exit 0, or 3 when recorded blobs were missing (listed)\n"
    "  backup --verify DIR [--keys-from KDIR]\n"
    "                                  check every file of a backup against its manifest (exit 0, or 3)\n"
    "  restore --from DIR [--keys-from KDIR] [--force]\n"
    "                                  restore into an empty state folder and database (refused otherwise, with\n"
    "                                  nothing changed; --force sets files aside and drops the PostgreSQL schemas),\n"
    "                                  after checking the manifest; then migrates forward (docs/operations.md)\n";

struct Args {
  std::vector<std::string> words;
  std::map<std::string, std::vector<std::string>> opts;
  bool has(const std::string& k) const { return opts.count(k) > 0; }
  std::string get(const std::string& k) const {
    auto it = opts.find(k);
    if (it == opts.end() || it->second.empty() || it->second.back().empty())
      throw std::runtime_error("missing option --" + k);
    return it->second.back();
  }
};

const char* audienceName(sdk::Audience a) {
  return a == sdk::Audience::Public ? "public" : a == sdk::Audience::Staff ? "staff" : "portal";
}

int run(Args& a, Host& host) {
  const auto& w = a.words;
  if (w.size() == 1 && w[0] == "plugins") {
    for (const auto& p : host.registry().plugins())
      std::cout << p.id << "\t" << p.version << "\t" << (p.builtin ? "(built in)" : p.file) << "\tABI "
                << p.abi_major << "." << p.abi_minor << "\n";
    return 0;
  }
  if (w.size() == 1 && w[0] == "routes") {
    if (a.has("json")) {
      Poco::JSON::Array arr;
      for (const auto& r : host.registry().routes()) {
        Poco::JSON::Object o;
        o.set("method", sdk::methodName(r.route.method));
        o.set("path", r.route.path);
        o.set("audience", audienceName(r.route.audience));
        o.set("permission", r.route.permission);
        o.set("plugin", r.plugin);
        o.set("summary", r.route.summary);
        arr.add(o);
      }
      std::ostringstream ss;
      arr.stringify(ss);
      std::cout << ss.str() << "\n";
    } else {
      for (const auto& r : host.registry().routes())
        std::cout << sdk::methodName(r.route.method) << "\t" << r.route.path << "\t" << audienceName(r.route.audience)
                  << "\t" << r.route.permission << "\t" << r.plugin << "\n";
    }
    return 0;
  }
  if (w.size() == 1 && w[0] == "migrate") {
    auto applied = host.prepareDatabase(true);
    for (const auto& m : applied) std::cout << "applied " << m << "\n";
    std::cout << (applied.empty() ? "database is up to date" : std::to_string(applied.size()) + " migrations applied")
              << "; tenancy enforcement verified\n";
    return 0;
  }
  if (w.size() == 1 && w[0] == "demo") {
    createDemo(host.config(), a.has("slug") ? a.get("slug") : "demo", std::cout);
    return 0;
  }
  if (w.size() == 1 && w[0] == "backup") {
    // No migration here: a backup copies the database as the running lexosd left it.
    if (a.has("verify")) return backup::verifyBackup(a.get("verify"), a.has("keys-from") ? a.get("keys-from") : "", std::cout);
    backup::BackupOptions o;
    o.to = a.get("to");
    if (a.has("keys-to")) o.keys_to = a.get("keys-to");
    o.no_keys = a.has("no-keys");
    if (o.no_keys && !o.keys_to.empty()) throw std::runtime_error("backup: give --keys-to or --no-keys, not both");
    return backup::runBackup(host, o, std::cout);
  }
  if (w.size() == 1 && w[0] == "restore") {
    backup::RestoreOptions o;
    o.from = a.get("from");
    if (a.has("keys-from")) o.keys_from = a.get("keys-from");
    o.force = a.has("force");
    return backup::runRestore(host, o, std::cout);
  }
  // Like lexosd, migrate first when this configuration can (SQLite, or a migration_url).
  host.prepareDatabase(true);
  Accounts accounts(host);
  if (w.size() >= 2 && w[0] == "mail") {
    std::map<std::string, std::string> o;
    for (const auto& [k, v] : a.opts) o[k] = v.empty() ? "" : v.back();
    return mailVerb(host, w, o, std::cout);
  }
  if (!w.empty() && w[0] == "jobs" && (w.size() == 1 || (w.size() == 2 && w[1] == "run"))) {
    std::int64_t onlyFirm = 0;
    if (a.has("firm")) {
      onlyFirm = accounts.firmId(a.get("firm"));
      if (!onlyFirm) throw std::runtime_error("--firm: no firm with slug '" + a.get("firm") + "'");
    }
    const std::string onlyJob = a.has("job") ? a.get("job") : "";
    if (!onlyJob.empty() &&
        std::none_of(host.registry().jobs().begin(), host.registry().jobs().end(),
                     [&](const JobEntry& j) { return j.plugin + "." + j.job.id == onlyJob; }))
      throw std::runtime_error("--job: no job '" + onlyJob + "' (lexosctl jobs lists them)");
    if (w.size() == 2) {
      int failed = 0;
      for (const auto& o : host.jobRunner().runOnce(true, onlyFirm, onlyJob)) {
        if (!o.ran) continue;
        std::cout << o.job << "\tfirm " << o.firm << "\t" << (o.ok ? "ok" : "failed: " + o.error) << "\n";
        if (!o.ok) ++failed;
      }
      return failed ? 3 : 0;
    }
    for (const auto& j : host.registry().jobs())
      std::cout << j.plugin << "." << j.job.id << "\tevery " << j.job.every_seconds << " s\t" << j.job.summary << "\n";
    auto lease = host.pool().acquire();
    for (const auto& r : lease->query("SELECT id, slug FROM firms ORDER BY id", {}).rows) {
      const std::int64_t firm = sdk::asInt(r[0]);
      if (onlyFirm && firm != onlyFirm) continue;
      lease->begin(false);
      lease->setScope({firm, 0});
      auto runs = lease->query(
          "SELECT job, COALESCE(last_started_at, ''), last_status, next_run_at, runs, failures, last_error FROM job_runs "
          "ORDER BY job", {});
      lease->commit();
      for (const auto& x : runs.rows) {
        if (!onlyJob.empty() && sdk::asText(x[0]) != onlyJob) continue;
        std::cout << sdk::asText(r[1]) << "\t" << sdk::asText(x[0]) << "\tlast " << sdk::asText(x[1]) << " "
                  << (sdk::asText(x[2]).empty() ? "running" : sdk::asText(x[2])) << "\tnext " << sdk::asText(x[3])
                  << "\truns " << sdk::asInt(x[4]) << "\tfailures " << sdk::asInt(x[5])
                  << (sdk::asText(x[6]).empty() ? "" : "\t" + sdk::asText(x[6])) << "\n";
      }
    }
    return 0;
  }
  if (w.size() == 2 && w[0] == "firm" && w[1] == "create") {
    auto id = accounts.createFirm(a.get("slug"), a.get("name"));
    std::cout << "created firm " << a.get("slug") << " (id " << id << ")\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "firm" && w[1] == "list") {
    for (const auto& f : accounts.listFirms()) std::cout << f << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "firm" && (w[1] == "show" || w[1] == "set")) {
    const std::string slug = a.get("firm");
    FirmSettings s;
    if (w[1] == "set") {
      FirmSettingsChange change;
      if (a.has("name")) change.name = a.get("name");
      if (a.has("time-zone")) change.time_zone = a.get("time-zone");
      // These two may be set to empty (cleared): --country ''
      if (a.has("country")) change.country = a.opts.at("country").empty() ? "" : a.opts.at("country").back();
      if (a.has("address")) change.address = a.opts.at("address").empty() ? "" : a.opts.at("address").back();
      if (a.has("currency")) change.default_currency = a.opts.at("currency").empty() ? "" : a.opts.at("currency").back();
      if (change.address)  // a line break typed as \n on the command line
        for (std::size_t at; (at = change.address->find("\\n")) != std::string::npos;) change.address->replace(at, 2, "\n");
      if (!change.name && !change.time_zone && !change.country && !change.address && !change.default_currency)
        throw std::runtime_error("firm set needs at least one of --name, --time-zone, --country, --address, --currency");
      try {
        s = accounts.setFirmSettings(slug, change);
      } catch (const sdk::HttpError& e) {
        throw std::runtime_error(e.field() + ": " + e.what());
      }
    } else {
      s = accounts.firmSettings(slug);
    }
    std::cout << "slug\t" << s.slug << "\nname\t" << s.name << "\ntime_zone\t" << s.time_zone << "\ncountry\t"
              << s.country << "\ndefault_currency\t" << s.default_currency << "\naddress\t";
    for (char ch : s.address) std::cout << (ch == '\n' ? std::string(", ") : std::string(1, ch));
    std::cout << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "firm" && w[1] == "modules") {
    const std::string slug = a.get("firm");
    for (const auto& m : a.opts["enable"]) accounts.setModule(slug, m, true);
    for (const auto& m : a.opts["disable"]) accounts.setModule(slug, m, false);
    for (const auto& [m, on] : accounts.modules(slug)) std::cout << m << "\t" << (on ? "enabled" : "disabled") << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "user" && w[1] == "create") {
    if (!a.has("password-stdin"))
      throw std::runtime_error("user create needs --password-stdin (passwords never go on the command line)");
    std::string password;
    std::getline(std::cin, password);
    const std::string name = a.has("name") ? a.get("name") : "";
    auto id = accounts.createStaffUser(a.get("firm"), a.get("email"), a.get("role"), name, password);
    std::cout << "created user " << a.get("email") << " (id " << id << ")\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "user" && (w[1] == "disable" || w[1] == "enable")) {
    accounts.setUserStatus(a.get("firm"), a.get("email"), w[1] == "enable");
    std::cout << (w[1] == "enable" ? "enabled " : "disabled ") << a.get("email") << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "user" && w[1] == "list") {
    for (const auto& m : accounts.staff(a.get("firm")))
      std::cout << m.email << "\t" << (m.name.empty() ? "-" : m.name) << "\t" << m.role << "\t" << m.status << "\t"
                << (m.last_sign_in_at.empty() ? "never" : m.last_sign_in_at) << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "user" && (w[1] == "role" || w[1] == "invite")) {
    try {
      if (w[1] == "role") {
        StaffDirectory::Change change;
        change.role = a.get("role");
        auto m = accounts.changeStaff(a.get("firm"), a.get("email"), change);
        std::cout << m.email << " is now " << m.role << "\n";
        return 0;
      }
      auto inv = accounts.inviteStaff(a.get("firm"), a.get("email"), a.get("role"), a.has("name") ? a.get("name") : "");
      const FirmSettings firm = accounts.firmSettings(a.get("firm"));
      {
        // Through the durable queue: sent now; if the relay fails, lexosd retries it.
        auto c = host.pool().acquire();
        const auto f = c->query("SELECT id FROM firms WHERE slug = $1", {firm.slug});
        const std::int64_t firmId = sdk::asInt(f.rows.at(0).at(0));
        c->beginScoped(true, {firmId, 0});
        const auto ids = MailQueue::enqueue(
            *c, firmId, {staffInvitationMail(firm.name, firm.slug, host.config().public_url, inv, a.get("role"))}, "lexosctl");
        c->commit();
        host.mailSender().deliverNow(*c, firmId, ids);
      }
      std::cout << "invited " << inv.email << " (id " << inv.user_id << "), link valid until " << inv.expires_at << ":\n"
                << staffInvitationLink(host.config().public_url, inv.token) << "\n";
      return 0;
    } catch (const sdk::HttpError& e) {
      throw std::runtime_error((e.field().empty() ? "" : e.field() + ": ") + e.what());
    }
  }
  if (w.size() == 2 && w[0] == "firm" && w[1] == "mfa") {
    auto onOff = [&](const std::string& key) -> std::optional<bool> {
      if (!a.has(key)) return std::nullopt;
      const std::string v = a.get(key);
      if (v != "on" && v != "off") throw std::runtime_error("--" + key + ": expected on or off (found '" + v + "')");
      return v == "on";
    };
    const auto staff = onOff("enforce-staff"), portal = onOff("enforce-portal");
    const auto p = accounts.mfaPolicy(a.get("firm"), staff, portal);
    std::cout << "enforce_staff\t" << (p.enforce_staff ? "on" : "off") << "\nenforce_portal\t"
              << (p.enforce_portal ? "on" : "off") << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "user" && w[1] == "mfa-reset") {
    const bool had = accounts.resetMfa(a.get("firm"), a.get("email"));
    std::cout << (had ? "reset two-step sign-in of " : "no two-step sign-in was set for ") << a.get("email") << "\n";
    return 0;
  }
  if (w.size() == 2 && w[0] == "audit" && w[1] == "verify") {
    AuditLog::Head head;
    if (a.has("head")) head = AuditLog::Head::parse(a.get("head"));
    auto v = accounts.verifyAudit(a.get("firm"), a.has("head") ? &head : nullptr);
    if (v.ok) {
      std::cout << "audit log of " << a.get("firm") << ": " << v.rows << " rows, chain intact"
                << (a.has("head") ? ", recorded head present" : "") << "\n"
                << "head: " << v.head_seq << ":" << v.head_hash << "\n";
      return 0;
    }
    std::cout << "audit log of " << a.get("firm") << ": BROKEN at " << v.problem << "\n";
    return 3;
  }
  if (w.size() == 2 && w[0] == "vault" && w[1] == "fsck") {
    vault::FsckOptions o;
    o.repair = a.has("repair");
    if (a.has("grace-hours")) {
      const std::string g = a.get("grace-hours");
      if (g.empty() || g.size() > 6 || g.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error("--grace-hours: expected a whole number of hours (found '" + g + "')");
      o.grace_hours = std::stoi(g);
    }
    const auto r = vault::fsck(host.vault(), o, std::cout);
    std::cout << "vault (" << host.vault().store().name() << " store): " << r.checked << " blobs checked, " << r.intact
              << " intact, " << r.corrupt.size() << " corrupt, " << r.missing.size() << " missing, " << r.orphans.size()
              << " orphans older than " << o.grace_hours << " h (" << r.removed << " removed), " << r.young_orphans
              << " younger left alone\n";
    return r.clean() ? 0 : 3;
  }
  if (w.size() == 2 && w[0] == "vault" && w[1] == "rotate-master-key") {
    const auto r = vault::rotateMasterKey(host.vault());
    std::cout << "rewrapped " << r.keys << " firm keys of " << r.firms << " firms and " << r.mfa_secrets
              << " TOTP secrets; master key " << r.old_id << " -> " << r.new_id << "\n"
              << "the old master key is kept as " << r.old_file
              << ": back up the new one, then delete the old one (docs/vault.md)\n";
    return 0;
  }
  std::cerr << "lexosctl: unknown verb '";
  for (std::size_t i = 0; i < w.size(); ++i) std::cerr << (i ? " " : "") << w[i];
  std::cerr << "'\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  std::string configPath;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--help" || s == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (s == "--version") {
      std::cout << "lexosctl " << LEXOS_VERSION << " (plugin SDK " << LEXOS_SDK_VERSION << ")\n";
      return 0;
    }
    if (s.rfind("--", 0) == 0) {
      std::string key = s.substr(2), value;
      auto eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (key != "json" && key != "password-stdin" && key != "repair" && key != "force" &&
                 key != "no-keys" && i + 1 < argc) {
        value = argv[++i];
      }
      if (key == "config") configPath = value;
      else a.opts[key].push_back(value);
    } else {
      a.words.push_back(s);
    }
  }
  if (configPath.empty() || a.words.empty()) {
    std::cerr << kUsage;
    return 2;
  }
  try {
    auto config = Config::load(configPath, Config::processEnvironment());
    setupLogging("warning");
    Host host(config);
    return run(a, host);
  } catch (const std::exception& e) {
    std::cerr << "lexosctl: " << e.what() << "\n";
    return 1;
  }
}
