#pragma once
// The one place that turns whatever a stage of an API call threw into the answer the client
// gets: status, error code, message worded for people, the field at fault, and what else goes
// with it (Retry-After, Allow, closing the connection, auditing a denial, the log line). A pure
// function, unit-tested (tests/unit/http/error_mapper_test.cpp); the dispatcher applies it.

#include <exception>
#include <stdexcept>
#include <string>

#include "lexos/sdk/errors.h"

namespace lexos::core {

/// 405: the path exists for other methods. `allow` is the Allow header's value.
class MethodNotAllowed : public sdk::HttpError {
 public:
  explicit MethodNotAllowed(std::string allow)
      : sdk::HttpError(405, "method_not_allowed", "Use " + allow + " for this path."), allow_(std::move(allow)) {}
  const std::string& allow() const { return allow_; }

 private:
  std::string allow_;
};

/// 413 before the body is read: the connection closes rather than read what is refused.
class BodyTooLarge : public sdk::HttpError {
 public:
  explicit BodyTooLarge(std::size_t limit)
      : sdk::HttpError(413, "too_large", "The request body is larger than " + std::to_string(limit) + " bytes.") {}
};

/// 503: a read's audit events could not be recorded, so its answer is not given (a view is never
/// served unrecorded, docs/audit.md). `cause` is for the log only. Answered with Retry-After: 1.
class AuditUnavailable : public sdk::HttpError {
 public:
  static constexpr const char* kMessage = "The view could not be recorded in the audit log, so it is not shown. Try again.";
  explicit AuditUnavailable(std::string cause)
      : sdk::HttpError(503, "audit_unavailable", kMessage), cause_(std::move(cause)) {}
  const std::string& cause() const { return cause_; }

 private:
  std::string cause_;
};

/// An answer that must go out *after* the request's transaction commits (a refused sign-in
/// whose failure count must stick): the dispatcher commits, then answers with `error`.
class AnswerAfterCommit : public std::runtime_error {
 public:
  explicit AnswerAfterCommit(sdk::HttpError error) : std::runtime_error(error.what()), error_(std::move(error)) {}
  const sdk::HttpError& error() const { return error_; }

 private:
  sdk::HttpError error_;
};

struct ErrorAnswer {
  int status = 500;
  std::string code = "internal";
  std::string message = "Something went wrong on our side.";
  std::string field;
  bool with_request_id = false;  ///< 5xx: the request id goes into the body, for support
  int retry_after = 0;           ///< seconds for Retry-After; 0: no header
  std::string allow;             ///< Allow header (405)
  bool close_connection = false; ///< do not read the rest of the body; close after answering
  bool audit_denial = false;     ///< 401/403: recorded in the firm's audit log
  enum class Log { None, Warning, Error } log = Log::None;
  std::string log_text;          ///< the log line's detail (never sent to the client)
};

/// Maps an exception thrown by a stage. `e` must not be null.
ErrorAnswer mapError(std::exception_ptr e);

}  // namespace lexos::core
