#include "http/error_mapper.h"

#include "data/connection.h"

namespace lexos::core {

namespace {
ErrorAnswer fromHttp(const sdk::HttpError& e) {
  ErrorAnswer a;
  a.status = e.status();
  a.code = e.code();
  a.message = e.what();
  a.field = e.field();
  a.audit_denial = e.status() == 401 || e.status() == 403;
  if (const auto* busy = dynamic_cast<const sdk::TooManyRequests*>(&e)) a.retry_after = busy->retryAfterSeconds();
  if (const auto* m = dynamic_cast<const MethodNotAllowed*>(&e)) a.allow = m->allow();
  if (dynamic_cast<const BodyTooLarge*>(&e)) a.close_connection = true;
  if (const auto* audit = dynamic_cast<const AuditUnavailable*>(&e)) {
    a.retry_after = 1;
    // An error, not a warning: a lasting cause (a grant missing, a full disk) must reach alerting.
    a.log = ErrorAnswer::Log::Error;
    a.log_text = "audit: a read's events could not be recorded, its answer is refused: " + audit->cause();
  }
  if (a.status >= 500) a.with_request_id = true;
  return a;
}
}  // namespace

ErrorAnswer mapError(std::exception_ptr e) {
  ErrorAnswer a;
  try {
    std::rethrow_exception(e);
  } catch (const AnswerAfterCommit& x) {
    return fromHttp(x.error());
  } catch (const sdk::HttpError& x) {
    return fromHttp(x);
  } catch (const DatabaseUnavailable& x) {
    // Down, restarting or out of connections: a client (or a load balancer) should try again
    // shortly, which a 500 does not say. Nothing was committed.
    a.status = 503;
    a.code = "unavailable";
    a.message = "The database is not reachable right now; try again in a moment.";
    a.with_request_id = true;
    a.retry_after = 2;
    a.log = ErrorAnswer::Log::Warning;
    a.log_text = std::string("database unavailable: ") + x.what();
  } catch (const sdk::DbError& x) {
    a.log = ErrorAnswer::Log::Error;
    a.log_text = std::string("database: ") + x.what();
    if (x.kind() == sdk::DbError::Kind::Constraint) {
      a.status = 409;
      a.code = "conflict";
      a.message = "The change conflicts with existing data.";
    } else if (x.kind() == sdk::DbError::Kind::TenancyViolation) {
      // The database refused a row outside the caller's scope: to the caller it does not exist.
      a.status = 404;
      a.code = "not_found";
      a.message = "Not found.";
    } else {
      a.with_request_id = true;
    }
  } catch (const std::exception& x) {
    a.with_request_id = true;
    a.log = ErrorAnswer::Log::Error;
    a.log_text = x.what();
  } catch (...) {
    a.with_request_id = true;
    a.log = ErrorAnswer::Log::Error;
    a.log_text = "unknown exception";
  }
  return a;
}

}  // namespace lexos::core
