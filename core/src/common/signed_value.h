#pragma once
// Signed dotted values, as the host's own cookies carry them ("<firm>.<user>.<…>.<hex HMAC>"):
// the MFA cookies (identity/mfa.cpp) and the device cookie of sign-in throttling
// (identity/throttle.cpp) split and sign them the same way, here. Thread-safe.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lexos::core {

/// Splits `value` at '.' into exactly `fields` parts followed by a 64-character signature (the
/// signature is the last element); nullopt when `value` is empty, longer than 200 characters or
/// has another number of parts or another signature length. The signature is not checked here.
std::optional<std::vector<std::string>> splitSignedValue(const std::string& value, std::size_t fields);
/// The whole number `s` spells, as std::stoll reads it, with nothing left over; nullopt otherwise.
std::optional<std::int64_t> wholeNumber(const std::string& s);
/// HMAC-SHA256 of `payload` under `key`, as lower-case hex (64 characters).
std::string hmacSha256Hex(const std::string& key, const std::string& payload);

}  // namespace lexos::core
