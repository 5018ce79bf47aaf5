#include "search_index.h"

#include <algorithm>
#include <set>

#include "text.h"

namespace lexos::clients {

namespace {

// Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), folded.
// An empty entry means "a separator" (the multiplication and division signs).
const char* const kLatin[] = {
    // U+00C0..U+00FF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    // U+0100..U+017F
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s"};

// Folds one code point into `out`; returns false for a separator (punctuation, space, symbol).
bool foldCodePoint(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    const char ch = static_cast<char>(cp);
    if (ch >= 'A' && ch <= 'Z') out.push_back(static_cast<char>(ch - 'A' + 'a'));
    else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out.push_back(ch);
    else return false;
    return true;
  }
  if (cp >= 0xC0 && cp <= 0x17F) {
    const char* base = kLatin[cp - 0xC0];
    if (!*base) return false;
    out += base;
    return true;
  }
  if (cp < 0xC0) return false;                                       // Latin-1 punctuation, NBSP
  if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
      (cp >= 0xFF00 && cp <= 0xFF0F) || cp == 0xFEFF)
    return false;                                                    // general/CJK punctuation
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) cp += 0x20;         // Greek capitals
  else if (cp >= 0x410 && cp <= 0x42F) cp += 0x20;                   // Cyrillic capitals
  else if (cp >= 0x400 && cp <= 0x40F) cp += 0x50;
  text::appendUtf8(out, cp);
  return true;
}

// Splits folded text into alphanumeric runs.
std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  text::forEachCodePoint(text, [&](char32_t cp) {
    if (!foldCodePoint(cp, cur) && !cur.empty()) out.push_back(std::move(cur)), cur.clear();
  });
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Adds the pieces of each white-space separated word of `text` and, with `joined`, the pieces
// joined when there are several ("O'Brien" -> "o", "brien", "obrien"), so that a search for
// "obrien" finds O'Brien. Queries are split into pieces only: "o'brien" searches "o" and "brien".
void addWords(const std::string& text, std::set<std::string>& out, bool joined) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < text.size() && !(text[j] == ' ' || text[j] == '\t' || text[j] == '\n' || text[j] == '\r')) ++j;
    if (j > i) {
      auto ps = pieces(text.substr(i, j - i));
      std::string all;
      for (const auto& p : ps) {
        out.insert(p);
        all += p;
      }
      if (joined && ps.size() > 1) out.insert(all);
    }
    i = j;
  }
}

bool looksLikePhone(const std::string& q) {
  std::size_t digits = 0;
  for (char c : q) {
    if (c >= '0' && c <= '9') ++digits;
    else if (!(c == ' ' || c == '+' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/')) return false;
  }
  const char first = q.empty() ? ' ' : q[0];
  return digits >= 3 && (first == '+' || first == '(' || digits >= 6);
}

}  // namespace

std::string SearchIndex::fold(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  text::forEachCodePoint(text, [&](char32_t cp) {
    if (!foldCodePoint(cp, out)) text::appendUtf8(out, cp);
  });
  return out;
}

std::string SearchIndex::sortKey(const std::string& name) {
  const std::string folded = fold(name);
  std::string out;
  for (char c : folded) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::vector<std::string> SearchIndex::tokensOf(const Client& client) {
  std::set<std::string> out;
  addWords(client.name, out, true);
  // An organisation is found by its contact person's name too.
  if (client.contact_person) addWords(*client.contact_person, out, true);
  for (const auto& e : client.emails) addWords(e.address, out, true);
  for (const auto& p : client.phones) {
    // Every trailing run of 4 or more digits, so "7946 0958" and "0958" find +44 20 7946 0958.
    const std::string digits = p.number.substr(1);
    for (std::size_t i = 0; i + 4 <= digits.size(); ++i) out.insert(digits.substr(i));
  }
  out.erase("");
  return {out.begin(), out.end()};
}

std::vector<std::string> SearchIndex::queryWords(const std::string& query) {
  std::vector<std::string> words;
  if (looksLikePhone(query)) {
    // Leading zeros are a national trunk prefix ("020 7946 0958" is +44 20 7946 0958) or an
    // international one ("0044 ..."): the digits after them are a trailing run of the number.
    std::string digits;
    for (char c : query)
      if (c >= '0' && c <= '9' && !(c == '0' && digits.empty())) digits.push_back(c);
    if (!digits.empty()) words.push_back(digits);
    return words;
  }
  std::set<std::string> seen;
  addWords(query, seen, false);
  // Drop a word that is a prefix of another one: it adds no condition.
  for (const auto& w : seen) {
    bool implied = false;
    for (const auto& other : seen)
      if (other != w && other.compare(0, w.size(), w) == 0) implied = true;
    if (!implied) words.push_back(w);
  }
  // The longest words are the most selective: keep those when there are too many.
  std::stable_sort(words.begin(), words.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  if (words.size() > kMaxQueryWords) words.resize(kMaxQueryWords);
  return words;
}

std::string SearchIndex::searchText(const std::vector<std::string>& tokens) {
  std::string out = " ";
  for (const auto& t : tokens) out += t + " ";
  return out;
}

bool SearchIndex::isDigits(const std::string& word) {
  if (word.empty()) return false;
  for (char c : word)
    if (c < '0' || c > '9') return false;
  return true;
}

std::string SearchIndex::prefixKey(const std::string& word) {
  std::size_t points = 0, i = 0;
  for (; i < word.size(); ++i) {
    // A code point starts at every byte that is not a UTF-8 continuation byte.
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80 && points++ == kPrefixLength) break;
  }
  return word.substr(0, i);
}

std::vector<std::string> SearchIndex::prefixesOf(const std::vector<std::string>& tokens) {
  std::set<std::string> out;
  for (const auto& t : tokens) {
    if (isDigits(t)) continue;  // digit runs are searched in client_search (see the repository)
    std::size_t points = 0;
    for (std::size_t i = 1; i <= t.size() && points < kPrefixLength; ++i)
      if (i == t.size() || (static_cast<unsigned char>(t[i]) & 0xC0) != 0x80) {
        out.insert(t.substr(0, i));
        ++points;
      }
  }
  return {out.begin(), out.end()};
}

}  // namespace lexos::clients
