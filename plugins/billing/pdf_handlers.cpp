// Invoices, official receipts and credit notes as PDF, for staff and for the client's own in the
// portal.
#include <algorithm>
#include <string>
#include <vector>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/params.h"
#include "money.h"
#include "pdf.h"

namespace lexos::billing {

namespace {

std::string firmName(sdk::Context& c) {
  auto rs = c.db().query("SELECT name FROM firms WHERE id = lexos_firm()");
  return rs.empty() ? std::string() : sdk::asText(rs.rows[0][0]);
}

// The firm's address (one line per line) and tax id from its billing settings.
std::vector<std::string> firmLines(sdk::Context& c) {
  std::vector<std::string> out;
  auto rs = c.db().query("SELECT address, tax_id FROM billing_settings", {});
  if (rs.empty()) return out;
  std::string address = sdk::isNull(rs.rows[0][0]) ? "" : sdk::asText(rs.rows[0][0]);
  std::size_t pos = 0;
  while (pos < address.size() && out.size() < 6) {
    const auto nl = address.find('\n', pos);
    std::string line = address.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  const std::string taxId = sdk::isNull(rs.rows[0][1]) ? "" : sdk::asText(rs.rows[0][1]);
  if (!taxId.empty()) out.push_back("Tax ID " + taxId);
  return out;
}

std::string clientName(sdk::Context& c, const sdk::Value& id) {
  auto rs = c.db().query("SELECT name FROM clients WHERE id = $1", {id});
  return rs.empty() ? std::string() : sdk::asText(rs.rows[0][0]);
}

// The firm's heading and the client's name, on every document.
void letterhead(sdk::Context& c, PdfDocument& doc, const sdk::Value& client) {
  doc.firm_name = firmName(c);
  doc.firm_lines = firmLines(c);
  // The logo through the SDK (FirmProfile version 2), in the firm's staff scope by the host.
  sdk::FirmProfile firm;
  firm.with_logo = true;
  c.firm(firm);
  doc.logo = firm.logo;
  doc.logo_type = firm.logo_content_type;
  doc.client_name = clientName(c, client);
}

// A document's row by id: any for staff, in the portal only the client's own (`alias`.client_id).
sdk::ResultSet ownRow(sdk::Context& c, std::string sql, const std::string& alias, std::int64_t id, bool forStaff) {
  std::vector<sdk::Value> params{id};
  if (!forStaff) {
    sql += " AND " + alias + ".client_id = $2";
    params.push_back(c.principal().client_id);
  }
  return c.db().query(sql, params);
}

// Amounts of one currency as printed: "1250.00 GBP".
struct MoneyText {
  explicit MoneyText(const std::string& currency) : currency(currency), exp(minorUnits(currency).value_or(2)) {}
  std::string operator()(std::int64_t v) const { return decimalText(v, exp) + " " + currency; }
  std::string currency;
  int exp;
};

// "1.500" -> "1.5", "2.000" -> "2".
std::string quantityText(std::int64_t milli) {
  std::string s = decimalText(milli, 3);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

void sendPdf(sdk::Context& c, const PdfDocument& doc, const std::string& filename) {
  const std::string pdf = renderPdf(doc, c.config("pdf_font", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
                                    c.config("pdf_font_bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"));
  c.response().setContentType("application/pdf");
  c.response().setHeader("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  c.response().setHeader("Cache-Control", "private, no-store");
  c.response().send(pdf);
}

// The invoice as a document; false when the scope does not reach it (the portal: not the
// client's own, or a draft).
bool invoiceDocument(sdk::Context& c, std::int64_t id, bool forStaff, PdfDocument& doc, std::string& number) {
  auto rs = invoiceRow(c, id, forStaff);
  if (rs.empty()) return false;
  const auto& r = rs.rows[0];
  const std::string status = sdk::asText(r[2]);
  const std::string currency = sdk::asText(r[4]);
  const MoneyText money(currency);
  const int exp = money.exp;
  number = sdk::isNull(r[3]) ? "draft-" + std::to_string(id) : sdk::asText(r[3]);
  doc.title = status == "draft" ? "Draft invoice (not issued)" : status == "void" ? "Void invoice " + number : "Invoice " + number;
  letterhead(c, doc, r[1]);
  if (!sdk::isNull(r[5])) doc.facts.push_back({"Issued", sdk::asText(r[5])});
  if (!sdk::isNull(r[6])) doc.facts.push_back({"Due", sdk::asText(r[6])});
  doc.facts.push_back({"Currency", currency});
  doc.columns = {"Description", "Quantity", "Unit price", "Amount"};
  auto lines = c.db().query("SELECT description, quantity_milli, unit_price_minor, amount_minor FROM billing_invoice_lines "
                            "WHERE invoice_id = $1 ORDER BY position, id",
                            {id});
  for (const auto& l : lines.rows)
    doc.rows.push_back({sdk::asText(l[0]), quantityText(sdk::asInt(l[1])), decimalText(sdk::asInt(l[2]), exp),
                        decimalText(sdk::asInt(l[3]), exp)});
  doc.figures.push_back({"Subtotal", money(sdk::asInt(r[8]))});
  if (sdk::asInt(r[10]) > 0) doc.figures.push_back({"Discount", "-" + money(sdk::asInt(r[10]))});
  if (sdk::asInt(r[12]) > 0)
    doc.figures.push_back({sdk::asText(r[11]) + " (" + decimalText(sdk::asInt(r[12]), 2) + "%)", money(sdk::asInt(r[13]))});
  doc.figures.push_back({"Total", money(sdk::asInt(r[14]))});
  if (status == "issued") {
    if (sdk::asInt(r[15]) > 0) doc.figures.push_back({"Paid", money(sdk::asInt(r[15]))});
    if (sdk::asInt(r[21]) > 0) doc.figures.push_back({"Credited", "-" + money(sdk::asInt(r[21]))});
    doc.figures.push_back(
        {"Balance due", money(std::max<std::int64_t>(sdk::asInt(r[14]) - sdk::asInt(r[15]) - sdk::asInt(r[21]), 0))});
  }
  doc.footer = sdk::asText(r[16]);
  return true;
}

// The receipt (a payment) as a document.
bool receiptDocument(sdk::Context& c, std::int64_t id, bool forStaff, PdfDocument& doc, std::string& number) {
  auto rs = ownRow(c,
                   "SELECT p.receipt_number, p.client_id, p.invoice_id, i.number, p.method, p.amount_minor, "
                   "p.refunded_minor, p.currency, p.received_on, i.total_minor, i.credited_minor FROM billing_payments p "
                   "JOIN billing_invoices i ON i.id = p.invoice_id WHERE p.id = $1",
                   "p", id, forStaff);
  if (rs.empty()) return false;
  const auto& r = rs.rows[0];
  const std::string currency = sdk::asText(r[7]);
  const MoneyText money(currency);
  const int exp = money.exp;
  number = sdk::asText(r[0]);
  // What was still owed once this payment was in: the payments up to it, net of refunds.
  auto paid = c.db().query("SELECT COALESCE(SUM(amount_minor - refunded_minor), 0) FROM billing_payments "
                           "WHERE invoice_id = $1 AND id <= $2",
                           {r[2], id});
  static const std::vector<std::pair<std::string, std::string>> methods = {
      {"check", "Check"}, {"wire", "Bank transfer"}, {"cash", "Cash"}, {"card_present", "Card"}, {"card_online", "Card (online)"},
      {"trust", "From the trust account"}};
  std::string method = sdk::asText(r[4]);
  for (const auto& [k, v] : methods)
    if (k == method) method = v;
  doc.title = "Official receipt " + number;
  letterhead(c, doc, r[1]);
  doc.facts = {{"Received", sdk::asText(r[8])}, {"Method", method}, {"Invoice", sdk::asText(r[3])}, {"Currency", currency}};
  doc.columns = {"Description", "Amount"};
  doc.rows.push_back({"Payment of invoice " + sdk::asText(r[3]), decimalText(sdk::asInt(r[5]), exp)});
  doc.figures.push_back({"Amount received", money(sdk::asInt(r[5]))});
  if (sdk::asInt(r[6]) > 0) doc.figures.push_back({"Refunded since", "-" + money(sdk::asInt(r[6]))});
  doc.figures.push_back({"Balance after this payment",
                         money(std::max<std::int64_t>(sdk::asInt(r[9]) - sdk::asInt(paid.rows[0][0]) - sdk::asInt(r[10]), 0))});
  doc.footer = "Receipt numbers run without gaps per firm and year.";
  return true;
}

// A credit note as a document: the invoice it corrects, the amount and the reason.
bool creditNoteDocument(sdk::Context& c, std::int64_t id, bool forStaff, PdfDocument& doc, std::string& number) {
  auto rs = ownRow(c,
                   "SELECT n.number, n.client_id, n.invoice_id, i.number, n.amount_minor, n.currency, n.reason, "
                   "n.issued_on, i.total_minor - i.paid_minor - i.credited_minor FROM billing_credit_notes n "
                   "JOIN billing_invoices i ON i.id = n.invoice_id WHERE n.id = $1",
                   "n", id, forStaff);
  if (rs.empty()) return false;
  const auto& r = rs.rows[0];
  const std::string currency = sdk::asText(r[5]);
  const MoneyText money(currency);
  const int exp = money.exp;
  number = sdk::asText(r[0]);
  doc.title = "Credit note " + number;
  letterhead(c, doc, r[1]);
  doc.facts = {{"Issued", sdk::asText(r[7])}, {"Invoice", sdk::asText(r[3])}, {"Currency", currency}};
  doc.columns = {"Description", "Amount"};
  doc.rows.push_back({sdk::asText(r[6]), "-" + decimalText(sdk::asInt(r[4]), exp)});
  doc.figures.push_back({"Credited on invoice " + sdk::asText(r[3]), "-" + money(sdk::asInt(r[4]))});
  doc.figures.push_back({"Invoice balance now", money(std::max<std::int64_t>(sdk::asInt(r[8]), 0))});
  doc.footer = "Credit note numbers run without gaps per firm and year.";
  return true;
}

}  // namespace

void PdfHandlers::creditNote(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such credit note.");
  const bool staff = c.principal().isStaff();
  PdfDocument doc;
  std::string number;
  if (!creditNoteDocument(c, id, staff, doc, number)) throw sdk::NotFound("No such credit note.");
  c.audit().record(staff ? "billing.credit_note.pdf" : "portal.credit_note.pdf", "credit_note", std::to_string(id));
  sendPdf(c, doc, "credit-note-" + number + ".pdf");
}

void PdfHandlers::invoice(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  const bool staff = c.principal().isStaff();
  PdfDocument doc;
  std::string number;
  if (!invoiceDocument(c, id, staff, doc, number)) throw sdk::NotFound("No such invoice.");
  c.audit().record(staff ? "billing.invoice.pdf" : "portal.invoice.pdf", "invoice", std::to_string(id));
  sendPdf(c, doc, "invoice-" + number + ".pdf");
}

void PdfHandlers::receipt(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such receipt.");
  const bool staff = c.principal().isStaff();
  PdfDocument doc;
  std::string number;
  if (!receiptDocument(c, id, staff, doc, number)) throw sdk::NotFound("No such receipt.");
  c.audit().record(staff ? "billing.receipt.pdf" : "portal.receipt.pdf", "payment", std::to_string(id));
  sendPdf(c, doc, "receipt-" + number + ".pdf");
}

}  // namespace lexos::billing
