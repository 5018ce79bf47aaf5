#include <set>
#include <string>
#include <vector>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "money.h"

namespace lexos::billing {

using sdk::JsonField;
using sdk::JsonObject;
using sdk::JsonWriter;

namespace {

constexpr std::int64_t kMaxUnitPrice = 1'000'000'000'000;
constexpr std::int64_t kMaxInvoiceTotal = 1'000'000'000'000'000;

std::int64_t invoiceId(sdk::Context& c) { return sdk::pathId(c, "id", "No such invoice."); }

struct Line {
  std::string kind, description;
  std::int64_t quantity_milli = 1000, unit_price = 0, amount = 0;
  bool taxable = true;
  std::optional<std::int64_t> case_id, time_entry_id, expense_id;
};

// Sums the invoice's lines and stores its totals; returns them.
Totals storeTotals(sdk::Context& c, std::int64_t id) {
  auto inv = c.db().query("SELECT discount_bp, discount_minor, tax_rate_bp FROM billing_invoices WHERE id = $1", {id});
  auto sums = c.db().query(
      "SELECT COALESCE(SUM(amount_minor), 0), COALESCE(SUM(CASE WHEN taxable THEN amount_minor ELSE 0 END), 0) "
      "FROM billing_invoice_lines WHERE invoice_id = $1",
      {id});
  const auto& r = inv.rows.at(0);
  const std::optional<std::int64_t> bp = sdk::isNull(r[0]) ? std::nullopt : std::optional<std::int64_t>(sdk::asInt(r[0]));
  Totals t = invoiceTotals(sdk::asInt(sums.rows[0][0]), sdk::asInt(sums.rows[0][1]), bp, bp ? 0 : sdk::asInt(r[1]),
                           sdk::asInt(r[2]));
  c.db().execute("UPDATE billing_invoices SET subtotal_minor = $1, discount_minor = $2, tax_minor = $3, total_minor = $4, "
                 "updated_at = $5 WHERE id = $6",
                 {t.subtotal, t.discount, t.tax, t.total, c.db().now(), id});
  return t;
}

// The invoice's status, or 404.
std::string statusOf(sdk::Context& c, std::int64_t id) {
  auto rs = c.db().query("SELECT status FROM billing_invoices WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such invoice.");
  return sdk::asText(rs.rows[0][0]);
}

void release(sdk::Context& c, std::int64_t id) {
  c.db().execute("UPDATE billing_time_entries SET invoice_id = NULL WHERE invoice_id = $1", {id});
  c.db().execute("UPDATE billing_expenses SET invoice_id = NULL WHERE invoice_id = $1", {id});
}

void sendInvoice(sdk::Context& c, std::int64_t id, int status = 200) {
  JsonWriter w;
  if (!writeInvoice(c, w, id, true, true)) throw sdk::NotFound("No such invoice.");
  sdk::sendJson(c, w, status);
}

}  // namespace

void InvoiceHandlers::list(sdk::Context& c) {
  const std::int64_t limit = sdk::queryInt(c, "limit", 1, 100, "limit must be a whole number from 1 to 100.").value_or(25);
  std::string sql = std::string("SELECT ") + kInvoiceColumns +
                    ", cl.name FROM billing_invoices i LEFT JOIN clients cl ON cl.id = i.client_id WHERE 1 = 1";
  std::vector<sdk::Value> params;
  auto param = [&](sdk::Value v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  if (auto id = sdk::queryId(c, "client_id", "client_id must be a client id.")) sql += " AND i.client_id = " + param(*id);
  if (auto s = c.request().query("status")) {
    // The stored states, and what a clerk asks for: open (still owing), overdue, paid.
    static const std::set<std::string> known = {"draft", "issued", "void", "open", "overdue", "paid"};
    if (!known.count(*s)) throw sdk::BadRequest("status", "Choose one of draft, issued, open, overdue, paid, void.");
    if (*s == "open" || *s == "overdue") {
      sql += " AND i.status = 'issued' AND i.total_minor - i.paid_minor - i.credited_minor > 0";
      if (*s == "overdue") sql += " AND i.due_on < " + param(today());
    } else if (*s == "paid") {
      sql += " AND i.status = 'issued' AND i.total_minor - i.paid_minor - i.credited_minor <= 0";
    } else {
      sql += " AND i.status = " + param(*s);
    }
  }
  if (auto cur = c.request().query("cursor"); cur && !cur->empty()) {
    const auto id = JsonField::parseId(*cur);
    if (!id) throw sdk::BadRequest("cursor", "This cursor is not one the server gave out.");
    sql += " AND i.id < " + param(*id);
  }
  sql += " ORDER BY i.id DESC LIMIT " + std::to_string(limit + 1);
  auto rs = c.db().query(sql, params);
  const bool more = static_cast<std::int64_t>(rs.size()) > limit;
  JsonWriter w;
  sdk::beginList(w);
  const std::size_t n = more ? static_cast<std::size_t>(limit) : rs.size();
  for (std::size_t i = 0; i < n; ++i) {
    w.beginObject();
    writeInvoiceMembers(w, rs, i, true);
    w.member("client_name", sdk::isNull(rs.rows[i][22]) ? std::string() : sdk::asText(rs.rows[i][22]));
    w.endObject();
  }
  sdk::endList(w, more ? std::optional<std::string>(sdk::asText(rs.rows[n - 1][0])) : std::nullopt);
  sdk::sendJson(c, w);
}

namespace {

// The header fields of a draft (discount, tax, notes), as given.
struct DraftFields {
  std::optional<std::int64_t> discount_bp, discount_minor, tax_bp;
  std::optional<std::string> tax_name, notes;
};

DraftFields draftFields(const JsonObject& b) {
  DraftFields f;
  f.discount_bp = b["discount_bp"].integer(0, 10000, "Enter a discount from 0 to 10000 basis points (100%).");
  f.discount_minor = b["discount_minor"].integer(0, kMaxUnitPrice);
  if (f.discount_bp && f.discount_minor && *f.discount_minor > 0)
    throw sdk::BadRequest("discount_minor", "Give either a percentage (discount_bp) or an amount, not both.");
  f.tax_name = b["tax_name"].text(60);
  f.tax_bp = b["tax_rate_bp"].integer(0, 10000, "Enter a tax rate from 0 to 10000 basis points (100%).");
  f.notes = b["notes"].text(2000, sdk::Lines::Many);
  return f;
}

// The unbilled billable time and expenses of the chosen cases, which must be the client's.
std::vector<Line> caseLines(sdk::Context& c, const JsonObject& b, std::int64_t clientId, const std::string& currency,
                            std::vector<std::int64_t>& caseIds) {
  std::vector<Line> lines;
  for (const JsonField item : b["case_ids"].array(50)) {
    const std::int64_t caseId = item.requiredId("This must be a case id.");
    auto rs = c.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
    if (rs.empty() || sdk::asInt(rs.rows[0][0]) != clientId)
      throw sdk::BadRequest(item.path(), "Choose a case of this client.");
    caseIds.push_back(caseId);
  }
  for (const std::int64_t caseId : caseIds) {
    auto other = c.db().query(
        "SELECT count(*) FROM billing_time_entries WHERE case_id = $1 AND invoice_id IS NULL AND billable AND currency <> $2",
        {caseId, currency});
    auto otherExp = c.db().query(
        "SELECT count(*) FROM billing_expenses WHERE case_id = $1 AND invoice_id IS NULL AND billable AND currency <> $2",
        {caseId, currency});
    if (sdk::asInt(other.rows[0][0]) + sdk::asInt(otherExp.rows[0][0]) > 0)
      throw sdk::Conflict("Some unbilled entries of case " + std::to_string(caseId) + " are in another currency than the client's " +
                              currency + ".",
                          "case_ids");
    auto time = c.db().query(
        "SELECT t.id, t.entry_date, t.description, t.minutes, t.rate_minor, t.amount_minor, "
        "u.display_name FROM billing_time_entries t JOIN users u ON u.id = t.user_id "
        "WHERE t.case_id = $1 AND t.invoice_id IS NULL AND t.billable ORDER BY t.entry_date, t.id",
        {caseId});
    for (const auto& r : time.rows) {
      Line l;
      l.kind = "time";
      // What the client reads: the date, who (by name, never an e-mail address) and the work.
      const std::string who = sdk::asText(r[6]);
      l.description = sdk::asText(r[1]) + " " + (who.empty() ? std::string() : who + ": ") + sdk::asText(r[2]);
      l.quantity_milli = divideRounded(static_cast<__int128>(sdk::asInt(r[3])) * 1000, 60);  // hours
      l.unit_price = sdk::asInt(r[4]);
      l.amount = sdk::asInt(r[5]);  // the entry's own amount, from its minutes
      l.case_id = caseId;
      l.time_entry_id = sdk::asInt(r[0]);
      lines.push_back(std::move(l));
    }
    auto exp = c.db().query(
        "SELECT id, expense_date, description, amount_minor FROM billing_expenses "
        "WHERE case_id = $1 AND invoice_id IS NULL AND billable ORDER BY expense_date, id",
        {caseId});
    for (const auto& r : exp.rows) {
      Line l;
      l.kind = "expense";
      l.description = sdk::asText(r[1]) + " " + sdk::asText(r[2]);
      l.unit_price = l.amount = sdk::asInt(r[3]);
      l.taxable = false;  // a disbursement passed on at cost
      l.case_id = caseId;
      l.expense_id = sdk::asInt(r[0]);
      lines.push_back(std::move(l));
    }
  }
  return lines;
}

// Lines by hand: flat fees and anything else.
std::vector<Line> handLines(const JsonObject& b) {
  std::vector<Line> lines;
  for (const JsonField item : b["lines"].array(200)) {
    const auto o = item.object({"description", "quantity", "unit_price_minor", "taxable"});
    if (!o) item.refuse("Send a line as {description, quantity, unit_price_minor}.");
    Line l;
    l.kind = "flat";
    l.description = (*o)["description"].requiredText(500, "Describe the line.");
    l.quantity_milli = (*o)["quantity"].decimal(3, 1, 1'000'000'000, "Enter a quantity above 0, with at most 3 decimals.").value_or(1000);
    const auto price = (*o)["unit_price_minor"].integer(0, kMaxUnitPrice);
    if (!price) throw sdk::BadRequest((*o).pathOf("unit_price_minor"), "Enter the unit price in minor units (cents).");
    l.unit_price = *price;
    l.amount = lineAmount(l.quantity_milli, l.unit_price);
    l.taxable = (*o)["taxable"].boolean().value_or(true);
    lines.push_back(std::move(l));
  }
  return lines;
}

// Adds `lines` to draft `id` from `position` on, and takes their time and expenses for it.
void insertLines(sdk::Context& c, std::int64_t id, std::int64_t clientId, const std::vector<Line>& lines,
                 std::int64_t position) {
  for (const auto& l : lines) {
    c.db().execute(
        "INSERT INTO billing_invoice_lines (firm_id, id, invoice_id, client_id, position, kind, description, quantity_milli, "
        "unit_price_minor, amount_minor, taxable, case_id, time_entry_id, expense_id, client_visible) "
        "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, FALSE)",
        {c.db().newId(), id, clientId, ++position, l.kind, l.description, l.quantity_milli, l.unit_price, l.amount, l.taxable,
         l.case_id ? sdk::Value(*l.case_id) : sdk::Value(nullptr),
         l.time_entry_id ? sdk::Value(*l.time_entry_id) : sdk::Value(nullptr),
         l.expense_id ? sdk::Value(*l.expense_id) : sdk::Value(nullptr)});
    // Taken for this draft only if still unbilled: a parallel draft cannot take it twice.
    if (l.time_entry_id &&
        c.db().execute("UPDATE billing_time_entries SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL",
                       {id, *l.time_entry_id}) != 1)
      throw sdk::Conflict("A time entry of these cases was just put on another invoice; draft again.", "case_ids");
    if (l.expense_id &&
        c.db().execute("UPDATE billing_expenses SET invoice_id = $1 WHERE id = $2 AND invoice_id IS NULL",
                       {id, *l.expense_id}) != 1)
      throw sdk::Conflict("An expense of these cases was just put on another invoice; draft again.", "case_ids");
  }
}

// Every figure of an invoice stays far inside int64 (and inside a JSON number's exact range).
void checkSum(sdk::Context& c, std::int64_t id, const std::vector<Line>& added) {
  __int128 sum = 0;
  for (const auto& l : added) sum += l.amount;
  if (id) sum += sdk::asInt(c.db().query("SELECT COALESCE(SUM(amount_minor), 0) FROM billing_invoice_lines WHERE invoice_id = $1",
                                         {id}).rows.at(0).at(0));
  if (sum > kMaxInvoiceTotal)
    throw sdk::BadRequest("lines", "These lines add up to more than an invoice may hold (10^15 minor units).");
}

}  // namespace

void InvoiceHandlers::create(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(
      c, {"client_id", "case_ids", "lines", "discount_bp", "discount_minor", "tax_name", "tax_rate_bp", "notes"});
  const std::int64_t clientId = b["client_id"].requiredId("Choose the client to invoice.");
  const ClientBilling cb = clientBilling(c, clientId, "client_id");
  const DraftFields f = draftFields(b);
  std::string taxName = f.tax_name.value_or("");
  std::int64_t taxBp = f.tax_bp.value_or(0);
  if (!b["tax_name"].hasValue() && !b["tax_rate_bp"].hasValue()) {
    // Neither given: the firm's default tax rate (its billing settings), if it has one.
    auto def = c.db().query("SELECT name, rate_bp FROM billing_tax_rates WHERE is_default", {});
    if (!def.empty()) {
      taxName = sdk::asText(def.rows[0][0]);
      taxBp = sdk::asInt(def.rows[0][1]);
    }
  }
  if (taxBp > 0 && taxName.empty()) throw sdk::BadRequest("tax_name", "Name the tax (e.g. VAT 20%).");
  std::vector<std::int64_t> caseIds;
  std::vector<Line> lines = caseLines(c, b, clientId, cb.currency, caseIds);
  for (auto& l : handLines(b)) lines.push_back(std::move(l));
  checkSum(c, 0, lines);
  if (lines.empty())
    throw sdk::BadRequest(caseIds.empty() ? "lines" : "case_ids",
                          caseIds.empty() ? "Add at least one line, or choose cases with unbilled time or expenses."
                                          : "These cases have no unbilled billable time or expenses; add a line by hand.");

  const auto id = c.db().newId();
  const auto now = c.db().now();
  c.db().execute(
      "INSERT INTO billing_invoices (firm_id, id, client_id, status, number, currency, payment_terms_days, discount_bp, "
      "discount_minor, tax_name, tax_rate_bp, notes, client_visible, created_at, created_by, updated_at) "
      "VALUES (lexos_firm(), $1, $2, 'draft', NULL, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $11, $10)",
      {id, clientId, cb.currency, cb.terms_days, f.discount_bp ? sdk::Value(*f.discount_bp) : sdk::Value(nullptr),
       f.discount_minor.value_or(0), taxName, taxBp, f.notes.value_or(""), now, c.principal().user_id});
  insertLines(c, id, clientId, lines, 0);
  storeTotals(c, id);
  c.audit().record("billing.invoice.draft", "invoice", std::to_string(id));
  c.response().setHeader("Location", "/api/v1/invoices/" + std::to_string(id));
  sendInvoice(c, id, 201);
}

void InvoiceHandlers::patch(sdk::Context& c) {
  const auto id = invoiceId(c);
  const JsonObject b =
      sdk::readJsonObject(c, {"case_ids", "lines", "discount_bp", "discount_minor", "tax_name", "tax_rate_bp", "notes"});
  const DraftFields f = draftFields(b);
  // Taken as a draft first (as issue does): an edit racing an issue waits, then finds it issued.
  if (c.db().execute("UPDATE billing_invoices SET updated_at = $1 WHERE id = $2 AND status = 'draft'", {c.db().now(), id}) != 1) {
    statusOf(c, id);  // 404 when there is none
    throw sdk::Conflict("Only a draft can be edited; an issued invoice is corrected by a credit note.", "id");
  }
  auto inv = c.db().query("SELECT client_id, currency, tax_name, tax_rate_bp FROM billing_invoices WHERE id = $1", {id});
  const std::int64_t clientId = sdk::asInt(inv.rows.at(0)[0]);
  const std::string currency = sdk::asText(inv.rows[0][1]);
  const std::string taxName = f.tax_name.value_or(sdk::asText(inv.rows[0][2]));
  const std::int64_t taxBp = f.tax_bp.value_or(sdk::asInt(inv.rows[0][3]));
  if (taxBp > 0 && taxName.empty()) throw sdk::BadRequest("tax_name", "Name the tax (e.g. VAT 20%).");
  // case_ids given: the draft's time and expenses are those cases' unbilled work, drawn again
  // (what it held is released first, so it comes back with anything recorded since).
  if (b["case_ids"].hasValue()) {
    release(c, id);
    c.db().execute("DELETE FROM billing_invoice_lines WHERE invoice_id = $1 AND kind <> 'flat'", {id});
    std::vector<std::int64_t> caseIds;
    const auto drawn = caseLines(c, b, clientId, currency, caseIds);
    checkSum(c, id, drawn);
    insertLines(c, id, clientId, drawn, 0);
  }
  // lines given: the lines by hand are these.
  if (b["lines"].hasValue()) {
    c.db().execute("DELETE FROM billing_invoice_lines WHERE invoice_id = $1 AND kind = 'flat'", {id});
    const auto hand = handLines(b);
    checkSum(c, id, hand);
    insertLines(c, id, clientId, hand, 0);
  }
  // Positions again: time and expenses first (by date), then the lines by hand in their order.
  auto all = c.db().query("SELECT id FROM billing_invoice_lines WHERE invoice_id = $1 "
                          "ORDER BY CASE WHEN kind = 'flat' THEN 1 ELSE 0 END, position, id",
                          {id});
  if (all.empty()) throw sdk::BadRequest("lines", "A draft needs at least one line; delete the draft instead.");
  std::int64_t position = 0;
  for (const auto& r : all.rows)
    c.db().execute("UPDATE billing_invoice_lines SET position = $1 WHERE id = $2", {++position, r[0]});
  if (f.discount_bp || f.discount_minor)
    c.db().execute("UPDATE billing_invoices SET discount_bp = $1, discount_minor = $2 WHERE id = $3",
                   {f.discount_bp ? sdk::Value(*f.discount_bp) : sdk::Value(nullptr), f.discount_minor.value_or(0), id});
  c.db().execute("UPDATE billing_invoices SET tax_name = $1, tax_rate_bp = $2 WHERE id = $3", {taxName, taxBp, id});
  if (f.notes) c.db().execute("UPDATE billing_invoices SET notes = $1 WHERE id = $2", {*f.notes, id});
  storeTotals(c, id);
  c.audit().record("billing.invoice.edit", "invoice", std::to_string(id));
  sendInvoice(c, id);
}

void InvoiceHandlers::get(sdk::Context& c) { sendInvoice(c, invoiceId(c)); }

void InvoiceHandlers::remove(sdk::Context& c) {
  const auto id = invoiceId(c);
  // Taken as a draft first (as issue does): a delete racing an issue waits, then finds it issued.
  if (c.db().execute("UPDATE billing_invoices SET updated_at = $1 WHERE id = $2 AND status = 'draft'", {c.db().now(), id}) != 1) {
    statusOf(c, id);  // 404 when there is none
    throw sdk::Conflict("Only a draft can be deleted; void an issued invoice instead (its number stays).", "id");
  }
  release(c, id);
  c.db().execute("DELETE FROM billing_invoice_lines WHERE invoice_id = $1", {id});
  c.db().execute("DELETE FROM billing_invoices WHERE id = $1", {id});
  c.audit().record("billing.invoice.delete_draft", "invoice", std::to_string(id));
  c.response().setStatus(204);
}

void InvoiceHandlers::issue(sdk::Context& c) {
  const auto id = invoiceId(c);
  std::string issuedOn = today();
  if (c.request().bodySize() > 0) {  // the body is optional
    const JsonObject b = sdk::readJsonObject(c, {"issued_on"});
    if (b["issued_on"].hasValue()) issuedOn = checkDate(*b["issued_on"].text(10), "issued_on");
  }
  // Taking the draft first: on PostgreSQL this row lock makes a second issue of the same
  // invoice wait, then see it issued.
  if (c.db().execute("UPDATE billing_invoices SET updated_at = $1 WHERE id = $2 AND status = 'draft'", {c.db().now(), id}) != 1) {
    statusOf(c, id);  // 404 when there is none
    throw sdk::Conflict("This invoice is already issued (or void); it cannot be issued again.", "id");
  }
  const Totals t = storeTotals(c, id);
  if (t.subtotal <= 0 && t.total <= 0) {
    auto n = c.db().query("SELECT count(*) FROM billing_invoice_lines WHERE invoice_id = $1", {id});
    if (sdk::asInt(n.rows[0][0]) == 0) throw sdk::Conflict("This draft has no lines.", "lines");
  }
  // The number: gap-free per firm and year, drawn inside this transaction (a failure rolls it
  // back with everything else). Concurrent issues of one firm queue on the counter's row.
  const std::int64_t year = std::stoll(issuedOn.substr(0, 4));
  const std::int64_t seq = nextNumber(c, "billing_invoice_counters", year);
  const std::string number = invoiceNumber(static_cast<int>(year), seq);
  auto terms = c.db().query("SELECT payment_terms_days FROM billing_invoices WHERE id = $1", {id});
  const std::string due = addDays(issuedOn, sdk::asInt(terms.rows.at(0).at(0)));
  c.db().execute("UPDATE billing_invoices SET status = 'issued', number = $1, issued_on = $2, due_on = $3, "
                 "client_visible = TRUE, updated_at = $4 WHERE id = $5",
                 {number, issuedOn, due, c.db().now(), id});
  c.db().execute("UPDATE billing_invoice_lines SET client_visible = TRUE WHERE invoice_id = $1", {id});
  c.audit().record("billing.invoice.issue", "invoice", std::to_string(id), "{\"number\":\"" + number + "\"}");
  sendInvoice(c, id);
}

void InvoiceHandlers::voidInvoice(sdk::Context& c) {
  const auto id = invoiceId(c);
  std::string reason;
  if (c.request().bodySize() > 0) {  // the body is optional; a reason is kept when given
    const JsonObject b = sdk::readJsonObject(c, {"reason"});
    reason = b["reason"].text(500).value_or("");
  }
  auto rs = c.db().query("SELECT status, paid_minor FROM billing_invoices WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such invoice.");
  const std::string status = sdk::asText(rs.rows[0][0]);
  if (status == "draft") throw sdk::Conflict("A draft has no number to keep: delete it instead.", "id");
  if (status == "void") throw sdk::Conflict("This invoice is already void.", "id");
  if (sdk::asInt(rs.rows[0][1]) > 0)
    throw sdk::Conflict("Payments were recorded against this invoice; refund them or issue a credit note.", "id");
  // Only from issued and unpaid, in the same statement: two voids at once make one.
  if (c.db().execute("UPDATE billing_invoices SET status = 'void', voided_at = $1, void_reason = $2, updated_at = $1 "
                     "WHERE id = $3 AND status = 'issued' AND paid_minor = 0",
                     {c.db().now(), reason.empty() ? sdk::Value(nullptr) : sdk::Value(reason), id}) != 1)
    throw sdk::Conflict("This invoice is already void.", "id");
  release(c, id);
  c.audit().record("billing.invoice.void", "invoice", std::to_string(id));
  sendInvoice(c, id);
}

}  // namespace lexos::billing
