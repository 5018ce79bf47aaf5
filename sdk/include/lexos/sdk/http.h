#pragma once
/// @file http.h
/// The request and response a handler sees. Both are implemented by the host and live for one
/// request; a handler must not keep references to them after it returns. They are used from
/// the one thread that runs the handler and are not thread-safe.

#include <cstddef>
#include <cstdint>
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

// ---- ABI 1.3 ----
/// One part of a multipart/form-data body, handed to a PartHandler (Request::forEachPart).
/// Implemented by the plugin; SDK 1.3. Frozen for major version 1: a later minor that needs more
/// adds a new interface.
class PartHandler {
 public:
  virtual ~PartHandler() = default;
  /// Called once per part, in order. `name` is the form field's name, `filename` the file name
  /// the browser sent (empty for a plain field; a name only, never trust it as a path),
  /// `contentType` the part's Content-Type as sent (empty when absent; the client's claim, not
  /// checked). `data` yields the part's bytes and ends at the part's end; what the handler leaves
  /// unread is skipped. The stream is valid only during the call.
  virtual void part(const std::string& name, const std::string& filename, const std::string& contentType,
                    std::istream& data) = 0;
};

/// Bytes a handler answers with through Response::sendSource: a file, a decrypted blob, a
/// generated document. Implemented by the plugin; SDK 1.3. The host asks for the parts it
/// sends (a range, or everything in blocks of 64 to 256 KiB) and never keeps more than one
/// block in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Total size in bytes; must not change while the response is sent.
  virtual std::uint64_t size() = 0;
  /// Copies up to `n` bytes starting at `offset` into `buf`; returns how many (0 only at the end).
  /// Throw to abort the response (the connection is then closed, the client sees a cut body).
  virtual std::size_t read(std::uint64_t offset, char* buf, std::size_t n) = 0;
};

/// How Response::sendSource presents the bytes as a download.
enum class Disposition { Attachment, Inline };

/// Options of Response::sendSource. SDK 1.3.
///
/// Forward-compatible: unlike the frozen plain structs of version.h, this one carries its own
/// `version` as its first field. Later SDK minors only append fields, each documented with the
/// version that added it, and raise kSendOptionsVersion; the host reads no field newer than the
/// `version` of the copy it is given, so a plugin built against 1.3 keeps working with a host
/// whose SendOptions is longer. Never set `version` yourself.
inline constexpr std::uint32_t kSendOptionsVersion = 1;
struct SendOptions {
  std::uint32_t version = kSendOptionsVersion;
  /// Content-Type of the bytes, e.g. "application/pdf". Default application/octet-stream.
  std::string content_type = "application/octet-stream";
  /// Strong validator of these exact bytes (e.g. their SHA-256 in hex); the host quotes it.
  /// Empty: no ETag, so If-None-Match and If-Range never match. Must not hold '"', '\\' or
  /// control characters.
  std::string etag;
  /// Last modification, in seconds since 1970 (UTC); 0: no Last-Modified header.
  std::int64_t last_modified = 0;
  /// The name offered to save the download as (UTF-8; separators, quotes and control
  /// characters are removed). Empty: no name in Content-Disposition.
  std::string filename;
  /// Attachment (default: the browser saves it) or Inline (shown in the browser). Inline is
  /// honoured only for application/pdf and image/* other than SVG, and then with
  /// `Content-Security-Policy: sandbox`; anything else is sent as an attachment.
  Disposition disposition = Disposition::Attachment;
};

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

  // ---- ABI 1.3 ----
  /// Size of the body in bytes (after chunked decoding), known before the handler runs: the
  /// host has received all of it, large bodies into a temporary file rather than memory.
  virtual std::uint64_t bodySize() const = 0;
  /// Reads a multipart/form-data body part by part as a stream (browser uploads), calling
  /// `handler` for each part in order; nothing is held in memory beyond a small buffer.
  /// Throws BadRequest (400, field "body") when the Content-Type is not multipart/form-data
  /// with a boundary, or the body is not valid multipart (naming the problem). Use instead of
  /// body()/bodyStream(), once.
  virtual void forEachPart(PartHandler& handler) = 0;
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
  /// handler returns. In a read (GET), the audit events the handler recorded so far are
  /// committed before the first byte leaves (the read's transaction ends there and the handler
  /// goes on in a new one); if they cannot be, this throws, nothing is sent and the client gets
  /// 503 `audit_unavailable` (let the exception leave the handler).
  virtual std::ostream& stream() = 0;
  /// True once send() or stream() was called.
  virtual bool sent() const = 0;

  // ---- ABI 1.3 ----
  /// Answers with the bytes of `source` as a download, the HTTP way: Content-Length,
  /// `Accept-Ranges: bytes`, a single `Range` (`bytes=a-b`, `a-`, `-n`: 206 with Content-Range;
  /// a request for several ranges gets the first satisfiable one; none satisfiable: 416 with
  /// `Content-Range: bytes */size`), `If-None-Match` (304), `If-Range` (the range only when
  /// the ETag, or the Last-Modified date, matches; else the whole), HEAD (headers only), ETag,
  /// Last-Modified, Content-Disposition with an RFC 6266 file name (ASCII fallback plus
  /// `filename*` in UTF-8), `X-Content-Type-Options: nosniff`. The bytes are read and written
  /// block by block while the handler runs (memory stays flat for any size); a client that does
  /// not read for server.send_timeout_seconds ends it with an exception, as stream() does.
  /// Call once, instead of send()/stream(); like stream(), the bytes leave before the
  /// handler's transaction commits. Audit events of a read are committed before the first
  /// byte, as for stream().
  virtual void sendSource(ByteSource& source, const SendOptions& options) = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
