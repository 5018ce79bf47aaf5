#include "screens.h"

namespace lexos::billing {

using sdk::Audience;

void registerScreens(sdk::Registrar& r) {
  // The portal's Invoices.
  r.addNav({Audience::Portal, "", "Invoices", "#/invoices", "billing.portal", 30});
  r.addView({Audience::Portal, "invoices", "portal_invoices.js", "billing.portal", "Invoices"});
  r.addView({Audience::Portal, "invoices/{id}", "portal_invoice.js", "billing.portal", "Invoice"});

  // The staff's screens: the Billing page (accounts-receivable aging, staff rates) and the
  // invoices, for those who read the books; the editor for those who draft invoices.
  r.addNav({Audience::Staff, "Billing", "Billing", "#/billing", "billing.read", 50});
  r.addNav({Audience::Staff, "Billing", "Invoices", "#/invoices", "billing.read", 51});
  r.addView({Audience::Staff, "billing", "billing_page.js", "billing.read", "Billing"});
  r.addView({Audience::Staff, "invoices", "invoices.js", "billing.read", "Invoices"});
  r.addView({Audience::Staff, "invoices/new", "invoice_form.js", "billing.write", "New invoice"});
  r.addView({Audience::Staff, "invoices/{id}", "invoice.js", "billing.read", "Invoice"});
  r.addView({Audience::Staff, "invoices/{id}/edit", "invoice_form.js", "billing.write", "Edit draft invoice"});

  // Cards. On the case page: time and expenses for those who read them; "Record time" for
  // those who only record (a paralegal by default), which steps aside for the first.
  r.addContribution({"staff.case.cards", "case_card.js", "billing.read", "Time and expenses", 30});
  r.addContribution({"staff.case.cards", "case_time_card.js", "billing.time", "Record time", 31});
  // On the client profile: invoices and balance, and the trust ledger.
  r.addContribution({"staff.client.cards", "client_invoices_card.js", "billing.read", "Invoices", 30});
  r.addContribution({"staff.client.cards", "client_trust_card.js", "billing.read", "Trust", 35});
}

}  // namespace lexos::billing
