#pragma once
// A small, fast JSON writer for the clients' answers. Poco::JSON builds a tree of
// Dynamic::Var values and writes it through an ostream, which costs more than the database
// query for a page of clients (measured with perf on bench/clients.sh); this appends to a
// string. Input text must be valid UTF-8 (the validator guarantees it for stored data).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lexos::clients {

/// Appends JSON to a string; the caller keeps keys and values in a well-formed order. Not
/// thread-safe; one per answer.
class JsonWriter {
 public:
  JsonWriter& beginObject() { return open('{'); }
  JsonWriter& endObject() { return close('}'); }
  JsonWriter& beginArray() { return open('['); }
  JsonWriter& endArray() { return close(']'); }
  /// Writes `"name":`; the next call writes its value.
  JsonWriter& key(const char* name);
  JsonWriter& value(const std::string& s);
  JsonWriter& value(const char* s) { return value(std::string(s)); }
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(bool b);
  JsonWriter& null();
  JsonWriter& value(const std::optional<std::string>& s) { return s ? value(*s) : null(); }
  JsonWriter& value(const std::optional<std::int64_t>& n) { return n ? value(*n) : null(); }
  /// The text written so far.
  const std::string& str() const { return out_; }

 private:
  JsonWriter& open(char c);
  JsonWriter& close(char c);
  void separate();

  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool afterKey_ = false;
};

}  // namespace lexos::clients
