#include "screens.h"

namespace lexos::billing {

using sdk::Audience;

void registerScreens(sdk::Registrar& r) {
  // The portal's Invoices.
  r.addNav({Audience::Portal, "", "Invoices", "#/invoices", "billing.portal", 30});
  r.addView({Audience::Portal, "invoices", "portal_invoices.js", "billing.portal", "Invoices"});
  r.addView({Audience::Portal, "invoices/{id}", "portal_invoice.js", "billing.portal", "Invoice"});
}

}  // namespace lexos::billing
