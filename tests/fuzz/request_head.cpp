// Fuzz target: the strict HTTP/1.1 request-head parser and the chunked body decoder
// (core/src/http/request_head.cpp), as the connection layer drives them.
// Input: raw bytes as a client would send them. Properties:
// - a complete head is consumed within the buffer and the head limit, its target has no
//   space or control byte, its version is 1.0 or 1.1, and at most one of chunked/length holds;
// - a refusal carries one of the statuses the layer answers with;
// - the parse of a prefix is never "complete" with a different head than the whole input's
//   (bytes that arrive later cannot change a head already accepted);
// - the chunked decoder gives the same body and the same end fed whole or a byte at a time,
//   and never more than its limit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/request_head.h"

using lexos::core::ChunkedDecoder;
using lexos::core::HeadError;
using lexos::core::HeadParse;
using lexos::core::parseRequestHead;
using lexos::core::RequestHead;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  constexpr std::size_t kMax = 4096;
  RequestHead head;
  HeadError err;
  std::size_t consumed = 0;
  const HeadParse r = parseRequestHead(in, kMax, head, consumed, err);
  if (r == HeadParse::kComplete) {
    FUZZ_CHECK(consumed > 0 && consumed <= in.size() && consumed <= kMax);
    FUZZ_CHECK(in.substr(0, consumed).size() >= 4 && in.substr(consumed - 4, 4) == "\r\n\r\n");
    FUZZ_CHECK(!head.target.empty());
    for (unsigned char c : head.target) FUZZ_CHECK(c > 0x20 && c < 0x7f);
    FUZZ_CHECK(head.version_minor == 0 || head.version_minor == 1);
    FUZZ_CHECK(!(head.chunked && head.has_length));
    for (const auto& [name, value] : head.headers) {
      FUZZ_CHECK(!name.empty());
      for (unsigned char c : value) FUZZ_CHECK(c == '\t' || (c >= 0x20 && c != 0x7f));
    }
    // A prefix that also parses must parse to the same head (nothing later can change it).
    for (std::size_t cut : {consumed, consumed - 1}) {
      RequestHead h2;
      HeadError e2;
      std::size_t c2 = 0;
      const HeadParse r2 = parseRequestHead(in.substr(0, cut), kMax, h2, c2, e2);
      if (cut == consumed) FUZZ_CHECK(r2 == HeadParse::kComplete && c2 == consumed && h2.target == head.target);
      else FUZZ_CHECK(r2 != HeadParse::kComplete);
    }
    // The body as the connection layer reads it.
    if (head.chunked) {
      const std::string_view rest = in.substr(consumed);
      ChunkedDecoder whole(1024), bytewise(1024);
      std::string a, b;
      std::size_t usedA = 0;
      const auto ra = whole.feed(rest, usedA, a);
      std::size_t pos = 0;
      auto rb = ChunkedDecoder::Result::kNeedMore;
      while (pos < rest.size() && rb == ChunkedDecoder::Result::kNeedMore) {
        std::size_t used = 0;
        rb = bytewise.feed(rest.substr(pos, 1), used, b);
        pos += used;
        if (used == 0) break;
      }
      FUZZ_CHECK(a.size() <= 1024 && b.size() <= 1024);
      FUZZ_CHECK(ra == rb);
      if (ra == ChunkedDecoder::Result::kDone) FUZZ_CHECK(a == b && usedA == pos);
    }
  } else if (r == HeadParse::kError) {
    const int s = err.status;
    FUZZ_CHECK(s == 400 || s == 411 || s == 414 || s == 431 || s == 501 || s == 505);
    FUZZ_CHECK(!err.message.empty());
  } else {
    FUZZ_CHECK(in.size() < kMax);
  }
  return 0;
}
