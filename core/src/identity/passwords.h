#pragma once
// Password hashing (Argon2id, PHC string) and the password rules (length 12..128, no
// composition rules, a short list of common passwords refused).

#include <string>

namespace lexos::core {

/// Argon2id, t=3, m=64 MiB, p=1 (above OWASP's floor of m=19 MiB, t=2), 16-byte salt.
std::string hashPassword(const std::string& password);
/// Checks a password against a PHC string in constant time; false for malformed hashes.
bool verifyPassword(const std::string& password, const std::string& phc);
/// Empty when acceptable, else the message to show for field "password".
std::string passwordProblem(const std::string& password);

}  // namespace lexos::core
