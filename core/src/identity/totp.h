#pragma once
// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA-1) and what enrolment
// shows: the base32 secret (RFC 4648), the otpauth:// URI authenticator apps read, and that URI
// as a QR code drawn by libqrencode. Pure functions; thread-safe.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

namespace lexos::core::totp {

inline constexpr int kDigits = 6;
inline constexpr int kStepSeconds = 30;
inline constexpr int kSecretBytes = 20;  ///< 160 bits, RFC 4226's recommended key length

/// RFC 4648 base32, upper case, without padding.
std::string base32Encode(const std::string& bytes);
/// Decodes base32 (either case, spaces and padding ignored); nothing when it is not base32.
std::optional<std::string> base32Decode(const std::string& text);

/// The HOTP value of `key` (raw bytes) at `counter`, `digits` long with leading zeros.
std::string hotp(const std::string& key, std::uint64_t counter, int digits = kDigits);
/// The time step of `t` (seconds since the epoch).
inline std::int64_t stepOf(std::time_t t) { return static_cast<std::int64_t>(t) / kStepSeconds; }
/// The TOTP value of `key` at time `t`.
inline std::string at(const std::string& key, std::time_t t, int digits = kDigits) {
  return hotp(key, static_cast<std::uint64_t>(stepOf(t)), digits);
}

/// The step in [now-1, now+1] (one step of clock drift either way) whose code is `code`, if it
/// is later than `lastUsedStep` (a code already used, or an older one, is refused: RFC 6238
/// section 5.2). Compares in constant time.
std::optional<std::int64_t> matchingStep(const std::string& key, const std::string& code,
                                         std::time_t now, std::int64_t lastUsedStep);

/// A new random secret (kSecretBytes raw bytes).
std::string newSecret();

/// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauthUri(const std::string& issuer, const std::string& account,
                       const std::string& secretBase32);

/// `text` as a QR code (error correction M), an SVG document of black squares on white with a
/// 4-module quiet zone, `role="img"` and `label` as its accessible name.
std::string qrSvg(const std::string& text, const std::string& label);

/// `n` new recovery codes, "xxxxx-xxxxx" from the base32 alphabet in lower case (50 bits each).
std::vector<std::string> newRecoveryCodes(int n = 10);
/// A recovery code as typed, reduced to what is hashed: lower case, without '-' and spaces.
std::string normaliseRecoveryCode(const std::string& typed);

}  // namespace lexos::core::totp
