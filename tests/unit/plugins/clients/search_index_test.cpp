// The clients module's search keys (plugins/clients/search_index.cpp) and list cursor
// (list_cursor.cpp): tokens, the prefixes kept in client_prefixes, and cursors per sort order.
#include "clients/search_index.h"

#include <catch2/catch.hpp>

#include "clients/list_cursor.h"
#include "lexos/sdk/errors.h"

using lexos::clients::Client;
using lexos::clients::ListCursor;
using lexos::clients::ListSort;
using lexos::clients::SearchIndex;
using V = std::vector<std::string>;

TEST_CASE("an organisation's contact person is part of its search tokens") {
  Client c;
  c.name = "Acme Ltd";
  c.kind = "organisation";
  c.contact_person = "Józef Müller-Brandt";
  const auto t = SearchIndex::tokensOf(c);
  for (const char* want : {"acme", "ltd", "jozef", "muller", "brandt", "mullerbrandt"}) {
    INFO(want);
    CHECK(std::find(t.begin(), t.end(), want) != t.end());
  }
}

TEST_CASE("prefixes are 1 to 6 code points of every token not made of digits only") {
  CHECK(SearchIndex::prefixesOf({"smith"}) == V{"s", "sm", "smi", "smit", "smith"});
  CHECK(SearchIndex::prefixesOf({"jameson"}) == V{"j", "ja", "jam", "jame", "james", "jameso"});
  CHECK(SearchIndex::prefixesOf({"jam", "james"}) == V{"j", "ja", "jam", "jame", "james"});
  CHECK(SearchIndex::prefixesOf({"0958", "79460958"}).empty());
  CHECK(SearchIndex::prefixesOf({"12th"}) == V{"1", "12", "12t", "12th"});
  // Code points, not bytes: Greek letters are two bytes each.
  CHECK(SearchIndex::prefixesOf({"αβγδεζη"}) == V{"α", "αβ", "αβγ", "αβγδ", "αβγδε", "αβγδεζ"});
  CHECK(SearchIndex::prefixKey("αβγδεζη") == "αβγδεζ");
  CHECK(SearchIndex::prefixKey("jameson") == "jameso");
  CHECK(SearchIndex::prefixKey("jam") == "jam");
  CHECK(SearchIndex::isDigits("0123"));
  CHECK_FALSE(SearchIndex::isDigits("12th"));
  CHECK_FALSE(SearchIndex::isDigits(""));
}

TEST_CASE("a list cursor keeps its sort order and refuses a foreign one") {
  for (ListSort s : {ListSort::NameAsc, ListSort::NameDesc, ListSort::AddedAsc, ListSort::AddedDesc}) {
    const ListCursor c{s, s == ListSort::AddedAsc || s == ListSort::AddedDesc ? "2026-12-01T10:00:00Z" : "smith jane", 42};
    const ListCursor back = ListCursor::decode(c.encode());
    CHECK(back.sort == s);
    CHECK(back.sort_name == c.sort_name);
    CHECK(back.id == 42);
  }
  // The name order keeps the original two-element form, so earlier links still work.
  CHECK(ListCursor{ListSort::NameAsc, "a", 1}.encode() == "WyJhIiwxXQ");
  ListSort s;
  CHECK(lexos::clients::parseSort("-added", s));
  CHECK(s == ListSort::AddedDesc);
  CHECK_FALSE(lexos::clients::parseSort("Added", s));
  // ["name","a",1]: the three-element form names an order other than the default one.
  CHECK_THROWS_AS(ListCursor::decode("WyJuYW1lIiwiYSIsMV0"), lexos::sdk::BadRequest);
  // ["size","a",1]
  CHECK_THROWS_AS(ListCursor::decode("WyJzaXplIiwiYSIsMV0"), lexos::sdk::BadRequest);
}
