// The portal module: declarations only; the work is in PortalAccess.
#include "lexos/sdk/lexos.h"
#include "portal_access.h"

namespace lexos::portal {

using sdk::Audience;
using sdk::Method;

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
