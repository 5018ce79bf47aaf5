// Credit notes, the trust (retainer) ledger and the receivables aging report.
#include <map>
#include <string>
#include <vector>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "money.h"

namespace lexos::billing {

using sdk::JsonObject;
using sdk::JsonWriter;

namespace {

std::string money(std::int64_t amount, const std::string& currency) {
  return decimalText(amount, minorUnits(currency).value_or(2)) + " " + currency;
}

void writeTrustEntry(JsonWriter& w, const std::vector<sdk::Value>& r, bool forStaff) {
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("kind", sdk::asText(r[1]))
      .member("amount_minor", sdk::asInt(r[2]))
      .member("currency", sdk::asText(r[3]))
      .member("entry_date", sdk::asText(r[4]));
  w.key("invoice_id").value(sdk::isNull(r[5]) ? sdk::Value(nullptr) : r[5]);
  w.key("invoice_number").value(sdk::isNull(r[6]) ? sdk::Value(nullptr) : r[6]);
  w.key("payment_id").value(sdk::isNull(r[7]) ? sdk::Value(nullptr) : r[7]);
  w.member("reference", sdk::asText(r[8])).member("description", sdk::asText(r[9]));
  w.member("balance_after_minor", sdk::asInt(r[10]));
  if (forStaff) w.member("created_at", sdk::asText(r[11]));
  w.endObject();
}

void sendTrust(sdk::Context& c, std::int64_t clientId, bool forStaff, const std::string& fallbackCurrency) {
  auto acc = c.db().query("SELECT currency, balance_minor FROM billing_trust_accounts WHERE client_id = $1", {clientId});
  auto rs = c.db().query(
      "SELECT t.id, t.kind, t.amount_minor, t.currency, t.entry_date, t.invoice_id, i.number, t.payment_id, t.reference, "
      "t.description, t.balance_after_minor, t.created_at FROM billing_trust_entries t "
      "LEFT JOIN billing_invoices i ON i.id = t.invoice_id WHERE t.client_id = $1 ORDER BY t.id DESC LIMIT 500",
      {clientId});
  JsonWriter w;
  w.beginObject();
  const std::string currency = acc.empty() ? fallbackCurrency : sdk::asText(acc.rows[0][0]);
  w.member("currency", currency).member("minor_units", static_cast<std::int64_t>(minorUnits(currency).value_or(2)));
  w.member("balance_minor", acc.empty() ? std::int64_t{0} : sdk::asInt(acc.rows[0][1]));
  w.key("items").beginArray();
  for (const auto& r : rs.rows) writeTrustEntry(w, r, forStaff);
  w.endArray();
  w.endObject();
  sdk::sendJson(c, w);
}

std::int64_t amountOf(const JsonObject& b, const std::string& what) {
  const auto amount = b["amount_minor"].integer(1, kMaxAmount, "Enter the amount " + what + " in minor units (cents), above zero.");
  if (!amount) throw sdk::BadRequest("amount_minor", "Enter the amount " + what + " in minor units (cents), above zero.");
  return *amount;
}

}  // namespace

std::int64_t trustMove(sdk::Context& c, std::int64_t clientId, const std::string& kind, std::int64_t amount,
                       const std::string& currency, const std::string& date, std::optional<std::int64_t> invoiceId,
                       std::optional<std::int64_t> paymentId, const std::string& reference, const std::string& description) {
  const bool adds = kind == "deposit" || kind == "returned";
  const std::string now = c.db().now();
  auto acc = c.db().query("SELECT currency, balance_minor FROM billing_trust_accounts WHERE client_id = $1", {clientId});
  if (acc.empty()) {
    if (!adds) throw sdk::BadRequest("amount_minor", "The client has nothing in trust.");
    try {
      c.db().execute("INSERT INTO billing_trust_accounts (firm_id, client_id, currency, balance_minor, client_visible, "
                     "updated_at) VALUES (lexos_firm(), $1, $2, 0, TRUE, $3)",
                     {clientId, currency, now});
    } catch (const sdk::DbError& e) {
      if (e.kind() != sdk::DbError::Kind::Constraint) throw;
      throw sdk::Conflict("The trust account was being opened at the same moment; try again.", "amount_minor");
    }
  } else if (sdk::asText(acc.rows[0][0]) != currency) {
    throw sdk::Conflict("The client's trust account is held in " + sdk::asText(acc.rows[0][0]) + ", not " + currency + ".",
                        "currency");
  }
  // In one statement with the check: two withdrawals at once cannot take trust below zero (and
  // the database's CHECK refuses a negative balance whatever the SQL).
  const std::int64_t changed =
      adds ? c.db().execute("UPDATE billing_trust_accounts SET balance_minor = balance_minor + $1, updated_at = $2 "
                            "WHERE client_id = $3",
                            {amount, now, clientId})
           : c.db().execute("UPDATE billing_trust_accounts SET balance_minor = balance_minor - $1, updated_at = $2 "
                            "WHERE client_id = $3 AND balance_minor >= $1",
                            {amount, now, clientId});
  if (changed != 1) {
    auto b = c.db().query("SELECT balance_minor FROM billing_trust_accounts WHERE client_id = $1", {clientId});
    throw sdk::BadRequest("amount_minor", "That is more than the client's trust balance of " +
                                              money(b.empty() ? 0 : sdk::asInt(b.rows[0][0]), currency) + ".");
  }
  const std::int64_t after =
      sdk::asInt(c.db().query("SELECT balance_minor FROM billing_trust_accounts WHERE client_id = $1", {clientId}).rows.at(0).at(0));
  const auto id = c.db().newId();
  c.db().execute(
      "INSERT INTO billing_trust_entries (firm_id, id, client_id, kind, amount_minor, currency, entry_date, invoice_id, "
      "payment_id, reference, description, balance_after_minor, client_visible, created_at, created_by) "
      "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, TRUE, $12, $13)",
      {id, clientId, kind, amount, currency, date, invoiceId ? sdk::Value(*invoiceId) : sdk::Value(nullptr),
       paymentId ? sdk::Value(*paymentId) : sdk::Value(nullptr), reference, description, after, now,
       c.principal().user_id});
  c.audit().record("billing.trust." + kind, "client", std::to_string(clientId),
                   "{\"entry\":" + std::to_string(id) + ",\"amount_minor\":" + std::to_string(amount) +
                       ",\"balance_after_minor\":" + std::to_string(after) + "}");
  return id;
}

void LedgerHandlers::creditNote(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  const JsonObject b = sdk::readJsonObject(c, {"amount_minor", "reason", "issued_on"});
  const std::int64_t amount = amountOf(b, "credited");
  const std::string reason = b["reason"].requiredText(500, "Say why the invoice is corrected (the client reads it).");
  const std::string issuedOn = b["issued_on"].hasValue() ? checkDate(*b["issued_on"].text(10), "issued_on") : today();
  auto inv = c.db().query(
      "SELECT client_id, status, currency, total_minor - paid_minor - credited_minor, issued_on FROM billing_invoices "
      "WHERE id = $1",
      {id});
  if (inv.empty()) throw sdk::NotFound("No such invoice.");
  const auto& r = inv.rows[0];
  if (sdk::asText(r[1]) != "issued")
    throw sdk::Conflict(sdk::asText(r[1]) == "draft" ? "A draft is corrected by editing it, not by a credit note."
                                                     : "This invoice is void; there is nothing to credit.",
                        "id");
  const std::string currency = sdk::asText(r[2]);
  if (amount > sdk::asInt(r[3]))
    throw sdk::BadRequest("amount_minor", "A credit note takes off at most what is still owed: " +
                                              money(std::max<std::int64_t>(sdk::asInt(r[3]), 0), currency) +
                                              " (refund a payment for more).");
  if (issuedOn < sdk::asText(r[4])) throw sdk::BadRequest("issued_on", "A credit note cannot predate its invoice.");
  if (c.db().execute("UPDATE billing_invoices SET credited_minor = credited_minor + $1, updated_at = $2 "
                     "WHERE id = $3 AND status = 'issued' AND total_minor - paid_minor - credited_minor >= $1",
                     {amount, c.db().now(), id}) != 1)
    throw sdk::Conflict("The invoice's balance changed meanwhile; look at it again.", "amount_minor");
  const std::int64_t year = std::stoll(issuedOn.substr(0, 4));
  const std::string number = "CN-" + invoiceNumber(static_cast<int>(year), nextNumber(c, "billing_credit_counters", year));
  const auto noteId = c.db().newId();
  c.db().execute(
      "INSERT INTO billing_credit_notes (firm_id, id, client_id, invoice_id, number, amount_minor, currency, reason, "
      "issued_on, client_visible, created_at, created_by) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $10)",
      {noteId, r[0], id, number, amount, currency, reason, issuedOn, c.db().now(), c.principal().user_id});
  c.audit().record("billing.invoice.credit", "invoice", std::to_string(id),
                   "{\"credit_note\":\"" + number + "\",\"amount_minor\":" + std::to_string(amount) + "}");
  JsonWriter iw;
  writeInvoice(c, iw, id, true, true);
  JsonWriter w;
  w.beginObject()
      .member("id", noteId)
      .member("number", number)
      .member("invoice_id", id)
      .member("amount_minor", amount)
      .member("currency", currency)
      .member("reason", reason)
      .member("issued_on", issuedOn)
      .endObject();
  std::string body = w.take();
  body.pop_back();  // reopen the note's object
  body += ",\"invoice\":" + iw.take() + "}";
  c.response().sendJson(body, 201);
}

void LedgerHandlers::trust(sdk::Context& c) {
  const auto clientId = sdk::pathId(c, "id", "No such client.");
  auto cl = c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId});
  if (cl.empty()) throw sdk::NotFound("No such client.");
  sendTrust(c, clientId, true, clientBilling(c, clientId, "id").currency);
}

void LedgerHandlers::trustEntry(sdk::Context& c) {
  const auto clientId = sdk::pathId(c, "id", "No such client.");
  if (c.db().query("SELECT 1 FROM clients WHERE id = $1", {clientId}).empty()) throw sdk::NotFound("No such client.");
  const JsonObject b = sdk::readJsonObject(c, {"kind", "amount_minor", "entry_date", "reference", "description"});
  const std::string kind = b["kind"].requiredText(20, "Choose deposit or refund.");
  if (kind != "deposit" && kind != "refund") throw sdk::BadRequest("kind", "Choose deposit or refund.");
  const std::int64_t amount = amountOf(b, kind == "deposit" ? "deposited" : "refunded");
  const std::string date = b["entry_date"].hasValue() ? checkDate(*b["entry_date"].text(10), "entry_date") : today();
  const std::string reference = b["reference"].text(100).value_or("");
  const std::string description = b["description"].text(500).value_or("");
  auto acc = c.db().query("SELECT currency FROM billing_trust_accounts WHERE client_id = $1", {clientId});
  const std::string currency = acc.empty() ? clientBilling(c, clientId, "id").currency : sdk::asText(acc.rows[0][0]);
  const auto entry = trustMove(c, clientId, kind, amount, currency, date, std::nullopt, std::nullopt, reference, description);
  auto rs = c.db().query(
      "SELECT t.id, t.kind, t.amount_minor, t.currency, t.entry_date, t.invoice_id, NULL, t.payment_id, t.reference, "
      "t.description, t.balance_after_minor, t.created_at FROM billing_trust_entries t WHERE t.id = $1",
      {entry});
  JsonWriter w;
  writeTrustEntry(w, rs.rows.at(0), true);
  sdk::sendJson(c, w, 201);
}

void LedgerHandlers::applyTrust(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  const JsonObject b = sdk::readJsonObject(c, {"amount_minor"});
  const std::int64_t amount = amountOf(b, "to apply");
  auto inv = c.db().query("SELECT client_id, currency, number FROM billing_invoices WHERE id = $1", {id});
  if (inv.empty()) throw sdk::NotFound("No such invoice.");
  const std::int64_t clientId = sdk::asInt(inv.rows[0][0]);
  PaymentInput in;
  in.invoice_id = id;
  in.amount = amount;
  in.method = "trust";
  in.received_on = today();
  in.reference = "Trust";
  const NewPayment p = insertPayment(c, in);  // checks the invoice's state and balance
  trustMove(c, clientId, "application", amount, p.currency, in.received_on, id, p.id, p.receipt_number,
            "Applied to invoice " + (sdk::isNull(inv.rows[0][2]) ? std::string() : sdk::asText(inv.rows[0][2])));
  sendPaymentWithInvoice(c, p.id, id, 201);
}

void LedgerHandlers::portalTrust(sdk::Context& c) {
  // Enforced twice: the filter in sendTrust, and the database (the client's own rows only).
  const std::int64_t me = c.principal().client_id;
  c.audit().record("portal.trust.view", "client", std::to_string(me));
  auto cur = c.db().query("SELECT currency FROM billing_invoices WHERE client_id = $1 ORDER BY id DESC LIMIT 1", {me});
  sendTrust(c, me, false, cur.empty() ? defaultCurrency(c) : sdk::asText(cur.rows[0][0]));
}

namespace {

void sendSettings(sdk::Context& c) {
  auto st = c.db().query("SELECT address, tax_id FROM billing_settings", {});
  auto rates = c.db().query("SELECT id, name, rate_bp, is_default FROM billing_tax_rates ORDER BY position, id", {});
  JsonWriter w;
  w.beginObject()
      .member("address", st.empty() ? std::string() : sdk::asText(st.rows[0][0]))
      .member("tax_id", st.empty() ? std::string() : sdk::asText(st.rows[0][1]));
  w.key("tax_rates").beginArray();
  for (const auto& r : rates.rows)
    w.beginObject()
        .member("id", sdk::asInt(r[0]))
        .member("name", sdk::asText(r[1]))
        .member("rate_bp", sdk::asInt(r[2]))
        .member("default", sdk::asBool(r[3]))
        .endObject();
  w.endArray().endObject();
  sdk::sendJson(c, w);
}

}  // namespace

void LedgerHandlers::settings(sdk::Context& c) { sendSettings(c); }

void LedgerHandlers::setSettings(sdk::Context& c) {
  const JsonObject b = sdk::readJsonObject(c, {"address", "tax_id", "tax_rates"});
  const auto address = b["address"].text(500, sdk::Lines::Many);
  const auto taxId = b["tax_id"].text(60);
  struct Rate {
    std::string name;
    std::int64_t bp = 0;
    bool isDefault = false;
  };
  std::vector<Rate> rates;
  int defaults = 0;
  for (const sdk::JsonField item : b["tax_rates"].array(20)) {
    const auto o = item.object({"name", "rate_bp", "default"});
    if (!o) item.refuse("Send a tax rate as {name, rate_bp, default?}.");
    Rate r;
    r.name = (*o)["name"].requiredText(60, "Name the tax (VAT, GST, sales tax).");
    const auto bp = (*o)["rate_bp"].integer(0, 10000, "Enter the rate from 0 to 10000 basis points (100%).");
    if (!bp) throw sdk::BadRequest((*o).pathOf("rate_bp"), "Enter the rate in basis points (2000 = 20%).");
    r.bp = *bp;
    r.isDefault = (*o)["default"].boolean().value_or(false);
    for (const auto& other : rates)
      if (other.name == r.name) throw sdk::BadRequest((*o).pathOf("name"), "Another rate has this name.");
    if (r.isDefault && ++defaults > 1) throw sdk::BadRequest((*o).pathOf("default"), "Only one rate can be the default.");
    rates.push_back(std::move(r));
  }
  const std::string now = c.db().now();
  if (c.db().query("SELECT 1 FROM billing_settings", {}).empty())
    c.db().execute("INSERT INTO billing_settings (firm_id, address, tax_id, updated_at, updated_by) "
                   "VALUES (lexos_firm(), '', '', $1, $2)",
                   {now, c.principal().user_id});
  if (address) c.db().execute("UPDATE billing_settings SET address = $1", {*address});
  if (taxId) c.db().execute("UPDATE billing_settings SET tax_id = $1", {*taxId});
  c.db().execute("UPDATE billing_settings SET updated_at = $1, updated_by = $2", {now, c.principal().user_id});
  if (b["tax_rates"].hasValue()) {
    c.db().execute("DELETE FROM billing_tax_rates", {});
    std::int64_t position = 0;
    for (const auto& r : rates)
      c.db().execute("INSERT INTO billing_tax_rates (firm_id, id, name, rate_bp, is_default, position) "
                     "VALUES (lexos_firm(), $1, $2, $3, $4, $5)",
                     {c.db().newId(), r.name, r.bp, r.isDefault, ++position});
  }
  c.audit().record("billing.settings.set", "firm", std::to_string(c.principal().firm_id));
  sendSettings(c);
}

void LedgerHandlers::aging(sdk::Context& c) {
  std::string asOf = today();
  if (auto v = c.request().query("as_of"); v && !v->empty()) asOf = checkDate(*v, "as_of");
  // Days past due by the due date's distance from as_of; text dates compare in date order on
  // both engines, so the buckets are ranges of due_on.
  std::vector<sdk::Value> params{asOf, addDays(asOf, -30), addDays(asOf, -60), addDays(asOf, -90)};
  std::string sql =
      "SELECT i.client_id, cl.name, i.currency, "
      "SUM(CASE WHEN i.due_on >= $1 THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END), "
      "SUM(CASE WHEN i.due_on < $1 AND i.due_on >= $2 THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END), "
      "SUM(CASE WHEN i.due_on < $2 AND i.due_on >= $3 THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END), "
      "SUM(CASE WHEN i.due_on < $3 AND i.due_on >= $4 THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END), "
      "SUM(CASE WHEN i.due_on < $4 THEN i.total_minor - i.paid_minor - i.credited_minor ELSE 0 END), "
      "SUM(i.total_minor - i.paid_minor - i.credited_minor) "
      "FROM billing_invoices i JOIN clients cl ON cl.id = i.client_id "
      "WHERE i.status = 'issued' AND i.total_minor - i.paid_minor - i.credited_minor > 0 AND i.issued_on <= $1";
  if (auto id = sdk::queryId(c, "client_id", "client_id must be a client id.")) {
    params.push_back(*id);
    sql += " AND i.client_id = $5";
  }
  sql += " GROUP BY i.client_id, cl.name, i.currency ORDER BY 9 DESC, cl.name, i.client_id";
  auto rs = c.db().query(sql, params);
  static const char* kBuckets[] = {"current_minor", "d1_30_minor", "d31_60_minor", "d61_90_minor", "d90_plus_minor",
                                   "total_minor"};
  std::map<std::string, std::vector<std::int64_t>> totals;
  JsonWriter w;
  w.beginObject().member("as_of", asOf);
  w.key("items").beginArray();
  for (const auto& r : rs.rows) {
    const std::string currency = sdk::asText(r[2]);
    auto& t = totals[currency];
    t.resize(6, 0);
    w.beginObject()
        .member("client_id", sdk::asInt(r[0]))
        .member("client_name", sdk::asText(r[1]))
        .member("currency", currency)
        .member("minor_units", static_cast<std::int64_t>(minorUnits(currency).value_or(2)));
    for (int k = 0; k < 6; ++k) {
      const std::int64_t v = sdk::isNull(r[3 + k]) ? 0 : sdk::asInt(r[3 + k]);
      w.member(kBuckets[k], v);
      t[k] += v;
    }
    w.endObject();
  }
  w.endArray();
  w.key("totals").beginArray();
  for (const auto& [currency, t] : totals) {
    w.beginObject()
        .member("currency", currency)
        .member("minor_units", static_cast<std::int64_t>(minorUnits(currency).value_or(2)));
    for (int k = 0; k < 6; ++k) w.member(kBuckets[k], t[k]);
    w.endObject();
  }
  w.endArray();
  w.endObject();
  sdk::sendJson(c, w);
}

}  // namespace lexos::billing
