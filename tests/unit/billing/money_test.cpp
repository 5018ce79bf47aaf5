// Money of the billing module (plugins/billing/money.cpp): ISO 4217 minor units, the one
// rounding rule (half away from zero), invoice totals with a discount and tax, numbers.
#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>

#include "billing/money.h"

using namespace lexos::billing;

TEST_CASE("currencies carry their ISO 4217 minor units, unknown, withdrawn and metal codes are refused") {
  CHECK(minorUnits("EUR") == 2);
  CHECK(minorUnits("USD") == 2);
  CHECK(minorUnits("JPY") == 0);
  CHECK(minorUnits("KRW") == 0);
  CHECK(minorUnits("KWD") == 3);
  CHECK(minorUnits("BHD") == 3);
  CHECK(minorUnits("CLF") == 4);
  CHECK_FALSE(minorUnits("eur"));
  CHECK_FALSE(minorUnits("XAU"));
  CHECK_FALSE(minorUnits("XXX"));
  CHECK_FALSE(minorUnits("HRK"));  // withdrawn 2023
  CHECK_FALSE(minorUnits(""));
  CHECK_FALSE(minorUnits("EURO"));
}

TEST_CASE("amounts round half away from zero, once per amount") {
  CHECK(divideRounded(5, 10) == 1);
  CHECK(divideRounded(4, 10) == 0);
  CHECK(divideRounded(15, 10) == 2);
  CHECK(divideRounded(25, 10) == 3);  // not banker's rounding
  CHECK(divideRounded(-5, 10) == -1);
  CHECK(divideRounded(-4, 10) == 0);
  // 50 minutes at 250.00/h = 208.333... -> 208.33; 7 minutes at 100.00/h = 11.666... -> 11.67
  CHECK(timeAmount(50, 25000) == 20833);
  CHECK(timeAmount(7, 10000) == 1167);
  CHECK(timeAmount(90, 15000) == 22500);
  // 1.5 units at 33.33 = 49.995 -> 50.00; 0.333 at 10 JPY = 3.33 -> 3
  CHECK(lineAmount(1500, 3333) == 5000);
  CHECK(lineAmount(333, 10) == 3);
  CHECK(percentOf(10005, 2000) == 2001);  // 20% of 100.05 = 20.01
  CHECK(percentOf(12345, 1250) == 1543);  // 12.5% of 123.45 = 15.43125
  CHECK_THROWS_AS(timeAmount(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()),
                  std::overflow_error);
}

TEST_CASE("an invoice's totals: the discount comes off first, the taxable lines carry their share of it") {
  // 1000.00 of which 600.00 taxable at 20%, no discount: tax 120.00.
  auto t = invoiceTotals(100000, 60000, std::nullopt, 0, 2000);
  CHECK(t.discount == 0);
  CHECK(t.tax == 12000);
  CHECK(t.total == 112000);
  // A 10% discount: 100.00 off; the taxable lines carry 60.00 of it; tax 20% of 540.00 = 108.00.
  t = invoiceTotals(100000, 60000, 1000, 0, 2000);
  CHECK(t.discount == 10000);
  CHECK(t.tax == 10800);
  CHECK(t.total == 100000 - 10000 + 10800);
  // A fixed discount larger than the subtotal takes it to zero, never below.
  t = invoiceTotals(5000, 5000, std::nullopt, 9999, 2000);
  CHECK(t.discount == 5000);
  CHECK(t.tax == 0);
  CHECK(t.total == 0);
  // Nothing taxable: no tax whatever the rate.
  t = invoiceTotals(5000, 0, std::nullopt, 0, 2500);
  CHECK(t.tax == 0);
  CHECK(t.total == 5000);
  // Yen: no minor unit, the same arithmetic on whole yen: 10% of 1,001 yen rounds to 100.
  t = invoiceTotals(1001, 1001, std::nullopt, 0, 1000);
  CHECK(t.tax == 100);
  CHECK(t.total == 1101);
}

TEST_CASE("invoice numbers and decimal text") {
  CHECK(invoiceNumber(2026, 1) == "2026-0001");
  CHECK(invoiceNumber(2026, 9999) == "2026-9999");
  CHECK(invoiceNumber(2026, 12345) == "2026-12345");
  CHECK(decimalText(123456, 2) == "1234.56");
  CHECK(decimalText(5, 2) == "0.05");
  CHECK(decimalText(-5, 3) == "-0.005");
  CHECK(decimalText(1500, 0) == "1500");
  CHECK(decimalText(0, 2) == "0.00");
  CHECK(decimalText(std::numeric_limits<std::int64_t>::min(), 2) == "-92233720368547758.08");
}
