#include <catch2/catch.hpp>

#include "guard/guard.h"

using lexos::core::Guard;

TEST_CASE("the session cookie splits into a positive firm id and a token") {
  std::int64_t firm = 0;
  std::string token;
  const std::string t = "abcdefghijklmnopqrstuvwxyz0123456789-_ABCDEFG";
  REQUIRE(Guard::parseSessionCookie("42." + t, firm, token));
  CHECK(firm == 42);
  CHECK(token == t);
  CHECK(Guard::cookieValue("theme=dark; __Host-lexos_session=42." + t + "; lang=en",
                           lexos::core::kSessionCookie) == "42." + t);
}

TEST_CASE("a session cookie without a firm, with a bad firm or with a short token is no session") {
  std::int64_t firm = 0;
  std::string token;
  const std::string t = "abcdefghijklmnopqrstuvwxyz";
  for (const std::string& c :
       {std::string(), t, "." + t, "0." + t, "-1." + t, "x." + t, std::string("7.short"),
        "99999999999999999999." + t, "9999999999999999999." + t}) {
    INFO(c);
    CHECK_FALSE(Guard::parseSessionCookie(c, firm, token));
  }
}
