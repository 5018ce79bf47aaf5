#include "firm_time.h"

#include <libical/ical.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include "lexos/sdk/errors.h"

namespace lexos::schedules {

namespace {

bool digitsAt(const std::string& s, std::initializer_list<int> at) {
  for (int i : at)
    if (i >= static_cast<int>(s.size()) || !std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

int num(const std::string& s, std::size_t pos, std::size_t n) { return std::stoi(s.substr(pos, n)); }

bool realDate(int y, int m, int d) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

// "YYYY-MM-DDTHH:MM[:SS]" -> fields, or false.
bool parseWall(const std::string& v, int& y, int& mo, int& d, int& h, int& mi, int& s) {
  if (v.size() != 16 && v.size() != 19) return false;
  if (v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':') return false;
  if (!digitsAt(v, {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15})) return false;
  s = 0;
  if (v.size() == 19) {
    if (v[16] != ':' || !digitsAt(v, {17, 18})) return false;
    s = num(v, 17, 2);
  }
  y = num(v, 0, 4), mo = num(v, 5, 2), d = num(v, 8, 2), h = num(v, 11, 2), mi = num(v, 14, 2);
  return realDate(y, mo, d) && h < 24 && mi < 60 && s < 60;
}

icaltimezone* zoneOf(const std::string& zone) {
  if (zone == "UTC") return icaltimezone_get_utc_timezone();
  return icaltimezone_get_builtin_timezone(zone.c_str());
}

std::string format(const icaltimetype& t, bool utc) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%s", t.year, t.month, t.day, t.hour, t.minute, t.second,
                utc ? "Z" : "");
  return buf;
}

icaltimetype fromUtcText(const std::string& utc) {
  icaltimetype t = icaltime_null_time();
  t.year = num(utc, 0, 4), t.month = num(utc, 5, 2), t.day = num(utc, 8, 2);
  t.hour = num(utc, 11, 2), t.minute = num(utc, 14, 2), t.second = num(utc, 17, 2);
  t.is_date = 0;
  t.zone = icaltimezone_get_utc_timezone();
  return t;
}

}  // namespace

std::mutex& icalLock() {
  static std::mutex m;
  return m;
}

bool validZone(const std::string& zone) {
  if (zone.empty() || zone.size() > 64) return false;
  for (char ch : zone)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '/' || ch == '_' || ch == '-' || ch == '+')) return false;
  std::lock_guard<std::mutex> g(icalLock());
  return zoneOf(zone) != nullptr;
}

std::string localToUtc(const std::string& local, const std::string& zone, const std::string& field) {
  int y, mo, d, h, mi, s;
  if (!parseWall(local, y, mo, d, h, mi, s))
    throw sdk::BadRequest(field, "Enter a date and time as YYYY-MM-DDTHH:MM (in the firm's time zone) or in UTC ending in Z.");
  std::lock_guard<std::mutex> g(icalLock());
  icaltimezone* tz = zoneOf(zone);
  if (!tz) throw std::runtime_error("unknown time zone " + zone);
  icaltimetype t = icaltime_null_time();
  t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi, t.second = s;
  t.is_date = 0;
  t = icaltime_set_timezone(&t, tz);
  const icaltimetype utc = icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
  // A wall-clock time skipped when the clocks go forward (02:30 on a spring-forward night) has
  // no instant; libical would quietly move it. Refuse it instead: the person meant something
  // else. A repeated time (the autumn night) is taken as its first occurrence.
  const icaltimetype back = icaltime_convert_to_zone(utc, tz);
  if (back.hour != h || back.minute != mi || back.day != d)
    throw sdk::BadRequest(field, "There is no " + local.substr(11, 5) + " on " + local.substr(0, 10) + " in " + zone +
                                     ": the clocks go forward then. Choose another time.");
  return format(utc, true);
}

std::string utcToLocal(const std::string& utc, const std::string& zone) {
  std::lock_guard<std::mutex> g(icalLock());
  icaltimezone* tz = zoneOf(zone);
  if (!tz || utc.size() < 19) return utc;
  const icaltimetype t = icaltime_convert_to_zone(fromUtcText(utc), tz);
  return format(t, false).substr(0, 16);
}

std::string nowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string todayIn(const std::string& zone) { return utcToLocal(nowUtc(), zone).substr(0, 10); }

std::string addMinutes(const std::string& utc, long long minutes) {
  std::tm tm{};
  tm.tm_year = num(utc, 0, 4) - 1900, tm.tm_mon = num(utc, 5, 2) - 1, tm.tm_mday = num(utc, 8, 2);
  tm.tm_hour = num(utc, 11, 2), tm.tm_min = num(utc, 14, 2), tm.tm_sec = num(utc, 17, 2);
  std::time_t t = timegm(&tm) + static_cast<std::time_t>(minutes * 60);
  std::tm out{};
  gmtime_r(&t, &out);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &out);
  return buf;
}

std::string addDays(const std::string& date, int days) {
  return addMinutes(date + "T00:00:00Z", static_cast<long long>(days) * 24 * 60).substr(0, 10);
}

std::string checkDate(const std::string& v, const std::string& field) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-' || !digitsAt(v, {0, 1, 2, 3, 5, 6, 8, 9}) ||
      !realDate(num(v, 0, 4), num(v, 5, 2), num(v, 8, 2)))
    throw sdk::BadRequest(field, "Enter a date as YYYY-MM-DD.");
  return v;
}

std::string checkUtc(const std::string& v, const std::string& field) {
  int y, mo, d, h, mi, s;
  if (v.empty() || v.back() != 'Z' || !parseWall(v.substr(0, v.size() - 1), y, mo, d, h, mi, s))
    throw sdk::BadRequest(field, "Enter a date and time as YYYY-MM-DDTHH:MM (in the firm's time zone) or in UTC ending in Z.");
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
  return buf;
}

std::string firmZone(sdk::Context& c) {
  sdk::FirmProfile firm;
  c.firm(firm);
  return validZone(firm.time_zone) ? firm.time_zone : "UTC";
}

}  // namespace lexos::schedules
