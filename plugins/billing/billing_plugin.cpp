// The billing module: declarations only; the work is in the handler classes (handlers.h).
#include "handlers.h"
#include "lexos/sdk/lexos.h"
#include "schema.h"
#include "screens.h"

namespace lexos::billing {

using sdk::Audience;
using sdk::Method;

// What the main routes take and answer (SDK 1.7), for GET /api/v1/openapi.json: an invoice is
// billing_common.cpp's writeInvoiceMembers (+ writeInvoice's lines); the portal's invoice is
// closed, so an answer that leaked a staff-only member fails the description's check.
static void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  auto members = [](S s) {
    return s.field("id", S::id())
        .field("status", S::string().oneOf({"draft", "issued", "partially_paid", "paid", "credited", "void"}))
        .field("overdue", S::boolean())
        .field("number", S::string().orNull())
        .field("currency", S::string())
        .field("minor_units", S::integer().minimum(0))
        .field("issued_on", S::date().orNull())
        .field("due_on", S::date().orNull())
        .field("payment_terms_days", S::integer())
        .field("subtotal_minor", S::money())
        .field("discount_bp", S::integer().orNull())
        .field("discount_minor", S::money())
        .field("tax_name", S::string())
        .field("tax_rate_bp", S::integer())
        .field("tax_minor", S::money())
        .field("total_minor", S::money())
        .field("paid_minor", S::money())
        .field("credited_minor", S::money())
        .field("balance_minor", S::money().minimum(0))
        .optionalField("overpaid_minor", S::money())
        .field("notes", S::string())
        .field("voided_at", S::dateTime().orNull());
  };
  const S line = S::object()
                     .field("id", S::id())
                     .field("kind", S::string())
                     .field("description", S::string())
                     .field("quantity_milli", S::integer())
                     .field("unit_price_minor", S::money())
                     .field("amount_minor", S::money())
                     .field("taxable", S::boolean());
  const S staffInvoice = members(S::object())
                             .field("client_id", S::id())
                             .field("void_reason", S::string().orNull())
                             .field("created_at", S::dateTime())
                             .field("updated_at", S::dateTime())
                             .field("client_name", S::string());
  const S fullInvoice = S(staffInvoice).field("lines", S::array(line));
  const S portalInvoice = members(S::object()).closed();
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/invoices")
                      .query(S::object()
                                 .optionalField("client_id", S::id())
                                 .optionalField("status", S::string())
                                 .optionalField("limit", S::integer().minimum(1))
                                 .optionalField("cursor", S::string()))
                      .response(S::list(staffInvoice)));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/invoices")
                      .description("A draft invoice for a client: unbilled time and expenses of `case_ids`, and `lines`.")
                      .request(S::object()
                                   .field("client_id", S::id())
                                   .optionalField("case_ids", S::array(S::id()))
                                   .optionalField("lines", S::array(S::object()
                                                                        .field("description", S::string())
                                                                        .optionalField("quantity", S::number())
                                                                        .field("unit_price_minor", S::money())))
                                   .optionalField("discount_bp", S::integer().orNull())
                                   .optionalField("discount_minor", S::money().orNull())
                                   .optionalField("tax_name", S::string().orNull())
                                   .optionalField("tax_rate_bp", S::integer().orNull())
                                   .optionalField("notes", S::string().orNull())
                                   .closed())
                      .response(fullInvoice, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/invoices/{id}").response(fullInvoice));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/invoices/{id}/pdf").responseOf("application/pdf"));
  const S timeEntry = S::object()
                          .field("id", S::id())
                          .field("case_id", S::id())
                          .field("client_id", S::id())
                          .field("user_id", S::id())
                          .field("user_name", S::string())
                          .field("date", S::date())
                          .field("minutes", S::integer().minimum(1))
                          .field("rate_minor", S::money())
                          .field("currency", S::string())
                          .field("amount_minor", S::money())
                          .field("description", S::string())
                          .field("billable", S::boolean())
                          .field("created_at", S::dateTime());
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/time")
                      .request(S::object()
                                   .field("minutes", S::integer().minimum(1))
                                   .field("description", S::string())
                                   .optionalField("date", S::date())
                                   .optionalField("rate_minor", S::money())
                                   .optionalField("billable", S::boolean())
                                   .optionalField("user_id", S::id())
                                   .closed())
                      .response(S(timeEntry).field("invoice_id", S::id().orNull()), 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/invoices")
                      .description("The client's issued invoices, what they owe and what the firm holds in trust.")
                      .response(S::list(portalInvoice)
                                    .field("currency", S::string())
                                    .field("balance_minor", S::money())
                                    .field("pay_online", S::boolean())
                                    .field("trust_balance_minor", S::money())
                                    .field("trust_currency", S::string())
                                    .field("balances", S::array(S::object()
                                                                    .field("currency", S::string())
                                                                    .field("balance_minor", S::money())))));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/invoices/{id}/pdf").responseOf("application/pdf"));
}

class BillingPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("clients");  // invoices are a client's; the client's billing details
    r.requirePlugin("cases");    // time and expenses are recorded on a case
    r.addPermission({"billing.read", "See invoices, time and expenses",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleBilling}});
    r.addPermission({"billing.time", "Record time and expenses on a case",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
    r.addPermission({"billing.write", "Draft, issue, void and delete invoices", {sdk::kRoleOwner, sdk::kRoleBilling}});
    r.addPermission({"billing.rates", "Set staff members' default hourly rates", {sdk::kRoleOwner, sdk::kRoleBilling}});
    r.addPermission({"billing.portal", "Portal: see my own invoices and what I owe", {sdk::kRolePortal}});

    // Time, expenses, rates and the invoice counters are the firm's own: a portal session
    // never reads them (the internal descriptions of time entries stay in the firm).
    r.addTable({"billing_user_rates", sdk::Tenancy::Firm, "", "", {"firm_id", "user_id"}});
    r.addTable({"billing_time_entries", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"billing_expenses", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"billing_invoice_counters", sdk::Tenancy::Firm, "", "", {"firm_id", "year"}});
    // Invoices and their lines are the client's, visible to the portal once issued.
    r.addTable({"billing_invoices", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"billing_invoice_lines", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addPortalColumns({"billing_invoices",
                        {"status", "number", "currency", "issued_on", "due_on", "payment_terms_days", "subtotal_minor",
                         "discount_bp", "discount_minor", "tax_name", "tax_rate_bp", "tax_minor", "total_minor",
                         "paid_minor", "notes", "voided_at", "created_at", "updated_at", "credited_minor"}});
    r.addPortalColumns({"billing_invoice_lines",
                        {"invoice_id", "position", "kind", "description", "quantity_milli", "unit_price_minor",
                         "amount_minor", "taxable"}});
    r.addPermission({"billing.payments", "Record payments and refunds", {sdk::kRoleOwner, sdk::kRoleBilling}});
    r.addTable({"billing_payments", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"billing_refunds", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"billing_receipt_counters", sdk::Tenancy::Firm, "", "", {"firm_id", "year"}});
    r.addPortalColumns({"billing_payments",
                        {"invoice_id", "method", "amount_minor", "currency", "received_on", "receipt_number",
                         "refunded_minor", "created_at"}});
    r.addMigration({1, "time, expenses, rates, invoices, lines, invoice numbers", schema::kV1, "", ""});
    r.addMigration({2, "payments, refunds, receipt numbers", schema::kV2, "", ""});
    r.addPermission({"billing.trust", "Record trust (retainer) deposits, refunds and applications", {sdk::kRoleOwner, sdk::kRoleBilling}});
    r.addTable({"billing_credit_notes", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"billing_credit_counters", sdk::Tenancy::Firm, "", "", {"firm_id", "year"}});
    r.addTable({"billing_trust_accounts", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "client_id"}});
    r.addTable({"billing_trust_entries", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"billing_provider_events", sdk::Tenancy::Firm, "", "", {"firm_id", "provider", "event_id"}});
    r.addPortalColumns({"billing_credit_notes", {"invoice_id", "number", "amount_minor", "currency", "reason", "issued_on"}});
    r.addPortalColumns({"billing_trust_accounts", {"currency", "balance_minor", "updated_at"}});
    // A trust entry's reference and description are the firm's words to the client (the
    // receipt number, "Applied to invoice ..."); who recorded it stays in the firm.
    r.addPortalColumns({"billing_trust_entries",
                        {"kind", "amount_minor", "currency", "entry_date", "invoice_id", "payment_id", "reference",
                         "description", "balance_after_minor"}});
    r.addMigration({3, "credit notes, trust ledger, provider payments", schema::kV3, "", ""});
    r.addMigration({4, "an index of what is owed (aging)", "", schema::kV4Sqlite, schema::kV4Postgres});
    r.addMigration({5, "provider references of refunds", schema::kV5, "", ""});
    r.addPermission({"billing.settings", "Set the firm's billing address, tax id and tax rates", {sdk::kRoleOwner, sdk::kRoleBilling}});
    r.addTable({"billing_settings", sdk::Tenancy::FirmShared, "", "", {"firm_id"}});
    r.addPortalColumns({"billing_settings", {"address", "tax_id"}});  // printed on the portal's PDFs
    r.addTable({"billing_tax_rates", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addMigration({6, "the firm's billing address, tax id and tax rates", schema::kV6, "", ""});
    r.addPermission({"billing.pay", "Portal: pay my own invoices online", {sdk::kRolePortal}});

    registerScreens(r);  // screens.cpp

    constexpr std::size_t kBody = 64 * 1024;
    r.addRoute({Method::Get, "/api/v1/billing/rates", Audience::Staff, "billing.rates", &TimeHandlers::listRates, 0,
                "Staff members' default hourly rates"});
    r.addRoute({Method::Put, "/api/v1/billing/rates/{user_id}", Audience::Staff, "billing.rates", &TimeHandlers::setRate,
                4096, "Set a staff member's default hourly rate {rate_minor}"});
    describeRoutes(r);
    r.addRoute({Method::Get, "/api/v1/cases/{id}/time", Audience::Staff, "billing.time", &TimeHandlers::listTime, 0,
                "A case's time entries (without billing.read: one's own)"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/time", Audience::Staff, "billing.time", &TimeHandlers::addTime, kBody,
                "Record time {minutes, description, date?, rate_minor?, billable?, user_id?}"});
    r.addRoute({Method::Delete, "/api/v1/time/{id}", Audience::Staff, "billing.time", &TimeHandlers::deleteTime, 0,
                "Delete a time entry not yet invoiced"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/expenses", Audience::Staff, "billing.time", &TimeHandlers::listExpenses,
                0, "A case's expenses (without billing.read: one's own)"});
    r.addRoute({Method::Delete, "/api/v1/expenses/{id}", Audience::Staff, "billing.time", &TimeHandlers::deleteExpense, 0,
                "Delete an expense not yet invoiced"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/expenses", Audience::Staff, "billing.time", &TimeHandlers::addExpense,
                kBody, "Record an expense {amount_minor, description, date?, billable?}"});
    r.addRoute({Method::Get, "/api/v1/invoices", Audience::Staff, "billing.read", &InvoiceHandlers::list, 0,
                "Invoices (client_id, status, limit, cursor)"});
    r.addRoute({Method::Post, "/api/v1/invoices", Audience::Staff, "billing.write", &InvoiceHandlers::create, kBody,
                "Draft an invoice {client_id, case_ids?, lines?, discount_bp?, discount_minor?, tax_name?, tax_rate_bp?, notes?}"});
    r.addRoute({Method::Get, "/api/v1/invoices/{id}", Audience::Staff, "billing.read", &InvoiceHandlers::get, 0,
                "An invoice with its lines"});
    r.addRoute({Method::Patch, "/api/v1/invoices/{id}", Audience::Staff, "billing.write", &InvoiceHandlers::patch, kBody,
                "Edit a draft {case_ids?, lines?, discount_bp?, discount_minor?, tax_name?, tax_rate_bp?, notes?}"});
    r.addRoute({Method::Delete, "/api/v1/invoices/{id}", Audience::Staff, "billing.write", &InvoiceHandlers::remove, 0,
                "Delete a draft"});
    r.addRoute({Method::Post, "/api/v1/invoices/{id}/issue", Audience::Staff, "billing.write", &InvoiceHandlers::issue,
                4096, "Issue a draft: its number (YYYY-NNNN, gap-free per firm and year) and due date"});
    r.addRoute({Method::Post, "/api/v1/invoices/{id}/void", Audience::Staff, "billing.write",
                &InvoiceHandlers::voidInvoice, 4096, "Void an issued invoice {reason}; the number stays"});
    r.addRoute({Method::Post, "/api/v1/invoices/{id}/payments", Audience::Staff, "billing.payments",
                &PaymentHandlers::record, 4096, "Record a payment {amount_minor, method, received_on?, reference?}"});
    r.addRoute({Method::Get, "/api/v1/invoices/{id}/payments", Audience::Staff, "billing.read",
                &PaymentHandlers::listForInvoice, 0, "An invoice's payments"});
    r.addRoute({Method::Post, "/api/v1/payments/{id}/refunds", Audience::Staff, "billing.payments",
                &PaymentHandlers::refund, 4096, "Refund part or all of a payment {amount_minor, reason?}"});
    r.addRoute({Method::Get, "/api/v1/portal/receipts", Audience::Portal, "billing.portal",
                &PaymentHandlers::portalReceipts, 0, "Portal: my payments and their receipts"});
    r.addRoute({Method::Get, "/api/v1/invoices/{id}/pdf", Audience::Staff, "billing.read", &PdfHandlers::invoice, 0,
                "An invoice as PDF"});
    r.addRoute({Method::Get, "/api/v1/receipts/{id}/pdf", Audience::Staff, "billing.read", &PdfHandlers::receipt, 0,
                "A payment's official receipt as PDF"});
    r.addRoute({Method::Get, "/api/v1/portal/invoices/{id}/pdf", Audience::Portal, "billing.portal", &PdfHandlers::invoice,
                0, "Portal: one of my invoices as PDF"});
    r.addRoute({Method::Get, "/api/v1/portal/receipts/{id}/pdf", Audience::Portal, "billing.portal",
                &PdfHandlers::receipt, 0, "Portal: one of my receipts as PDF"});
    r.addRoute({Method::Post, "/api/v1/invoices/{id}/credit-notes", Audience::Staff, "billing.write",
                &LedgerHandlers::creditNote, 4096, "Correct an issued invoice by a credit note {amount_minor, reason, issued_on?}"});
    r.addRoute({Method::Get, "/api/v1/clients/{id}/trust", Audience::Staff, "billing.read", &LedgerHandlers::trust, 0,
                "A client's trust balance and ledger"});
    r.addRoute({Method::Post, "/api/v1/clients/{id}/trust", Audience::Staff, "billing.trust", &LedgerHandlers::trustEntry,
                4096, "Record a trust deposit or refund {kind, amount_minor, entry_date?, reference?, description?}"});
    r.addRoute({Method::Post, "/api/v1/invoices/{id}/trust-applications", Audience::Staff, "billing.trust",
                &LedgerHandlers::applyTrust, 4096, "Pay an invoice from the client's trust balance {amount_minor}"});
    r.addRoute({Method::Get, "/api/v1/portal/trust", Audience::Portal, "billing.portal", &LedgerHandlers::portalTrust, 0,
                "Portal: my trust balance and its entries"});
    r.addRoute({Method::Get, "/api/v1/billing/settings", Audience::Staff, "billing.read", &LedgerHandlers::settings, 0,
                "The firm's billing address, tax id and tax rates"});
    r.addRoute({Method::Put, "/api/v1/billing/settings", Audience::Staff, "billing.settings", &LedgerHandlers::setSettings,
                kBody, "Set the firm's billing address, tax id and tax rates {address?, tax_id?, tax_rates?}"});
    r.addRoute({Method::Get, "/api/v1/billing/aging", Audience::Staff, "billing.read", &LedgerHandlers::aging, 0,
                "Accounts receivable aging per client (as_of, client_id)"});
    r.addRoute({Method::Post, "/api/v1/portal/invoices/{id}/pay", Audience::Portal, "billing.pay",
                &OnlineHandlers::checkout, 1024, "Portal: pay one of my invoices online (a provider checkout; Idempotency-Key)"});
    r.addRoute({Method::Post, "/api/v1/billing/webhooks/stripe", Audience::Public, sdk::kPublic,
                &OnlineHandlers::stripeWebhook, 256 * 1024, "Stripe's signed webhook (Stripe-Signature)"});
    r.addRoute({Method::Get, "/api/v1/credit-notes/{id}/pdf", Audience::Staff, "billing.read", &PdfHandlers::creditNote, 0,
                "A credit note as PDF"});
    r.addRoute({Method::Get, "/api/v1/portal/credit-notes/{id}/pdf", Audience::Portal, "billing.portal",
                &PdfHandlers::creditNote, 0, "Portal: one of my credit notes as PDF"});
    r.addRoute({Method::Get, "/api/v1/portal/invoices", Audience::Portal, "billing.portal", &PortalInvoiceHandlers::list,
                0, "Portal: my invoices and what I owe"});
    r.addRoute({Method::Get, "/api/v1/portal/invoices/{id}", Audience::Portal, "billing.portal",
                &PortalInvoiceHandlers::get, 0, "Portal: one of my invoices with its lines"});
  }
};

}  // namespace lexos::billing

LEXOS_PLUGIN(lexos::billing::BillingPlugin, "billing", "0.1.0")
