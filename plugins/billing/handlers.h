#pragma once
// Handlers of the billing module. The guard has checked session, CSRF, audience and
// permission; the Db is bound to the caller's firm (and, for the portal, to the client).

#include "lexos/sdk/context.h"

namespace lexos::billing {

class TimeHandlers {
 public:
  /// GET /api/v1/billing/rates: each active staff user's default hourly rate (or null).
  static void listRates(sdk::Context& c);
  /// PUT /api/v1/billing/rates/{user_id} {rate_minor}: a staff user's default hourly rate.
  static void setRate(sdk::Context& c);
  /// GET /api/v1/cases/{id}/time: the case's time entries, newest first (without billing.read:
  /// the caller's own only, so that a paralegal sees what they recorded).
  static void listTime(sdk::Context& c);
  /// POST /api/v1/cases/{id}/time {minutes, description, date?, rate_minor?, billable?, user_id?}
  /// (user_id of another member of staff: billing.write)
  static void addTime(sdk::Context& c);
  /// DELETE /api/v1/time/{id}: an entry not yet on an invoice; one's own, or anyone's with
  /// billing.write.
  static void deleteTime(sdk::Context& c);
  /// GET /api/v1/cases/{id}/expenses (without billing.read: one's own only)
  static void listExpenses(sdk::Context& c);
  /// DELETE /api/v1/expenses/{id}: an expense not yet on an invoice; one's own, or anyone's with
  /// billing.write.
  static void deleteExpense(sdk::Context& c);
  /// POST /api/v1/cases/{id}/expenses {amount_minor, description, date?, billable?}
  static void addExpense(sdk::Context& c);
};

class InvoiceHandlers {
 public:
  /// GET /api/v1/invoices?client_id=&status=&limit=&cursor= (newest first)
  static void list(sdk::Context& c);
  /// POST /api/v1/invoices {client_id, case_ids?, lines?, discount_bp? | discount_minor?,
  /// tax_name?, tax_rate_bp?, notes?} -> a draft
  static void create(sdk::Context& c);
  /// GET /api/v1/invoices/{id} with its lines
  static void get(sdk::Context& c);
  /// PATCH /api/v1/invoices/{id} {case_ids?, lines?, discount_bp?, discount_minor?, tax_name?,
  /// tax_rate_bp?, notes?}: edits a draft in place (its id stays). case_ids: its time and
  /// expenses become those cases' unbilled work; lines: its lines by hand become these.
  static void patch(sdk::Context& c);
  /// DELETE /api/v1/invoices/{id}: a draft only; its time and expenses are unbilled again.
  static void remove(sdk::Context& c);
  /// POST /api/v1/invoices/{id}/issue {issued_on?}: numbers and freezes a draft.
  static void issue(sdk::Context& c);
  /// POST /api/v1/invoices/{id}/void {reason?}: keeps the number; releases its time and expenses.
  static void voidInvoice(sdk::Context& c);
};

class PaymentHandlers {
 public:
  /// POST /api/v1/invoices/{id}/payments {amount_minor, method, received_on?, reference?}
  /// -> {id, receipt_id, receipt_number, ..., invoice}; at most the invoice's balance.
  static void record(sdk::Context& c);
  /// GET /api/v1/invoices/{id}/payments
  static void listForInvoice(sdk::Context& c);
  /// POST /api/v1/payments/{id}/refunds {amount_minor, reason?}: at most what is left of it.
  static void refund(sdk::Context& c);
  /// GET /api/v1/portal/receipts: the client's own payments, each with its receipt number.
  static void portalReceipts(sdk::Context& c);
};

class PdfHandlers {
 public:
  /// GET /api/v1/invoices/{id}/pdf (staff, drafts marked as such) and
  /// GET /api/v1/portal/invoices/{id}/pdf (the client's own, issued or void).
  static void invoice(sdk::Context& c);
  /// GET /api/v1/receipts/{id}/pdf and GET /api/v1/portal/receipts/{id}/pdf: the official
  /// receipt of a payment (its id is the receipt's).
  static void receipt(sdk::Context& c);
  /// GET /api/v1/credit-notes/{id}/pdf and GET /api/v1/portal/credit-notes/{id}/pdf.
  static void creditNote(sdk::Context& c);
};

class PortalInvoiceHandlers {
 public:
  /// GET /api/v1/portal/invoices -> {items, balance_minor, currency}
  static void list(sdk::Context& c);
  /// GET /api/v1/portal/invoices/{id} with its lines
  static void get(sdk::Context& c);
};

class LedgerHandlers {
 public:
  /// POST /api/v1/invoices/{id}/credit-notes {amount_minor, reason, issued_on?}: corrects an
  /// issued invoice by at most what is still owed; numbered CN-YYYY-NNNN, gap-free per firm.
  static void creditNote(sdk::Context& c);
  /// GET /api/v1/clients/{id}/trust: the client's trust balance and ledger, newest first.
  static void trust(sdk::Context& c);
  /// POST /api/v1/clients/{id}/trust {kind: deposit|refund, amount_minor, entry_date?, reference?,
  /// description?}
  static void trustEntry(sdk::Context& c);
  /// POST /api/v1/invoices/{id}/trust-applications {amount_minor}: pays the invoice from the
  /// client's trust balance (a payment with method "trust" and its receipt).
  static void applyTrust(sdk::Context& c);
  /// GET /api/v1/portal/trust: the client's own trust balance and entries, read-only.
  static void portalTrust(sdk::Context& c);
  /// GET /api/v1/billing/settings -> {address, tax_id, tax_rates: [{id, name, rate_bp, default}]}
  static void settings(sdk::Context& c);
  /// PUT /api/v1/billing/settings {address?, tax_id?, tax_rates?: [{name, rate_bp, default?}]}:
  /// what it names is replaced (tax_rates as a whole list; at most one default).
  static void setSettings(sdk::Context& c);
  /// GET /api/v1/billing/aging?as_of=&client_id=: accounts receivable per client in buckets
  /// by days past due (current, 1-30, 31-60, 61-90, 90+), with totals per currency.
  static void aging(sdk::Context& c);
};

class OnlineHandlers {
 public:
  /// POST /api/v1/portal/invoices/{id}/pay: a provider checkout for what the client's
  /// invoice still owes -> {provider, checkout_id, checkout_url, amount_minor, currency}.
  static void checkout(sdk::Context& c);
  /// POST /api/v1/billing/webhooks/stripe (public; Stripe-Signature): records a paid checkout
  /// once, whatever the order or repetition of its events.
  static void stripeWebhook(sdk::Context& c);
  /// A provider's webhook: verified by the provider (provider.h), then recorded.
  static void webhook(sdk::Context& c, const std::string& providerName);
};


}  // namespace lexos::billing
