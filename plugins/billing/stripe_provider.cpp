// Stripe, behind the PaymentProvider interface: Checkout Sessions, refunds of PaymentIntents,
// and `Stripe-Signature` webhooks (stripe.h has the protocol's pieces).
#include <cctype>
#include <ctime>
#include <stdexcept>

#include "billing_common.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/json_fields.h"
#include "provider.h"
#include "stripe.h"

namespace lexos::billing {

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

const sdk::Json* member(const sdk::Json& o, const char* key) { return o.isObject() ? o.find(key) : nullptr; }
std::string textAt(const sdk::Json& o, const char* key) {
  const sdk::Json* v = member(o, key);
  return v && v->isString() ? v->asString() : std::string();
}
std::optional<std::int64_t> idAt(const sdk::Json* o, const char* key) {
  if (!o) return std::nullopt;
  return sdk::JsonField::parseId(textAt(*o, key));
}

ProviderFailure failure(const stripe::ProviderError& e) { return {e.status, e.code, e.message}; }

class StripeProvider : public PaymentProvider {
 public:
  explicit StripeProvider(stripe::Settings s) : s_(std::move(s)) {}
  std::string name() const override { return "stripe"; }

  Checkout createCheckout(const CheckoutRequest& r) override {
    if (s_.secret_key.empty()) throw std::runtime_error("config: plugin.billing.stripe_secret_key is not set");
    const std::string firm = std::to_string(r.firm_id), invoice = std::to_string(r.invoice_id);
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"mode", "payment"},
        {"line_items[0][quantity]", "1"},
        {"line_items[0][price_data][currency]", lower(r.currency)},
        {"line_items[0][price_data][unit_amount]", std::to_string(r.amount_minor)},
        {"line_items[0][price_data][product_data][name]",
         "Invoice " + r.invoice_number + (r.firm_name.empty() ? "" : " - " + r.firm_name)},
        // Stripe's shortest life for a session: a checkout left open does not stay payable after
        // the invoice changed (a new Pay makes a new one).
        {"expires_at", std::to_string(r.expires_at)},
        {"success_url", r.success_url},
        {"cancel_url", r.cancel_url},
        {"client_reference_id", firm + "-" + invoice},
        {"metadata[lexos_firm]", firm},
        {"metadata[lexos_invoice]", invoice},
        {"metadata[lexos_client]", std::to_string(r.client_id)},
        {"payment_intent_data[metadata][lexos_firm]", firm},
        {"payment_intent_data[metadata][lexos_invoice]", invoice},
    };
    try {
      const auto cs = stripe::createCheckoutSession(s_, fields, r.idempotency_key);
      return {cs.id, cs.url};
    } catch (const stripe::ProviderError& e) {
      throw failure(e);
    }
  }

  std::string refund(const std::string& reference, std::int64_t amount, const std::string& key) override {
    if (reference.rfind("pi_", 0) != 0)
      throw ProviderFailure{0, "no_payment_intent", "the payment has no Stripe PaymentIntent to refund"};
    try {
      return stripe::createRefund(s_, reference, amount, key).id;
    } catch (const stripe::ProviderError& e) {
      throw failure(e);
    }
  }

  ProviderEvent verifyWebhook(const std::string& payload, sdk::Request& request) override {
    if (s_.webhook_secret.empty()) throw std::runtime_error("config: plugin.billing.stripe_webhook_secret is not set");
    const std::string header = request.header("Stripe-Signature").value_or("");
    switch (stripe::verify(payload, header, s_.webhook_secret, s_.tolerance_seconds, std::time(nullptr))) {
      case stripe::Verdict::Valid: break;
      case stripe::Verdict::Malformed:
        throw sdk::BadRequest("Stripe-Signature", "Expected a Stripe-Signature header with t= and v1=.");
      case stripe::Verdict::Mismatch:
        throw sdk::BadRequest("Stripe-Signature", "The signature does not match the payload.");
      case stripe::Verdict::OutsideTolerance:
        throw sdk::BadRequest("Stripe-Signature", "The signature's timestamp is outside the tolerance.");
    }
    sdk::Json event;
    try {
      event = sdk::parseJson(payload);
    } catch (const sdk::HttpError&) {
      throw sdk::BadRequest("body", "The event is not JSON.");
    }
    ProviderEvent e;
    e.id = textAt(event, "id");
    e.type = textAt(event, "type");
    if (e.id.empty() || e.type.empty()) throw sdk::BadRequest("body", "The event has no id or type.");
    if (const sdk::Json* created = member(event, "created"); created && created->toInt64()) e.created = *created->toInt64();
    const sdk::Json* data = member(event, "data");
    const sdk::Json* object = data ? member(*data, "object") : nullptr;
    if (e.type.rfind("checkout.session.", 0) != 0 || !object) return e;  // Kind::Other
    e.checkout_id = textAt(*object, "id");
    e.reference = textAt(*object, "payment_intent");
    const sdk::Json* metadata = member(*object, "metadata");
    e.firm_id = idAt(metadata, "lexos_firm");
    e.invoice_id = idAt(metadata, "lexos_invoice");
    e.client_id = idAt(metadata, "lexos_client");
    if (const sdk::Json* a = member(*object, "amount_total"); a) e.amount_minor = a->toInt64();
    e.currency = upper(textAt(*object, "currency"));
    const std::string paid = textAt(*object, "payment_status");
    if ((e.type == "checkout.session.completed" && paid == "paid") || e.type == "checkout.session.async_payment_succeeded")
      e.kind = ProviderEvent::Kind::Paid;
    else if (e.type == "checkout.session.completed")
      e.kind = ProviderEvent::Kind::Pending;
    else if (e.type == "checkout.session.async_payment_failed" || e.type == "checkout.session.expired")
      e.kind = ProviderEvent::Kind::Failed;
    return e;
  }

 private:
  stripe::Settings s_;
};

// [plugin.billing] stripe_* keys (500 naming the key when one is malformed).
stripe::Settings stripeSettings(sdk::Context& c) {
  stripe::Settings s;
  s.api_base = c.config("stripe_api_base", s.api_base);
  s.secret_key = c.config("stripe_secret_key", "");
  s.webhook_secret = c.config("stripe_webhook_secret", "");
  s.tolerance_seconds = numberKey(c, "stripe_webhook_tolerance_seconds", 300, 1, 86400);
  s.timeout_seconds = numberKey(c, "stripe_timeout_seconds", 20, 1, 120);
  return s;
}

}  // namespace

bool onlinePaymentOn(sdk::Context& c) { return !c.config("provider", "").empty(); }

std::unique_ptr<PaymentProvider> providerFor(sdk::Context& c) {
  const std::string name = c.config("provider", "");
  if (name.empty()) return nullptr;
  if (name == "stripe") return std::make_unique<StripeProvider>(stripeSettings(c));
  throw std::runtime_error("config: plugin.billing.provider = '" + name + "': expected stripe, or nothing");
}

}  // namespace lexos::billing
