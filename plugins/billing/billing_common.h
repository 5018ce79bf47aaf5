#pragma once
// What the billing handlers share: dates, the case and client a request names, a client's
// billing details (currency, terms, hourly rate), and writing an invoice as JSON.

#include <cstdint>
#include <optional>
#include <string>

#include "lexos/sdk/context.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/json_fields.h"

namespace lexos::billing {

/// Today's date in UTC, "YYYY-MM-DD".
std::string today();
/// `v` when it is a calendar date "YYYY-MM-DD" (1900-9999), else 400 naming `field`.
std::string checkDate(const std::string& v, const std::string& field);
/// `days` after `date` ("YYYY-MM-DD").
std::string addDays(const std::string& date, std::int64_t days);

/// The client of case `caseId` as the request's scope sees it; 404 "No such case." otherwise.
std::int64_t caseClient(sdk::Context& c, std::int64_t caseId);

/// The currency of money with no client currency to go by: the firm's default currency (Firm
/// settings; SDK FirmProfile version 3), else [plugin.billing] default_currency, else USD.
std::string defaultCurrency(sdk::Context& c);

struct ClientBilling {
  std::string name;
  std::string currency;                  ///< the client's billing currency, else defaultCurrency()
  std::int64_t terms_days = 30;          ///< payment terms, else [plugin.billing] payment_terms_days
  std::optional<std::int64_t> rate_minor;  ///< the client's hourly rate, when set
};
/// A client's billing details; 404/400 naming `field` when the scope does not reach the client.
/// 409 naming billing.currency when its currency is not an active ISO 4217 code.
ClientBilling clientBilling(sdk::Context& c, std::int64_t clientId, const std::string& field);

/// The next number of `counterTable` (billing_invoice_counters, billing_receipt_counters) for
/// `year`, drawn inside the request's transaction: gap-free (a rollback returns it), and on
/// PostgreSQL concurrent draws of a firm queue on the counter's row. 409 when two first draws of
/// a year meet (one of them is asked to try again).
std::int64_t nextNumber(sdk::Context& c, const std::string& counterTable, std::int64_t year);

/// Writes invoice `id` (staff: everything; portal: what a client sees) as one JSON object.
/// False when the scope does not reach it (for the portal: not the client's, or a draft).
bool writeInvoice(sdk::Context& c, sdk::JsonWriter& w, std::int64_t id, bool forStaff, bool withLines);

/// Invoice `id` (kInvoiceColumns) as the scope sees it; for the portal only the client's own
/// and never a draft (filtered here too, not only by the database). Empty when out of reach.
sdk::ResultSet invoiceRow(sdk::Context& c, std::int64_t id, bool forStaff);

/// Columns of billing_invoices that writeInvoice reads, in its order.
extern const char* kInvoiceColumns;
/// Writes one invoice row (kInvoiceColumns) as JSON members of an open object.
void writeInvoiceMembers(sdk::JsonWriter& w, const sdk::ResultSet& rs, std::size_t row, bool forStaff);

/// A payment to record against an invoice (staff, trust, or a provider's confirmed payment).
struct PaymentInput {
  std::int64_t invoice_id = 0;
  std::int64_t amount = 0;
  std::string method;       ///< check, wire, cash, card_present, card_online, trust
  std::string received_on;  ///< YYYY-MM-DD
  std::string reference;
  std::string provider_ref;  ///< the provider's id of the payment (unique per firm); empty for others
  /// True for money a provider has already taken: recorded whatever the invoice's state
  /// (never refused); otherwise at most the invoice's balance, on an issued invoice only.
  bool settled_elsewhere = false;
};
struct NewPayment {
  std::int64_t id = 0;
  std::int64_t client_id = 0;
  std::string currency;
  std::string receipt_number;
};
/// Records a payment and its official receipt (R-YYYY-NNNN, gap-free per firm and year),
/// audits it and queues the receipt e-mail to the client. 400/409 naming the field.
NewPayment insertPayment(sdk::Context& c, const PaymentInput& in);
/// Answers `status` with the payment and, under "invoice", the invoice after it.
void sendPaymentWithInvoice(sdk::Context& c, std::int64_t paymentId, std::int64_t invoiceId, int status);
/// Queues the e-mail with a payment's receipt to the client's address (no amounts in the
/// subject); nothing when the client has no address or [plugin.billing] email_receipts = false.
void mailReceipt(sdk::Context& c, std::int64_t paymentId);

/// True when [plugin.billing] provider names a provider (online payment is on; provider.h).
bool onlinePaymentOn(sdk::Context& c);

/// Moves money on a client's trust account: kind deposit or returned adds, application or
/// refund takes (400 naming amount_minor when the balance does not cover it; the database
/// refuses a negative balance too). Records the entry; returns its id.
std::int64_t trustMove(sdk::Context& c, std::int64_t clientId, const std::string& kind, std::int64_t amount,
                       const std::string& currency, const std::string& date, std::optional<std::int64_t> invoiceId,
                       std::optional<std::int64_t> paymentId, const std::string& reference, const std::string& description);

}  // namespace lexos::billing
