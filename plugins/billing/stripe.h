#pragma once
// The first online payment provider: Stripe's published protocol (docs/billing.md "Online
// payments"). A Checkout Session is created server-side for an invoice's outstanding amount; the
// client pays on the provider's page; only a signed webhook (Stripe-Signature: t=...,v1=...,
// HMAC-SHA256 over "t.payload" with the endpoint's secret) records the payment. The API base
// URL and the keys come from the configuration, never from the database.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lexos::billing::stripe {

/// [plugin.billing] stripe_* keys.
struct Settings {
  std::string api_base = "https://api.stripe.com";
  std::string secret_key;       ///< sk_live_... / sk_test_...
  std::string webhook_secret;   ///< whsec_...
  long tolerance_seconds = 300;  ///< how old (or early) a signed webhook may be
  long timeout_seconds = 20;
};

/// application/x-www-form-urlencoded, keys in bracket notation as Stripe's API takes them
/// ("line_items[0][price_data][currency]"), in the order given.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

/// The parts of a Stripe-Signature header: its timestamp and every v1 signature.
struct SignatureHeader {
  std::int64_t timestamp = 0;
  std::vector<std::string> v1;
};
/// nullopt when the header has no usable t= or no v1=.
std::optional<SignatureHeader> parseSignatureHeader(const std::string& header);

enum class Verdict { Valid, Malformed, OutsideTolerance, Mismatch };
/// Checks a webhook's signature: HMAC-SHA256 of "t.payload" with `secret`, compared in constant
/// time with each v1 signature; `t` within `toleranceSeconds` of `now`.
Verdict verify(const std::string& payload, const std::string& header, const std::string& secret,
               long toleranceSeconds, std::int64_t now);

/// Hex HMAC-SHA256 (lower case).
std::string hmacSha256Hex(const std::string& key, const std::string& message);

/// A created Checkout Session.
struct CheckoutSession {
  std::string id;
  std::string url;
};

/// Thrown when the provider cannot be reached or refuses: `status` is its HTTP status (0: no
/// answer), `message` what it said.
struct ProviderError {
  int status = 0;
  std::string code;
  std::string message;
};

/// POST {api_base}/v1/checkout/sessions with `fields`, `idempotencyKey` as Stripe's
/// Idempotency-Key. Throws ProviderError.
CheckoutSession createCheckoutSession(const Settings& s, const std::vector<std::pair<std::string, std::string>>& fields,
                                      const std::string& idempotencyKey);

/// A refund the provider made (status "succeeded" or "pending": a card refund may take days).
struct Refund {
  std::string id;
  std::string status;
};
/// POST {api_base}/v1/refunds for `amount` of PaymentIntent `paymentIntent`. Throws
/// ProviderError (also when the provider answers a failed or canceled refund).
Refund createRefund(const Settings& s, const std::string& paymentIntent, std::int64_t amount,
                    const std::string& idempotencyKey);

}  // namespace lexos::billing::stripe
