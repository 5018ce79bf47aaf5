#include "json_request.h"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "lexos/sdk/errors.h"

namespace lexos::plugin {

std::size_t charCount(const std::string& s) {
  std::size_t n = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) ++n;
  return n;
}

Poco::JSON::Object::Ptr jsonObject(sdk::Context& c, const std::set<std::string>& allowed) {
  if (c.request().contentType() != "application/json")
    throw sdk::BadRequest("body", "Send the request as application/json.");
  return parseJsonObject("application/json", c.request().body(), allowed);
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& contentType, const std::string& body,
                                        const std::set<std::string>& allowed) {
  if (contentType != "application/json")
    throw sdk::BadRequest("body", "Send the request as application/json.");
  Poco::JSON::Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) o = v.extract<Poco::JSON::Object::Ptr>();
  } catch (const sdk::HttpError&) {
    throw;
  } catch (const std::exception&) {
    throw sdk::BadRequest("body", "The body is not valid JSON.");
  }
  if (!o) throw sdk::BadRequest("body", "The body must be a JSON object.");
  if (!allowed.empty())
    for (const auto& name : o->getNames())
      if (!allowed.count(name)) throw sdk::BadRequest(name, "Unknown field '" + name + "'.");
  return o;
}

static std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::optional<std::string> optText(const Poco::JSON::Object::Ptr& o, const std::string& field, std::size_t maxChars,
                                   bool nullable) {
  if (!o->has(field)) return std::nullopt;
  if (o->isNull(field)) {
    if (nullable) return std::string();
    throw sdk::BadRequest(field, "Enter " + field + ".");
  }
  auto v = o->get(field);
  if (!v.isString()) throw sdk::BadRequest(field, "This must be text.");
  std::string s = trim(v.extract<std::string>());
  if (charCount(s) > maxChars)
    throw sdk::BadRequest(field, "Use at most " + std::to_string(maxChars) + " characters.");
  for (char ch : s)
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t')
      throw sdk::BadRequest(field, "This contains control characters.");
  return s;
}

std::string reqText(const Poco::JSON::Object::Ptr& o, const std::string& field, std::size_t maxChars,
                    const std::string& message) {
  auto s = optText(o, field, maxChars, false);
  if (!s || s->empty()) throw sdk::BadRequest(field, message);
  return *s;
}

std::optional<bool> optBool(const Poco::JSON::Object::Ptr& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return std::nullopt;
  auto v = o->get(field);
  if (v.type() != typeid(bool)) throw sdk::BadRequest(field, "This must be true or false.");
  return v.extract<bool>();
}

std::optional<std::int64_t> optInt(const Poco::JSON::Object::Ptr& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return std::nullopt;
  auto v = o->get(field);
  try {
    if (v.isString()) {
      std::string s = v.extract<std::string>();
      if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
        throw sdk::BadRequest(field, "This must be a whole number.");
      return std::stoll(s);
    }
    if (v.isInteger()) return v.convert<std::int64_t>();
  } catch (const sdk::HttpError&) {
    throw;
  } catch (...) {
  }
  throw sdk::BadRequest(field, "This must be a whole number.");
}

std::int64_t pathId(sdk::Context& c, const std::string& name) {
  const std::string& s = c.request().pathParam(name);
  if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
    throw sdk::NotFound();
  return std::stoll(s);
}

std::string checkDate(const std::string& v, const std::string& field) {
  auto bad = [&] { return sdk::BadRequest(field, "Enter a date as YYYY-MM-DD."); };
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') throw bad();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) throw bad();
  const int y = std::stoi(v.substr(0, 4)), m = std::stoi(v.substr(5, 2)), d = std::stoi(v.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1] + (m == 2 && leap ? 1 : 0)) throw bad();
  return v;
}

std::string toJson(const Poco::Dynamic::Var& v) {
  std::ostringstream ss;
  Poco::JSON::Stringifier::stringify(v, ss);
  return ss.str();
}

void sendList(sdk::Context& c, const Poco::JSON::Array& items) {
  Poco::JSON::Object out;
  out.set("items", items);
  out.set("next_cursor", Poco::Dynamic::Var());
  sendJson(c, out);
}

void sendJson(sdk::Context& c, const Poco::Dynamic::Var& v, int status) { c.response().sendJson(toJson(v), status); }

}  // namespace lexos::plugin
