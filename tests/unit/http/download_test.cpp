// The pure parts of a download answer (Response::sendSource): Range, validators, file names.
#include <catch2/catch.hpp>

#include "http/download.h"
#include "http/request_body.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

using namespace lexos::core;

namespace {
std::string rangeOf(const std::string& header, std::uint64_t size) {
  ByteRange r;
  switch (decideRange(header, size, r)) {
    case RangeAnswer::kWhole: return "whole";
    case RangeAnswer::kUnsatisfiable: return "416";
    case RangeAnswer::kPartial: return std::to_string(r.first) + "-" + std::to_string(r.last);
  }
  return "?";
}
}  // namespace

TEST_CASE("a Range header picks first, middle, last, open and suffix ranges of a representation") {
  CHECK(rangeOf("bytes=0-0", 1000) == "0-0");
  CHECK(rangeOf("bytes=100-199", 1000) == "100-199");
  CHECK(rangeOf("bytes=990-999", 1000) == "990-999");
  CHECK(rangeOf("bytes=990-5000", 1000) == "990-999");  // the end is clipped to the size
  CHECK(rangeOf("bytes=500-", 1000) == "500-999");
  CHECK(rangeOf("bytes=-10", 1000) == "990-999");
  CHECK(rangeOf("bytes=-5000", 1000) == "0-999");
  CHECK(rangeOf("BYTES = 1-2", 1000) == "1-2");
}

TEST_CASE("of several ranges the first satisfiable one is answered, none satisfiable is 416") {
  CHECK(rangeOf("bytes=5-9, 20-29", 1000) == "5-9");
  CHECK(rangeOf("bytes=2000-3000, 7-8", 1000) == "7-8");
  CHECK(rangeOf("bytes=1000-", 1000) == "416");
  CHECK(rangeOf("bytes=-0", 1000) == "416");
  CHECK(rangeOf("bytes=0-", 0) == "416");
  CHECK(rangeOf("bytes=-5", 0) == "416");
}

TEST_CASE("a Range header that does not parse, or another unit, is ignored: the whole answer") {
  for (const char* h : {"items=0-5", "bytes", "bytes=a-b", "bytes=9-3", "bytes=5", "bytes=--5", "bytes=1-2-3",
                        "bytes=99999999999999999999-"}) {
    INFO(h);
    CHECK(rangeOf(h, 1000) == "whole");
  }
}

TEST_CASE("entity tags are quoted, compared weakly for If-None-Match and strongly for If-Range") {
  CHECK(quoteEtag("abc123") == "\"abc123\"");
  CHECK(quoteEtag("\"abc123\"") == "\"abc123\"");
  CHECK_THROWS_WITH(quoteEtag("a\"b"), Catch::Contains("SendOptions.etag"));
  CHECK_THROWS_WITH(quoteEtag("a\r\nSet-Cookie: x"), Catch::Contains("SendOptions.etag"));
  CHECK(noneMatchHits("\"x\", \"abc\"", "\"abc\""));
  CHECK(noneMatchHits("W/\"abc\"", "\"abc\""));
  CHECK(noneMatchHits("*", "\"abc\""));
  CHECK_FALSE(noneMatchHits("\"abd\"", "\"abc\""));
  CHECK(ifRangeHolds("\"abc\"", "\"abc\"", ""));
  CHECK_FALSE(ifRangeHolds("W/\"abc\"", "\"abc\"", ""));
  CHECK_FALSE(ifRangeHolds("\"old\"", "\"abc\"", ""));
  CHECK(ifRangeHolds("Sat, 01 Jan 2022 00:00:00 GMT", "\"abc\"", "Sat, 01 Jan 2022 00:00:00 GMT"));
  CHECK_FALSE(ifRangeHolds("Sun, 02 Jan 2022 00:00:00 GMT", "\"abc\"", "Sat, 01 Jan 2022 00:00:00 GMT"));
}

TEST_CASE("a download file name loses control characters, quotes and path separators, keeps valid UTF-8") {
  CHECK(safeFilename("report.pdf") == "report.pdf");
  CHECK(safeFilename("../../etc/passwd") == "etcpasswd");
  CHECK(safeFilename("a\"b\r\nSet-Cookie: x.txt") == "abSet-Cookie: x.txt");
  CHECK(safeFilename("C:\\dir\\f.txt") == "C:dirf.txt");
  CHECK(safeFilename("Übersicht – Q3.pdf") == "Übersicht – Q3.pdf");
  CHECK(safeFilename("bad\xff\xfe.pdf") == "bad.pdf");
  CHECK(safeFilename("\xc0\xaf.pdf") == "pdf");  // an overlong '/' is dropped, then the leading dot
  CHECK(safeFilename("\r\n\"") == "download");
}

TEST_CASE("Content-Disposition carries an ASCII fallback and the exact UTF-8 name (RFC 6266, 8187)") {
  CHECK(contentDisposition(false, "") == "attachment");
  CHECK(contentDisposition(false, "plan v2.pdf") ==
        "attachment; filename=\"plan v2.pdf\"; filename*=UTF-8''plan%20v2.pdf");
  CHECK(contentDisposition(true, "Übersicht 100%.pdf") ==
        "inline; filename=\"_bersicht 100_.pdf\"; filename*=UTF-8''%C3%9Cbersicht%20100%25.pdf");
  CHECK(contentDisposition(false, "契約書.pdf") ==
        "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%A5%91%E7%B4%84%E6%9B%B8.pdf");
}

TEST_CASE("only PDF and raster images may be shown inline") {
  CHECK(inlineAllowed("application/pdf"));
  CHECK(inlineAllowed("image/png"));
  CHECK(inlineAllowed("Image/JPEG; charset=x"));
  CHECK_FALSE(inlineAllowed("image/svg+xml"));
  CHECK_FALSE(inlineAllowed("text/html"));
  CHECK_FALSE(inlineAllowed("application/xhtml+xml"));
  CHECK_FALSE(inlineAllowed("image/"));
}

TEST_CASE("a request body stays in memory up to its limit, then moves to an unnamed spool file") {
  const auto dir = std::filesystem::temp_directory_path() / ("lexos-spool-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  RequestBody body;
  body.reset(16, dir.string());
  std::string error;
  CHECK(body.append("0123456789", 10, error) == RequestBody::Append::kOk);
  CHECK_FALSE(body.spooled());
  CHECK(body.append("abcdefghij", 10, error) == RequestBody::Append::kOk);
  CHECK(body.spooled());
  CHECK(body.size() == 20);
  CHECK(body.memory().empty());
  CHECK(std::filesystem::is_empty(dir));  // the file has no name
  RequestBodyReadBuf buf(body);
  std::istream in(&buf);
  std::stringstream all;
  all << in.rdbuf();
  CHECK(all.str() == "0123456789abcdefghij");
  body.clear();
  CHECK(body.size() == 0);
  std::filesystem::remove_all(dir);
}
