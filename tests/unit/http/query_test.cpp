#include <catch2/catch.hpp>

#include "http/request_context.h"
#include "lexos/sdk/errors.h"

using lexos::core::parseQuery;
using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("query strings decode to name/value pairs in order, skipping empty parts") {
  CHECK(parseQuery("").empty());
  CHECK(parseQuery("q=caf%C3%A9+au+lait&&limit=25&flag") ==
        Pairs{{"q", "caf\xC3\xA9 au lait"}, {"limit", "25"}, {"flag", ""}});
  CHECK(parseQuery("a==b&=x&&") == Pairs{{"a", "=b"}, {"", "x"}});
}

TEST_CASE("a malformed or NUL percent-escape in a query string is a 400 naming query") {
  for (const char* raw : {"a=%zz", "a=%4", "a=%", "%00=x", "a=1&b=%0"}) {
    INFO(raw);
    try {
      parseQuery(raw);
      FAIL("accepted");
    } catch (const lexos::sdk::BadRequest& e) {
      CHECK(e.status() == 400);
      CHECK(e.field() == "query");
    }
  }
}
