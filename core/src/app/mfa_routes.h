#pragma once
// Two-step sign-in in the HTTP API (docs/accounts.md, "Two-step sign-in"): the routes a signed-in
// user enrols and manages a TOTP authenticator with, the owner's policy and reset, the enrolment
// a firm's policy forces before the first session, and the second step of POST /api/v1/auth/login.

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "data/connection.h"
#include "lexos/sdk/context.h"
#include "lexos/sdk/registrar.h"

namespace lexos::core {

struct Config;

/// The second-factor fields of a sign-in body, checked before the password is (a malformed one
/// is a 400 naming it, and counts no attempt).
struct SignInCodes {
  std::string totp;           ///< six digits, spaces removed; empty when absent
  std::string recovery_code;  ///< as typed; empty when absent
  bool remember_device = false;
  bool any() const { return !totp.empty() || !recovery_code.empty(); }
};
/// Reads `totp`, `recovery_code` and `remember_device` of a sign-in body; sdk::BadRequest
/// naming the field when one is malformed.
SignInCodes signInCodes(const Poco::JSON::Object::Ptr& body);

/// What the sign-in does after a right password (or a valid pending cookie).
struct SecondFactor {
  bool answered = false;                    ///< a 401 asking for a code was sent: stop here
  std::string remember_cookie;              ///< Set-Cookie to add to the session's answer
  std::vector<std::string> recovery_codes;  ///< an enrolment confirmed at sign-in shows them once
};

/// The user's second factor at sign-in, inside the request's write transaction scoped to the
/// user's firm. No factor needed (not enrolled, firm does not enforce), a remembered device, or
/// a right code: go on (the session may start). No code: answers 401 `mfa_required` (or
/// `mfa_enrolment_required` when the firm's policy wants one and the user has none) with the
/// pending cookie. A wrong code: throws (the attempt counted, as a wrong password is).
SecondFactor secondFactor(sdk::Context& c, Connection& conn, const Config& config,
                          const SignInCodes& codes, std::int64_t firmId, std::int64_t userId,
                          const std::string& kind, const std::string& passwordHash);

/// Registers the routes of two-step sign-in other than the login itself.
void registerMfaRoutes(sdk::Registrar& r, const Config& config);

}  // namespace lexos::core
