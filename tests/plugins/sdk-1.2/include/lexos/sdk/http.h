#pragma once
/// @file http.h
/// The request and response a handler sees. Both are implemented by the host and live for one
/// request; a handler must not keep references to them after it returns. They are used from
/// the one thread that runs the handler and are not thread-safe.

#include <cstddef>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// HTTP methods a route can be registered for. HEAD is answered by the host for GET routes.
enum class Method { Get, Post, Put, Patch, Delete };

/// "GET", "POST", ... for a Method.
inline const char* methodName(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Patch: return "PATCH";
    case Method::Delete: return "DELETE";
  }
  return "?";
}

/// An incoming request, after routing and the tenancy guard.
class Request {
 public:
  virtual ~Request() = default;
  /// The method of the request.
  virtual Method method() const = 0;
  /// The path without the query string, percent-decoded, e.g. "/api/v1/clients/42".
  virtual const std::string& path() const = 0;
  /// Value of a `{name}` segment of the route's path template; throws BadRequest naming the
  /// parameter when the template has no such segment.
  virtual const std::string& pathParam(const std::string& name) const = 0;
  /// First value of a query parameter, if present (percent-decoded).
  virtual std::optional<std::string> query(const std::string& name) const = 0;
  /// All query parameters in order, as (name, value) pairs.
  virtual std::vector<std::pair<std::string, std::string>> queryParams() const = 0;
  /// A request header (case-insensitive name), if present.
  virtual std::optional<std::string> header(const std::string& name) const = 0;
  /// The Content-Type header without parameters, lower case; empty when absent.
  virtual std::string contentType() const = 0;
  /// Reads the whole body (at most the route's max_body_bytes, else PayloadTooLarge).
  /// Call either this or bodyStream(), once.
  virtual std::string body() = 0;
  /// The body as a stream, for large uploads. The host stops it at the route's limit. The
  /// host has read the whole body (up to that limit) before the handler runs, so reading it
  /// never waits on the client.
  virtual std::istream& bodyStream() = 0;
  /// The client's address as the host sees it (after trusted proxy rules), e.g. "127.0.0.1".
  virtual const std::string& remoteAddress() const = 0;
  /// The id of this request, also in the log line and in error bodies of 500 answers.
  virtual const std::string& requestId() const = 0;
};

/// The response being built. Headers and status may be set until the body is started.
class Response {
 public:
  virtual ~Response() = default;
  /// Sets the status code (default 200).
  virtual void setStatus(int status) = 0;
  /// Sets (replaces) a header. Security headers set by the host cannot be removed.
  virtual void setHeader(const std::string& name, const std::string& value) = 0;
  /// Sets the Content-Type header.
  virtual void setContentType(const std::string& type) = 0;
  /// Sends a complete body with Content-Length. Call once; ends the response.
  virtual void send(const std::string& body) = 0;
  /// Convenience: sets Content-Type to application/json and sends `json` (already encoded).
  virtual void sendJson(const std::string& json, int status = 200) = 0;
  /// Starts a chunked body and returns the stream to write it to; for large downloads.
  /// What is written leaves in chunks of about 64 KiB while the handler runs; a write throws
  /// when the client has not read for server.send_timeout_seconds. The stream lives until the
  /// handler returns.
  virtual std::ostream& stream() = 0;
  /// True once send() or stream() was called.
  virtual bool sent() const = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
