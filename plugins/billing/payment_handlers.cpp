#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "money.h"
#include "provider.h"

namespace lexos::billing {

using sdk::JsonObject;
using sdk::JsonWriter;

namespace {

const char* kPaymentColumns =
    "p.id, p.invoice_id, i.number, p.method, p.amount_minor, p.currency, p.received_on, p.reference, p.receipt_number, "
    "p.refunded_minor, p.created_at";

void writePayment(JsonWriter& w, const std::vector<sdk::Value>& r, bool forStaff) {
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("receipt_id", sdk::asInt(r[0]))  // one receipt per payment: the same id
      .member("receipt_number", sdk::asText(r[8]))
      .member("invoice_id", sdk::asInt(r[1]))
      .member("invoice_number", sdk::asText(r[2]))
      .member("method", sdk::asText(r[3]))
      .member("amount_minor", sdk::asInt(r[4]))
      .member("refunded_minor", sdk::asInt(r[9]))
      .member("currency", sdk::asText(r[5]))
      .member("received_on", sdk::asText(r[6]));
  if (forStaff) w.member("reference", sdk::asText(r[7])).member("created_at", sdk::asText(r[10]));
  w.endObject();
}

}  // namespace

NewPayment insertPayment(sdk::Context& c, const PaymentInput& in) {
  auto inv = c.db().query(
      "SELECT client_id, status, currency, total_minor, paid_minor + credited_minor FROM billing_invoices WHERE id = $1",
      {in.invoice_id});
  if (inv.empty()) throw sdk::NotFound("No such invoice.");
  const auto& r = inv.rows[0];
  NewPayment out;
  out.client_id = sdk::asInt(r[0]);
  out.currency = sdk::asText(r[2]);
  if (!in.settled_elsewhere) {
    if (sdk::asText(r[1]) != "issued")
      throw sdk::Conflict(sdk::asText(r[1]) == "draft" ? "Issue the invoice before recording a payment."
                                                       : "This invoice is void; it takes no payments.",
                          "id");
    const std::int64_t balance = sdk::asInt(r[3]) - sdk::asInt(r[4]);
    if (in.amount > balance)
      throw sdk::BadRequest("amount_minor", "That is more than the invoice's balance of " +
                                                decimalText(std::max<std::int64_t>(balance, 0), minorUnits(out.currency).value_or(2)) +
                                                " " + out.currency + ".");
    // In one statement with the check, so that two payments at once cannot take it below zero.
    if (c.db().execute("UPDATE billing_invoices SET paid_minor = paid_minor + $1, updated_at = $2 "
                       "WHERE id = $3 AND status = 'issued' AND total_minor - paid_minor - credited_minor >= $1",
                       {in.amount, c.db().now(), in.invoice_id}) != 1)
      throw sdk::Conflict("The invoice's balance changed meanwhile; look at it again.", "amount_minor");
  } else {
    // Money a provider has already taken: recorded whatever the invoice's state now (a void
    // invoice or one settled meanwhile shows it as overpaid, for the firm to refund).
    c.db().execute("UPDATE billing_invoices SET paid_minor = paid_minor + $1, updated_at = $2 WHERE id = $3",
                   {in.amount, c.db().now(), in.invoice_id});
  }
  const std::int64_t year = std::stoll(in.received_on.substr(0, 4));
  out.receipt_number = "R-" + invoiceNumber(static_cast<int>(year), nextNumber(c, "billing_receipt_counters", year));
  out.id = c.db().newId();
  c.db().execute(
      "INSERT INTO billing_payments (firm_id, id, client_id, invoice_id, method, amount_minor, currency, received_on, "
      "reference, receipt_number, refunded_minor, client_visible, created_at, created_by, provider_ref) "
      "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, 0, TRUE, $10, $11, $12)",
      {out.id, out.client_id, in.invoice_id, in.method, in.amount, out.currency, in.received_on, in.reference,
       out.receipt_number, c.db().now(), c.principal().user_id,
       in.provider_ref.empty() ? sdk::Value(nullptr) : sdk::Value(in.provider_ref)});
  c.audit().record("billing.payment.record", "invoice", std::to_string(in.invoice_id),
                   "{\"payment\":" + std::to_string(out.id) + ",\"receipt\":\"" + out.receipt_number +
                       "\",\"method\":\"" + in.method + "\",\"amount_minor\":" + std::to_string(in.amount) + "}");
  mailReceipt(c, out.id);
  return out;
}

void sendPaymentWithInvoice(sdk::Context& c, std::int64_t paymentId, std::int64_t invoiceId, int status) {
  auto rs = c.db().query(std::string("SELECT ") + kPaymentColumns +
                             " FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id WHERE p.id = $1",
                         {paymentId});
  JsonWriter w;
  writePayment(w, rs.rows.at(0), true);
  // The invoice after it, for the screen that recorded it.
  std::string body = w.take();
  body.pop_back();  // reopen the payment's object
  JsonWriter iw;
  writeInvoice(c, iw, invoiceId, true, false);
  body += ",\"invoice\":" + iw.take() + "}";
  c.response().sendJson(body, status);
}

void PaymentHandlers::record(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  const JsonObject b = sdk::readJsonObject(c, {"amount_minor", "method", "received_on", "reference"});
  const auto amount = b["amount_minor"].integer(1, kMaxAmount, "Enter the amount received in minor units (cents), above zero.");
  if (!amount) throw sdk::BadRequest("amount_minor", "Enter the amount received in minor units (cents), above zero.");
  static const std::set<std::string> methods = {"check", "wire", "cash", "card_present"};
  const std::string method = b["method"].requiredText(20, "Choose how it was paid: check, wire, cash or card_present.");
  if (!methods.count(method))
    throw sdk::BadRequest("method", "Choose how it was paid: check, wire, cash or card_present.");
  PaymentInput in;
  in.invoice_id = id;
  in.amount = *amount;
  in.method = method;
  in.received_on = b["received_on"].hasValue() ? checkDate(*b["received_on"].text(10), "received_on") : today();
  in.reference = b["reference"].text(100).value_or("");
  const NewPayment p = insertPayment(c, in);
  sendPaymentWithInvoice(c, p.id, id, 201);
}

void PaymentHandlers::listForInvoice(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  if (c.db().query("SELECT 1 FROM billing_invoices WHERE id = $1", {id}).empty()) throw sdk::NotFound("No such invoice.");
  auto rs = c.db().query(std::string("SELECT ") + kPaymentColumns +
                             " FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id WHERE p.invoice_id = $1 "
                             "ORDER BY p.id",
                         {id});
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) writePayment(w, r, true);
  sdk::endList(w);
  sdk::sendJson(c, w);
}

void PaymentHandlers::refund(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such payment.");
  const JsonObject b = sdk::readJsonObject(c, {"amount_minor", "reason"});
  const auto amount = b["amount_minor"].integer(1, kMaxAmount, "Enter the amount refunded in minor units (cents), above zero.");
  if (!amount) throw sdk::BadRequest("amount_minor", "Enter the amount refunded in minor units (cents), above zero.");
  const std::string reason = b["reason"].text(500).value_or("");
  auto p = c.db().query(
      "SELECT invoice_id, amount_minor, refunded_minor, currency, method, client_id, reference, provider_ref "
      "FROM billing_payments WHERE id = $1",
      {id});
  if (p.empty()) throw sdk::NotFound("No such payment.");
  const std::int64_t left = sdk::asInt(p.rows[0][1]) - sdk::asInt(p.rows[0][2]);
  const std::string currency = sdk::asText(p.rows[0][3]);
  if (*amount > left)
    throw sdk::BadRequest("amount_minor", "That is more than is left of this payment: " +
                                              decimalText(left, minorUnits(currency).value_or(2)) + " " + currency + ".");
  if (c.db().execute("UPDATE billing_payments SET refunded_minor = refunded_minor + $1 WHERE id = $2 AND "
                     "amount_minor - refunded_minor >= $1",
                     {*amount, id}) != 1)
    throw sdk::Conflict("The payment changed meanwhile; look at it again.", "amount_minor");
  c.db().execute("UPDATE billing_invoices SET paid_minor = paid_minor - $1, updated_at = $2 WHERE id = $3",
                 {*amount, c.db().now(), p.rows[0][0]});
  const auto refundId = c.db().newId();
  c.db().execute("INSERT INTO billing_refunds (firm_id, id, payment_id, amount_minor, reason, created_at, created_by) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                 {refundId, id, *amount, reason, c.db().now(), c.principal().user_id});
  // A card payment taken online goes back through the provider that took it: the refund is
  // recorded first (committed), the provider asked outside any transaction, and undone here if
  // the provider refuses, so that LexOS never shows a refund the client will not get.
  const std::string providerRef = sdk::isNull(p.rows[0][7]) ? "" : sdk::asText(p.rows[0][7]);
  const std::string reference = sdk::asText(p.rows[0][6]);
  const auto provider = sdk::asText(p.rows[0][4]) == "card_online" && !providerRef.empty() ? providerFor(c) : nullptr;
  if (provider && providerRef.rfind(provider->name() + ":", 0) == 0) {
    std::optional<std::string> made;
    std::optional<ProviderFailure> failed;
    c.outsideTransaction([&] {
      try {
        made = provider->refund(reference, *amount,
                                "lexos-refund-" + std::to_string(c.principal().firm_id) + "-" + std::to_string(refundId));
      } catch (const ProviderFailure& e) {
        failed = e;
      }
    });
    if (!made) {
      c.db().execute("DELETE FROM billing_refunds WHERE id = $1", {refundId});
      c.db().execute("UPDATE billing_payments SET refunded_minor = refunded_minor - $1 WHERE id = $2", {*amount, id});
      c.db().execute("UPDATE billing_invoices SET paid_minor = paid_minor + $1, updated_at = $2 WHERE id = $3",
                     {*amount, c.db().now(), p.rows[0][0]});
      c.outsideTransaction([] {});  // the undo stands whatever is answered
      c.log(sdk::LogLevel::Warning, "refund of payment " + std::to_string(id) + ": " + provider->name() + " answered " +
                                        std::to_string(failed ? failed->status : 0) + " " + (failed ? failed->code : "") +
                                        ": " + (failed ? failed->message : ""));
      throw sdk::HttpError(502, "provider_refused",
                           "The payment provider did not make the refund" +
                               (failed && !failed->message.empty() ? ": " + failed->message : std::string(".")) +
                               " Nothing was refunded.");
    }
    c.db().execute("UPDATE billing_refunds SET provider_ref = $1 WHERE id = $2", {provider->name() + ":" + *made, refundId});
  }
  // Money applied from trust goes back to trust, never to the client's card or hand.
  if (sdk::asText(p.rows[0][4]) == "trust")
    trustMove(c, sdk::asInt(p.rows[0][5]), "returned", *amount, currency, today(), sdk::asInt(p.rows[0][0]), id, "",
              "Refund of a payment from trust");
  c.audit().record("billing.payment.refund", "payment", std::to_string(id),
                   "{\"amount_minor\":" + std::to_string(*amount) + "}");
  auto rs = c.db().query(std::string("SELECT ") + kPaymentColumns +
                             " FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id WHERE p.id = $1",
                         {id});
  JsonWriter w;
  writePayment(w, rs.rows.at(0), true);
  sdk::sendJson(c, w);
}

void PaymentHandlers::portalReceipts(sdk::Context& c) {
  // Enforced twice: this filter, and the database's (the client's own rows only).
  auto rs = c.db().query(std::string("SELECT ") + kPaymentColumns +
                             " FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id "
                             "WHERE p.client_id = $1 ORDER BY p.id DESC LIMIT 500",
                         {c.principal().client_id});
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) writePayment(w, r, false);
  sdk::endList(w);
  c.audit().record("portal.receipts.view", "client", std::to_string(c.principal().client_id));
  sdk::sendJson(c, w);
}

}  // namespace lexos::billing
