#pragma once
// Code lists the client model validates against: ISO 4217 currencies and ISO 3166-1 countries.

#include <string>

namespace lexos::clients {

/// Lookups in the embedded ISO code lists. Stateless; safe from any thread.
class ReferenceCodes {
 public:
  /// True for an active ISO 4217 currency a firm can bill in ("EUR", "GBP", ...): the current
  /// list of national and regional currencies and funds, without precious metals, bond units,
  /// SDR, "XTS" (testing) and "XXX" (no currency). Upper case expected.
  static bool isCurrency(const std::string& code);
  /// True for an assigned ISO 3166-1 alpha-2 country code ("GB", "DE", ...), plus "XK"
  /// (Kosovo, in common use). Upper case expected.
  static bool isCountry(const std::string& code);
};

}  // namespace lexos::clients
