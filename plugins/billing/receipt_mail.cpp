// The e-mail that tells a client a payment was received. The receipt itself (the PDF) stays
// behind the portal's sign-in: the message names the receipt and links to it, and carries no
// amount in its subject (subjects show on lock screens and in mail server logs).
#include <string>

#include "billing_common.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/mail_text.h"
#include "money.h"

namespace lexos::billing {

using sdk::htmlEscape;

void mailReceipt(sdk::Context& c, std::int64_t paymentId) {
  if (c.config("email_receipts", "true") == "false") return;
  auto rs = c.db().query(
      "SELECT p.receipt_number, p.amount_minor, p.currency, p.received_on, p.method, i.number, "
      "i.total_minor - i.paid_minor - i.credited_minor, cl.name, COALESCE(NULLIF(cl.billing_email, ''), cl.email), f.name "
      "FROM billing_payments p JOIN billing_invoices i ON i.id = p.invoice_id JOIN clients cl ON cl.id = p.client_id "
      "JOIN firms f ON f.id = lexos_firm() WHERE p.id = $1",
      {paymentId});
  if (rs.empty()) return;
  const auto& r = rs.rows[0];
  const std::string to = sdk::isNull(r[8]) ? "" : sdk::asText(r[8]);
  if (to.empty()) return;
  const std::string currency = sdk::asText(r[2]);
  const int exp = minorUnits(currency).value_or(2);
  const std::string receipt = sdk::asText(r[0]), invoice = sdk::isNull(r[5]) ? "" : sdk::asText(r[5]);
  const std::string amount = decimalText(sdk::asInt(r[1]), exp) + " " + currency;
  const std::int64_t left = sdk::asInt(r[6]);
  const std::string balance = decimalText(left > 0 ? left : 0, exp) + " " + currency;
  const std::string firm = sdk::asText(r[9]), client = sdk::asText(r[7]);
  std::string method = sdk::asText(r[4]);
  static const std::pair<const char*, const char*> names[] = {
      {"check", "Check"}, {"wire", "Wire transfer"}, {"cash", "Cash"}, {"card_present", "Card"},
      {"card_online", "Card (online)"}, {"trust", "From your trust account"}};
  for (const auto& [k, v] : names)
    if (method == k) method = v;
  const std::string link = c.publicUrl() + "/portal/#/invoices";
  sdk::MailMessage m;
  m.to = to;
  m.subject = "Receipt " + receipt + " from " + firm;
  m.text = "Hello,\n\n" + firm + " has received a payment from " + client + ". Thank you.\n\n" +
           "Receipt:     " + receipt + "\n" + "Invoice:     " + invoice + "\n" + "Amount:      " + amount + "\n" +
           "Method:      " + method + "\n" + "Date:        " + sdk::asText(r[3]) + "\n" + "Balance due: " + balance +
           "\n\nThe official receipt (PDF) is in your client portal, under Invoices:\n\n" + link + "\n";
  m.html = "<!doctype html><html><body style=\"font-family:sans-serif;color:#1f2937\"><p>Hello,</p><p><strong>" +
           htmlEscape(firm) + "</strong> has received a payment from " + htmlEscape(client) +
           ". Thank you.</p><table cellpadding=\"4\">"
           "<tr><td>Receipt</td><td><strong>" + htmlEscape(receipt) + "</strong></td></tr>"
           "<tr><td>Invoice</td><td>" + htmlEscape(invoice) + "</td></tr>"
           "<tr><td>Amount</td><td>" + htmlEscape(amount) + "</td></tr>"
           "<tr><td>Method</td><td>" + htmlEscape(method) + "</td></tr>"
           "<tr><td>Date</td><td>" + htmlEscape(sdk::asText(r[3])) + "</td></tr>"
           "<tr><td>Balance due</td><td>" + htmlEscape(balance) + "</td></tr></table>"
           "<p>The official receipt (PDF) is in your <a href=\"" + htmlEscape(link) +
           "\">client portal</a>, under Invoices.</p></body></html>";
  try {
    c.mail().send(m);
  } catch (const sdk::BadRequest&) {
    // An address the transport cannot use (non-ASCII): the payment stands, the firm is told.
    c.log(sdk::LogLevel::Warning, "receipt " + receipt + ": the client's e-mail address cannot be used; no e-mail sent");
  }
}

}  // namespace lexos::billing
