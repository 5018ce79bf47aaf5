#pragma once
// Two-step sign-in: a user's TOTP enrolment and recovery codes, the firm's policy, and the two
// short cookies of the sign-in flow (docs/accounts.md, "Two-step sign-in").
//
// Every function works on the caller's connection inside a transaction scoped to the user's
// firm (the tables are firm tables: row-level security on PostgreSQL, TEMP views on SQLite);
// none commits. Throttling of codes is the caller's (identity/throttle.h).

#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/connection.h"

namespace lexos::core {

/// A user's second factor as stored.
struct MfaState {
  bool enrolled = false;        ///< a confirmed TOTP secret exists
  bool pending = false;         ///< an enrolment waits for its first code
  int recovery_codes_left = 0;  ///< unused recovery codes
  std::string enrolled_at;      ///< when it was confirmed (UTC), empty when not enrolled
};

/// Whether the firm makes its staff and its portal users sign in with a second factor.
struct MfaPolicy {
  bool enforce_staff = false;
  bool enforce_portal = false;
  bool enforces(const std::string& userKind) const {
    return userKind == "portal" ? enforce_portal : enforce_staff;
  }
};

/// What an enrolment shows once: the secret for manual entry, the URI and its QR code.
struct MfaEnrolment {
  std::string secret;  ///< base32
  std::string otpauth_uri;
  std::string qr_svg;
};

/// The outcome of checking a code.
enum class MfaCheck { Ok, Wrong };

/// Seals TOTP secrets at rest, so that the database alone (a dump, a stolen backup of the data
/// without the vault's keys) does not give anyone a user's second factor. The host installs one
/// made from the vault's master key (vault/mfa_sealer.h); identity cannot see the vault.
class MfaSecretSealer {
 public:
  virtual ~MfaSecretSealer() = default;
  /// The stored form of `secretB32` for (firm, user): "sealed:v1:<master key id>:<hex>".
  virtual std::string seal(std::int64_t firmId, std::int64_t userId, const std::string& secretB32) const = 0;
  /// The base32 secret of a stored "sealed:v1:..." value; throws std::runtime_error naming the
  /// master key when it is not loaded, or when the value was not sealed for (firm, user).
  virtual std::string open(std::int64_t firmId, std::int64_t userId, const std::string& stored) const = 0;
};

class Mfa {
 public:
  static constexpr const char* kPendingCookie = "__Host-lexos_mfa_pending";
  static constexpr const char* kRememberCookie = "__Host-lexos_mfa_device";
  static constexpr long kPendingSeconds = 5 * 60;
  static constexpr int kRecoveryCodes = 10;

  /// The sealer every enrolment and check uses from now on (null: none, and then enrolling
  /// or reading a sealed secret throws). Process-wide: the host sets it once it has its vault.
  static void setSealer(std::shared_ptr<const MfaSecretSealer> sealer);
  static std::shared_ptr<const MfaSecretSealer> sealer();
  /// True for a stored secret in the sealed form (older rows hold the base32 text, and are
  /// sealed the next time their code is accepted).
  static bool isSealed(const std::string& stored);

  static MfaState state(Connection& c, std::int64_t userId);
  static MfaPolicy policy(Connection& c);
  /// Writes the firm's policy (the caller audits).
  static MfaPolicy setPolicy(Connection& c, std::optional<bool> enforceStaff,
                             std::optional<bool> enforcePortal);

  /// Starts (or restarts) an enrolment with a new secret; sdk::Conflict when already enrolled.
  /// `issuer` and `account` name the entry in the authenticator app.
  static MfaEnrolment begin(Connection& c, std::int64_t userId, const std::string& issuer,
                            const std::string& account);
  /// Confirms a pending enrolment with a current code; returns the new recovery codes (shown
  /// once) or nothing when the code is wrong. sdk::Conflict when no enrolment is pending.
  static std::optional<std::vector<std::string>> confirm(Connection& c, std::int64_t userId,
                                                         const std::string& code,
                                                         std::time_t now = std::time(nullptr));
  /// Checks a TOTP code of an enrolled user; an accepted code's step is used up.
  static MfaCheck checkCode(Connection& c, std::int64_t userId, const std::string& code,
                            std::time_t now = std::time(nullptr));
  /// Uses up one recovery code of an enrolled user.
  static MfaCheck useRecoveryCode(Connection& c, std::int64_t userId, const std::string& code);
  /// New recovery codes replace the old ones (all of them).
  static std::vector<std::string> newRecoveryCodes(Connection& c, std::int64_t userId);
  /// Removes the user's secret and recovery codes (turned off or reset): remembered devices
  /// stop counting, since their cookies are bound to the secret.
  static bool reset(Connection& c, std::int64_t userId);

  /// Set-Cookie value of the pending sign-in of (firm, user): proof that the password was
  /// right, for kPendingSeconds, bound to the password hash. Not a session.
  static std::string pendingCookie(Connection& c, std::int64_t firmId, std::int64_t userId,
                                   const std::string& passwordHash,
                                   std::time_t now = std::time(nullptr));
  /// The (firm, user) a Cookie header's pending cookie names, unchecked (read the user's
  /// password hash in that firm, then call pendingValid).
  static std::optional<std::pair<std::int64_t, std::int64_t>> pendingUser(
      const std::string& cookieHeader);
  static bool pendingValid(Connection& c, const std::string& cookieHeader,
                           const std::string& passwordHash, std::time_t now = std::time(nullptr));
  /// Set-Cookie value that removes the pending cookie.
  static std::string clearPendingCookie();

  /// Set-Cookie value of a remembered device for `days`, bound to the user's password hash and
  /// TOTP secret: a new password or a reset MFA ends it.
  static std::string rememberCookie(Connection& c, std::int64_t firmId, std::int64_t userId,
                                    const std::string& passwordHash, int days,
                                    std::time_t now = std::time(nullptr));
  /// True when the Cookie header remembers this device for (firm, user) and nothing changed.
  static bool remembered(Connection& c, const std::string& cookieHeader, std::int64_t firmId,
                         std::int64_t userId, const std::string& passwordHash,
                         std::time_t now = std::time(nullptr));
};

}  // namespace lexos::core
