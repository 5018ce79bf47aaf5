// Online payment: the portal's Pay (a provider checkout for what the invoice still owes) and the
// provider's signed webhook, the only thing that records an online payment. docs/billing.md.
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
#include "stripe.h"

namespace lexos::billing {

using sdk::Json;
using sdk::JsonWriter;

namespace {

long numberKey(sdk::Context& c, const std::string& key, long fallback, long lo, long hi) {
  const std::string v = c.config(key, std::to_string(fallback));
  if (v.empty() || v.size() > 6 || v.find_first_not_of("0123456789") != std::string::npos || std::stol(v) < lo ||
      std::stol(v) > hi)
    throw std::runtime_error("config: plugin.billing." + key + " = '" + v + "': expected a whole number from " +
                             std::to_string(lo) + " to " + std::to_string(hi));
  return std::stol(v);
}

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}
std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

const Json* member(const Json& o, const char* key) { return o.isObject() ? o.find(key) : nullptr; }
std::string textAt(const Json& o, const char* key) {
  const Json* v = member(o, key);
  return v && v->isString() ? v->asString() : std::string();
}

}  // namespace

bool onlinePaymentOn(sdk::Context& c) { return c.config("provider", "") == "stripe"; }

stripe::Settings stripeSettings(sdk::Context& c) {
  stripe::Settings s;
  s.api_base = c.config("stripe_api_base", s.api_base);
  s.secret_key = c.config("stripe_secret_key", "");
  s.webhook_secret = c.config("stripe_webhook_secret", "");
  s.tolerance_seconds = numberKey(c, "stripe_webhook_tolerance_seconds", 300, 1, 86400);
  s.timeout_seconds = numberKey(c, "stripe_timeout_seconds", 20, 1, 120);
  return s;
}

void OnlineHandlers::checkout(sdk::Context& c) {
  const auto id = sdk::pathId(c, "id", "No such invoice.");
  if (sdk::hasJsonBody(c)) sdk::readJsonObject(c, {});  // no parameters: the amount is what is owed
  const std::int64_t me = c.principal().client_id;
  // Enforced twice: this filter, and the database (the client's own issued invoices only).
  auto rs = c.db().query(
      "SELECT number, currency, total_minor - paid_minor - credited_minor, status, paid_minor + credited_minor, updated_at "
      "FROM billing_invoices WHERE id = $1 AND client_id = $2 AND status <> 'draft'",
      {id, me});
  if (rs.empty()) throw sdk::NotFound("No such invoice.");
  if (!onlinePaymentOn(c))
    throw sdk::HttpError(409, "online_payment_off", "This firm does not take payments online; see the invoice for how to pay.");
  const stripe::Settings s = stripeSettings(c);
  if (s.secret_key.empty()) throw std::runtime_error("config: plugin.billing.stripe_secret_key is not set");
  const auto& r = rs.rows[0];
  if (sdk::asText(r[3]) != "issued") throw sdk::Conflict("This invoice is void; there is nothing to pay.", "id");
  const std::int64_t owed = sdk::asInt(r[2]);
  if (owed <= 0) throw sdk::Conflict("This invoice is paid.", "id");
  const std::string number = sdk::asText(r[0]), currency = sdk::asText(r[1]);
  auto firm = c.db().query("SELECT name FROM firms WHERE id = lexos_firm()");
  const std::string firmName = firm.empty() ? "" : sdk::asText(firm.rows[0][0]);
  const std::string firmId = std::to_string(c.principal().firm_id), invoiceId = std::to_string(id),
                    clientId = std::to_string(me);
  const std::string back = c.publicUrl() + "/portal/?checkout=";
  std::vector<std::pair<std::string, std::string>> fields = {
      {"mode", "payment"},
      {"line_items[0][quantity]", "1"},
      {"line_items[0][price_data][currency]", lower(currency)},
      {"line_items[0][price_data][unit_amount]", std::to_string(owed)},
      {"line_items[0][price_data][product_data][name]", "Invoice " + number + (firmName.empty() ? "" : " - " + firmName)},
      {"success_url", back + "success#/invoices/" + invoiceId},
      {"cancel_url", back + "cancelled#/invoices/" + invoiceId},
      {"client_reference_id", firmId + "-" + invoiceId},
      {"metadata[lexos_firm]", firmId},
      {"metadata[lexos_invoice]", invoiceId},
      {"metadata[lexos_client]", clientId},
      {"payment_intent_data[metadata][lexos_firm]", firmId},
      {"payment_intent_data[metadata][lexos_invoice]", invoiceId},
  };
  // The provider's own Idempotency-Key names this invoice in this state: two Pay clicks (two
  // tabs, a retry) before anything changed get the same checkout, not two.
  const std::string providerKey = "lexos-" + firmId + "-" + invoiceId + "-" + std::to_string(owed) + "-" +
                                  std::to_string(sdk::asInt(r[4])) + "-" + today();
  stripe::CheckoutSession session;
  std::optional<stripe::ProviderError> failed;
  // Not while holding the database: the provider may take seconds.
  c.outsideTransaction([&] {
    for (int attempt = 0; attempt < 4; ++attempt) {
      try {
        session = stripe::createCheckoutSession(s, fields, providerKey);
        failed.reset();
        return;
      } catch (const stripe::ProviderError& e) {
        failed = e;
        // The same key still in flight at the provider (a parallel click): its answer comes.
        if (!(e.status == 409 && e.code == "idempotency_key_in_use")) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(250 * (attempt + 1)));
      }
    }
  });
  if (failed) {
    c.log(sdk::LogLevel::Warning, "checkout for invoice " + invoiceId + ": provider answered " +
                                      std::to_string(failed->status) + " " + failed->code + ": " + failed->message);
    throw sdk::HttpError(502, "provider_unavailable",
                         "The payment provider could not be reached just now; nothing was charged. Try again in a minute.");
  }
  c.audit().record("portal.invoice.checkout", "invoice", invoiceId,
                   "{\"provider\":\"stripe\",\"session\":\"" + session.id + "\",\"amount_minor\":" + std::to_string(owed) + "}");
  JsonWriter w;
  w.beginObject()
      .member("provider", "stripe")
      .member("checkout_id", session.id)
      .member("checkout_url", session.url)
      .member("amount_minor", owed)
      .member("currency", currency)
      .endObject();
  sdk::sendJson(c, w, 201);
}

void OnlineHandlers::stripeWebhook(sdk::Context& c) {
  const std::string payload = c.request().body();
  const stripe::Settings s = stripeSettings(c);
  if (s.webhook_secret.empty() || !onlinePaymentOn(c)) throw sdk::NotFound();
  const std::string header = c.request().header("Stripe-Signature").value_or("");
  switch (stripe::verify(payload, header, s.webhook_secret, s.tolerance_seconds, std::time(nullptr))) {
    case stripe::Verdict::Valid: break;
    case stripe::Verdict::Malformed:
      throw sdk::BadRequest("Stripe-Signature", "Expected a Stripe-Signature header with t= and v1=.");
    case stripe::Verdict::Mismatch:
      c.log(sdk::LogLevel::Warning, "stripe webhook: signature does not match (wrong secret, or not from the provider)");
      throw sdk::BadRequest("Stripe-Signature", "The signature does not match the payload.");
    case stripe::Verdict::OutsideTolerance:
      c.log(sdk::LogLevel::Warning, "stripe webhook: a genuine but old (or early) event was refused: a replay, or a clock off");
      throw sdk::BadRequest("Stripe-Signature", "The signature's timestamp is outside the tolerance.");
  }
  Json event;
  try {
    event = sdk::parseJson(payload);
  } catch (const sdk::HttpError&) {
    throw sdk::BadRequest("body", "The event is not JSON.");
  }
  const std::string eventId = textAt(event, "id"), type = textAt(event, "type");
  if (eventId.empty() || type.empty()) throw sdk::BadRequest("body", "The event has no id or type.");
  const Json* data = member(event, "data");
  const Json* object = data ? member(*data, "object") : nullptr;
  const bool checkoutEvent = type.rfind("checkout.session.", 0) == 0;
  const Json* metadata = object ? member(*object, "metadata") : nullptr;
  const std::string firm = metadata ? textAt(*metadata, "lexos_firm") : "";
  auto ignored = [&](const std::string& why) {
    JsonWriter w;
    w.beginObject().member("received", true).member("ignored", why).endObject();
    sdk::sendJson(c, w);
  };
  // Events of other kinds, or of checkouts that LexOS did not make, are acknowledged and left.
  if (!checkoutEvent || !object || firm.empty()) return ignored("not a LexOS checkout event");
  const auto firmId = sdk::JsonField::parseId(firm);
  if (!firmId) return ignored("no firm");
  c.bindFirm(*firmId);  // proven by the signature made with the configured secret

  const std::string sessionId = textAt(*object, "id");
  if (!c.db().query("SELECT 1 FROM billing_provider_events WHERE provider = 'stripe' AND event_id = $1", {eventId}).empty()) {
    JsonWriter w;
    w.beginObject().member("received", true).member("duplicate", true).endObject();
    return sdk::sendJson(c, w);
  }
  std::string outcome = "noted";
  const bool paidEvent = (type == "checkout.session.completed" && textAt(*object, "payment_status") == "paid") ||
                         type == "checkout.session.async_payment_succeeded";
  if (paidEvent) {
    const auto invoiceId = sdk::JsonField::parseId(textAt(*metadata, "lexos_invoice"));
    const Json* amountJ = member(*object, "amount_total");
    const auto amount = amountJ ? amountJ->toInt64() : std::nullopt;
    if (!invoiceId || !amount || *amount <= 0 || sessionId.empty())
      throw sdk::BadRequest("body", "The checkout session has no invoice, amount or id.");
    auto inv = c.db().query("SELECT client_id, currency FROM billing_invoices WHERE id = $1", {*invoiceId});
    if (inv.empty() || std::to_string(sdk::asInt(inv.rows[0][0])) != textAt(*metadata, "lexos_client"))
      throw sdk::BadRequest("body", "The checkout's invoice is not one of this firm's.");
    if (upper(textAt(*object, "currency")) != sdk::asText(inv.rows[0][1]))
      throw sdk::BadRequest("body", "The checkout's currency is not the invoice's.");
    // One payment per checkout session, whichever of its events comes first or again.
    if (!c.db().query("SELECT 1 FROM billing_payments WHERE provider_ref = $1", {"stripe:" + sessionId}).empty()) {
      outcome = "duplicate payment";
    } else {
      const Json* created = member(event, "created");
      std::time_t when = created && created->toInt64() ? static_cast<std::time_t>(*created->toInt64()) : std::time(nullptr);
      std::tm tm{};
      gmtime_r(&when, &tm);
      char day[16];
      std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
      PaymentInput in;
      in.invoice_id = *invoiceId;
      in.amount = *amount;
      in.method = "card_online";
      in.received_on = day;
      const std::string intent = textAt(*object, "payment_intent");
      in.reference = intent.empty() ? sessionId : intent;
      in.provider_ref = "stripe:" + sessionId;
      in.settled_elsewhere = true;
      const NewPayment p = insertPayment(c, in);
      outcome = "payment " + p.receipt_number;
    }
  }
  c.db().execute("INSERT INTO billing_provider_events (firm_id, provider, event_id, type, object_id, outcome, received_at) "
                 "VALUES (lexos_firm(), 'stripe', $1, $2, $3, $4, $5)",
                 {eventId, type, sessionId, outcome, c.db().now()});
  JsonWriter detail;
  detail.beginObject().member("provider", "stripe").member("type", type).member("outcome", outcome).endObject();
  c.audit().record("billing.webhook", "provider_event", eventId, detail.take());
  JsonWriter w;
  w.beginObject().member("received", true).member("outcome", outcome).endObject();
  sdk::sendJson(c, w);
}

}  // namespace lexos::billing
