#pragma once
// Money in the billing module: integers of a currency's minor unit (cents, yen, fils), never
// floating point. One rounding rule everywhere: half away from zero, applied once per amount
// that a fraction produces (a time entry, a line, a discount, a tax), never to a sum.

#include <cstdint>
#include <optional>
#include <string>

namespace lexos::billing {

/// The largest amount a payment, refund, credit note or trust movement may carry (10^15 minor
/// units): every sum of them stays far inside int64 and a JSON number's exact range.
inline constexpr std::int64_t kMaxAmount = 1'000'000'000'000'000;

/// The ISO 4217 minor-unit exponent of an active currency code: "JPY" 0, "EUR" 2, "KWD" 3,
/// "CLF" 4. nullopt for anything else (lower case, withdrawn codes, XAU, XXX).
std::optional<int> minorUnits(const std::string& code);

/// round_half_away_from_zero(numerator / denominator); denominator > 0. Throws
/// std::overflow_error when the result does not fit in int64.
std::int64_t divideRounded(__int128 numerator, std::int64_t denominator);

/// A time entry's amount: `minutes` at `rateMinor` per hour.
std::int64_t timeAmount(std::int64_t minutes, std::int64_t rateMinor);
/// A line's amount: `quantityMilli` thousandths of a unit at `unitPriceMinor` each.
std::int64_t lineAmount(std::int64_t quantityMilli, std::int64_t unitPriceMinor);
/// `basisPoints` hundredths of a percent of `base` (2000 = 20%): taxes, percent discounts.
std::int64_t percentOf(std::int64_t base, std::int64_t basisPoints);

/// What an invoice adds up to from its lines.
struct Totals {
  std::int64_t subtotal = 0;  ///< sum of the lines
  std::int64_t discount = 0;  ///< taken off the subtotal (at most the subtotal)
  std::int64_t tax = 0;       ///< on the taxable lines, less their share of the discount
  std::int64_t total = 0;     ///< subtotal - discount + tax
};
/// `taxable` is the part of `subtotal` whose lines are taxable. The discount is either
/// `discountBasisPoints` of the subtotal or `discountMinor` (capped at the subtotal); the
/// taxable lines carry their share of it (taxable / subtotal, rounded), and the tax is
/// `taxBasisPoints` of what is left of them.
Totals invoiceTotals(std::int64_t subtotal, std::int64_t taxable, std::optional<std::int64_t> discountBasisPoints,
                     std::int64_t discountMinor, std::int64_t taxBasisPoints);

/// An invoice number: the year and a per-firm, per-year sequence, "2026-0001" (at least four
/// digits; "2026-12345" past 9999).
std::string invoiceNumber(int year, std::int64_t sequence);

/// An amount as decimal text in its currency's exponent: (123456, 2) "1234.56", (-5, 3)
/// "-0.005", (1500, 0) "1500".
std::string decimalText(std::int64_t amount, int exponent);

}  // namespace lexos::billing
