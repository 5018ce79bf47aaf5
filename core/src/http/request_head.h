#pragma once
// A strict HTTP/1.1 request-head parser (RFC 9112) over a byte buffer, and the chunked body
// decoder. No I/O: the connection layer feeds it what it has read, so a client that sends its
// head slowly costs a buffer, never a thread. Everything RFC 9112 lets a server refuse and
// that request smuggling builds on is refused: bare LF, obs-fold, control characters, white
// space before a colon, several or malformed Content-Length, Transfer-Encoding other than a
// final "chunked", both framing headers at once, versions other than 1.0 and 1.1.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lexos::core {

/// A parsed request head. Plain data.
struct RequestHead {
  std::string method;
  std::string target;  ///< request-target as sent (origin-form, or "*" for OPTIONS)
  int version_minor = 1;  ///< HTTP/1.<minor>, 0 or 1
  std::vector<std::pair<std::string, std::string>> headers;  ///< in order, names as sent
  bool chunked = false;                ///< Transfer-Encoding: chunked
  bool has_length = false;             ///< Content-Length present
  std::uint64_t content_length = 0;
  bool keep_alive = true;              ///< the client allows the connection to stay open
  bool expect_continue = false;        ///< Expect: 100-continue
  /// True for a request that carries a body (chunked, or a Content-Length above zero).
  bool hasBody() const { return chunked || content_length > 0; }
};

/// Why a head was refused: the status to answer (400, 411, 414, 431, 501, 505) and a message
/// for the error body. The connection is closed after the answer.
struct HeadError {
  int status = 400;
  std::string message;
};

enum class HeadParse { kIncomplete, kComplete, kError };

/// Parses the request head at the start of `buf`. On kComplete, `out` holds it and `consumed`
/// the bytes of the head (request line through the empty line; leading empty lines included).
/// kIncomplete: more bytes are needed (and fewer than `maxHeadBytes` are buffered). kError:
/// `err` says why. Thread-safe (no state).
HeadParse parseRequestHead(std::string_view buf, std::size_t maxHeadBytes, RequestHead& out,
                           std::size_t& consumed, HeadError& err);

/// Incremental decoder of a chunked body (RFC 9112 §7.1). Chunk extensions are skipped (their
/// length bounded), trailer fields are read and dropped. Not thread-safe; one per request.
class ChunkedDecoder {
 public:
  enum class Result { kNeedMore, kDone, kError, kTooLarge };
  explicit ChunkedDecoder(std::uint64_t limit) : limit_(limit) {}
  /// Consumes bytes from `in` (advancing `used`), appending decoded data to `body`. kDone once
  /// the last chunk and trailers are read (`used` then stops right after them); kTooLarge when
  /// the body would exceed the limit; kError on malformed framing.
  Result feed(std::string_view in, std::size_t& used, std::string& body);

 private:
  enum class State { kSize, kExt, kSizeLf, kData, kDataCr, kDataLf, kTrailer, kTrailerLf, kTrailerLine, kTrailerLineLf, kDone };
  State state_ = State::kSize;
  std::uint64_t limit_;
  std::uint64_t chunk_left_ = 0;
  std::uint64_t total_ = 0;
  int size_digits_ = 0;
  std::size_t line_bytes_ = 0;  // extension or trailer bytes, bounded
};

}  // namespace lexos::core
