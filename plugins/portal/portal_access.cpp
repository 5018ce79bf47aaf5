#include "portal_access.h"

#include <algorithm>
#include <ctime>

#include "invitation_mail.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::portal {

using sdk::JsonObject;
using sdk::JsonWriter;

namespace {

std::optional<std::string> unlessEmpty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

void writeUser(JsonWriter& w, const sdk::PortalUser& u) {
  w.beginObject()
      .member("user_id", u.user_id)
      .member("email", u.email)
      .member("name", u.display_name)
      .member("status", u.status)
      .member("invited_at", unlessEmpty(u.invited_at))
      .member("activated_at", unlessEmpty(u.activated_at))
      .endObject();
}

// The {id} of the path: a client that does not exist unless it is a positive number.
std::int64_t clientId(sdk::Context& c) { return sdk::pathId(c, "id", "No such client."); }

// The client's portal status follows its portal users: active if any is, else invited, else
// revoked if any was, else none.
std::string refreshPortalStatus(sdk::Context& c, std::int64_t clientId) {
  std::string status = "none";
  bool invited = false, revoked = false, active = false;
  for (const auto& u : c.identity().portalUsers(clientId)) {
    active |= u.status == "active";
    invited |= u.status == "invited";
    revoked |= u.status == "revoked";
  }
  status = active ? "active" : invited ? "invited" : revoked ? "revoked" : "none";
  c.db().execute("UPDATE clients SET portal_status = $1 WHERE id = $2", {status, clientId});
  return status;
}

sdk::ResultSet clientRow(sdk::Context& c, std::int64_t id) {
  auto rs = c.db().query("SELECT name, email, status FROM clients WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such client.");
  return rs;
}

}  // namespace

namespace {

// An invitation as the staff member asked for it, checked: who to, for which client, the note.
struct InviteRequest {
  std::int64_t client_id = 0;
  std::string client_name, email, name, note;
  int hours = 72;
};

InviteRequest readInvite(sdk::Context& c) {
  InviteRequest r;
  r.client_id = portal::clientId(c);
  auto client = clientRow(c, r.client_id);
  if (sdk::asText(client.rows[0][2]) != "active")
    throw sdk::Conflict("Restore the client before inviting them to the portal.");
  r.client_name = sdk::asText(client.rows[0][0]);
  // The body is optional: without one the invitation goes to the client's primary e-mail.
  const JsonObject b =
      sdk::hasJsonBody(c) ? sdk::readJsonObject(c, {"email", "name", "note"}) : JsonObject::parse("{}", {});
  r.email = b["email"].text(254).value_or("");
  if (r.email.empty()) r.email = sdk::asText(client.rows[0][1]);
  if (r.email.empty())
    throw sdk::BadRequest("email", "The client has no e-mail address; enter one to send the invitation to.");
  // A non-ASCII address needs SMTPUTF8 (RFC 6531) from every server on the way, which LexOS does
  // not use; written raw into the To: header it would be mangled or refused. Say so now.
  const auto nonAscii = [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; };
  if (std::any_of(r.email.begin(), r.email.end(), nonAscii))
    throw sdk::BadRequest("email",
                          "Use an e-mail address written in plain ASCII (no accents or other "
                          "non-ASCII characters); invitations cannot be sent to such an address.");
  if (r.email.find('@') == std::string::npos || r.email.find_first_of(" \t<>\"") != std::string::npos)
    throw sdk::BadRequest("email", "Enter a valid email address.");
  r.name = b["name"].text(200).value_or("");
  r.note = b["note"].text(1000, sdk::Lines::Many).value_or("");
  try {
    r.hours = std::stoi(c.config("invite_valid_hours", "72"));
  } catch (...) {
  }
  if (r.hours < 1 || r.hours > 24 * 30) r.hours = 72;
  return r;
}

std::string utcIn(int hours) {
  const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(hours) * 3600;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The e-mail of an invitation with activation `token` valid until `expiresAt` (UTC).
sdk::MailMessage buildMail(sdk::Context& c, const InviteRequest& r, const std::string& token,
                           const std::string& expiresAt) {
  sdk::FirmProfile firm;  // version 2: with the logo's address (SDK FirmProfile)
  c.firm(firm);
  InvitationWords w;
  w.to = r.email;
  w.firm_name = firm.name.empty() ? "Your law firm" : firm.name;
  w.firm_slug = firm.slug;
  w.client_name = r.client_name;
  w.portal_url = c.publicUrl() + "/portal/" + firm.slug + "/";
  w.link = w.portal_url + "#/activate/" + token;
  w.expires = expiryInWords(expiresAt, firm.time_zone.empty() ? "UTC" : firm.time_zone);
  if (!firm.logo_url.empty()) w.logo_url = c.publicUrl() + firm.logo_url;
  w.note = r.note;
  const auto& p = c.principal();
  w.note_from = p.display_name.empty() ? p.email : p.display_name;
  return invitationMail(w);
}

}  // namespace

void PortalAccess::invite(sdk::Context& c) {
  const InviteRequest r = readInvite(c);
  auto inv = c.identity().invitePortalUser(r.client_id, r.email, r.name, r.hours);
  c.mail().send(buildMail(c, r, inv.token, inv.expires_at));
  const std::string status = refreshPortalStatus(c, r.client_id);
  JsonWriter w;
  w.beginObject()
      .member("user_id", inv.user_id)
      .member("email", r.email)
      .member("expires_at", inv.expires_at)
      .member("portal_status", status)
      .endObject();
  sdk::sendJson(c, w, 201);
}

void PortalAccess::preview(sdk::Context& c) {
  const InviteRequest r = readInvite(c);
  // The real link is made when the invitation is sent; the preview shows where it will lead.
  const auto m = buildMail(c, r, "\u2026", utcIn(r.hours));
  JsonWriter w;
  w.beginObject()
      .member("to", m.to)
      .member("subject", m.subject)
      .member("text", m.text)
      .member("html", m.html)
      .endObject();
  sdk::sendJson(c, w);
}

void PortalAccess::list(sdk::Context& c) {
  const auto clientId = portal::clientId(c);
  clientRow(c, clientId);
  sdk::sendList(c, c.identity().portalUsers(clientId), writeUser);
}

void PortalAccess::revoke(sdk::Context& c) {
  const auto clientId = portal::clientId(c);
  clientRow(c, clientId);
  const std::int64_t userId = sdk::queryId(c, "user_id", "user_id must be a portal user's id.").value_or(0);
  const int n = c.identity().revokePortalUsers(clientId, userId);
  if (userId && n == 0) throw sdk::NotFound("No such portal user for this client.");
  JsonWriter w;
  w.beginObject().member("revoked", n).member("portal_status", refreshPortalStatus(c, clientId)).endObject();
  sdk::sendJson(c, w);
}

void PortalAccess::activate(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"token", "password"});
  const std::string token = b["token"].requiredText(200, "The activation link is incomplete.");
  if (!b["password"].hasValue() || !b["password"].json().isString()) b["password"].refuse("Choose a password.");
  const std::string password = *b["password"].rawString();
  auto user = c.identity().activatePortalUser(token, password);
  // The transaction is now bound to the token's firm: record the client's new portal status.
  c.db().execute("UPDATE clients SET portal_status = 'active' WHERE id = $1", {user.client_id});
  auto firm = c.db().query("SELECT slug, name FROM firms WHERE id = lexos_firm()");
  JsonWriter w;
  w.beginObject()
      .member("email", user.email)
      .member("firm", firm.empty() ? "" : sdk::asText(firm.rows[0][0]))
      .member("firm_name", firm.empty() ? "" : sdk::asText(firm.rows[0][1]))
      .endObject();
  sdk::sendJson(c, w);
}

void PortalAccess::changePassword(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"current_password", "new_password"});
  for (const char* f : {"current_password", "new_password"})
    if (!b[f].hasValue() || !b[f].json().isString()) b[f].refuse("Enter the password.");
  c.identity().changeOwnPassword(*b["current_password"].rawString(), *b["new_password"].rawString());
  c.response().setStatus(204);
  c.response().send("");
}

void PortalAccess::signOutEverywhere(sdk::Context& c) {
  JsonWriter w;
  w.beginObject().member("ended", c.identity().endOtherSessions()).endObject();
  sdk::sendJson(c, w);
}

}  // namespace lexos::portal
