#pragma once
// The pieces of a download answer (Response::sendSource) that are pure functions of the request
// headers and the options: the Range decision, entity-tag matching and Content-Disposition.
// Kept apart from the I/O so that they are unit-tested on their own (tests/unit/http).

#include <cstdint>
#include <string>

namespace lexos::core {

struct ByteRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  ///< inclusive
  std::uint64_t length() const { return last - first + 1; }
};

enum class RangeAnswer {
  kWhole,          ///< no Range, or one that is ignored (another unit, bad syntax): 200, everything
  kPartial,        ///< 206 with `range`
  kUnsatisfiable,  ///< 416 with Content-Range: bytes */size
};

/// Reads a Range header (RFC 9110 §14.2) against a representation of `size` bytes. Only the
/// `bytes` unit; `a-b`, `a-`, `-n`; of several ranges the first satisfiable one is chosen. A
/// header that does not parse is ignored (kWhole), as the RFC allows.
RangeAnswer decideRange(const std::string& header, std::uint64_t size, ByteRange& range);

/// `"value"` for a strong ETag given without quotes (or as is when quoted). Throws
/// std::invalid_argument naming SendOptions.etag when it holds a quote, backslash or control
/// character.
std::string quoteEtag(const std::string& etag);

/// If-None-Match: true when `header` is `*` or lists `etag` (weak comparison: W/ ignored).
bool noneMatchHits(const std::string& header, const std::string& etag);

/// If-Range: true when the range may be served: `header` is an entity tag equal to `etag`
/// (strong comparison: a weak tag never matches) or an HTTP date equal to `lastModified`
/// (the formatted Last-Modified header; empty: none).
bool ifRangeHolds(const std::string& header, const std::string& etag, const std::string& lastModified);

/// The file name with what must not reach a header or a file system removed: control
/// characters (CR, LF, ...), quotes, backslashes and slashes, invalid UTF-8; leading dots and
/// surrounding spaces trimmed. "download" when nothing is left.
std::string safeFilename(const std::string& utf8);

/// `attachment` or `inline`, with `; filename="ascii"; filename*=UTF-8''pct` when `filename`
/// (already safe, see safeFilename) is not empty (RFC 6266, RFC 8187): the plain form has one
/// '_' per non-ASCII character (and per '%'), the extended form the exact name.
std::string contentDisposition(bool inlineDisposition, const std::string& filename);

/// Whether a type may be shown inline: application/pdf and image/* except SVG (scriptable).
bool inlineAllowed(const std::string& contentType);

}  // namespace lexos::core
