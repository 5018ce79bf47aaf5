#include "identity/mfa.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <mutex>
#include <stdexcept>
#include <vector>

#include "common/signed_value.h"
#include "common/time.h"
#include "common/tokens.h"
#include "identity/totp.h"
#include "lexos/sdk/errors.h"

namespace lexos::core {

namespace {

std::string cookieSecret(Connection& c) {
  auto rs = c.query("SELECT value FROM lexos_secrets WHERE name = 'mfa_cookie'", {});
  if (rs.empty() || sdk::asText(rs.rows[0][0]).size() < 32)
    throw std::runtime_error("lexos_secrets has no mfa_cookie key; run lexosctl migrate");
  return sdk::asText(rs.rows[0][0]);
}

std::string hmacHex(const std::string& key, const std::string& payload) { return hmacSha256Hex(key, payload); }

// "<firm>.<user>.<expires>.<hex HMAC>" split into its four parts; nothing when malformed.
struct Signed {
  std::int64_t firm = 0, user = 0, expires = 0;
  std::string sig;
};
std::optional<Signed> parseSigned(const std::string& v) {
  const auto parts = splitSignedValue(v, 3);
  if (!parts) return std::nullopt;
  const auto firm = wholeNumber((*parts)[0]), user = wholeNumber((*parts)[1]), expires = wholeNumber((*parts)[2]);
  if (!firm || !user || !expires || *firm <= 0 || *user <= 0) return std::nullopt;
  return Signed{*firm, *user, *expires, (*parts)[3]};
}

std::mutex sealerMu;
std::shared_ptr<const MfaSecretSealer> theSealer;

std::shared_ptr<const MfaSecretSealer> requireSealer() {
  auto s = Mfa::sealer();
  if (!s) throw std::runtime_error("two-step sign-in: no sealer for TOTP secrets (the vault's master key) is set up");
  return s;
}

// The user's TOTP secret (base32), opened; empty when there is none. A secret stored before
// secrets were sealed is returned as it is (and `legacy` set).
std::string secretOf(Connection& c, std::int64_t userId, bool confirmed, bool* legacy = nullptr) {
  auto rs =
      c.query(std::string("SELECT firm_id, secret FROM user_mfa WHERE user_id = $1 AND confirmed_at IS ") +
                  (confirmed ? "NOT NULL" : "NULL"),
              {userId});
  if (rs.empty()) return std::string();
  const std::string stored = sdk::asText(rs.rows[0][1]);
  if (legacy) *legacy = !Mfa::isSealed(stored);
  if (!Mfa::isSealed(stored)) return stored;
  return requireSealer()->open(sdk::asInt(rs.rows[0][0]), userId, stored);
}

// The firm the connection is scoped to (every function here runs in the user's firm).
std::int64_t firmOfUser(Connection& c, std::int64_t /*userId*/) {
  auto rs = c.query("SELECT lexos_firm()", {});
  const std::int64_t firm = rs.empty() ? 0 : sdk::asInt(rs.rows[0][0]);
  if (firm <= 0) throw std::runtime_error("two-step sign-in: the connection is not scoped to a firm");
  return firm;
}

// Accepts `code` for `secret` and uses its step up, atomically: of two requests with the same
// code only one updates the row (the other sees last_step already at that step).
bool acceptCode(Connection& c, std::int64_t userId, const std::string& secretB32,
                const std::string& code, std::time_t now) {
  auto last = c.query("SELECT last_step FROM user_mfa WHERE user_id = $1", {userId});
  if (last.empty()) return false;
  auto key = totp::base32Decode(secretB32);
  if (!key) return false;
  auto step = totp::matchingStep(*key, code, now, sdk::asInt(last.rows[0][0]));
  if (!step) return false;
  return c.execute("UPDATE user_mfa SET last_step = $1 WHERE user_id = $2 AND last_step < $1",
                   {*step, userId}) == 1;
}

std::vector<std::string> storeRecoveryCodes(Connection& c, std::int64_t userId) {
  c.execute("DELETE FROM user_recovery_codes WHERE user_id = $1", {userId});
  auto codes = totp::newRecoveryCodes(Mfa::kRecoveryCodes);
  for (const auto& code : codes)
    c.execute(
        "INSERT INTO user_recovery_codes (firm_id, user_id, code_hash) VALUES (lexos_firm(), $1, "
        "$2)",
        {userId, hashToken(totp::normaliseRecoveryCode(code))});
  return codes;
}

}  // namespace

MfaState Mfa::state(Connection& c, std::int64_t userId) {
  MfaState s;
  auto rs = c.query("SELECT confirmed_at FROM user_mfa WHERE user_id = $1", {userId});
  if (!rs.empty()) {
    s.enrolled = !sdk::isNull(rs.rows[0][0]);
    s.pending = !s.enrolled;
    if (s.enrolled) s.enrolled_at = sdk::asText(rs.rows[0][0]);
  }
  if (s.enrolled) {
    auto n =
        c.query("SELECT count(*) FROM user_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                {userId});
    s.recovery_codes_left = static_cast<int>(sdk::asInt(n.rows[0][0]));
  }
  return s;
}

MfaPolicy Mfa::policy(Connection& c) {
  MfaPolicy p;
  auto rs = c.query("SELECT enforce_staff, enforce_portal FROM firm_mfa_policy", {});
  if (!rs.empty()) {
    p.enforce_staff = sdk::asBool(rs.rows[0][0]);
    p.enforce_portal = sdk::asBool(rs.rows[0][1]);
  }
  return p;
}

MfaPolicy Mfa::setPolicy(Connection& c, std::optional<bool> enforceStaff,
                         std::optional<bool> enforcePortal) {
  MfaPolicy p = policy(c);
  if (enforceStaff) p.enforce_staff = *enforceStaff;
  if (enforcePortal) p.enforce_portal = *enforcePortal;
  // Delete and insert, not an upsert: SQLite's tenant views take no ON CONFLICT.
  c.execute("DELETE FROM firm_mfa_policy", {});
  c.execute(
      "INSERT INTO firm_mfa_policy (firm_id, enforce_staff, enforce_portal, updated_at) "
      "VALUES (lexos_firm(), $1, $2, $3)",
      {p.enforce_staff, p.enforce_portal, utcTimestamp()});
  return p;
}

void Mfa::setSealer(std::shared_ptr<const MfaSecretSealer> sealer) {
  std::lock_guard<std::mutex> lock(sealerMu);
  theSealer = std::move(sealer);
}

std::shared_ptr<const MfaSecretSealer> Mfa::sealer() {
  std::lock_guard<std::mutex> lock(sealerMu);
  return theSealer;
}

bool Mfa::isSealed(const std::string& stored) { return stored.rfind("sealed:", 0) == 0; }

MfaEnrolment Mfa::begin(Connection& c, std::int64_t userId, const std::string& issuer,
                        const std::string& account) {
  if (state(c, userId).enrolled)
    throw sdk::Conflict(
        "Two-step sign-in is already on. Turn it off first to enrol a new authenticator.");
  MfaEnrolment e;
  e.secret = totp::base32Encode(totp::newSecret());
  const std::string sealed = requireSealer()->seal(firmOfUser(c, userId), userId, e.secret);
  c.execute("DELETE FROM user_mfa WHERE user_id = $1", {userId});
  c.execute(
      "INSERT INTO user_mfa (firm_id, user_id, secret, confirmed_at, last_step, created_at) "
      "VALUES (lexos_firm(), $1, $2, NULL, 0, $3)",
      {userId, sealed, utcTimestamp()});
  e.otpauth_uri = totp::otpauthUri(issuer, account, e.secret);
  e.qr_svg = totp::qrSvg(e.otpauth_uri, "QR code for your authenticator app");
  return e;
}

std::optional<std::vector<std::string>> Mfa::confirm(Connection& c, std::int64_t userId,
                                                     const std::string& code, std::time_t now) {
  const std::string secret = secretOf(c, userId, false);
  if (secret.empty())
    throw sdk::Conflict("Start the enrolment first: there is no code to confirm.", "code");
  if (!acceptCode(c, userId, secret, code, now)) return std::nullopt;
  c.execute("UPDATE user_mfa SET confirmed_at = $1 WHERE user_id = $2", {utcTimestamp(), userId});
  return storeRecoveryCodes(c, userId);
}

MfaCheck Mfa::checkCode(Connection& c, std::int64_t userId, const std::string& code,
                        std::time_t now) {
  bool legacy = false;
  const std::string secret = secretOf(c, userId, true, &legacy);
  if (secret.empty()) return MfaCheck::Wrong;
  if (!acceptCode(c, userId, secret, code, now)) return MfaCheck::Wrong;
  // A secret stored before secrets were sealed is sealed now, in the same transaction.
  if (legacy && sealer())
    c.execute("UPDATE user_mfa SET secret = $1 WHERE user_id = $2",
              {sealer()->seal(firmOfUser(c, userId), userId, secret), userId});
  return MfaCheck::Ok;
}

MfaCheck Mfa::useRecoveryCode(Connection& c, std::int64_t userId, const std::string& code) {
  const std::string n = totp::normaliseRecoveryCode(code);
  if (n.size() != 10 || secretOf(c, userId, true).empty()) return MfaCheck::Wrong;
  return c.execute(
             "UPDATE user_recovery_codes SET used_at = $1 "
             "WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
             {utcTimestamp(), userId, hashToken(n)}) == 1
             ? MfaCheck::Ok
             : MfaCheck::Wrong;
}

std::vector<std::string> Mfa::newRecoveryCodes(Connection& c, std::int64_t userId) {
  return storeRecoveryCodes(c, userId);
}

bool Mfa::reset(Connection& c, std::int64_t userId) {
  c.execute("DELETE FROM user_recovery_codes WHERE user_id = $1", {userId});
  return c.execute("DELETE FROM user_mfa WHERE user_id = $1", {userId}) > 0;
}

std::string Mfa::pendingCookie(Connection& c, std::int64_t firmId, std::int64_t userId,
                               const std::string& passwordHash, std::time_t now) {
  const std::string head = std::to_string(firmId) + "." + std::to_string(userId) + "." +
                           std::to_string(static_cast<std::int64_t>(now) + kPendingSeconds);
  const std::string sig =
      hmacHex(cookieSecret(c), "lexos-mfa-pending-v1|" + head + "|" + passwordHash);
  return std::string(kPendingCookie) + "=" + head + "." + sig +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(kPendingSeconds);
}

std::optional<std::pair<std::int64_t, std::int64_t>> Mfa::pendingUser(
    const std::string& cookieHeader) {
  auto s = parseSigned(cookieValue(cookieHeader, kPendingCookie));
  if (!s) return std::nullopt;
  return std::make_pair(s->firm, s->user);
}

bool Mfa::pendingValid(Connection& c, const std::string& cookieHeader,
                       const std::string& passwordHash, std::time_t now) {
  auto s = parseSigned(cookieValue(cookieHeader, kPendingCookie));
  if (!s || s->expires <= static_cast<std::int64_t>(now)) return false;
  const std::string head =
      std::to_string(s->firm) + "." + std::to_string(s->user) + "." + std::to_string(s->expires);
  const std::string want =
      hmacHex(cookieSecret(c), "lexos-mfa-pending-v1|" + head + "|" + passwordHash);
  return CRYPTO_memcmp(want.data(), s->sig.data(), want.size()) == 0;
}

std::string Mfa::clearPendingCookie() {
  return std::string(kPendingCookie) + "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

std::string Mfa::rememberCookie(Connection& c, std::int64_t firmId, std::int64_t userId,
                                const std::string& passwordHash, int days, std::time_t now) {
  const long age = 86400L * days;
  const std::string head = std::to_string(firmId) + "." + std::to_string(userId) + "." +
                           std::to_string(static_cast<std::int64_t>(now) + age);
  const std::string sig =
      hmacHex(cookieSecret(c),
              "lexos-mfa-device-v1|" + head + "|" + passwordHash + "|" + secretOf(c, userId, true));
  return std::string(kRememberCookie) + "=" + head + "." + sig +
         "; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=" + std::to_string(age);
}

bool Mfa::remembered(Connection& c, const std::string& cookieHeader, std::int64_t firmId,
                     std::int64_t userId, const std::string& passwordHash, std::time_t now) {
  auto s = parseSigned(cookieValue(cookieHeader, kRememberCookie));
  if (!s || s->firm != firmId || s->user != userId || s->expires <= static_cast<std::int64_t>(now))
    return false;
  const std::string secret = secretOf(c, userId, true);
  if (secret.empty()) return false;
  const std::string head =
      std::to_string(s->firm) + "." + std::to_string(s->user) + "." + std::to_string(s->expires);
  const std::string want =
      hmacHex(cookieSecret(c), "lexos-mfa-device-v1|" + head + "|" + passwordHash + "|" + secret);
  return CRYPTO_memcmp(want.data(), s->sig.data(), want.size()) == 0;
}

}  // namespace lexos::core
