#pragma once
/// @file context.h
/// Everything a handler gets for one request. Implemented by the host; lives for the handler
/// call only; used from one thread. Keep nothing from it after the handler returns.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lexos/sdk/db.h"
#include "lexos/sdk/http.h"
#include "lexos/sdk/identity.h"
#include "lexos/sdk/principal.h"
#include "lexos/sdk/vault.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Append-only, hash-chained audit log of the request's firm. For unsafe methods (POST, PATCH,
/// ...) events are written inside the request's transaction, so they land exactly when the
/// handler's changes land; for GET requests (read-only transactions) they are written in a
/// short transaction right after, and a failure there is logged, not shown to the caller.
class Audit {
 public:
  virtual ~Audit() = default;
  /// Records `action` (e.g. "client.view", "document.download") on an object. Never pass
  /// passwords, tokens or document contents in `detail`.
  virtual void record(const std::string& action, const std::string& object_type,
                      const std::string& object_id, const std::string& detail = {}) = 0;
};

/// One outgoing e-mail. Plain text is required; HTML is optional.
struct MailMessage {
  std::string to;
  std::string subject;
  std::string text;
  std::string html;
};

/// Outgoing mail. Messages are queued with the request's transaction and handed to the
/// configured transport (SMTP, or .eml files in the outbox) only after it commits.
class Mail {
 public:
  virtual ~Mail() = default;
  /// Queues a message; throws BadRequest("to", ...) for an unusable address, which includes
  /// any address with non-ASCII characters (the host does not use SMTPUTF8): check the address
  /// the user gave first, to answer with a field of your own.
  virtual void send(const MailMessage& message) = 0;
};

/// The request's firm as the firm set it up (SDK 1.5; Context::firm). Carries a `version` as its
/// first member: later minor versions append fields, and the host fills only the fields of the
/// version the plugin's copy names.
struct FirmProfile {
  std::uint32_t version = 3;
  std::string slug;       ///< the firm's id in addresses and sign-in ("demo")
  std::string name;       ///< its name as shown to staff and clients
  std::string time_zone;  ///< IANA name ("America/Chicago"); "UTC" until the firm sets one
  std::string country;    ///< ISO 3166-1 alpha-2 ("US"); empty until the firm sets one
  std::string address;    ///< postal address, lines separated by "\n"; may be empty
  // Version 2 (issue 13 item 5: the firm's logo). Set `version = 2` to have them filled.
  bool with_logo = false;         ///< in: also fill `logo` with the image's bytes (up to 512 KiB)
  std::string logo_url;           ///< the logo's public path ("/api/v1/public/firms/<slug>/logo?v=…"),
                                  ///< prefix Context::publicUrl() for an absolute link; empty: no logo
  std::string logo_content_type;  ///< "image/png" or "image/jpeg"; empty: no logo
  std::string logo;               ///< the image's bytes when `with_logo` was set
  // Version 3 (issue 13: money in the firm's currency). Set `version = 3` to have it filled; an
  // older host leaves it empty.
  std::string default_currency;  ///< ISO 4217 code, upper case ("EUR"); empty until the firm sets one
};

/// Log levels for Context::log.
enum class LogLevel { Debug, Info, Warning, Error };

/// The per-request context handed to a route's handler.
class Context {
 public:
  virtual ~Context() = default;
  virtual Request& request() = 0;
  virtual Response& response() = 0;
  /// The caller, as established by the guard.
  virtual const Principal& principal() const = 0;
  /// The request's tenant-scoped transaction.
  virtual Db& db() = 0;
  virtual Audit& audit() = 0;
  virtual Mail& mail() = 0;
  /// A key of this plugin's config section `[plugin.<id>]`, or `fallback`.
  virtual std::string config(const std::string& key, const std::string& fallback = {}) const = 0;
  /// The server's public base URL (config `server.public_url`), without a trailing slash.
  virtual std::string publicUrl() const = 0;
  /// Writes a line to the host's log, tagged with the plugin id and the request id.
  virtual void log(LogLevel level, const std::string& message) = 0;

  // ---- ABI 1.1 ----
  /// Accounts of the request's firm: portal users, invitations, the caller's own password and
  /// sessions. Works inside the request's transaction. Needs SDK ABI 1.1.
  virtual Identity& identity() = 0;

  // ---- ABI 1.3 ----
  /// The request's firm's encrypted document store (vault.h). Needs SDK ABI 1.3.
  virtual Vault& vault() = 0;

  // ---- ABI 1.4 ----
  /// Commits what the request has written so far, with the audit events recorded so far, runs
  /// `work` holding no transaction and no pooled connection (no database lock), then continues
  /// the request in a fresh transaction of the same scope. For a call to another service (a
  /// payment provider) that must not hold the database while it waits. What was committed
  /// stays even if the handler (or `work`) throws afterwards, and a request with an
  /// Idempotency-Key then keeps its error answer for the key, so a repeat does not redo the
  /// committed part. Mail is still sent only after the final commit. `work` must not use db().
  /// Needs SDK ABI 1.4.
  virtual void outsideTransaction(const std::function<void()>& work) = 0;
  /// Public routes only, at most once per request: binds the request's transaction to firm
  /// `firmId` as a staff scope without a user (principal().firm_id becomes firmId; user_id
  /// stays 0), for a request that has proven it speaks for that firm with a secret from the
  /// configuration (a provider's signed webhook), never with anything the request merely
  /// claims. The firm's switch for this module is not asked (a provider settles what was
  /// started while the module was on). Throws NotFound when there is no such firm, Forbidden on
  /// other routes or a second call. Needs SDK ABI 1.4.
  virtual void bindFirm(std::int64_t firmId) = 0;

  // ---- ABI 1.5 ----
  /// Fills `out` (up to the fields of out.version) with the request's firm: its name, time zone
  /// and country, for dates, phone numbers and letterheads in the firm's own terms. Throws
  /// Unauthorized on a request without a firm. Needs SDK ABI 1.5.
  virtual void firm(FirmProfile& out) = 0;

  // ---- ABI 1.8 ----
  /// Public routes only, after bindFirm, at most once per request: narrows the request to the
  /// portal user `userId` of the bound firm, for a request that has proven with a secret from the
  /// configuration which portal user it speaks for (a signed calendar feed address). The
  /// principal becomes that user (kind Portal, role portal, its client_id) and every statement
  /// after the call runs in that client's portal scope: the database gives it only the client's
  /// own rows and the columns portal sessions may read, whatever the SQL. Throws NotFound when
  /// the user is not an active portal user of the bound firm, and Forbidden before bindFirm, on
  /// other routes, in a job, or on a second call. Needs SDK ABI 1.8.
  virtual void bindPortalUser(std::int64_t userId) = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
