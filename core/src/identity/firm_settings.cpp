#include "identity/firm_settings.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include "common/time.h"
#include "data/connection.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

namespace {

std::string zoneDir() {
  const char* d = std::getenv("TZDIR");
  return d && *d ? d : "/usr/share/zoneinfo";
}

bool plainText(const std::string& s, bool multiline) {
  for (unsigned char ch : s) {
    if (ch == '\n' && multiline) continue;
    if (ch < 0x20 || ch == 0x7f) return false;
  }
  return true;
}

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

bool isTimeZone(const std::string& name) {
  // A name of the database, never a path: letters, digits, '_', '-', '+' in '/'-separated parts,
  // none starting with '.'.
  if (name.empty() || name.size() > 64) return false;
  bool partStart = true;
  for (char ch : name) {
    if (ch == '/') {
      if (partStart) return false;
      partStart = true;
      continue;
    }
    const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '-' || ch == '+';
    if (!ok || (partStart && (ch == '-' || ch == '+'))) return false;
    partStart = false;
  }
  if (partStart) return false;
  const std::string dir = zoneDir();
  // "posix/" and "right/" are the same zones again, with other leap-second rules: not offered.
  if (name.rfind("posix/", 0) == 0 || name.rfind("right/", 0) == 0) return false;
  std::ifstream in(dir + "/" + name, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "TZif";
}

std::optional<std::string> countryName(const std::string& code) {
  static std::once_flag once;
  static std::map<std::string, std::string> names;
  std::call_once(once, [] {
    std::ifstream in(zoneDir() + "/iso3166.tab");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto tab = line.find('\t');
      if (tab == 2) names.emplace(line.substr(0, 2), line.substr(3));
    }
  });
  auto it = names.find(code);
  if (it == names.end()) return std::nullopt;
  return it->second;
}

namespace {

// Debian's iso-codes list, read once; $LEXOS_ISO_CODES_DIR points elsewhere (tests, other
// systems). A missing file leaves the list empty: every code is then refused, and the log of
// the 400 names the file through the message.
std::string isoCodesDir() {
  const char* d = std::getenv("LEXOS_ISO_CODES_DIR");
  return d && *d ? d : "/usr/share/iso-codes/json";
}

const std::map<std::string, std::string>& currencyTable() {
  static std::once_flag once;
  static std::map<std::string, std::string> table;
  std::call_once(once, [] {
    std::ifstream in(isoCodesDir() + "/iso_4217.json");
    if (!in) return;
    try {
      Poco::JSON::Parser parser;
      auto root = parser.parse(in).extract<Poco::JSON::Object::Ptr>();
      auto list = root->getArray("4217");
      for (std::size_t i = 0; list && i < list->size(); ++i) {
        auto o = list->getObject(i);
        if (!o || !o->has("alpha_3")) continue;
        const std::string code = o->getValue<std::string>("alpha_3");
        // Units of account, not money: metals, SDR, bond units, testing and "no currency".
        static const char* const kNotMoney[] = {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR",
                                                "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"};
        bool skip = false;
        for (const char* n : kNotMoney) skip |= code == n;
        if (!skip && code.size() == 3) table.emplace(code, o->optValue<std::string>("name", code));
      }
    } catch (const std::exception&) {
      table.clear();
    }
  });
  return table;
}

}  // namespace

std::optional<std::string> currencyName(const std::string& code) {
  const auto& t = currencyTable();
  auto it = t.find(code);
  if (it == t.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> currencies() {
  const auto& t = currencyTable();
  return {t.begin(), t.end()};
}

FirmSettings readFirmSettings(Connection& c, std::int64_t firm) {
  auto rs = c.query(
      "SELECT f.slug, f.name, s.time_zone, s.country, s.address, s.updated_at, s.default_currency FROM firms f "
      "LEFT JOIN firm_settings s ON s.firm_id = f.id WHERE f.id = $1",
      {firm});
  if (rs.empty()) throw std::runtime_error("no firm " + std::to_string(firm));
  const auto& r = rs.rows[0];
  FirmSettings s;
  s.slug = sdk::asText(r[0]);
  s.name = sdk::asText(r[1]);
  if (!sdk::isNull(r[2])) {
    s.time_zone = sdk::asText(r[2]);
    s.country = sdk::asText(r[3]);
    s.address = sdk::asText(r[4]);
    s.updated_at = sdk::asText(r[5]);
    s.default_currency = sdk::asText(r[6]);
  }
  return s;
}

FirmSettings writeFirmSettings(Connection& c, std::int64_t firm, const FirmSettingsChange& change) {
  FirmSettings s = readFirmSettings(c, firm);
  if (change.name) {
    const std::string v = trimmed(*change.name);
    if (v.empty()) throw sdk::BadRequest("name", "Enter the firm's name.");
    if (v.size() > 200 || !plainText(v, false))
      throw sdk::BadRequest("name", "The firm's name must be one line of at most 200 characters.");
    s.name = v;
  }
  if (change.time_zone) {
    if (!isTimeZone(*change.time_zone))
      throw sdk::BadRequest("time_zone", "'" + change.time_zone->substr(0, 64) +
                                             "' is not a time zone of the tz database; use a name like America/Chicago or Europe/Berlin.");
    s.time_zone = *change.time_zone;
  }
  if (change.country) {
    if (!change.country->empty() && !countryName(*change.country))
      throw sdk::BadRequest("country", "'" + change.country->substr(0, 8) +
                                           "' is not an ISO 3166-1 country code; use two capital letters like US or DE.");
    s.country = *change.country;
  }
  if (change.address) {
    std::string v = trimmed(*change.address);
    if (v.size() > 1000 || !plainText(v, true))
      throw sdk::BadRequest("address", "The address must be text of at most 1000 characters (lines separated by line breaks).");
    s.address = v;
  }
  if (change.default_currency) {
    if (!change.default_currency->empty() && !currencyName(*change.default_currency))
      throw sdk::BadRequest("default_currency", "'" + change.default_currency->substr(0, 8) +
                                                    "' is not an ISO 4217 currency code; use three capital letters like USD or EUR.");
    s.default_currency = *change.default_currency;
  }
  s.updated_at = utcTimestamp();
  if (change.name) c.execute("UPDATE firms SET name = $1 WHERE id = $2", {s.name, firm});
  c.execute("DELETE FROM firm_settings WHERE firm_id = $1", {firm});
  c.execute("INSERT INTO firm_settings (firm_id, time_zone, country, address, updated_at, default_currency) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            {firm, s.time_zone, s.country, s.address, s.updated_at, s.default_currency});
  return s;
}

}  // namespace lexos::core
