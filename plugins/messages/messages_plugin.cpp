// The messages module: declarations only; the work is in the handler classes.
#include "lexos/sdk/lexos.h"
#include "message_handlers.h"
#include "schema.h"
#include "war_room_handlers.h"

namespace lexos::messages {

using sdk::Audience;
using sdk::Method;

// What the conversation routes take and answer (SDK 1.7), for GET /api/v1/openapi.json: a
// message is message_handlers.cpp's. The portal's is closed (attachments without `shared`).
static void describeRoutes(sdk::Registrar& r) {
  using sdk::DescriptionBuilder;
  using S = sdk::JsonSchema;
  auto message = [](bool staff) {
    S attachment = S::object().field("document_id", S::id()).field("name", S::string());
    if (staff) attachment.field("shared", S::boolean());
    S m = S::object()
              .field("id", S::id())
              .field("author_kind", S::string().oneOf({"staff", "client"}))
              .field("author_name", S::string())
              .field("mine", S::boolean())
              .field("text", S::string())
              .field("created_at", S::dateTime())
              .field("attachments", S::array(attachment.closed()));
    return staff ? m : m.closed();
  };
  const S after = S::object().optionalField("after", S::id().describe("Only messages after this id"));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/cases/{id}/messages")
                      .query(after)
                      .response(S::list(message(true))
                                    .field("after", S::integer())
                                    .field("last_read_id", S::integer())
                                    .field("unread", S::integer().minimum(0))));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/cases/{id}/messages")
                      .request(S::object()
                                   .field("text", S::string())
                                   .optionalField("document_ids", S::array(S::id()))
                                   .closed())
                      .response(message(true), 201));
  r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/portal/cases/{id}/messages")
                      .query(after)
                      .response(S::list(message(false)).field("after", S::integer())));
  r.describeRoute(DescriptionBuilder(Method::Post, "/api/v1/portal/cases/{id}/messages")
                      .request(S::object()
                                   .field("text", S::string())
                                   .optionalField("document_ids", S::array(S::id()))
                                   .closed())
                      .response(message(false), 201));
}

class MessagesPlugin : public sdk::Plugin {
 public:
  void registerWith(sdk::Registrar& r) override {
    r.requirePlugin("cases");      // a conversation belongs to a case (foreign key), so to its client
    r.requirePlugin("documents");  // attachments are the case's documents, shared with its client
    r.addPermission({"messages.read", "Read the secure conversations with clients and the inbox",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"messages.write", "Write to clients in a matter's secure conversation",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"messages.warroom", "Read and post in the staff-only War Room of a case",
                     {sdk::kRoleOwner, sdk::kRoleAttorney, sdk::kRoleParalegal}});
    r.addPermission({"messages.portal", "Portal: write to my legal team and read their answers", {sdk::kRolePortal}});

    // The conversation is the client's: a portal session reads its own client's messages and
    // inserts its own client's rows, nothing else (docs/isolation.md; SDK 1.6 addPortalInsert).
    // Who on the staff wrote a message (staff_user_id) stays the firm's. The War Room and the
    // read marks are the firm's own: no portal scope reads a row of them.
    r.addTable({"messages", sdk::Tenancy::Client, "client_id", "", {"firm_id", "id"}});
    r.addPortalColumns({"messages", {"case_id", "author_kind", "portal_user_id", "author_name", "text", "created_at"}});
    r.addPortalInsert({"messages"});
    r.addTable({"message_reads", sdk::Tenancy::Firm, "", "", {"firm_id", "case_id", "user_id"}});
    r.addTable({"war_room_posts", sdk::Tenancy::Firm, "", "", {"firm_id", "id"}});
    r.addTable({"war_room_mentions", sdk::Tenancy::Firm, "", "", {"firm_id", "post_id", "user_id"}});
    r.addTable({"message_attachments", sdk::Tenancy::Client, "client_id", "", {"firm_id", "message_id", "document_id"}});
    r.addPortalColumns({"message_attachments", {}});  // its keys are all there is
    // A client attaches its files to its own messages (issue 13): the database checks the row's
    // client is the scope's, and (messages v3) its message's and its document's.
    r.addPortalInsert({"message_attachments"});
    r.addMigration({1, "messages, read marks, war room", schema::kV1, "", ""});
    r.addMigration({2, "attachments: documents of the case", schema::kV2, "", ""});
    r.addMigration({3, "a message's client is its case's, an attachment's its message's and document's", "",
                    schema::kV3Sqlite, schema::kV3Postgres});

    // Screens (web/, served at /plugins/messages/; docs/messages.md): the firm's inbox, the
    // conversation and the War Room as cards on the case page, and the portal's message panel on
    // each matter.
    r.addNav({Audience::Staff, "Practice Management", "Inbox", "#/inbox", "messages.read", 25});
    r.addView({Audience::Staff, "inbox", "inbox.js", "messages.read", "Inbox"});
    r.addContribution({"staff.case.cards", "case_card.js", "messages.read", "Messages with the client", 15});
    r.addContribution({"staff.case.cards", "war_room_card.js", "messages.warroom", "War Room", 16});
    r.addContribution({"portal.matter.sections", "portal_section.js", "messages.portal", "Messages", 10});

    constexpr std::size_t kBody = 32 * 1024;
    r.addRoute({Method::Get, "/api/v1/messages", Audience::Staff, "messages.read", &MessageHandlers::inbox, 0,
                "The firm's conversations, latest first, with my unread counts (?limit=&cursor=)"});
    describeRoutes(r);
    r.addRoute({Method::Get, "/api/v1/cases/{id}/messages", Audience::Staff, "messages.read", &MessageHandlers::list, 0,
                "A case's conversation with the client (?after=ID: only what is new)"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/messages", Audience::Staff, "messages.write", &MessageHandlers::post,
                kBody, "Write to the client {text, document_ids?} (documents of the case shared with the client)"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/messages/read", Audience::Staff, "messages.read",
                &MessageHandlers::markRead, 1024, "Mark the conversation read up to a message {last_id}"});
    r.addRoute({Method::Get, "/api/v1/portal/cases/{id}/messages", Audience::Portal, "messages.portal",
                &MessageHandlers::portalList, 0, "Portal: the conversation of one of my matters (?after=ID)"});
    r.addRoute({Method::Post, "/api/v1/portal/cases/{id}/messages", Audience::Portal, "messages.portal",
                &MessageHandlers::portalPost, kBody,
                "Portal: write to my legal team {text, document_ids?} (files sent on this matter)"});
    r.addRoute({Method::Get, "/api/v1/cases/{id}/war-room", Audience::Staff, "messages.warroom", &WarRoomHandlers::list, 0,
                "A case's War Room threads (staff only)"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/war-room", Audience::Staff, "messages.warroom",
                &WarRoomHandlers::startThread, kBody, "Start a War Room thread {title, text} (@name mentions staff)"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/war-room/{thread_id}/posts", Audience::Staff, "messages.warroom",
                &WarRoomHandlers::reply, kBody, "Reply in a War Room thread {text}"});
    r.addRoute({Method::Post, "/api/v1/cases/{id}/war-room/seen", Audience::Staff, "messages.warroom",
                &WarRoomHandlers::markSeen, 1024, "Mark my mentions in this case's War Room seen"});
    r.addRoute({Method::Get, "/api/v1/war-room/mentions", Audience::Staff, "messages.warroom", &WarRoomHandlers::mentions,
                0, "Where I was mentioned in War Rooms, unseen first"});
  }
};

}  // namespace lexos::messages

LEXOS_PLUGIN(lexos::messages::MessagesPlugin, "messages", "0.1.0")
