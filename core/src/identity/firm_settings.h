#pragma once
// A firm's own settings (core migration 13, table firm_settings): its name as shown to clients,
// postal address, time zone and country. Read by the host for a plugin (Context::firm, SDK 1.5),
// changed by the owner (PATCH /api/v1/firm) or by `lexosctl firm set`.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lexos::core {

class Connection;

struct FirmSettings {
  std::string slug;
  std::string name;
  std::string time_zone = "UTC";  ///< an IANA name from the system's tz database
  std::string country;            ///< ISO 3166-1 alpha-2, upper case; empty when not set
  std::string address;            ///< postal address, lines separated by "\n"
  std::string default_currency;   ///< ISO 4217 code, upper case ("EUR"); empty when not set
  std::string updated_at;         ///< empty while never changed
};

struct FirmSettingsChange {
  std::optional<std::string> name, time_zone, country, address, default_currency;
};

/// The settings of `firm`, read in the connection's current scope (which must be that firm's
/// staff scope). Throws std::runtime_error when there is no such firm.
FirmSettings readFirmSettings(Connection& c, std::int64_t firm);

/// Checks a change and writes it in the caller's transaction (the firm's staff scope). Throws
/// sdk::BadRequest naming the field ("name", "time_zone", "country", "address",
/// "default_currency").
FirmSettings writeFirmSettings(Connection& c, std::int64_t firm, const FirmSettingsChange& change);

/// True for a zone of the tz database installed with the system (Debian's tzdata, read from
/// /usr/share/zoneinfo or $TZDIR): "America/Chicago", "Europe/Berlin", "UTC".
bool isTimeZone(const std::string& name);
/// The English name of an ISO 3166-1 alpha-2 code from the tz database's iso3166.tab, or
/// nothing when the code is not a country there.
std::optional<std::string> countryName(const std::string& code);
/// The English name of a currency of ISO 4217 from Debian's iso-codes list
/// (/usr/share/iso-codes/json/iso_4217.json), or nothing when the code is not a currency there.
/// Precious metals, SDR, bond units and the testing codes (XAU, XDR, XBA, XTS, XXX, ...) are
/// not currencies a firm keeps its books in: nothing for them as well.
std::optional<std::string> currencyName(const std::string& code);
/// Every currency currencyName() knows, as (code, name), sorted by code.
std::vector<std::pair<std::string, std::string>> currencies();

}  // namespace lexos::core
