// Signed dotted values (core/src/common/signed_value.cpp), shared by the MFA and device cookies:
// splitting, whole numbers, and HMAC-SHA256 against RFC 4231's test vector.
#include <catch2/catch.hpp>

#include "common/signed_value.h"

using namespace lexos::core;

TEST_CASE("a signed dotted value splits into its fields and a 64-character signature, anything else is refused") {
  const std::string sig(64, 'a');
  auto p = splitSignedValue("12.34.1700000000." + sig, 3);
  REQUIRE(p);
  REQUIRE(p->size() == 4);
  CHECK((*p)[0] == "12");
  CHECK((*p)[2] == "1700000000");
  CHECK((*p)[3] == sig);
  CHECK_FALSE(splitSignedValue("", 3));
  CHECK_FALSE(splitSignedValue("12.34." + sig, 3));            // a field short
  CHECK_FALSE(splitSignedValue("12.34.5.6." + sig, 3));        // a field too many
  CHECK_FALSE(splitSignedValue("12.34.5." + sig + "0", 3));    // signature of 65
  CHECK_FALSE(splitSignedValue("12.34.5." + sig.substr(1), 3));
  CHECK_FALSE(splitSignedValue(std::string(140, '1') + ".2.3." + sig, 3));  // over 200 characters
}

TEST_CASE("whole numbers are read exactly or not at all") {
  CHECK(wholeNumber("42") == std::optional<std::int64_t>(42));
  CHECK(wholeNumber("-7") == std::optional<std::int64_t>(-7));
  CHECK_FALSE(wholeNumber(""));
  CHECK_FALSE(wholeNumber("12x"));
  CHECK_FALSE(wholeNumber("x12"));
  CHECK_FALSE(wholeNumber("99999999999999999999"));
}

TEST_CASE("HMAC-SHA256 as hex matches RFC 4231 test case 2") {
  CHECK(hmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
