#include "portal_access.h"

#include <algorithm>

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

void PortalAccess::invite(sdk::Context& c) {
  const auto clientId = portal::clientId(c);
  auto client = clientRow(c, clientId);
  if (sdk::asText(client.rows[0][2]) != "active")
    throw sdk::Conflict("Restore the client before inviting them to the portal.");
  // The body is optional: without one the invitation goes to the client's primary e-mail.
  const JsonObject b = sdk::hasJsonBody(c) ? sdk::readJsonObject(c, {"email", "name"}) : JsonObject::parse("{}", {});
  std::string email = b["email"].text(254).value_or("");
  if (email.empty()) email = sdk::asText(client.rows[0][1]);
  if (email.empty()) throw sdk::BadRequest("email", "The client has no e-mail address; enter one to send the invitation to.");
  // A non-ASCII address needs SMTPUTF8 (RFC 6531) from every server on the way, which LexOS does
  // not use; written raw into the To: header it would be mangled or refused. Say so now.
  const auto nonAscii = [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; };
  if (std::any_of(email.begin(), email.end(), nonAscii))
    throw sdk::BadRequest("email",
                          "Use an e-mail address written in plain ASCII (no accents or other "
                          "non-ASCII characters); invitations cannot be sent to such an address.");
  const std::string name = b["name"].text(200).value_or("");
  int hours = 72;
  try {
    hours = std::stoi(c.config("invite_valid_hours", "72"));
  } catch (...) {
  }
  auto inv = c.identity().invitePortalUser(clientId, email, name, hours);
  const std::string link = c.publicUrl() + "/portal/#/activate/" + inv.token;
  auto firm = c.db().query("SELECT name, slug FROM firms WHERE id = lexos_firm()");
  c.mail().send(invitationMail(email, firm.empty() ? "Your law firm" : sdk::asText(firm.rows[0][0]),
                               firm.empty() ? "" : sdk::asText(firm.rows[0][1]), sdk::asText(client.rows[0][0]), link,
                               inv.expires_at));
  const std::string status = refreshPortalStatus(c, clientId);
  JsonWriter w;
  w.beginObject()
      .member("user_id", inv.user_id)
      .member("email", email)
      .member("expires_at", inv.expires_at)
      .member("portal_status", status)
      .endObject();
  sdk::sendJson(c, w, 201);
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
