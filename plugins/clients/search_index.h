#pragma once
// How clients are found: the sort key of a name and the search tokens of a client.
//
// Search is prefix matching on tokens. A client's tokens are the words of its name, the parts
// of its e-mail addresses (split at '.', '@', '-', '_', '+', ...) and the trailing digit runs of
// its phone numbers, all folded (lower case, common Latin diacritics removed: "Müller" ->
// "muller"). A query is split the same way; a client matches when every query word is a prefix
// of one of its tokens. Tokens live in the table client_search (firm_id, token, client_id) and,
// space-separated, in clients.search_text; see client_repository.cpp for how they are queried.

#include <string>
#include <vector>

#include "client.h"

namespace lexos::clients {

/// Text folding and tokenisation for sorting and searching. Stateless; safe from any thread.
class SearchIndex {
 public:
  /// Lower case with common Latin, Greek and Cyrillic case and diacritic folding; other
  /// characters unchanged. Input must be valid UTF-8.
  static std::string fold(const std::string& text);
  /// The key clients are sorted by: the folded name with runs of white space collapsed.
  static std::string sortKey(const std::string& name);
  /// The distinct search tokens of a client (name, e-mail addresses, phone numbers).
  static std::vector<std::string> tokensOf(const Client& client);
  /// The words of a search query, as token prefixes (at most kMaxQueryWords). A query that
  /// looks like a phone number ("+44 20 7946", "(020) 7946-0958") is one word of its digits.
  static std::vector<std::string> queryWords(const std::string& query);
  /// " token1 token2 ... " (leading and trailing space), for LIKE '% word%' filtering.
  static std::string searchText(const std::vector<std::string>& tokens);
  /// True when `word` is made of ASCII digits only (a phone number's run, a house number).
  static bool isDigits(const std::string& word);
  /// The distinct prefixes, 1 to kPrefixLength code points long, of the tokens that are not
  /// digits only: the rows of client_prefixes (see client_repository.cpp).
  static std::vector<std::string> prefixesOf(const std::vector<std::string>& tokens);
  /// The first kPrefixLength code points of a word: its key in client_prefixes.
  static std::string prefixKey(const std::string& word);

  static constexpr std::size_t kMaxQueryWords = 8;
  /// The longest prefix kept in client_prefixes; longer query words are looked up by their
  /// first kPrefixLength code points and checked against the tokens.
  static constexpr std::size_t kPrefixLength = 6;
};

}  // namespace lexos::clients
