#pragma once
/// @file version.h
/// SDK version and ABI numbers. A plugin records the values it was compiled with in its LexOS
/// note and its gate (see gate.h); the host compares the note's with its own before it loads
/// the plugin, and the gate's before it calls any C++ in it.
///
/// Rules of the ABI: the major number changes when a type or interface that crosses the
/// boundary changes incompatibly; the minor number changes when virtual functions are appended
/// to a host-implemented interface (Context, Request, Response, Db, Audit, Mail, Registrar,
/// Identity). Plain structs that cross the boundary (Route, Permission, Table, Migration,
/// NavEntry, View, Contribution, MailMessage, Principal, ResultSet, PortalUser, Invitation) are
/// frozen for a major version: a minor version that needs more adds a new struct and a new
/// appended function (addRoute2, ...), never a field, because the host cannot know the size of
/// a struct an older plugin built. (From 1.3, a plain struct may instead carry a `version` field
/// as its first member, like SendOptions: fields are then only appended, each with the struct
/// version that introduced it, and the host reads no field newer than the `version` a plugin's
/// copy carries.)
/// A host runs plugins built against the same major and an equal or lower minor, and refuses a
/// plugin without the LexOS note (gate.h) that SDK 1.2 introduced.
///
/// History: 1.0 first release. 1.1 appended Registrar::requirePlugin and Context::identity
/// (identity.h: portal users, invitations, activation, own password and sessions). 1.2 appended
/// Registrar::addView, addContribution (plugin screens; structs View and Contribution),
/// addPortalColumns (struct PortalColumns: the columns portal sessions may read) and
/// addPerFirmStep (struct PerFirmStep: a migration's data step run once per firm). 1.3 appended
/// Request::bodySize and forEachPart (streamed multipart/form-data; PartHandler) and
/// Response::sendSource (ranged downloads of a ByteSource; SendOptions), see http.h;
/// Registrar::addPortalUntil (struct PortalUntil: a share's expiry, enforced in the database);
/// Context::vault (vault.h: the encrypted document store). 1.4 appended
/// Context::outsideTransaction (work without holding the database, e.g. a call to a payment
/// provider) and Context::bindFirm (a public route that proved, with a configured secret, which
/// firm it speaks for: a provider's signed webhook). 1.5 appended Context::firm (struct
/// FirmProfile: the firm's name, address, time zone and country as its owner set them). 1.6
/// appended Registrar::addPortalInsert (struct PortalInsert: a client-owned table portal sessions
/// insert their own rows into, checked by the database; the messages module's conversation).
/// 1.7 appended Registrar::describeRoute (struct RouteDescription: a route's query, request and
/// response schemas, JSON Schema 2020-12, for the OpenAPI description GET /api/v1/openapi.json;
/// schema.h builds the schemas). 1.8 appended Registrar::addJob (struct Job: work the host runs
/// for every firm with the module on, every few minutes, in the firm's scope; the schedules
/// module's e-mail reminders) and Context::bindPortalUser (a public route that proved, with a
/// configured secret, which portal user it speaks for reads in that client's portal scope: the
/// schedules module's signed calendar feed). 1.9 appended Registrar::addCachedRead (struct
/// CachedRead: a portal GET route whose answer depends only on the request, the principal and
/// the rows its portal scope reads, which the host may answer again from memory until one of
/// those rows changes; the cases module's portal matter list and page).

#define LEXOS_SDK_ABI_MAJOR 1
#define LEXOS_SDK_ABI_MINOR 9
#define LEXOS_SDK_VERSION "1.9.0"

/// Symbol visibility for SDK types that must be shared between the host and plugins (exception
/// types, so that `catch` in the host matches what a plugin throws even when the plugin is built
/// with -fvisibility=hidden).
#if defined(__GNUC__)
#define LEXOS_SDK_VISIBLE __attribute__((visibility("default")))
#else
#define LEXOS_SDK_VISIBLE
#endif

namespace lexos::sdk {
inline namespace v1 {}
}  // namespace lexos::sdk
