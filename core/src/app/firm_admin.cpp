#include "app/firm_admin.h"

#include <algorithm>
#include <map>
#include <set>

#include "http/request_context.h"
#include "identity/audit_log.h"
#include "identity/audit_sequencer.h"
#include "identity/identity_service.h"
#include "identity/staff_directory.h"
#include "lexos/sdk/lexos.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/mail_text.h"
#include "lexos/sdk/params.h"
#include "plugins/registry.h"

namespace lexos::core {

namespace {

using sdk::Audience;
using sdk::JsonObject;
using sdk::JsonWriter;
using sdk::Method;

constexpr int kInviteValidHours = 72;

RequestContext& host(sdk::Context& c) { return static_cast<RequestContext&>(c); }

StaffDirectory directory(sdk::Context& c) { return StaffDirectory(host(c).connection(), c.principal().firm_id); }

std::optional<std::string> unlessEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

void writeMember(JsonWriter& w, const StaffMember& m) {
  w.beginObject()
      .member("id", m.id)
      .member("email", m.email)
      .member("name", m.name)
      .member("role", m.role)
      .member("status", m.status)
      .member("created_at", m.created_at)
      .member("invited_at", unlessEmpty(m.invited_at))
      .member("activated_at", unlessEmpty(m.activated_at))
      .member("invitation_expires_at", unlessEmpty(m.invitation_expires))
      .member("last_sign_in_at", unlessEmpty(m.last_sign_in_at))
      .endObject();
}

sdk::MailMessage invitationMail(sdk::Context& c, const StaffInvitation& inv, const std::string& role) {
  auto firm = c.db().query("SELECT name, slug FROM firms WHERE id = lexos_firm()");
  return staffInvitationMail(firm.empty() ? "Your firm" : sdk::asText(firm.rows[0][0]),
                             firm.empty() ? "" : sdk::asText(firm.rows[0][1]), c.publicUrl(), inv, role);
}

void sendInvitation(sdk::Context& c, const StaffInvitation& inv, int status) {
  const StaffMember m = directory(c).get(inv.user_id);
  c.mail().send(invitationMail(c, inv, m.role));
  JsonWriter w;
  writeMember(w, m);
  sdk::sendJson(c, w, status);
}

// GET /api/v1/users
void listUsers(sdk::Context& c, AuditSequencer* sequencer) {
  // Sign-ins are audit events that wait a few milliseconds for the sequencer: chain them first.
  if (sequencer) sequencer->chainNow(c.principal().firm_id);
  sdk::sendList(c, directory(c).list(true), writeMember);
}

// POST /api/v1/users {email, role, name?}
void inviteUser(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"email", "role", "name"});
  const std::string email = b["email"].requiredText(254, "Enter the e-mail address to invite.");
  const std::string role = b["role"].requiredText(20, "Choose a role: owner, attorney, paralegal or billing.");
  const std::string name = b["name"].text(200).value_or("");
  auto inv = directory(c).invite(email, role, name, kInviteValidHours);
  c.audit().record("staff.invite", "user", std::to_string(inv.user_id), "role=" + role);
  sendInvitation(c, inv, 201);
}

// POST /api/v1/users/{id}/invitation
void resendInvitation(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such member of staff.");
  auto inv = directory(c).resend(id, kInviteValidHours);
  c.audit().record("staff.invite", "user", std::to_string(id), "resent");
  sendInvitation(c, inv, 201);
}

// DELETE /api/v1/users/{id}/invitation
void revokeInvitation(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such member of staff.");
  auto dir = directory(c);
  dir.revokeInvitation(id);
  c.audit().record("staff.invite.revoke", "user", std::to_string(id));
  JsonWriter w;
  writeMember(w, dir.get(id));
  sdk::sendJson(c, w);
}

// PATCH /api/v1/users/{id} {role?, disabled?}
void changeUser(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such member of staff.");
  const JsonObject b = sdk::readJsonObject(c, {"role", "disabled"});
  StaffDirectory::Change change;
  if (b["role"].present()) change.role = b["role"].requiredText(20, "Choose a role: owner, attorney, paralegal or billing.");
  if (b["disabled"].present()) {
    if (!b["disabled"].hasValue() || !b["disabled"].json().isBool()) b["disabled"].refuse("Use true or false.");
    change.disabled = b["disabled"].json().asBool();
  }
  if (!change.role && !change.disabled) throw sdk::BadRequest("body", "Send role, disabled or both.");
  auto dir = directory(c);
  const StaffMember before = dir.get(id);
  const StaffMember after = dir.change(c.principal().user_id, id, change);
  if (after.role != before.role)
    c.audit().record("staff.role", "user", std::to_string(id), before.role + "->" + after.role);
  if (after.status != before.status)
    c.audit().record(after.status == "disabled" ? "staff.disable" : "staff.enable", "user", std::to_string(id));
  JsonWriter w;
  writeMember(w, after);
  sdk::sendJson(c, w);
}

// GET /api/v1/staff: the firm's active staff, for pickers (every staff role).
void staffDirectory(sdk::Context& c) {
  auto all = directory(c).list(false);
  all.erase(std::remove_if(all.begin(), all.end(), [](const StaffMember& m) { return m.status != "active"; }), all.end());
  sdk::sendList(c, all, [](JsonWriter& w, const StaffMember& m) {
    w.beginObject().member("id", m.id).member("name", m.name.empty() ? m.email : m.name).member("email", m.email)
        .member("role", m.role).endObject();
  });
}

// POST /api/v1/staff/activate {token, name?, password} (public: the link is the credential)
void activateStaff(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"token", "name", "password"});
  const std::string token = b["token"].requiredText(200, "The invitation link is incomplete.");
  const std::string name = b["name"].text(200).value_or("");
  if (!b["password"].hasValue() || !b["password"].json().isString()) b["password"].refuse("Choose a password.");
  const std::string password = *b["password"].rawString();
  auto user = static_cast<IdentityService&>(c.identity()).activateStaffUser(token, name, password);
  auto firm = c.db().query("SELECT slug, name FROM firms WHERE id = lexos_firm()");
  JsonWriter w;
  w.beginObject()
      .member("email", user.email)
      .member("firm", firm.empty() ? "" : sdk::asText(firm.rows[0][0]))
      .member("firm_name", firm.empty() ? "" : sdk::asText(firm.rows[0][1]))
      .endObject();
  sdk::sendJson(c, w);
}

// Module switches: every loaded module but the core, with its state for the firm.
std::map<std::string, bool> switches(Connection& conn) {
  std::map<std::string, bool> out;
  for (const auto& row : conn.query("SELECT module, enabled FROM firm_modules", {}).rows)
    out[sdk::asText(row[0])] = sdk::asBool(row[1]);
  return out;
}

void writeModules(sdk::Context& c, const Registry& registry) {
  const auto switched = switches(host(c).connection());
  auto on = [&](const std::string& id) { return !switched.count(id) || switched.at(id); };
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& p : registry.plugins()) {
    w.beginObject().member("id", p.id).member("version", p.version).member("enabled", p.builtin || on(p.id));
    // The core (accounts, sessions, audit) cannot be switched off.
    w.member("switchable", !p.builtin);
    w.key("requires").beginArray();
    for (const auto& r : p.requires) w.value(r);
    w.endArray();
    w.key("required_by").beginArray();
    for (const auto& q : registry.plugins())
      if (std::find(q.requires.begin(), q.requires.end(), p.id) != q.requires.end()) w.value(q.id);
    w.endArray().endObject();
  }
  sdk::endList(w, std::nullopt);
  sdk::sendJson(c, w);
}

// PUT /api/v1/firm/modules/{module} {enabled}
void switchModule(sdk::Context& c, const Registry& registry) {
  const std::string& id = c.request().pathParam("module");
  const PluginInfo* plugin = nullptr;
  for (const auto& p : registry.plugins())
    if (p.id == id) plugin = &p;
  if (!plugin) throw sdk::NotFound("No such module.");
  const JsonObject b = sdk::readJsonObject(c, {"enabled"});
  if (!b["enabled"].hasValue() || !b["enabled"].json().isBool()) b["enabled"].refuse("Use true or false.");
  const bool enabled = b["enabled"].json().asBool();
  if (plugin->builtin)
    throw sdk::Conflict("The core module (accounts, sessions, audit log) cannot be switched off.", "enabled");
  Connection& conn = host(c).connection();
  const auto switched = switches(conn);
  auto on = [&](const std::string& m) { return !switched.count(m) || switched.at(m); };
  // A module needs the modules it requires (their tables, their screens): switch in order.
  if (enabled)
    for (const auto& r : plugin->requires)
      if (!on(r)) throw sdk::Conflict("Switch on " + r + " first: " + id + " needs it.", "enabled");
  if (!enabled)
    for (const auto& q : registry.plugins())
      if (on(q.id) && !q.builtin && std::find(q.requires.begin(), q.requires.end(), id) != q.requires.end())
        throw sdk::Conflict("Switch off " + q.id + " first: it needs " + id + ".", "enabled");
  // The guard's module cache hears of this through the firm_modules change triggers.
  conn.execute("DELETE FROM firm_modules WHERE module = $1", {id});
  conn.execute("INSERT INTO firm_modules (firm_id, module, enabled) VALUES (lexos_firm(), $1, $2)", {id, enabled});
  c.audit().record("firm.modules", "module", id, enabled ? "enabled" : "disabled");
  writeModules(c, registry);
}

// GET /api/v1/audit/verify: what `lexosctl audit verify` checks, for the owner's screen.
void verifyAudit(sdk::Context& c, AuditSequencer* sequencer) {
  if (sequencer) sequencer->chainNow(c.principal().firm_id);
  const auto v = AuditLog::verify(host(c).connection());
  JsonWriter w;
  w.beginObject()
      .member("verified", v.ok)
      .member("rows", v.rows)
      .member("head", v.rows ? std::optional<std::string>(std::to_string(v.head_seq) + ":" + v.head_hash) : std::nullopt)
      .member("problem", unlessEmpty(v.problem))
      .endObject();
  sdk::sendJson(c, w);
}

}  // namespace

std::string staffInvitationLink(const std::string& publicUrl, const std::string& token) {
  return publicUrl + "/app/#/join/" + token;
}

sdk::MailMessage staffInvitationMail(const std::string& firmName, const std::string& slug, const std::string& publicUrl,
                                     const StaffInvitation& inv, const std::string& role) {
  const std::string link = staffInvitationLink(publicUrl, inv.token);
  sdk::MailMessage m;
  m.to = inv.email;
  m.subject = firmName + " invites you to LexOS";
  m.text = "Hello,\n\n" + firmName + " has invited you to its LexOS workspace as " + role +
           ".\n\nChoose your password here (the link works once, until " + inv.expires_at + "):\n\n" + link +
           "\n\nTo sign in later, use firm \"" + slug + "\" and this e-mail address (" + inv.email + ")." +
           "\n\nIf you did not expect this message, ignore it; nothing happens until the link is used.\n";
  m.html = "<!doctype html><html><body style=\"font-family:sans-serif;color:#1f2937\"><p>Hello,</p><p><strong>" +
           sdk::htmlEscape(firmName) + "</strong> has invited you to its LexOS workspace as " + sdk::htmlEscape(role) +
           ".</p><p><a href=\"" + sdk::htmlEscape(link) +
           "\" style=\"background:#0f766e;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">"
           "Choose your password</a></p><p>The link works once, until " + sdk::htmlEscape(inv.expires_at) +
           ".</p><p>To sign in later, use firm <strong>" + sdk::htmlEscape(slug) + "</strong> and this e-mail address (" +
           sdk::htmlEscape(inv.email) + ").</p><p style=\"color:#6b7280\">If you did not expect this message, ignore it; "
           "nothing happens until the link is used.</p></body></html>";
  return m;
}

void registerFirmAdministration(sdk::Registrar& r, const Registry& registry, AuditSequencer* const& sequencer) {
  r.addPermission({"core.staff.read", "See the names and roles of the firm's staff (pickers)",
                   {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
  r.addNav({Audience::Staff, "Firm", "Staff", "#/firm/staff", "core.users.manage", 910});
  r.addNav({Audience::Staff, "Firm", "Modules", "#/firm/modules", "core.firm.manage", 920});
  r.addNav({Audience::Staff, "Firm", "Audit log", "#/firm/audit", "core.audit.read", 930});
  r.addRoute({Method::Get, "/api/v1/users", Audience::Staff, "core.users.manage",
              [&sequencer](sdk::Context& c) { listUsers(c, sequencer); }, 0,
              "The firm's staff accounts: role, status, invitation, last sign-in"});
  r.addRoute({Method::Post, "/api/v1/users", Audience::Staff, "core.users.manage", &inviteUser, 4096,
              "Invite a member of staff {email, role, name?}: e-mails a single-use link"});
  r.addRoute({Method::Patch, "/api/v1/users/{id}", Audience::Staff, "core.users.manage", &changeUser, 4096,
              "Change a staff account {role?, disabled?} (disabling ends its sessions)"});
  r.addRoute({Method::Post, "/api/v1/users/{id}/invitation", Audience::Staff, "core.users.manage", &resendInvitation, 1024,
              "Send a staff invitation again (earlier links stop working)"});
  r.addRoute({Method::Delete, "/api/v1/users/{id}/invitation", Audience::Staff, "core.users.manage", &revokeInvitation, 0,
              "Revoke a staff invitation"});
  r.addRoute({Method::Get, "/api/v1/staff", Audience::Staff, "core.staff.read", &staffDirectory, 0,
              "The firm's active staff: id, name, e-mail, role (for pickers)"});
  r.addRoute({Method::Post, "/api/v1/staff/activate", Audience::Public, sdk::kPublic, &activateStaff, 4096,
              "Accept a staff invitation {token, name?, password}"});
  r.addRoute({Method::Get, "/api/v1/firm/modules", Audience::Staff, "core.firm.manage",
              [&registry](sdk::Context& c) { writeModules(c, registry); }, 0,
              "The modules and whether each is switched on for the firm"});
  r.addRoute({Method::Put, "/api/v1/firm/modules/{module}", Audience::Staff, "core.firm.manage",
              [&registry](sdk::Context& c) { switchModule(c, registry); }, 1024,
              "Switch a module on or off for the firm {enabled}"});
  r.addRoute({Method::Get, "/api/v1/audit/verify", Audience::Staff, "core.audit.read",
              [&sequencer](sdk::Context& c) { verifyAudit(c, sequencer); }, 0,
              "Check the firm's hash-chained audit log: verified, rows, head"});
}

}  // namespace lexos::core
