// The one error mapper: what each kind of failure of an API call tells the client.
#include <catch2/catch.hpp>

#include "data/connection.h"
#include "http/error_mapper.h"

using namespace lexos;
using core::ErrorAnswer;
using core::mapError;

namespace {
template <typename E>
ErrorAnswer mapped(E e) {
  return mapError(std::make_exception_ptr(std::move(e)));
}
}  // namespace

TEST_CASE("a plugin's HttpError keeps its status, code, message and field") {
  auto a = mapped(sdk::BadRequest("email", "Enter a valid email address."));
  CHECK(a.status == 400);
  CHECK(a.code == "invalid");
  CHECK(a.field == "email");
  CHECK(a.message == "Enter a valid email address.");
  CHECK_FALSE(a.with_request_id);
  CHECK(a.log == ErrorAnswer::Log::None);
  CHECK_FALSE(a.audit_denial);
}

TEST_CASE("401 and 403 are audited as denials, 404 is not") {
  CHECK(mapped(sdk::Unauthorized()).audit_denial);
  CHECK(mapped(sdk::Forbidden()).audit_denial);
  CHECK(mapped(sdk::HttpError(403, "csrf", "Missing or wrong X-CSRF-Token header.")).code == "csrf");
  CHECK_FALSE(mapped(sdk::NotFound()).audit_denial);
}

TEST_CASE("429 carries Retry-After, 405 carries Allow, 413 closes the connection") {
  auto busy = mapped(sdk::TooManyRequests(90, "Too many failed sign-ins."));
  CHECK(busy.status == 429);
  CHECK(busy.retry_after == 90);
  auto method = mapped(core::MethodNotAllowed("GET, POST"));
  CHECK(method.status == 405);
  CHECK(method.allow == "GET, POST");
  CHECK(method.message == "Use GET, POST for this path.");
  auto big = mapped(core::BodyTooLarge(1024));
  CHECK(big.status == 413);
  CHECK(big.close_connection);
  CHECK_THAT(big.message, Catch::Contains("1024 bytes"));
  CHECK_FALSE(mapped(sdk::PayloadTooLarge()).close_connection);  // thrown after the body was read
}

TEST_CASE("an answer after commit is the error it wraps") {
  auto a = mapped(core::AnswerAfterCommit(sdk::HttpError(401, "invalid_credentials", "The firm, email or password is not right.")));
  CHECK(a.status == 401);
  CHECK(a.code == "invalid_credentials");
}

TEST_CASE("database failures: 503 with Retry-After when unreachable, 409 for constraints, 404 for tenancy") {
  auto down = mapped(core::DatabaseUnavailable("connection refused"));
  CHECK(down.status == 503);
  CHECK(down.code == "unavailable");
  CHECK(down.retry_after == 2);
  CHECK(down.with_request_id);
  CHECK(down.log == ErrorAnswer::Log::Warning);
  CHECK_THAT(down.log_text, Catch::Contains("connection refused"));

  auto dup = mapped(sdk::DbError(sdk::DbError::Kind::Constraint, "UNIQUE constraint failed: clients.email"));
  CHECK(dup.status == 409);
  CHECK(dup.code == "conflict");
  CHECK_THAT(dup.message, !Catch::Contains("UNIQUE"));  // SQL details stay in the log
  CHECK(dup.log == ErrorAnswer::Log::Error);

  auto other = mapped(sdk::DbError(sdk::DbError::Kind::TenancyViolation, "lexos: tenancy violation on probe_items"));
  CHECK(other.status == 404);
  CHECK(other.code == "not_found");
  CHECK_THAT(other.message, !Catch::Contains("tenancy"));
}

TEST_CASE("anything else is a 500 that shows the request id and never the exception's text") {
  auto a = mapped(std::runtime_error("secret internal detail"));
  CHECK(a.status == 500);
  CHECK(a.code == "internal");
  CHECK(a.with_request_id);
  CHECK_THAT(a.message, !Catch::Contains("secret"));
  CHECK(a.log_text == "secret internal detail");
  auto b = mapError(std::make_exception_ptr(42));
  CHECK(b.status == 500);
  CHECK(b.log_text == "unknown exception");
}

TEST_CASE("a read whose audit events cannot be recorded is a 503 audit_unavailable with Retry-After, its cause only in the log") {
  auto a = mapped(core::AuditUnavailable("permission denied for table audit_pending"));
  CHECK(a.status == 503);
  CHECK(a.code == "audit_unavailable");
  CHECK(a.retry_after == 1);
  CHECK(a.with_request_id);
  CHECK(a.message.find("audit_pending") == std::string::npos);
  CHECK(a.log == ErrorAnswer::Log::Error);
  CHECK(a.log_text.find("permission denied for table audit_pending") != std::string::npos);
}
