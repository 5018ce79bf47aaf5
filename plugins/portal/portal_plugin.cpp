// The portal module: declarations only; the work is in PortalAccess.
#include "lexos/sdk/lexos.h"
#include "portal_access.h"

namespace lexos::portal {

using sdk::Audience;
using sdk::Method;

// What the routes take and answer (SDK 1.7), for GET /api/v1/openapi.json (portal_access.cpp).
static void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  const S invite = S::object()
                       .optionalField("email", S::string().describe("Defaults to the client's primary e-mail"))
                       .optionalField("name", S::string())
                       .optionalField("note", S::string().describe("A personal note in the e-mail"))
                       .closed();
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/clients/{id}/portal/invite")
                      .request(invite)
                      .response(S::object()
                                    .field("user_id", S::id())
                                    .field("email", S::string())
                                    .field("expires_at", S::dateTime())
                                    .field("portal_status", S::string()),
                                201));
  r.describeRoute(
      DescriptionBuilder(Method::Post, "/api/v1/clients/{id}/portal/invite/preview")
          .description("The invitation e-mail the same body would send, built by the same code, not sent and "
                       "making no account. Both parts are as the client receives them but for the activation "
                       "link's token, which is made when the invitation is sent: the preview's link ends in "
                       "#/activate/\u2026. The expiry is worded from now.")
          .request(invite)
          .response(S::object()
                        .field("to", S::string().describe("The invitee's address"))
                        .field("subject", S::string())
                        .field("text", S::string().describe("The plain-text part"))
                        .field("html", S::string().describe("The HTML part, a whole document (the firm's logo, the "
                                                            "expiry in the firm's time zone, the note HTML-escaped)"))
                        .closed()));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/clients/{id}/portal")
                      .response(S::list(S::object()
                                            .field("user_id", S::id())
                                            .field("email", S::string())
                                            .field("name", S::string())
                                            .field("status", S::string())
                                            .field("invited_at", S::dateTime().orNull())
                                            .field("activated_at", S::dateTime().orNull()))));
  r.describeRoute(DescriptionBuilder(Method::Delete, "/api/v1/clients/{id}/portal")
                      .response(S::object().field("revoked", S::integer()).field("portal_status", S::string())));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/portal/activate")
                      .request(S::object().field("token", S::string()).field("password", S::string()).closed())
                      .response(S::object().field("email", S::string()).field("firm", S::string()).field("firm_name", S::string())));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/portal/account/password")
                      .request(S::object()
                                   .field("current_password", S::string())
                                   .field("new_password", S::string())
                                   .closed())
                      .noContent());
}

class PortalPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("clients");  // invitations go to clients; their portal_status is kept current
    r.addPermission({"portal.manage", "Invite clients to the portal and revoke their access",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"portal.account", "Portal: change my password, sign out everywhere", {sdk::kRolePortal}});
    r.addNav({Audience::Portal, "", "Account", "#/account", "portal.account", 90});
    // Screens (web/, served at /plugins/portal/; docs/web-kit.md): the client portal card on the
    // staff's client profile, and the portal user's account page.
    r.addContribution(
        {"staff.client.cards", "client_card.js", "portal.manage", "Client portal", 30});
    r.addView({Audience::Portal, "account", "account.js", "portal.account", "Account"});

    describeRoutes(r);
    r.addRoute({Method::Post, "/api/v1/clients/{id}/portal/invite", Audience::Staff, "portal.manage", &PortalAccess::invite,
                8192, "Invite to portal {email?, name?, note?}: e-mails a single-use activation link"});
    r.addRoute({Method::Post, "/api/v1/clients/{id}/portal/invite/preview", Audience::Staff, "portal.manage",
                &PortalAccess::preview, 8192, "The invitation e-mail {email?, name?, note?} would send, not sent"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}/portal", Audience::Staff, "portal.manage", &PortalAccess::list, 0,
                "The client's portal users"});
    r.addRoute({Method::Delete, "/api/v1/clients/{id}/portal", Audience::Staff, "portal.manage", &PortalAccess::revoke, 0,
                "Revoke portal access (all, or ?user_id=)"});
    r.addRoute({Method::Post, "/api/v1/portal/activate", Audience::Public, sdk::kPublic, &PortalAccess::activate, 4096,
                "Activate a portal account {token, password}"});
    r.addRoute({Method::Post, "/api/v1/portal/account/password", Audience::Portal, "portal.account",
                &PortalAccess::changePassword, 4096, "Change my password"});
    r.addRoute({Method::Post, "/api/v1/portal/account/sign-out-everywhere", Audience::Portal, "portal.account",
                &PortalAccess::signOutEverywhere, 0, "End my other sessions"});
  }
};

}  // namespace lexos::portal

LEXOS_PLUGIN(lexos::portal::PortalPlugin, "portal", "0.1.0")
