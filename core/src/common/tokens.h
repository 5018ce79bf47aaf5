#pragma once
// Secrets as the host makes, stores and compares them: session and CSRF tokens, invitation and
// device tokens (stored as SHA-256 hex), and the Cookie header they travel in. Thread-safe.

#include <cstddef>
#include <string>

namespace lexos::core {

/// SHA-256 hex of a token, as stored.
std::string hashToken(const std::string& token);
/// `n` random bytes, base64url without padding.
std::string randomToken(std::size_t n = 32);
/// Constant-time string comparison.
bool safeEquals(const std::string& a, const std::string& b);
/// Extracts a cookie's value from a Cookie header (empty when absent).
std::string cookieValue(const std::string& header, const std::string& name);

}  // namespace lexos::core
