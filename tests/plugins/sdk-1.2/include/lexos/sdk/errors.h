#pragma once
/// @file errors.h
/// Typed errors a handler throws to answer with an HTTP error. The host maps them to
/// `{"error": {"code", "message", "field"?}}` with their status in one place; anything else a
/// handler throws becomes 500 with the request id (details go to the log only).
/// All types are copyable and thread-agnostic.

#include <stdexcept>
#include <string>

#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Base of all typed HTTP errors. `code` is a stable machine-readable word ("invalid",
/// "not_found", ...); `message` is shown to people; `field` names the offending input field
/// (dotted path for nested JSON, e.g. "billing.email"), empty when none.
class LEXOS_SDK_VISIBLE HttpError : public std::runtime_error {
 public:
  HttpError(int status, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)),
        field_(std::move(field)) {}
  /// HTTP status to answer with.
  int status() const noexcept { return status_; }
  /// Stable machine-readable error code.
  const std::string& code() const noexcept { return code_; }
  /// Offending field, or empty.
  const std::string& field() const noexcept { return field_; }

 private:
  int status_;
  std::string code_;
  std::string field_;
};

/// 400: the request is malformed or a field is invalid. Name the field.
class LEXOS_SDK_VISIBLE BadRequest : public HttpError {
 public:
  BadRequest(std::string field, const std::string& message)
      : HttpError(400, "invalid", message, std::move(field)) {}
};

/// 401: no valid session.
class LEXOS_SDK_VISIBLE Unauthorized : public HttpError {
 public:
  explicit Unauthorized(const std::string& message = "Sign in first.")
      : HttpError(401, "unauthenticated", message) {}
};

/// 403: authenticated, but the principal lacks the permission. Never use it to hide another
/// tenant's resource: that is NotFound.
class LEXOS_SDK_VISIBLE Forbidden : public HttpError {
 public:
  explicit Forbidden(const std::string& message = "You do not have permission to do this.")
      : HttpError(403, "forbidden", message) {}
};

/// 404: no such resource for this principal (also for another firm's or client's resource).
class LEXOS_SDK_VISIBLE NotFound : public HttpError {
 public:
  explicit NotFound(const std::string& message = "Not found.")
      : HttpError(404, "not_found", message) {}
};

/// 409: the request conflicts with the current state (duplicate, still referenced, ...).
class LEXOS_SDK_VISIBLE Conflict : public HttpError {
 public:
  explicit Conflict(const std::string& message, std::string field = {})
      : HttpError(409, "conflict", message, std::move(field)) {}
};

/// 413: the request body is larger than the route allows.
class LEXOS_SDK_VISIBLE PayloadTooLarge : public HttpError {
 public:
  explicit PayloadTooLarge(const std::string& message = "The request body is too large.")
      : HttpError(413, "too_large", message) {}
};

/// 429: too many attempts (password or token guesses). `retry_after_seconds` is sent as the
/// Retry-After header: the real time until the next attempt is allowed.
class LEXOS_SDK_VISIBLE TooManyRequests : public HttpError {
 public:
  TooManyRequests(long retry_after_seconds, const std::string& message, std::string field = {})
      : HttpError(429, "throttled", message, std::move(field)),
        retry_after_(retry_after_seconds < 1 ? 1 : retry_after_seconds) {}
  /// Seconds until an attempt is counted again (at least 1).
  long retryAfterSeconds() const noexcept { return retry_after_; }

 private:
  long retry_after_;
};

}  // namespace v1
}  // namespace lexos::sdk
