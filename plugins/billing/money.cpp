#include "money.h"

#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace lexos::billing {

namespace {

// ISO 4217 list one (active codes, with their minor units), as published by the maintenance
// agency (SIX) in 2025; funds codes included (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW),
// precious metals, SDR and testing codes (XAU, XDR, XTS, XXX ...) left out: they have no minor
// unit. Withdrawn codes (HRK, SLL, ZWL, ANG, CUC) are not accepted for new invoices.
const std::unordered_map<std::string_view, int>& table() {
  static const std::unordered_map<std::string_view, int> t = [] {
    std::unordered_map<std::string_view, int> m;
    for (const char* c :
         {"AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND",
          "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CNY", "COP",
          "COU", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP",
          "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD",
          "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
          "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
          "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR",
          "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
          "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "USN", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG",
          "YER", "ZAR", "ZMW", "ZWG"})
      m.emplace(c, 2);
    for (const char* c : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                          "VUV", "XAF", "XOF", "XPF"})
      m.emplace(c, 0);
    for (const char* c : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}) m.emplace(c, 3);
    for (const char* c : {"CLF", "UYW"}) m.emplace(c, 4);
    return m;
  }();
  return t;
}

std::int64_t fit(__int128 v) {
  if (v > std::numeric_limits<std::int64_t>::max() || v < std::numeric_limits<std::int64_t>::min())
    throw std::overflow_error("amount out of range");
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::optional<int> minorUnits(const std::string& code) {
  const auto it = table().find(code);
  if (it == table().end()) return std::nullopt;
  return it->second;
}

std::int64_t divideRounded(__int128 numerator, std::int64_t denominator) {
  if (denominator <= 0) throw std::invalid_argument("denominator must be positive");
  const bool negative = numerator < 0;
  const __int128 n = negative ? -numerator : numerator;
  __int128 q = n / denominator;
  if ((n % denominator) * 2 >= denominator) ++q;  // half away from zero
  return fit(negative ? -q : q);
}

std::int64_t timeAmount(std::int64_t minutes, std::int64_t rateMinor) {
  return divideRounded(static_cast<__int128>(minutes) * rateMinor, 60);
}

std::int64_t lineAmount(std::int64_t quantityMilli, std::int64_t unitPriceMinor) {
  return divideRounded(static_cast<__int128>(quantityMilli) * unitPriceMinor, 1000);
}

std::int64_t percentOf(std::int64_t base, std::int64_t basisPoints) {
  return divideRounded(static_cast<__int128>(base) * basisPoints, 10000);
}

Totals invoiceTotals(std::int64_t subtotal, std::int64_t taxable, std::optional<std::int64_t> discountBasisPoints,
                     std::int64_t discountMinor, std::int64_t taxBasisPoints) {
  Totals t;
  t.subtotal = subtotal;
  t.discount = discountBasisPoints ? percentOf(subtotal, *discountBasisPoints) : discountMinor;
  if (t.discount > subtotal) t.discount = subtotal;
  if (t.discount < 0) t.discount = 0;
  const std::int64_t taxableShare =
      subtotal == 0 ? 0 : divideRounded(static_cast<__int128>(t.discount) * taxable, subtotal);
  t.tax = percentOf(taxable - taxableShare, taxBasisPoints);
  t.total = fit(static_cast<__int128>(subtotal) - t.discount + t.tax);
  return t;
}

std::string invoiceNumber(int year, std::int64_t sequence) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%04lld", year, static_cast<long long>(sequence));
  return buf;
}

std::string decimalText(std::int64_t amount, int exponent) {
  const bool negative = amount < 0;
  unsigned long long a = negative ? 0ull - static_cast<unsigned long long>(amount) : static_cast<unsigned long long>(amount);
  std::string digits = std::to_string(a);
  if (exponent > 0) {
    if (digits.size() <= static_cast<std::size_t>(exponent))
      digits.insert(0, static_cast<std::size_t>(exponent) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(exponent), ".");
  }
  return negative ? "-" + digits : digits;
}

}  // namespace lexos::billing
