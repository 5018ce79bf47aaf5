// Online payment: the portal's Pay (a provider checkout for what the invoice still owes) and the
// provider's signed webhook, the only thing that records an online payment. docs/billing.md.
// The routes speak to PaymentProvider (provider.h); Stripe's protocol is behind it.
#include <chrono>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "billing_common.h"
#include "handlers.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/lists.h"
#include "lexos/sdk/params.h"
#include "money.h"
#include "provider.h"

namespace lexos::billing {

using sdk::JsonWriter;

void OnlineHandlers::checkout(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  if (sdk::hasJsonBody(c)) sdk::readJsonObject(c, {});  // no parameters: the amount is what is owed
  const std::int64_t me = c.principal().client_id;
  // Enforced twice: this filter, and the database (the client's own issued invoices only).
  auto rs = c.db().query(
      "SELECT number, currency, total_minor - paid_minor - credited_minor, status, paid_minor + credited_minor "
      "FROM billing_invoices WHERE id = $1 AND client_id = $2 AND status <> 'draft'",
      {id, me});
  if (rs.empty()) throw sdk::NotFound("No such invoice.");
  const auto provider = providerFor(c);
  if (!provider)
    throw sdk::HttpError(409, "online_payment_off", "This firm does not take payments online; see the invoice for how to pay.");
  const auto& r = rs.rows[0];
  if (sdk::asText(r[3]) != "issued") throw sdk::Conflict("This invoice is void; there is nothing to pay.", "id");
  const std::int64_t owed = sdk::asInt(r[2]);
  if (owed <= 0) throw sdk::Conflict("This invoice is paid.", "id");
  CheckoutRequest req;
  req.firm_id = c.principal().firm_id;
  req.invoice_id = id;
  req.client_id = me;
  req.invoice_number = sdk::asText(r[0]);
  req.currency = sdk::asText(r[1]);
  req.amount_minor = owed;
  auto firm = c.db().query("SELECT name FROM firms WHERE id = lexos_firm()");
  req.firm_name = firm.empty() ? "" : sdk::asText(firm.rows[0][0]);
  const std::string back = c.publicUrl() + "/portal/?checkout=";
  req.success_url = back + "success#/invoices/" + std::to_string(id);
  req.cancel_url = back + "cancelled#/invoices/" + std::to_string(id);
  // The provider's own Idempotency-Key names this invoice in this state and this half hour: two
  // Pay clicks (two tabs, a retry) before anything changed get the same checkout, not two.
  const std::int64_t halfHour = static_cast<std::int64_t>(std::time(nullptr)) / 1800;
  req.idempotency_key = "lexos-" + std::to_string(req.firm_id) + "-" + std::to_string(id) + "-" + std::to_string(owed) +
                        "-" + std::to_string(sdk::asInt(r[4])) + "-" + std::to_string(halfHour);
  // Open for 31 to 61 minutes (Stripe's shortest is 30): a checkout left open does not stay
  // payable long after the invoice changed.
  req.expires_at = (halfHour + 2) * 1800 + 60;
  Checkout made;
  std::optional<ProviderFailure> failed;
  // Not while holding the database: the provider may take seconds.
  c.outsideTransaction([&] {
    for (int attempt = 0; attempt < 4; ++attempt) {
      try {
        made = provider->createCheckout(req);
        failed.reset();
        return;
      } catch (const ProviderFailure& e) {
        failed = e;
        // The same key still in flight at the provider (a parallel click): its answer comes.
        if (!(e.status == 409 && e.code == "idempotency_key_in_use")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(250 * (attempt + 1)));
      }
    }
  });
  if (failed) {
    c.log(sdk::LogLevel::Warning, "checkout for invoice " + std::to_string(id) + ": " + provider->name() + " answered " +
                                      std::to_string(failed->status) + " " + failed->code + ": " + failed->message);
    throw sdk::HttpError(502, "provider_unavailable",
                         "The payment provider could not be reached just now; nothing was charged. Try again in a minute.");
  }
  JsonWriter detail;
  detail.beginObject().member("provider", provider->name()).member("checkout", made.id).member("amount_minor", owed).endObject();
  c.audit().record("portal.invoice.checkout", "invoice", std::to_string(id), detail.take());
  JsonWriter w;
  w.beginObject()
      .member("provider", provider->name())
      .member("checkout_id", made.id)
      .member("checkout_url", made.url)
      .member("amount_minor", owed)
      .member("currency", req.currency)
      .endObject();
  sdk::sendJson(c, w, 201);
}

void OnlineHandlers::stripeWebhook(sdk::Context& c) { webhook(c, "stripe"); }

void OnlineHandlers::webhook(sdk::Context& c, const std::string& providerName) {
  const std::string payload = c.request().body();
  const auto provider = providerFor(c);
  if (!provider || provider->name() != providerName) throw sdk::NotFound();
  ProviderEvent e;
  try {
    e = provider->verifyWebhook(payload, c.request());
  } catch (const sdk::BadRequest& refused) {
    c.log(sdk::LogLevel::Warning, providerName + " webhook refused: " + refused.what());
    throw;
  }
  auto answer = [&](const char* key, const std::string& value) {
    JsonWriter w;
    w.beginObject().member("received", true).member(key, value).endObject();
    sdk::sendJson(c, w);
  };
  // Events of other kinds, or of checkouts that LexOS did not make, are acknowledged and left
  // (the provider stops retrying them).
  if (e.checkout_id.empty() || !e.firm_id) return answer("ignored", "not a LexOS checkout event");
  c.bindFirm(*e.firm_id);  // proven by the signature made with the configured secret

  if (!c.db().query("SELECT 1 FROM billing_provider_events WHERE provider = $1 AND event_id = $2", {providerName, e.id}).empty()) {
    JsonWriter w;
    w.beginObject().member("received", true).member("duplicate", true).endObject();
    return sdk::sendJson(c, w);
  }
  std::string outcome = "noted";
  if (e.kind == ProviderEvent::Kind::Paid) {
    if (!e.invoice_id || !e.amount_minor || *e.amount_minor <= 0)
      throw sdk::BadRequest("body", "The checkout has no invoice or amount.");
    auto inv = c.db().query("SELECT client_id, currency FROM billing_invoices WHERE id = $1", {*e.invoice_id});
    if (inv.empty() || !e.client_id || sdk::asInt(inv.rows[0][0]) != *e.client_id)
      throw sdk::BadRequest("body", "The checkout's invoice is not one of this firm's.");
    if (e.currency != sdk::asText(inv.rows[0][1])) throw sdk::BadRequest("body", "The checkout's currency is not the invoice's.");
    // One payment per checkout, whichever of its events comes first or again.
    const std::string ref = providerName + ":" + e.checkout_id;
    if (!c.db().query("SELECT 1 FROM billing_payments WHERE provider_ref = $1", {ref}).empty()) {
      outcome = "duplicate payment";
    } else {
      std::time_t when = e.created > 0 ? static_cast<std::time_t>(e.created) : std::time(nullptr);
      std::tm tm{};
      gmtime_r(&when, &tm);
      char day[16];
      std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
      PaymentInput in;
      in.invoice_id = *e.invoice_id;
      in.amount = *e.amount_minor;
      in.method = "card_online";
      in.received_on = day;
      in.reference = e.reference.empty() ? e.checkout_id : e.reference;
      in.provider_ref = ref;
      in.settled_elsewhere = true;
      const NewPayment p = insertPayment(c, in);
      outcome = "payment " + p.receipt_number;
    }
  }
  c.db().execute("INSERT INTO billing_provider_events (firm_id, provider, event_id, type, object_id, outcome, received_at) "
                 "VALUES (lexos_firm(), $1, $2, $3, $4, $5, $6)",
                 {providerName, e.id, e.type, e.checkout_id, outcome, c.db().now()});
  JsonWriter detail;
  detail.beginObject().member("provider", providerName).member("type", e.type).member("outcome", outcome).endObject();
  c.audit().record("billing.webhook", "provider_event", e.id, detail.take());
  answer("outcome", outcome);
}

}  // namespace lexos::billing
