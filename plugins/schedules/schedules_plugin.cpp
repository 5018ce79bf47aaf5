// The schedules module: declarations only; the work is in the handler classes.
#include <stdexcept>
#include <string>

#include "event_handlers.h"
#include "feed_handlers.h"
#include "firm_time.h"
#include "lexos/sdk/lexos.h"
#include "portal_event_handlers.h"
#include "reminder_handlers.h"
#include "schema.h"

namespace lexos::schedules {

using sdk::Audience;
using sdk::Method;

// What the main routes take and answer (SDK 1.7), for GET /api/v1/openapi.json: an event is
// event_store.cpp's writeEvent. The portal's is closed, so an answer that leaked a staff-only
// member (notes, attendees, client_id) fails the description's check in the tests.
static void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  auto members = [](S s) {
    return s.field("id", S::id())
        .field("case_id", S::id())
        .field("case_title", S::string())
        .field("kind", S::string())
        .field("title", S::string())
        .field("location", S::string())
        .field("all_day", S::boolean())
        .field("time_zone", S::string())
        .field("status", S::string())
        .field("sequence", S::integer().minimum(0))
        .field("starts_at", S::string().describe("UTC time; all-day events: the first day"))
        .field("ends_at", S::string().orNull())
        .field("starts_local", S::string())
        .field("ends_local", S::string().orNull())
        .field("start_date", S::date())
        .field("end_date", S::string())
        .field("created_at", S::dateTime())
        .field("updated_at", S::dateTime());
  };
  const S event = members(S::object())
                      .field("client_id", S::id())
                      .field("matter_number", S::string())
                      .field("client_visible", S::boolean())
                      .field("notes", S::string())
                      .field("reminder_minutes", S::integer().orNull())
                      .field("attendees", S::array(S::object().field("user_id", S::id()).field("name", S::string())));
  const S input = S::object()
                      .field("title", S::string())
                      .optionalField("kind", S::string())
                      .field("starts_at", S::string().describe("UTC time, or a date for all-day events"))
                      .optionalField("ends_at", S::string().orNull())
                      .optionalField("all_day", S::boolean())
                      .optionalField("location", S::string().orNull())
                      .optionalField("client_visible", S::boolean())
                      .optionalField("attendee_ids", S::array(S::id()))
                      .optionalField("notes", S::string().orNull())
                      .optionalField("reminder_minutes", S::integer().orNull())
                      .optionalField("status", S::string())
                      .closed();
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases/{id}/events")
                      .response(S::list(event).field("time_zone", S::string()).field("today", S::date())));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/events").request(input).response(event, 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/events")
                      .response(S::list(members(S::object()).closed()).field("time_zone", S::string())));
}

class SchedulesPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("clients");
    r.requirePlugin("cases");  // events belong to a case (foreign key), and show its title
    r.addPermission({"schedules.read", "See the calendar: events of cases, one's own feed address",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal, sdk::kRoleBilling}});
    r.addPermission({"schedules.write", "Put events in the calendar, change and cancel them",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"schedules.portal", "Portal: see the events the firm shared on my matters", {sdk::kRolePortal}});

    r.addTable({"schedule_events", sdk::Tenancy::Client, "client_id", "client_visible", {"firm_id", "id"}});
    r.addTable({"schedule_attendees", sdk::Tenancy::Firm, "", "", {"firm_id", "event_id", "user_id"}});
    r.addTable({"schedule_reminders", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"schedule_feeds", sdk::Tenancy::Client, "client_id", "", {"firm_id", "user_id"}});
    // What a portal session reads (docs/isolation.md): the event as the client sees it; never the
    // firm's notes on it, its reminder, who made or changed it.
    r.addPortalColumns({"schedule_events", {"case_id", "kind", "title", "location", "all_day", "starts_at", "ends_at",
                                            "start_date", "end_date", "time_zone", "status", "sequence", "created_at",
                                            "updated_at"}});
    r.addPortalColumns({"schedule_feeds", {"generation"}});
    r.addMigration({1, "events, attendees, reminders, feeds", schema::kV1, "", ""});

    r.addNav({Audience::Staff, "Practice Management", "Calendar", "#/calendar", "schedules.read", 25});
    r.addView({Audience::Staff, "calendar", "calendar.js", "schedules.read", "Calendar"});
    r.addContribution({"staff.client.cards", "client_card.js", "schedules.read", "Upcoming", 25});
    r.addContribution({"staff.case.cards", "case_card.js", "schedules.read", "Upcoming", 15});
    r.addContribution({"portal.matter.sections", "portal_section.js", "schedules.portal", "Upcoming", 15});

    constexpr std::size_t kBody = 32 * 1024;
    describeRoutes(r);
    r.addRoute({Method::Get, "/api/v1/cases/{id}/events", Audience::Staff, "schedules.read", &EventHandlers::listForCase, 0,
                "Events of a case"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/events", Audience::Staff, "schedules.write", &EventHandlers::create, kBody,
                "Put an event in the calendar {title, kind, starts_at, ends_at?, all_day?, location?, client_visible}"});
    r.addRoute({Method::Get, "/api/v1/events", Audience::Staff, "schedules.read", &EventHandlers::list, 0,
                "The calendar: events from..to (local dates), or upcoming"});
    r.addRoute({Method::Get, "/api/v1/events/{id}", Audience::Staff, "schedules.read", &EventHandlers::get, 0, "An event"});
    r.addRoute({Method::Patch, "/api/v1/events/{id}", Audience::Staff, "schedules.write", &EventHandlers::patch, kBody,
                "Change or cancel an event (status)"});
    r.addRoute({Method::Get, "/api/v1/calendar/staff", Audience::Staff, "schedules.read", &EventHandlers::staff, 0,
                "Staff who may attend events"});
    r.addRoute({Method::Get, "/api/v1/calendar/settings", Audience::Staff, "schedules.read", &EventHandlers::getSettings, 0,
                "The firm's time zone (Firm settings) and today's date in it"});
    r.addRoute({Method::Get, "/api/v1/calendar/feed", Audience::Staff, "schedules.read", &FeedHandlers::staffAddress, 0,
                "My private ICS feed address"});
    r.addRoute({Method::Delete, "/api/v1/calendar/feed", Audience::Staff, "schedules.read", &FeedHandlers::staffReset, 0,
                "Reset my feed address (the old one stops)"});
    r.addRoute({Method::Get, "/api/v1/portal/events", Audience::Portal, "schedules.portal", &PortalEventHandlers::list, 0,
                "Portal: upcoming events shared with me"});
    r.addRoute({Method::Get, "/api/v1/portal/calendar/feed", Audience::Portal, "schedules.portal",
                &FeedHandlers::portalAddress, 0, "Portal: my private ICS feed address"});
    r.addRoute({Method::Get, "/api/v1/calendar/feeds/{token}", Audience::Public, sdk::kPublic, &FeedHandlers::feed, 0,
                "An ICS feed (the signed address is the credential)"});
    r.addRoute({Method::Delete, "/api/v1/calendar/feeds/{token}", Audience::Public, sdk::kPublic, &FeedHandlers::revoke, 0,
                "Revoke an ICS feed address (holding it is the credential)"});
    // Reminders go out without an operator's timer: the host runs this every minute for every
    // firm with the module on (SDK 1.8). The dispatch route below stays for those who call it.
    {
      sdk::Job job;
      job.id = "reminders";
      // [plugin.schedules] reminder_seconds: how often (10 to 3600; default 60).
      int every = 60;
      try {
        every = std::stoi(r.config("reminder_seconds", "60"));
      } catch (...) {
        every = 0;
      }
      if (every < 10 || every > 3600)
        throw std::invalid_argument("[plugin.schedules] reminder_seconds must be a number of seconds from 10 to 3600");
      job.every_seconds = every;
      job.handler = &ReminderHandlers::job;
      job.summary = "Send the firm's due e-mail reminders";
      r.addJob(job);
    }
    r.addRoute({Method::Post, "/api/v1/calendar/reminders/dispatch", Audience::Public, sdk::kPublic,
                &ReminderHandlers::dispatch, 4096, "Send a firm's due reminders (Bearer dispatch_secret)"});
  }
};

}  // namespace lexos::schedules

LEXOS_PLUGIN(lexos::schedules::SchedulesPlugin, "schedules", "0.1.0")
