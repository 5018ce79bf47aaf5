// TOTP (RFC 6238) and its enrolment pieces: the RFC's own test vectors, base32 (RFC 4648), the
// drift window and the refusal of a used step, the otpauth URI and the QR code's SVG.
#include "identity/totp.h"

#include <catch2/catch.hpp>
#include <set>

using namespace lexos::core;

namespace {
// RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const std::string kRfcKey = "12345678901234567890";
}  // namespace

TEST_CASE("TOTP codes match the SHA-1 test vectors of RFC 6238 appendix B") {
  const std::pair<std::time_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"},
      {1111111111, "14050471"}, {1234567890, "89005924"},
      {2000000000, "69279037"}, {static_cast<std::time_t>(20000000000LL), "65353130"},
  };
  for (const auto& [t, want] : vectors) {
    INFO("T = " << t);
    CHECK(totp::at(kRfcKey, t, 8) == want);
    CHECK(totp::at(kRfcKey, t) == std::string(want).substr(2));  // 6 digits: the last six
  }
}

TEST_CASE("HOTP values match the test vectors of RFC 4226 appendix D") {
  const char* want[] = {"755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t i = 0; i < 10; ++i) CHECK(totp::hotp(kRfcKey, i) == want[i]);
}

TEST_CASE("base32 encodes and decodes the RFC 4648 test vectors") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, coded] : vectors) {
    CHECK(totp::base32Encode(plain) == coded);
    CHECK(totp::base32Decode(coded) == std::optional<std::string>(plain));
  }
  CHECK(totp::base32Decode("mzxw 6ytb oi======") == std::optional<std::string>("foobar"));
  CHECK_FALSE(totp::base32Decode("MZXW1"));  // '1' is not in the alphabet
  CHECK(totp::base32Encode(kRfcKey) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST_CASE("a code is accepted one step either side of now and refused once its step is used") {
  const std::time_t now = 1111111111;
  const std::int64_t step = totp::stepOf(now);
  CHECK(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now), now, 0) == step);
  CHECK(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now - 30), now, 0) == step - 1);
  CHECK(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now + 30), now, 0) == step + 1);
  CHECK_FALSE(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now - 60), now, 0));
  CHECK_FALSE(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now + 60), now, 0));
  // Used: the same code again, or the previous step's after the current one, is refused.
  CHECK_FALSE(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now), now, step));
  CHECK_FALSE(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now - 30), now, step));
  CHECK(totp::matchingStep(kRfcKey, totp::at(kRfcKey, now + 30), now, step) == step + 1);
  CHECK_FALSE(totp::matchingStep(kRfcKey, "12345", now, 0));
  CHECK_FALSE(totp::matchingStep(kRfcKey, "", now, 0));
}

TEST_CASE(
    "the otpauth URI names issuer and account and the QR code is an SVG with an accessible name") {
  const std::string uri = totp::otpauthUri("Anderson & Co", "a@b.test", "GEZDGNBV");
  CHECK(uri ==
        "otpauth://totp/Anderson%20%26%20Co:a@b.test?secret=GEZDGNBV&issuer=Anderson%20%26%20Co"
        "&algorithm=SHA1&digits=6&period=30");
  const std::string svg = totp::qrSvg(uri, "QR code <for> you");
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find("aria-label=\"QR code &lt;for&gt; you\"") != std::string::npos);
  CHECK(svg.find("<path fill=\"#000\" d=\"M") != std::string::npos);
  CHECK(svg.find(uri) == std::string::npos);  // drawn, not written
}

TEST_CASE("recovery codes are ten different codes of ten base32 letters and normalise as typed") {
  auto codes = totp::newRecoveryCodes(10);
  REQUIRE(codes.size() == 10);
  std::set<std::string> seen(codes.begin(), codes.end());
  CHECK(seen.size() == 10);
  for (const auto& c : codes) {
    CHECK(c.size() == 11);
    CHECK(c[5] == '-');
    CHECK(totp::normaliseRecoveryCode(c).size() == 10);
  }
  CHECK(totp::normaliseRecoveryCode(" ABCDE-fghij ") == "abcdefghij");
}
