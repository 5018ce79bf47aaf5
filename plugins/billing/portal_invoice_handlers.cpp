#include <map>
#include <string>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"

namespace lexos::billing {

using sdk::JsonWriter;

void PortalInvoiceHandlers::list(sdk::Context& c) {
  // Enforced twice: these filters, and the database returning only this client's invoices that
  // were issued (a draft's rows are not visible to a portal scope at all).
  const std::int64_t me = c.principal().client_id;
  auto rs = c.db().query(std::string("SELECT ") + kInvoiceColumns +
                             " FROM billing_invoices i WHERE i.client_id = $1 AND i.status <> 'draft' ORDER BY i.id DESC LIMIT 500",
                         {me});
  // What is owed, per currency (a client billed in one currency has one entry).
  std::map<std::string, std::int64_t> owed;
  std::string latestCurrency;
  JsonWriter w;
  sdk::beginList(w);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    w.beginObject();
    writeInvoiceMembers(w, rs, i, false);
    w.endObject();
    const auto& r = rs.rows[i];
    const std::string currency = sdk::asText(r[4]);
    if (latestCurrency.empty()) latestCurrency = currency;
  }
  // What is owed counts every issued invoice, not only the ones listed.
  auto sums = c.db().query("SELECT currency, SUM(CASE WHEN total_minor - paid_minor - credited_minor > 0 "
                           "THEN total_minor - paid_minor - credited_minor ELSE 0 END) FROM billing_invoices "
                           "WHERE client_id = $1 AND status = 'issued' GROUP BY currency",
                           {me});
  for (const auto& r : sums.rows) owed[sdk::asText(r[0])] = sdk::asInt(r[1]);
  w.endArray().member("next_cursor", nullptr);
  w.member("currency", latestCurrency.empty() ? std::string() : latestCurrency);
  w.member("balance_minor", owed.count(latestCurrency) ? owed[latestCurrency] : 0);
  w.member("pay_online", onlinePaymentOn(c) && c.principal().can("billing.pay"));
  // Money held in trust for the client (retainer), read-only here; GET /api/v1/portal/trust lists it.
  auto trust = c.db().query("SELECT balance_minor, currency FROM billing_trust_accounts WHERE client_id = $1", {me});
  w.member("trust_balance_minor", trust.empty() ? std::int64_t{0} : sdk::asInt(trust.rows[0][0]));
  w.member("trust_currency", trust.empty() ? latestCurrency : sdk::asText(trust.rows[0][1]));
  w.key("balances").beginArray();
  for (const auto& [currency, amount] : owed)
    w.beginObject().member("currency", currency).member("balance_minor", amount).endObject();
  w.endArray();
  w.endObject();
  c.audit().record("portal.invoices.view", "client", std::to_string(me));
  sdk::sendJson(c, w);
}

void PortalInvoiceHandlers::get(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  JsonWriter w;
  if (!writeInvoice(c, w, id, false, true)) throw sdk::NotFound("No such invoice.");
  c.audit().record("portal.invoice.view", "invoice", std::to_string(id));
  std::string body = w.take();
  body.pop_back();  // reopen the invoice's object: may it be paid here?
  body += std::string(",\"pay_online\":") + (onlinePaymentOn(c) && c.principal().can("billing.pay") ? "true" : "false") + "}";
  c.response().sendJson(body, 200);
}

}  // namespace lexos::billing
