#include "billing_common.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "lexos/sdk/errors.h"
#include "money.h"

namespace lexos::billing {

std::string today() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string checkDate(const std::string& v, const std::string& field) {
  auto bad = [&] { return sdk::BadRequest(field, "Enter a date as YYYY-MM-DD."); };
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') throw bad();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) throw bad();
  const int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2)), d = std::stoi(v.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap ? 1 : 0)) throw bad();
  return v;
}

std::string addDays(const std::string& date, std::int64_t days) {
  std::tm tm{};
  tm.tm_year = std::stoi(date.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(date.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(date.substr(8, 2)) + static_cast<int>(days);
  tm.tm_hour = 12;
  const std::time_t t = timegm(&tm);
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
  return buf;
}

std::int64_t caseClient(sdk::Context& c, std::int64_t caseId) {
  auto rs = c.db().query("SELECT client_id FROM cases WHERE id = $1", {caseId});
  if (rs.empty()) throw sdk::NotFound("No such case.");
  return sdk::asInt(rs.rows[0][0]);
}

std::string defaultCurrency(sdk::Context& c) {
  // The firm's own default (Firm settings, SDK FirmProfile version 3) first.
  sdk::FirmProfile firm;
  firm.version = 3;
  c.firm(firm);
  if (!firm.default_currency.empty() && minorUnits(firm.default_currency)) return firm.default_currency;
  // Then [plugin.billing] default_currency; a bad value is the operator's to fix: 500, with the key in the log.
  const std::string v = c.config("default_currency", "USD");
  if (!minorUnits(v))
    throw std::runtime_error("config: plugin.billing.default_currency = '" + v + "': expected an active ISO 4217 code");
  return v;
}

namespace {

// [plugin.billing] keys; a bad value is the operator's to fix: 500, with the key in the log.
std::int64_t defaultTerms(sdk::Context& c) {
  const std::string v = c.config("payment_terms_days", "30");
  if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error("config: plugin.billing.payment_terms_days = '" + v + "': expected days from 0 to 999");
  return std::stoll(v);
}

}  // namespace

ClientBilling clientBilling(sdk::Context& c, std::int64_t clientId, const std::string& field) {
  auto rs = c.db().query(
      "SELECT name, billing_currency, billing_payment_terms_days, billing_hourly_rate_minor FROM clients WHERE id = $1",
      {clientId});
  if (rs.empty()) throw sdk::BadRequest(field, "Choose an existing client.");
  ClientBilling b;
  const auto& r = rs.rows[0];
  b.name = sdk::asText(r[0]);
  b.currency = sdk::isNull(r[1]) || sdk::asText(r[1]).empty() ? defaultCurrency(c) : sdk::asText(r[1]);
  if (!minorUnits(b.currency))
    throw sdk::Conflict("The client's billing currency '" + b.currency +
                            "' is not an active ISO 4217 code: correct it on the client first.",
                        "billing.currency");
  b.terms_days = sdk::isNull(r[2]) ? defaultTerms(c) : sdk::asInt(r[2]);
  if (!sdk::isNull(r[3])) b.rate_minor = sdk::asInt(r[3]);
  return b;
}

std::int64_t nextNumber(sdk::Context& c, const std::string& counterTable, std::int64_t year) {
  if (c.db().query("SELECT 1 FROM " + counterTable + " WHERE year = $1", {year}).empty()) {
    try {
      c.db().execute("INSERT INTO " + counterTable + " (firm_id, year, last_number) VALUES (lexos_firm(), $1, 0)", {year});
    } catch (const sdk::DbError& e) {
      if (e.kind() != sdk::DbError::Kind::Constraint) throw;
      throw sdk::Conflict("Another number was being drawn at the same moment; try again.", "id");
    }
  }
  c.db().execute("UPDATE " + counterTable + " SET last_number = last_number + 1 WHERE year = $1", {year});
  return sdk::asInt(c.db().query("SELECT last_number FROM " + counterTable + " WHERE year = $1", {year}).rows.at(0).at(0));
}

const char* kInvoiceColumns =
    "i.id, i.client_id, i.status, i.number, i.currency, i.issued_on, i.due_on, i.payment_terms_days, i.subtotal_minor, "
    "i.discount_bp, i.discount_minor, i.tax_name, i.tax_rate_bp, i.tax_minor, i.total_minor, i.paid_minor, i.notes, "
    "i.voided_at, i.void_reason, i.created_at, i.updated_at, i.credited_minor";

void writeInvoiceMembers(sdk::JsonWriter& w, const sdk::ResultSet& rs, std::size_t row, bool forStaff) {
  const auto& r = rs.rows[row];
  const std::string status = sdk::asText(r[2]);
  const std::int64_t total = sdk::asInt(r[14]), paid = sdk::asInt(r[15]), credited = sdk::asInt(r[21]);
  // What is owed: the total less payments and credit notes. An online payment that arrives
  // after the invoice was settled otherwise is kept (the money was taken): it shows as
  // overpaid_minor for the firm to refund, never as a negative balance.
  const std::int64_t owed = total - paid - credited;
  const std::int64_t balance = status == "issued" ? std::max<std::int64_t>(owed, 0) : 0;
  // The status a person reads: an issued invoice is partly paid or paid by its payments, or
  // settled by a credit note.
  std::string shown = status;
  if (status == "issued" && owed <= 0) shown = paid > 0 ? "paid" : "credited";
  else if (status == "issued" && (paid > 0 || credited > 0)) shown = "partially_paid";
  const std::string due = sdk::asText(r[6]);
  const bool overdue = status == "issued" && balance > 0 && !due.empty() && due < today();
  const std::string currency = sdk::asText(r[4]);
  w.member("id", sdk::asInt(r[0]));
  if (forStaff) w.member("client_id", sdk::asInt(r[1]));
  w.member("status", shown).member("overdue", overdue);
  w.key("number").value(sdk::isNull(r[3]) ? sdk::Value(nullptr) : r[3]);
  w.member("currency", currency).member("minor_units", static_cast<std::int64_t>(minorUnits(currency).value_or(2)));
  w.key("issued_on").value(sdk::isNull(r[5]) ? sdk::Value(nullptr) : r[5]);
  w.key("due_on").value(sdk::isNull(r[6]) ? sdk::Value(nullptr) : r[6]);
  w.member("payment_terms_days", sdk::asInt(r[7]));
  w.member("subtotal_minor", sdk::asInt(r[8]));
  w.key("discount_bp").value(sdk::isNull(r[9]) ? sdk::Value(nullptr) : r[9]);
  w.member("discount_minor", sdk::asInt(r[10]));
  w.member("tax_name", sdk::asText(r[11])).member("tax_rate_bp", sdk::asInt(r[12])).member("tax_minor", sdk::asInt(r[13]));
  w.member("total_minor", total).member("paid_minor", paid).member("credited_minor", credited);
  w.member("balance_minor", balance);
  if (status == "issued" && owed < 0) w.member("overpaid_minor", -owed);
  w.member("notes", sdk::asText(r[16]));
  w.key("voided_at").value(sdk::isNull(r[17]) ? sdk::Value(nullptr) : r[17]);
  if (forStaff) {
    w.key("void_reason").value(sdk::isNull(r[18]) ? sdk::Value(nullptr) : r[18]);
    w.member("created_at", sdk::asText(r[19])).member("updated_at", sdk::asText(r[20]));
  }
}

sdk::ResultSet invoiceRow(sdk::Context& c, std::int64_t id, bool forStaff) {
  // The portal: enforced twice, by these filters and by the database (the client's own rows,
  // and only those made visible when the invoice was issued).
  std::string sql = std::string("SELECT ") + kInvoiceColumns + " FROM billing_invoices i WHERE i.id = $1";
  std::vector<sdk::Value> params{id};
  if (!forStaff) {
    sql += " AND i.client_id = $2 AND i.status <> 'draft'";
    params.push_back(c.principal().client_id);
  }
  return c.db().query(sql, params);
}

bool writeInvoice(sdk::Context& c, sdk::JsonWriter& w, std::int64_t id, bool forStaff, bool withLines) {
  auto rs = invoiceRow(c, id, forStaff);
  if (rs.empty()) return false;
  w.beginObject();
  writeInvoiceMembers(w, rs, 0, forStaff);
  if (forStaff) {
    auto cl = c.db().query("SELECT name FROM clients WHERE id = $1", {rs.rows[0][1]});
    w.member("client_name", cl.empty() ? std::string() : sdk::asText(cl.rows[0][0]));
  }
  if (withLines) {
    auto lines = c.db().query(
        "SELECT id, kind, description, quantity_milli, unit_price_minor, amount_minor, taxable, case_id, time_entry_id, "
        "expense_id FROM billing_invoice_lines WHERE invoice_id = $1 ORDER BY position, id",
        {id});
    w.key("lines").beginArray();
    for (const auto& l : lines.rows) {
      w.beginObject()
          .member("id", sdk::asInt(l[0]))
          .member("kind", sdk::asText(l[1]))
          .member("description", sdk::asText(l[2]))
          .member("quantity_milli", sdk::asInt(l[3]))
          .member("unit_price_minor", sdk::asInt(l[4]))
          .member("amount_minor", sdk::asInt(l[5]))
          .member("taxable", sdk::asBool(l[6]));
      if (forStaff) {
        w.key("case_id").value(sdk::isNull(l[7]) ? sdk::Value(nullptr) : l[7]);
        w.key("time_entry_id").value(sdk::isNull(l[8]) ? sdk::Value(nullptr) : l[8]);
        w.key("expense_id").value(sdk::isNull(l[9]) ? sdk::Value(nullptr) : l[9]);
      }
      w.endObject();
    }
    w.endArray();
    auto notes = c.db().query(
        "SELECT id, number, amount_minor, reason, issued_on FROM billing_credit_notes WHERE invoice_id = $1 ORDER BY id",
        {id});
    w.key("credit_notes").beginArray();
    for (const auto& n : notes.rows)
      w.beginObject()
          .member("id", sdk::asInt(n[0]))
          .member("number", sdk::asText(n[1]))
          .member("amount_minor", sdk::asInt(n[2]))
          .member("reason", sdk::asText(n[3]))
          .member("issued_on", sdk::asText(n[4]))
          .endObject();
    w.endArray();
  }
  w.endObject();
  return true;
}

}  // namespace lexos::billing
