#pragma once
// Online payment providers (docs/billing.md "Online payments"). The routes speak to this
// interface only; a provider turns it into its own protocol. The first is Stripe's
// (stripe_provider.cpp); another provider is a class of its own, a name in providerFor() and a
// webhook route. A provider is made per request from the configuration (never the database) and
// holds no state between requests.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lexos/sdk/context.h"

namespace lexos::billing {

/// What to collect: the invoice's outstanding amount, in its currency's minor units.
struct CheckoutRequest {
  std::int64_t firm_id = 0, invoice_id = 0, client_id = 0;
  std::string invoice_number, firm_name;
  std::int64_t amount_minor = 0;
  std::string currency;      ///< ISO 4217, upper case
  std::string success_url;   ///< where the client comes back after paying
  std::string cancel_url;    ///< ... or after giving up
  /// The same key for the same invoice in the same state: the provider answers a repeat with
  /// the first checkout (two Pay clicks make one).
  std::string idempotency_key;
  /// Unix time after which the checkout can no longer be paid (the same for every request that
  /// shares the idempotency key, so that their parameters are the same too).
  std::int64_t expires_at = 0;
};
struct Checkout {
  std::string id;   ///< the provider's id of the checkout
  std::string url;  ///< where the client pays
};

/// A verified webhook event, in the provider's neutral terms.
struct ProviderEvent {
  enum class Kind { Paid, Pending, Failed, Other };
  std::string id;    ///< the provider's event id (unique per provider)
  std::string type;  ///< the provider's event type, for the log and audit
  Kind kind = Kind::Other;
  std::string checkout_id;  ///< the checkout it concerns; one payment per checkout
  std::string reference;    ///< the provider's payment id (refunds name it)
  /// What LexOS put in the checkout, as the provider returns it (signed with the event).
  std::optional<std::int64_t> firm_id, invoice_id, client_id;
  std::optional<std::int64_t> amount_minor;
  std::string currency;     ///< upper case
  std::int64_t created = 0;  ///< Unix time of the event
};

/// Refused or unreachable: `status` the provider's HTTP status (0: no answer).
struct ProviderFailure {
  int status = 0;
  std::string code;
  std::string message;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  /// "stripe": the payments' provider_ref prefix and the webhook route's last segment.
  virtual std::string name() const = 0;
  /// Creates a checkout. Throws ProviderFailure.
  virtual Checkout createCheckout(const CheckoutRequest& request) = 0;
  /// Refunds `amountMinor` of the payment `reference`; returns the provider's refund id.
  /// Throws ProviderFailure (also when the provider declines).
  virtual std::string refund(const std::string& reference, std::int64_t amountMinor, const std::string& idempotencyKey) = 0;
  /// Checks a webhook's signature over the raw body and reads its event. Throws
  /// sdk::BadRequest naming the signature header when it is missing, forged or stale, or "body"
  /// when a signed body is unreadable.
  virtual ProviderEvent verifyWebhook(const std::string& payload, sdk::Request& request) = 0;
};

/// The provider [plugin.billing] provider names, configured from its keys; nullptr when online
/// payment is off. Throws std::runtime_error naming a key that is missing or malformed.
std::unique_ptr<PaymentProvider> providerFor(sdk::Context& c);

}  // namespace lexos::billing
