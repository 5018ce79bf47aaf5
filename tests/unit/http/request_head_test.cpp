// The strict request-head parser and the chunked decoder (RFC 9112).
#include <catch2/catch.hpp>

#include "http/request_head.h"

using lexos::core::ChunkedDecoder;
using lexos::core::HeadError;
using lexos::core::HeadParse;
using lexos::core::parseRequestHead;
using lexos::core::RequestHead;

namespace {

struct Parsed {
  HeadParse result;
  RequestHead head;
  HeadError err;
  std::size_t consumed = 0;
};

Parsed parse(const std::string& text, std::size_t max = 16384) {
  Parsed p;
  p.result = parseRequestHead(text, max, p.head, p.consumed, p.err);
  return p;
}

int statusOf(const std::string& text) {
  auto p = parse(text);
  return p.result == HeadParse::kError ? p.err.status : p.result == HeadParse::kComplete ? 0 : -1;
}

}  // namespace

TEST_CASE("a well-formed head is parsed with its framing and keep-alive") {
  auto p = parse("POST /api/v1/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nX-A:  b c \r\n\r\nbody");
  REQUIRE(p.result == HeadParse::kComplete);
  CHECK(p.head.method == "POST");
  CHECK(p.head.target == "/api/v1/x?y=1");
  CHECK(p.head.version_minor == 1);
  CHECK(p.head.has_length);
  CHECK(p.head.content_length == 12);
  CHECK(p.head.keep_alive);
  CHECK(p.head.headers.size() == 3);
  CHECK(p.head.headers[2].second == "b c");
  CHECK(p.consumed == std::string("POST /api/v1/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 12\r\nX-A:  b c \r\n\r\n").size());
}

TEST_CASE("a head without its empty line is incomplete until it arrives") {
  CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n").result == HeadParse::kIncomplete);
  CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\n\r").result == HeadParse::kIncomplete);
  CHECK(parse("GE").result == HeadParse::kIncomplete);
  CHECK(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").result == HeadParse::kComplete);  // leading empty lines
}

TEST_CASE("repeated or differing Content-Length is refused") {
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n") == 400);
}

TEST_CASE("Transfer-Encoding with Content-Length, or not ending in chunked, is refused") {
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") == 400);
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == 501);
  CHECK(statusOf("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == 400);
  auto p = parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n");
  REQUIRE(p.result == HeadParse::kComplete);
  CHECK(p.head.chunked);
}

TEST_CASE("a body-bearing method without framing answers 411") {
  CHECK(statusOf("POST / HTTP/1.1\r\nHost: a\r\n\r\n") == 411);
  CHECK(statusOf("PUT / HTTP/1.1\r\nHost: a\r\n\r\n") == 411);
  CHECK(statusOf("PATCH / HTTP/1.1\r\nHost: a\r\n\r\n") == 411);
  CHECK(statusOf("DELETE / HTTP/1.1\r\nHost: a\r\n\r\n") == 0);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == 0);
}

TEST_CASE("obs-fold, bare LF, bare CR, control characters and space before the colon are refused") {
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\n\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n") == 400);
  std::string nul = "GET / HTTP/1.1\r\nHost: a\r\nX-A: b";
  nul.push_back('\0');
  nul += "c\r\n\r\n";
  CHECK(statusOf(nul) == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x7f\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\xc3\xa9\r\n\r\n") == 0);  // obs-text is data
}

TEST_CASE("versions other than HTTP/1.0 and 1.1 answer 505, malformed ones 400") {
  CHECK(statusOf("GET / HTTP/9.9\r\nHost: a\r\n\r\n") == 505);
  CHECK(statusOf("GET / HTTP/2.0\r\nHost: a\r\n\r\n") == 505);
  CHECK(statusOf("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == 505);
  CHECK(statusOf("GET / HTTP/1.2\r\nHost: a\r\n\r\n") == 505);
  CHECK(statusOf("GET / HTTP/1\r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET / http/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET /  HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1 \r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("G(T / HTTP/1.1\r\nHost: a\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.0\r\n\r\n") == 0);  // HTTP/1.0 needs no Host
}

TEST_CASE("HTTP/1.1 needs exactly one Host") {
  CHECK(statusOf("GET / HTTP/1.1\r\n\r\n") == 400);
  CHECK(statusOf("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == 400);
}

TEST_CASE("oversized heads answer 431 and oversized request lines 414") {
  std::string big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n";
  CHECK(parse(big, 1024).err.status == 431);
  CHECK(parse(big, 1024).result == HeadParse::kError);
  std::string longLine = "GET /" + std::string(2000, 'a');
  CHECK(parse(longLine, 1024).err.status == 414);
  CHECK(statusOf("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n") == 414);
}

TEST_CASE("Connection decides keep-alive per version, and Expect: 100-continue is noticed") {
  CHECK_FALSE(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").head.keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").head.keep_alive);
  CHECK(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n").head.expect_continue);
}

TEST_CASE("the chunked decoder reads chunks, extensions and trailers fed a byte at a time") {
  const std::string wire = "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  ChunkedDecoder d(1000);
  std::string body;
  std::size_t pos = 0;
  ChunkedDecoder::Result r = ChunkedDecoder::Result::kNeedMore;
  while (pos < wire.size() && r == ChunkedDecoder::Result::kNeedMore) {
    std::size_t used = 0;
    r = d.feed(std::string_view(wire).substr(pos, 1), used, body);
    pos += used;
  }
  CHECK(r == ChunkedDecoder::Result::kDone);
  CHECK(body == "hello world");
  CHECK(wire.substr(pos) == "NEXT");
}

TEST_CASE("the chunked decoder refuses malformed framing and bodies over the limit") {
  auto run = [](const std::string& wire, std::uint64_t limit = 1000) {
    ChunkedDecoder d(limit);
    std::string body;
    std::size_t used = 0;
    return d.feed(wire, used, body);
  };
  CHECK(run("zz\r\n") == ChunkedDecoder::Result::kError);
  CHECK(run("5\nhello\r\n0\r\n\r\n") == ChunkedDecoder::Result::kError);
  CHECK(run("5\r\nhelloX\r\n") == ChunkedDecoder::Result::kError);
  CHECK(run("ffffffffffffffffff\r\n") == ChunkedDecoder::Result::kError);
  CHECK(run("\r\n") == ChunkedDecoder::Result::kError);
  CHECK(run("5\r\nhello\r\n0\r\n\n") == ChunkedDecoder::Result::kError);
  CHECK(run("a\r\n0123456789\r\n0\r\n\r\n", 5) == ChunkedDecoder::Result::kTooLarge);
  CHECK(run("5\r\nhello\r\n0\r\n\r\n") == ChunkedDecoder::Result::kDone);
}
