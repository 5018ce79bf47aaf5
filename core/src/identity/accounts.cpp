#include "identity/accounts.h"

#include "identity/audit_sequencer.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "common/time.h"
#include "data/connection.h"
#include "plugins/registry.h"
#include "identity/passwords.h"

namespace lexos::core {

namespace {
// lexosctl's own events are chained at once (lexosd may not be running to do it).
void chainRecorded(Connection& c) {
  for (auto firm : AuditLog::takeRecordedFirms()) AuditSequencer::chainFirm(c, firm, true);
}
}  // namespace

std::string normaliseEmail(const std::string& in) {
  std::string e = in;
  e.erase(0, e.find_first_not_of(" \t"));
  e.erase(e.find_last_not_of(" \t") + 1);
  std::transform(e.begin(), e.end(), e.begin(), ::tolower);
  const auto at = e.find('@');
  if (e.size() > 254 || at == std::string::npos || at == 0 || at != e.rfind('@') || at + 1 >= e.size()) return {};
  const std::string domain = e.substr(at + 1);
  if (domain.find('.') == std::string::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string::npos)
    return {};
  for (char c : e)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',' || c == ';' || c == '"')
      return {};
  return e;
}

std::int64_t Accounts::firmId(const std::string& slug) {
  auto c = pool_.acquire();
  auto rs = c->query("SELECT id FROM firms WHERE slug = $1", {slug});
  if (rs.empty()) throw std::invalid_argument("firm: no firm with slug '" + slug + "'");
  return sdk::asInt(rs.rows[0][0]);
}

std::int64_t Accounts::createFirm(const std::string& slug, const std::string& name) {
  const bool ok = slug.size() >= 2 && slug.size() <= 63 && std::all_of(slug.begin(), slug.end(), [](char ch) {
    return std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '-';
  }) && slug.front() != '-';
  if (!ok) throw std::invalid_argument("slug: expected 2-63 characters a-z, 0-9 and '-', found '" + slug + "'");
  if (name.empty() || name.size() > 200) throw std::invalid_argument("name: expected 1-200 characters");
  auto c = pool_.acquire();
  c->begin(true);
  if (!c->query("SELECT 1 FROM firms WHERE slug = $1", {slug}).empty())
    throw std::invalid_argument("slug: a firm with slug '" + slug + "' already exists");
  const auto id = c->newId();
  c->execute("INSERT INTO firms (id, slug, name, created_at) VALUES ($1, $2, $3, $4)", {id, slug, name, utcTimestamp()});
  c->commit();
  return id;
}

std::vector<std::string> Accounts::listFirms() {
  auto c = pool_.acquire();
  std::vector<std::string> out;
  for (const auto& r : c->query("SELECT slug, name, id FROM firms ORDER BY slug", {}).rows)
    out.push_back(sdk::asText(r[0]) + "\t" + sdk::asText(r[1]) + "\t" + sdk::asText(r[2]));
  return out;
}

std::int64_t Accounts::createStaffUser(const std::string& firmSlug, const std::string& emailIn, const std::string& role,
                                       const std::string& name, const std::string& password) {
  const std::string email = normaliseEmail(emailIn);
  if (email.empty()) throw std::invalid_argument("email: expected an e-mail address, found '" + emailIn + "'");
  if (role == sdk::kRolePortal || std::find(knownRoles().begin(), knownRoles().end(), role) == knownRoles().end())
    throw std::invalid_argument("role: expected owner, attorney, paralegal or billing, found '" + role + "'");
  if (auto p = passwordProblem(password); !p.empty()) throw std::invalid_argument("password: " + p);
  const auto firm = firmId(firmSlug);
  const std::string hash = hashPassword(password);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  if (!c->query("SELECT 1 FROM users WHERE email = $1", {email}).empty())
    throw std::invalid_argument("email: a user with e-mail " + email + " already exists in firm " + firmSlug);
  const auto id = c->newId();
  c->execute("INSERT INTO users (firm_id, id, email, display_name, password_hash, kind, role, status, created_at) "
             "VALUES (lexos_firm(), $1, $2, $3, $4, 'staff', $5, 'active', $6)",
             {id, email, name, hash, role, utcTimestamp()});
  sdk::Principal op;
  op.firm_id = firm;
  AuditLog::append(*c, op, "lexosctl", "", {{"user.create", "user", std::to_string(id), "role=" + role}});
  c->commit();
  chainRecorded(*c);
  return id;
}

std::int64_t Accounts::createPortalUser(const std::string& firmSlug, std::int64_t clientId, const std::string& emailIn,
                                        const std::string& password) {
  const std::string email = normaliseEmail(emailIn);
  if (email.empty()) throw std::invalid_argument("email: expected an e-mail address, found '" + emailIn + "'");
  if (clientId <= 0) throw std::invalid_argument("client: expected a client id");
  if (auto p = passwordProblem(password); !p.empty()) throw std::invalid_argument("password: " + p);
  const auto firm = firmId(firmSlug);
  const std::string hash = hashPassword(password);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  const auto id = c->newId();
  c->execute("INSERT INTO users (firm_id, id, email, password_hash, kind, role, client_id, status, created_at) "
             "VALUES (lexos_firm(), $1, $2, $3, 'portal', 'portal', $4, 'active', $5)",
             {id, email, hash, clientId, utcTimestamp()});
  c->commit();
  return id;
}

void Accounts::setUserStatus(const std::string& firmSlug, const std::string& emailIn, bool active) {
  const std::string email = normaliseEmail(emailIn);
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  auto u = c->query("SELECT id FROM users WHERE email = $1", {email});
  if (u.empty()) throw std::invalid_argument("email: no user " + emailIn + " in firm " + firmSlug);
  const auto id = sdk::asInt(u.rows[0][0]);
  c->execute("UPDATE users SET status = $1 WHERE id = $2", {std::string(active ? "active" : "disabled"), id});
  // Sessions live in the database, so deleting them ends them on every node at once.
  if (!active) c->execute("DELETE FROM sessions WHERE user_id = $1", {id});
  sdk::Principal op;
  op.firm_id = firm;
  AuditLog::append(*c, op, "lexosctl", "", {{active ? "user.enable" : "user.disable", "user", std::to_string(id), ""}});
  c->commit();
  chainRecorded(*c);
}

std::vector<StaffMember> Accounts::staff(const std::string& firmSlug) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  AuditSequencer::chainFirm(*c, firm, true);  // sign-ins still waiting to be chained
  c->begin(false);
  c->setScope({firm, 0});
  auto out = StaffDirectory(*c, firm).list(true);
  c->commit();
  return out;
}

StaffMember Accounts::changeStaff(const std::string& firmSlug, const std::string& emailIn,
                                  const StaffDirectory::Change& change) {
  const std::string email = normaliseEmail(emailIn);
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  try {
    auto u = c->query("SELECT id FROM users WHERE email = $1 AND kind = 'staff'", {email});
    if (u.empty()) throw std::invalid_argument("email: no member of staff " + emailIn + " in firm " + firmSlug);
    StaffDirectory dir(*c, firm);
    const auto id = sdk::asInt(u.rows[0][0]);
    const StaffMember before = dir.get(id);
    const StaffMember after = dir.change(0, id, change);
    sdk::Principal op;
    op.firm_id = firm;
    std::vector<BufferedAudit::Event> events;
    if (after.role != before.role) events.push_back({"staff.role", "user", std::to_string(id), before.role + "->" + after.role});
    if (after.status != before.status)
      events.push_back({after.status == "disabled" ? "staff.disable" : "staff.enable", "user", std::to_string(id), ""});
    AuditLog::append(*c, op, "lexosctl", "", events);
    c->commit();
    chainRecorded(*c);
    return after;
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
}

StaffInvitation Accounts::inviteStaff(const std::string& firmSlug, const std::string& email, const std::string& role,
                                      const std::string& name) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  try {
    auto inv = StaffDirectory(*c, firm).invite(email, role, name, 72);
    sdk::Principal op;
    op.firm_id = firm;
    AuditLog::append(*c, op, "lexosctl", "", {{"staff.invite", "user", std::to_string(inv.user_id), "role=" + role}});
    c->commit();
    chainRecorded(*c);
    return inv;
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
}

void Accounts::setModule(const std::string& firmSlug, const std::string& module, bool enabled) {
  if (!registry_.hasPlugin(module) || module == "core")
    throw std::invalid_argument("module: '" + module + "' is not a loaded module (see lexosctl plugins)");
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  c->execute("DELETE FROM firm_modules WHERE module = $1", {module});
  c->execute("INSERT INTO firm_modules (firm_id, module, enabled) VALUES (lexos_firm(), $1, $2)", {module, enabled});
  sdk::Principal op;
  op.firm_id = firm;
  AuditLog::append(*c, op, "lexosctl", "", {{"firm.modules", "module", module, enabled ? "enabled" : "disabled"}});
  c->commit();
  chainRecorded(*c);
}

FirmSettings Accounts::firmSettings(const std::string& firmSlug) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(false);
  c->setScope({firm, 0});
  auto s = readFirmSettings(*c, firm);
  c->commit();
  return s;
}

FirmSettings Accounts::setFirmSettings(const std::string& firmSlug, const FirmSettingsChange& change) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  FirmSettings s;
  try {
    s = writeFirmSettings(*c, firm, change);
    std::string detail;
    if (change.name) detail += "name";
    if (change.time_zone) detail += std::string(detail.empty() ? "" : ",") + "time_zone";
    if (change.country) detail += std::string(detail.empty() ? "" : ",") + "country";
    if (change.address) detail += std::string(detail.empty() ? "" : ",") + "address";
    if (change.default_currency) detail += std::string(detail.empty() ? "" : ",") + "default_currency";
    sdk::Principal op;
    op.firm_id = firm;
    AuditLog::append(*c, op, "lexosctl", "", {{"firm.update", "firm", std::to_string(firm), detail}});
    c->commit();
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
  chainRecorded(*c);
  return s;
}

MfaPolicy Accounts::mfaPolicy(const std::string& firmSlug, std::optional<bool> enforceStaff,
                              std::optional<bool> enforcePortal) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  MfaPolicy p;
  try {
    if (enforceStaff || enforcePortal) {
      p = Mfa::setPolicy(*c, enforceStaff, enforcePortal);
      std::string detail;
      if (enforceStaff) detail += std::string("enforce_staff=") + (*enforceStaff ? "on" : "off");
      if (enforcePortal)
        detail += std::string(detail.empty() ? "" : ",") + "enforce_portal=" + (*enforcePortal ? "on" : "off");
      sdk::Principal op;
      op.firm_id = firm;
      AuditLog::append(*c, op, "lexosctl", "", {{"firm.mfa_policy", "firm", std::to_string(firm), detail}});
    } else {
      p = Mfa::policy(*c);
    }
    c->commit();
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
  chainRecorded(*c);
  return p;
}

bool Accounts::resetMfa(const std::string& firmSlug, const std::string& emailIn) {
  const std::string email = normaliseEmail(emailIn);
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  c->begin(true);
  c->setScope({firm, 0});
  bool had = false;
  try {
    auto u = c->query("SELECT id FROM users WHERE email = $1", {email});
    if (u.empty()) throw std::invalid_argument("email: no user " + emailIn + " in firm " + firmSlug);
    const auto id = sdk::asInt(u.rows[0][0]);
    had = Mfa::reset(*c, id);
    sdk::Principal op;
    op.firm_id = firm;
    AuditLog::append(*c, op, "lexosctl", "", {{"mfa.reset", "user", std::to_string(id), had ? "enrolled" : "not enrolled"}});
    c->commit();
  } catch (...) {
    if (c->inTransaction()) c->rollback();
    throw;
  }
  chainRecorded(*c);
  return had;
}

std::map<std::string, bool> Accounts::modules(const std::string& firmSlug) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  // Events still waiting for a sequencer (lexosd stopped, or killed, before chaining them) are
  // chained first: the verdict covers every event recorded.
  AuditSequencer::chainFirm(*c, firm, true);
  c->begin(false);
  c->setScope({firm, 0});
  std::map<std::string, bool> out;
  for (const auto& p : registry_.plugins())
    if (!p.builtin) out[p.id] = true;
  for (const auto& r : c->query("SELECT module, enabled FROM firm_modules", {}).rows)
    if (out.count(sdk::asText(r[0]))) out[sdk::asText(r[0])] = sdk::asBool(r[1]);
  c->commit();
  return out;
}

AuditLog::Verdict Accounts::verifyAudit(const std::string& firmSlug, const AuditLog::Head* expected) {
  const auto firm = firmId(firmSlug);
  auto c = pool_.acquire();
  // Events still waiting for a sequencer (lexosd stopped, or killed, before chaining them) are
  // chained first: the verdict covers every event recorded.
  AuditSequencer::chainFirm(*c, firm, true);
  c->begin(false);
  c->setScope({firm, 0});
  auto v = AuditLog::verify(*c, expected);
  c->commit();
  return v;
}

}  // namespace lexos::core
