#include "portal_access.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

#include "invitation_mail.h"
#include "json_request.h"
#include "lexos/sdk/errors.h"

namespace lexos::portal {

using plugin::jsonObject;
using plugin::optInt;
using plugin::optText;
using plugin::pathId;
using plugin::reqText;
using plugin::sendJson;

namespace {

Poco::JSON::Object userJson(const sdk::PortalUser& u) {
  Poco::JSON::Object o;
  o.set("user_id", u.user_id);
  o.set("email", u.email);
  o.set("name", u.display_name);
  o.set("status", u.status);
  o.set("invited_at", u.invited_at.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(u.invited_at));
  o.set("activated_at", u.activated_at.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(u.activated_at));
  return o;
}

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
  const auto clientId = pathId(c);
  auto client = clientRow(c, clientId);
  if (sdk::asText(client.rows[0][2]) != "active")
    throw sdk::Conflict("Restore the client before inviting them to the portal.");
  Poco::JSON::Object::Ptr b = c.request().contentType() == "application/json" ? jsonObject(c, {"email", "name"})
                                                                              : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
  std::string email = optText(b, "email", 254).value_or("");
  if (email.empty()) email = sdk::asText(client.rows[0][1]);
  if (email.empty()) throw sdk::BadRequest("email", "The client has no e-mail address; enter one to send the invitation to.");
  // A non-ASCII address needs SMTPUTF8 (RFC 6531) from every server on the way, which LexOS does
  // not use; written raw into the To: header it would be mangled or refused. Say so now.
  const auto nonAscii = [](char ch) { return static_cast<unsigned char>(ch) >= 0x80; };
  if (std::any_of(email.begin(), email.end(), nonAscii))
    throw sdk::BadRequest("email",
                          "Use an e-mail address written in plain ASCII (no accents or other "
                          "non-ASCII characters); invitations cannot be sent to such an address.");
  const std::string name = optText(b, "name", 200).value_or("");
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
  Poco::JSON::Object o;
  o.set("user_id", inv.user_id);
  o.set("email", email);
  o.set("expires_at", inv.expires_at);
  o.set("portal_status", status);
  sendJson(c, o, 201);
}

void PortalAccess::list(sdk::Context& c) {
  const auto clientId = pathId(c);
  clientRow(c, clientId);
  Poco::JSON::Array items;
  for (const auto& u : c.identity().portalUsers(clientId)) items.add(userJson(u));
  plugin::sendList(c, items);
}

void PortalAccess::revoke(sdk::Context& c) {
  const auto clientId = pathId(c);
  clientRow(c, clientId);
  std::int64_t userId = 0;
  if (auto u = c.request().query("user_id")) {
    try {
      userId = std::stoll(*u);
    } catch (...) {
      throw sdk::BadRequest("user_id", "user_id must be a portal user's id.");
    }
  }
  const int n = c.identity().revokePortalUsers(clientId, userId);
  if (userId && n == 0) throw sdk::NotFound("No such portal user for this client.");
  Poco::JSON::Object o;
  o.set("revoked", n);
  o.set("portal_status", refreshPortalStatus(c, clientId));
  sendJson(c, o);
}

void PortalAccess::activate(sdk::Context& c) {
  auto b = jsonObject(c, {"token", "password"});
  const std::string token = reqText(b, "token", 200, "The activation link is incomplete.");
  if (!b->has("password") || !b->get("password").isString()) throw sdk::BadRequest("password", "Choose a password.");
  const std::string password = b->getValue<std::string>("password");
  auto user = c.identity().activatePortalUser(token, password);
  // The transaction is now bound to the token's firm: record the client's new portal status.
  c.db().execute("UPDATE clients SET portal_status = 'active' WHERE id = $1", {user.client_id});
  auto firm = c.db().query("SELECT slug, name FROM firms WHERE id = lexos_firm()");
  Poco::JSON::Object o;
  o.set("email", user.email);
  o.set("firm", firm.empty() ? "" : sdk::asText(firm.rows[0][0]));
  o.set("firm_name", firm.empty() ? "" : sdk::asText(firm.rows[0][1]));
  sendJson(c, o);
}

void PortalAccess::changePassword(sdk::Context& c) {
  auto b = jsonObject(c, {"current_password", "new_password"});
  for (const char* f : {"current_password", "new_password"})
    if (!b->has(f) || !b->get(f).isString()) throw sdk::BadRequest(f, "Enter the password.");
  c.identity().changeOwnPassword(b->getValue<std::string>("current_password"), b->getValue<std::string>("new_password"));
  c.response().setStatus(204);
  c.response().send("");
}

void PortalAccess::signOutEverywhere(sdk::Context& c) {
  Poco::JSON::Object o;
  o.set("ended", c.identity().endOtherSessions());
  sendJson(c, o);
}

}  // namespace lexos::portal
