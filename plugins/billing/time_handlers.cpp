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

constexpr std::int64_t kMaxRate = 100'000'000'000;     // per hour, in minor units
constexpr std::int64_t kMaxExpense = 1'000'000'000'000;  // in minor units

std::int64_t caseId(sdk::Context& c) { return sdk::pathId(c, "id", "No such case."); }

void writeTimeEntry(JsonWriter& w, const std::vector<sdk::Value>& r) {
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("case_id", sdk::asInt(r[1]))
      .member("client_id", sdk::asInt(r[2]))
      .member("user_id", sdk::asInt(r[3]))
      .member("user_name", sdk::asText(r[4]))
      .member("date", sdk::asText(r[5]))
      .member("minutes", sdk::asInt(r[6]))
      .member("rate_minor", sdk::asInt(r[7]))
      .member("rate_source", sdk::asText(r[8]))
      .member("currency", sdk::asText(r[9]))
      .member("amount_minor", sdk::asInt(r[10]))
      .member("description", sdk::asText(r[11]))
      .member("billable", sdk::asBool(r[12]));
  w.key("invoice_id").value(sdk::isNull(r[13]) ? sdk::Value(nullptr) : r[13]);
  w.member("created_at", sdk::asText(r[14])).endObject();
}

const char* kTimeColumns =
    "t.id, t.case_id, t.client_id, t.user_id, COALESCE(NULLIF(u.display_name, ''), u.email), t.entry_date, t.minutes, "
    "t.rate_minor, t.rate_source, t.currency, t.amount_minor, t.description, t.billable, t.invoice_id, t.created_at";

void writeExpense(JsonWriter& w, const std::vector<sdk::Value>& r) {
  w.beginObject()
      .member("id", sdk::asInt(r[0]))
      .member("case_id", sdk::asInt(r[1]))
      .member("client_id", sdk::asInt(r[2]))
      .member("date", sdk::asText(r[3]))
      .member("amount_minor", sdk::asInt(r[4]))
      .member("currency", sdk::asText(r[5]))
      .member("description", sdk::asText(r[6]))
      .member("billable", sdk::asBool(r[7]));
  w.key("invoice_id").value(sdk::isNull(r[8]) ? sdk::Value(nullptr) : r[8]);
  w.member("created_at", sdk::asText(r[9])).endObject();
}

const char* kExpenseColumns =
    "e.id, e.case_id, e.client_id, e.expense_date, e.amount_minor, e.currency, e.description, e.billable, e.invoice_id, "
    "e.created_at";

}  // namespace

void TimeHandlers::listRates(sdk::Context& c) {
  auto rs = c.db().query(
      "SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.email), u.role, r.rate_minor FROM users u "
      "LEFT JOIN billing_user_rates r ON r.user_id = u.id WHERE u.kind = 'staff' AND u.status = 'active' ORDER BY u.id");
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) {
    w.beginObject().member("user_id", sdk::asInt(r[0])).member("name", sdk::asText(r[1])).member("role", sdk::asText(r[2]));
    w.key("rate_minor").value(sdk::isNull(r[3]) ? sdk::Value(nullptr) : r[3]);
    w.endObject();
  }
  sdk::endList(w);
  sdk::sendJson(c, w);
}

void TimeHandlers::setRate(sdk::Context& c) {
  const auto userId = sdk::pathId(c, "user_id", "No such member of staff.");
  const JsonObject b = sdk::readJsonObject(c, {"rate_minor"});
  const auto rate = b["rate_minor"].integer(0, kMaxRate);
  if (c.db().query("SELECT 1 FROM users WHERE id = $1 AND kind = 'staff'", {userId}).empty())
    throw sdk::NotFound("No such member of staff.");
  c.db().execute("DELETE FROM billing_user_rates WHERE user_id = $1", {userId});
  if (rate)
    c.db().execute("INSERT INTO billing_user_rates (firm_id, user_id, rate_minor, updated_at, updated_by) "
                   "VALUES (lexos_firm(), $1, $2, $3, $4)",
                   {userId, *rate, c.db().now(), c.principal().user_id});
  c.audit().record("billing.rate.set", "user", std::to_string(userId));
  JsonWriter w;
  w.beginObject().member("user_id", userId);
  w.key("rate_minor").value(rate ? sdk::Value(*rate) : sdk::Value(nullptr));
  w.endObject();
  sdk::sendJson(c, w);
}

void TimeHandlers::listTime(sdk::Context& c) {
  const auto id = caseId(c);
  caseClient(c, id);
  // Those who may not read the firm's billing (a paralegal records time) see their own entries.
  const bool all = c.principal().can("billing.read");
  auto rs = c.db().query(std::string("SELECT ") + kTimeColumns +
                             " FROM billing_time_entries t JOIN users u ON u.id = t.user_id WHERE t.case_id = $1" +
                             (all ? "" : " AND (t.user_id = $2 OR t.created_by = $2)") +
                             " ORDER BY t.entry_date DESC, t.id DESC LIMIT 500",
                         all ? std::vector<sdk::Value>{id} : std::vector<sdk::Value>{id, c.principal().user_id});
  JsonWriter w;
  sdk::beginList(w);
  std::int64_t unbilledMinutes = 0, unbilled = 0;
  for (const auto& r : rs.rows) {
    writeTimeEntry(w, r);
    if (sdk::isNull(r[13]) && sdk::asBool(r[12])) {
      unbilledMinutes += sdk::asInt(r[6]);
      unbilled += sdk::asInt(r[10]);
    }
  }
  w.endArray().member("next_cursor", nullptr);
  w.member("unbilled_minutes", unbilledMinutes).member("unbilled_minor", unbilled).endObject();
  sdk::sendJson(c, w);
}

void TimeHandlers::addTime(sdk::Context& c) {
  const auto id = caseId(c);
  const std::int64_t clientId = caseClient(c, id);
  const JsonObject b = sdk::readJsonObject(c, {"minutes", "description", "date", "rate_minor", "billable", "user_id"});
  const auto minutesSent = b["minutes"].integer(1, 1440, "Enter the minutes worked, a whole number from 1 to 1440 (one day).");
  if (!minutesSent) throw sdk::BadRequest("minutes", "Enter the minutes worked.");
  const std::int64_t minutes = *minutesSent;
  const std::string description = b["description"].requiredText(2000, "Describe the work.", sdk::Lines::Many);
  const std::string date = b["date"].hasValue() ? checkDate(*b["date"].text(10), "date") : today();
  const bool billable = b["billable"].boolean().value_or(true);
  // Whose time: the caller's, or (for those who keep the books) another member of staff's.
  std::int64_t userId = c.principal().user_id;
  if (auto u = b["user_id"].id("Choose an active member of staff."); u && *u != userId) {
    if (!c.principal().can("billing.write"))
      throw sdk::Forbidden("Only the books (billing.write) record time for another member of staff.");
    if (c.db().query("SELECT 1 FROM users WHERE id = $1 AND kind = 'staff' AND status = 'active'", {*u}).empty())
      throw sdk::BadRequest("user_id", "Choose an active member of staff.");
    userId = *u;
  }
  const ClientBilling cb = clientBilling(c, clientId, "case");
  // The rate: the entry's own, else the client's hourly rate, else the staff user's default.
  std::int64_t rate = 0;
  std::string source;
  if (auto r = b["rate_minor"].integer(0, kMaxRate)) {
    rate = *r;
    source = "entry";
  } else if (cb.rate_minor) {
    rate = *cb.rate_minor;
    source = "client";
  } else {
    auto ur = c.db().query("SELECT rate_minor FROM billing_user_rates WHERE user_id = $1", {userId});
    if (ur.empty())
      throw sdk::BadRequest("rate_minor",
                            "No hourly rate applies: enter one, or set the client's hourly rate or this member of staff's "
                            "default rate.");
    rate = sdk::asInt(ur.rows[0][0]);
    source = "user";
  }
  const std::int64_t amount = timeAmount(minutes, rate);
  const auto entry = c.db().newId();
  c.db().execute(
      "INSERT INTO billing_time_entries (firm_id, id, case_id, client_id, user_id, entry_date, minutes, rate_minor, "
      "rate_source, currency, amount_minor, description, billable, invoice_id, created_at, created_by) "
      "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14)",
      {entry, id, clientId, userId, date, minutes, rate, source, cb.currency, amount, description, billable, c.db().now(),
       c.principal().user_id});
  c.audit().record("billing.time.add", "case", std::to_string(id));
  auto rs = c.db().query(std::string("SELECT ") + kTimeColumns +
                             " FROM billing_time_entries t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
                         {entry});
  c.response().setHeader("Location", "/api/v1/time/" + std::to_string(entry));
  JsonWriter w;
  writeTimeEntry(w, rs.rows.at(0));
  sdk::sendJson(c, w, 201);
}

void TimeHandlers::deleteTime(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such time entry.");
  auto rs = c.db().query("SELECT invoice_id, case_id, user_id, created_by FROM billing_time_entries WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such time entry.");
  // One's own time (worked or recorded); anyone's for those who keep the books.
  const auto me = c.principal().user_id;
  if (sdk::asInt(rs.rows[0][2]) != me && sdk::asInt(rs.rows[0][3]) != me && !c.principal().can("billing.write"))
    throw sdk::Forbidden("Only the books (billing.write) delete another member of staff's time.");
  if (!sdk::isNull(rs.rows[0][0]))
    throw sdk::Conflict("This time entry is on an invoice; delete the draft or void the invoice first.", "id");
  // Unless a draft took it meanwhile.
  if (c.db().execute("DELETE FROM billing_time_entries WHERE id = $1 AND invoice_id IS NULL", {id}) != 1)
    throw sdk::Conflict("This time entry is on an invoice; delete the draft or void the invoice first.", "id");
  c.audit().record("billing.time.delete", "case", sdk::asText(rs.rows[0][1]));
  c.response().setStatus(204);
}

void TimeHandlers::listExpenses(sdk::Context& c) {
  const auto id = caseId(c);
  caseClient(c, id);
  const bool all = c.principal().can("billing.read");
  auto rs = c.db().query(std::string("SELECT ") + kExpenseColumns + " FROM billing_expenses e WHERE e.case_id = $1" +
                             (all ? "" : " AND e.created_by = $2") + " ORDER BY e.expense_date DESC, e.id DESC LIMIT 500",
                         all ? std::vector<sdk::Value>{id} : std::vector<sdk::Value>{id, c.principal().user_id});
  JsonWriter w;
  sdk::beginList(w);
  for (const auto& r : rs.rows) writeExpense(w, r);
  sdk::endList(w);
  sdk::sendJson(c, w);
}

void TimeHandlers::deleteExpense(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such expense.");
  auto rs = c.db().query("SELECT invoice_id, case_id, created_by FROM billing_expenses WHERE id = $1", {id});
  if (rs.empty()) throw sdk::NotFound("No such expense.");
  if (sdk::asInt(rs.rows[0][2]) != c.principal().user_id && !c.principal().can("billing.write"))
    throw sdk::Forbidden("Only the books (billing.write) delete another member of staff's expense.");
  if (!sdk::isNull(rs.rows[0][0]) ||
      c.db().execute("DELETE FROM billing_expenses WHERE id = $1 AND invoice_id IS NULL", {id}) != 1)
    throw sdk::Conflict("This expense is on an invoice; delete the draft or void the invoice first.", "id");
  c.audit().record("billing.expense.delete", "case", sdk::asText(rs.rows[0][1]));
  c.response().setStatus(204);
}

void TimeHandlers::addExpense(sdk::Context& c) {
  const auto id = caseId(c);
  const std::int64_t clientId = caseClient(c, id);
  const JsonObject b = sdk::readJsonObject(c, {"amount_minor", "description", "date", "billable"});
  const auto amount = b["amount_minor"].integer(1, kMaxExpense, "Enter the amount in minor units (cents), above zero.");
  if (!amount) throw sdk::BadRequest("amount_minor", "Enter the amount in minor units (cents), above zero.");
  const std::string description = b["description"].requiredText(2000, "Describe the expense.", sdk::Lines::Many);
  const std::string date = b["date"].hasValue() ? checkDate(*b["date"].text(10), "date") : today();
  const bool billable = b["billable"].boolean().value_or(true);
  const ClientBilling cb = clientBilling(c, clientId, "case");
  const auto expense = c.db().newId();
  c.db().execute(
      "INSERT INTO billing_expenses (firm_id, id, case_id, client_id, expense_date, amount_minor, currency, description, "
      "billable, invoice_id, created_at, created_by) VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)",
      {expense, id, clientId, date, *amount, cb.currency, description, billable, c.db().now(), c.principal().user_id});
  c.audit().record("billing.expense.add", "case", std::to_string(id));
  auto rs = c.db().query(std::string("SELECT ") + kExpenseColumns + " FROM billing_expenses e WHERE e.id = $1", {expense});
  c.response().setHeader("Location", "/api/v1/cases/" + std::to_string(id) + "/expenses");
  JsonWriter w;
  writeExpense(w, rs.rows.at(0));
  sdk::sendJson(c, w, 201);
}

}  // namespace lexos::billing
