#include "ics_feed.h"

#include <libical/ical.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "firm_time.h"

namespace lexos::schedules {

namespace {

int num(const std::string& s, std::size_t pos, std::size_t n) { return std::stoi(s.substr(pos, n)); }

icaltimetype utcTime(const std::string& utc) {
  icaltimetype t = icaltime_null_time();
  t.year = num(utc, 0, 4), t.month = num(utc, 5, 2), t.day = num(utc, 8, 2);
  t.hour = num(utc, 11, 2), t.minute = num(utc, 14, 2), t.second = num(utc, 17, 2);
  t.zone = icaltimezone_get_utc_timezone();
  return t;
}

icaltimetype dateOnly(const std::string& date) {
  icaltimetype t = icaltime_null_date();
  t.year = num(date, 0, 4), t.month = num(date, 5, 2), t.day = num(date, 8, 2);
  t.is_date = 1;
  return t;
}

// A timed property in the event's zone: the wall-clock time with TZID=<zone>, or UTC ("Z") for
// the UTC zone (which needs no VTIMEZONE).
icalproperty* zoned(icalproperty* (*make)(struct icaltimetype), const std::string& utc, icaltimezone* tz,
                    const std::string& zone) {
  if (!tz) return make(utcTime(utc));
  icaltimetype local = icaltime_convert_to_zone(utcTime(utc), tz);
  local.zone = nullptr;  // floating in the text; the TZID parameter names the zone
  icalproperty* p = make(local);
  icalproperty_add_parameter(p, icalparameter_new_tzid(zone.c_str()));
  return p;
}

}  // namespace

std::string buildCalendar(const std::string& name, const std::vector<IcsEvent>& events) {
  std::lock_guard<std::mutex> g(icalLock());
  std::unique_ptr<icalcomponent, void (*)(icalcomponent*)> cal(icalcomponent_new(ICAL_VCALENDAR_COMPONENT),
                                                               icalcomponent_free);
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//LexOS//Schedules 0.1//EN"));
  icalcomponent_add_property(cal.get(), icalproperty_new_calscale("GREGORIAN"));
  icalcomponent_add_property(cal.get(), icalproperty_new_method(ICAL_METHOD_PUBLISH));
  icalproperty* calName = icalproperty_new_x(name.c_str());
  icalproperty_set_x_name(calName, "X-WR-CALNAME");
  icalcomponent_add_property(cal.get(), calName);

  // The zones the timed events use, with the earliest instant each must cover.
  std::map<std::string, std::string> zones;
  for (const auto& e : events) {
    if (e.all_day || e.time_zone == "UTC" || e.time_zone.empty()) continue;
    auto it = zones.find(e.time_zone);
    if (it == zones.end() || e.starts_at < it->second) zones[e.time_zone] = e.starts_at;
  }
  std::map<std::string, icaltimezone*> tzOf;
  for (const auto& [zone, earliest] : zones) {
    icaltimezone* tz = icaltimezone_get_builtin_timezone(zone.c_str());
    if (!tz) continue;  // validated when set; a zone gone from tzdata falls back to UTC times
    tzOf[zone] = tz;
    icalcomponent* vtz = icalcomponent_new_clone(icaltimezone_get_component(tz));
    // Only the rules from a year before the first event on: the full history since 1883 is
    // several kilobytes per zone that no calendar program needs.
    icaltimetype from = utcTime(addMinutes(earliest, -366LL * 24 * 60));
    icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 0);
    // libical names its zones "/freeassociation.sourceforge.net/<Olson name>"; calendar programs
    // match the plain IANA name, which the events' TZID parameters use.
    if (icalproperty* tzid = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY)) icalproperty_set_tzid(tzid, zone.c_str());
    icalcomponent_add_component(cal.get(), vtz);
  }

  for (const auto& e : events) {
    icalcomponent* ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(ev, icalproperty_new_uid(e.uid.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(utcTime(e.updated_at)));
    icalcomponent_add_property(ev, icalproperty_new_created(utcTime(e.created_at)));
    icalcomponent_add_property(ev, icalproperty_new_lastmodified(utcTime(e.updated_at)));
    icalcomponent_add_property(ev, icalproperty_new_sequence(static_cast<int>(e.sequence)));
    icalcomponent_add_property(ev, icalproperty_new_summary(e.summary.c_str()));
    if (!e.location.empty()) icalcomponent_add_property(ev, icalproperty_new_location(e.location.c_str()));
    if (!e.description.empty()) icalcomponent_add_property(ev, icalproperty_new_description(e.description.c_str()));
    icalcomponent_add_property(ev, icalproperty_new_status(e.cancelled ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(ev, icalproperty_new_transp(e.all_day ? ICAL_TRANSP_TRANSPARENT : ICAL_TRANSP_OPAQUE));
    if (e.all_day) {
      icalcomponent_add_property(ev, icalproperty_new_dtstart(dateOnly(e.start_date)));
      // DTEND of an all-day event is the day after its last day (exclusive, RFC 5545 3.6.1).
      icalcomponent_add_property(ev, icalproperty_new_dtend(dateOnly(addDays(e.end_date, 1))));
    } else {
      auto it = tzOf.find(e.time_zone);
      icaltimezone* tz = it == tzOf.end() ? nullptr : it->second;
      icalcomponent_add_property(ev, zoned(icalproperty_new_dtstart, e.starts_at, tz, e.time_zone));
      if (!e.ends_at.empty()) icalcomponent_add_property(ev, zoned(icalproperty_new_dtend, e.ends_at, tz, e.time_zone));
    }
    icalcomponent_add_component(cal.get(), ev);
  }
  char* text = icalcomponent_as_ical_string_r(cal.get());  // ours to free
  std::string out = text ? std::string(text) : std::string();
  std::free(text);
  return out;
}

}  // namespace lexos::schedules
