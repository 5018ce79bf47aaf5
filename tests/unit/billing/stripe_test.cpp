// The Stripe provider's pure parts: webhook signatures (against a vector made by Stripe's official
// Node library, `stripe` 19.3.0: webhooks.generateTestHeaderString({payload: '{}', secret:
// 'whsec_x', timestamp: 1})), the tolerance on t, and the form encoding of API parameters.
#include <catch2/catch.hpp>

#include "billing/stripe.h"

using namespace lexos::billing::stripe;

namespace {
const std::string kLibraryHeader = "t=1,v1=36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401";
}

TEST_CASE("a webhook signed by Stripe's library verifies, another secret, payload or timestamp does not") {
  CHECK(verify("{}", kLibraryHeader, "whsec_x", 300, 1) == Verdict::Valid);
  CHECK(verify("{}", kLibraryHeader, "whsec_y", 300, 1) == Verdict::Mismatch);
  CHECK(verify("{ }", kLibraryHeader, "whsec_x", 300, 1) == Verdict::Mismatch);
  CHECK(verify("{}", "t=2,v1=36ee2f7498f0c1777d1312b2a7361947fe5ad31223be30d0c62421f4ca753401", "whsec_x", 300, 2) ==
        Verdict::Mismatch);
  // Within the tolerance either way; outside it a genuine signature is still refused.
  CHECK(verify("{}", kLibraryHeader, "whsec_x", 300, 301) == Verdict::Valid);
  CHECK(verify("{}", kLibraryHeader, "whsec_x", 300, 302) == Verdict::OutsideTolerance);
  // Several v1 signatures (a secret being rolled): any one that matches.
  CHECK(verify("{}", "t=1,v1=00," + kLibraryHeader.substr(4) + ",v0=ignored", "whsec_x", 300, 1) == Verdict::Valid);
}

TEST_CASE("a Stripe-Signature header without t or v1, or with a t that is not a number, is malformed") {
  for (const char* h : {"", "v1=abc", "t=1", "t=,v1=abc", "t=12a,v1=abc", "t=-1,v1=abc", "garbage"}) {
    INFO(h);
    CHECK_FALSE(parseSignatureHeader(h));
    CHECK(verify("{}", h, "whsec_x", 300, 1) == Verdict::Malformed);
  }
  const auto h = parseSignatureHeader("t=1700000000, v1=aa,v1=bb");
  REQUIRE(h);
  CHECK(h->timestamp == 1700000000);
  CHECK(h->v1 == std::vector<std::string>{"aa", "bb"});
}

TEST_CASE("HMAC-SHA256 matches RFC 4231's test case 2") {
  CHECK(hmacSha256Hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("API parameters are form-encoded with brackets escaped and UTF-8 percent-encoded, in order") {
  CHECK(formEncode({{"mode", "payment"}, {"line_items[0][quantity]", "1"}}) == "mode=payment&line_items%5B0%5D%5Bquantity%5D=1");
  CHECK(formEncode({{"name", "Invoice 2026-0001 - M\xC3\xBCller & S\xC3\xB6hne"}}) ==
        "name=Invoice%202026-0001%20-%20M%C3%BCller%20%26%20S%C3%B6hne");
  CHECK(formEncode({{"success_url", "https://x.test/portal/?checkout=success#/invoices/7"}}) ==
        "success_url=https%3A%2F%2Fx.test%2Fportal%2F%3Fcheckout%3Dsuccess%23%2Finvoices%2F7");
}
