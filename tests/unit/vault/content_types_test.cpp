// Content types from the bytes (core/src/vault/content_types.h): libmagic names what a firm
// uploads, and the allow-list takes or refuses it, whatever the file's name.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "config/config.h"
#include "vault/content_types.h"

using lexos::core::defaultVaultTypes;
using lexos::core::vault::ContentTypes;
using lexos::core::vault::typeAllowed;

namespace {

void le(std::string& s, unsigned v, int bytes) {
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// A zip of stored entries (local headers only: what libmagic reads), as office files begin.
std::string zipOf(const std::vector<std::string>& names) {
  std::string z;
  for (const auto& n : names) {
    const std::string data = "<x/>";
    le(z, 0x04034b50, 4);
    le(z, 20, 2);
    le(z, 0, 2);
    le(z, 0, 2);
    le(z, 0, 4);  // time, date
    le(z, 0, 4);  // crc (libmagic does not check it)
    le(z, static_cast<unsigned>(data.size()), 4);
    le(z, static_cast<unsigned>(data.size()), 4);
    le(z, static_cast<unsigned>(n.size()), 2);
    le(z, 0, 2);
    z += n + data;
  }
  return z;
}

}  // namespace

TEST_CASE("libmagic names documents by their bytes and the default allow-list takes a firm's usual files") {
  ContentTypes types;
  const auto& allowed = defaultVaultTypes();
  struct Case {
    const char* what;
    std::string bytes;
    const char* type;
    bool taken;
  };
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0", 33);
  std::string elf("\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0", 20);
  elf.resize(256, '\0');
  const std::vector<Case> cases = {
      {"PDF", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf", true},
      {"PNG", png, "image/png", true},
      {"docx", zipOf({"[Content_Types].xml", "_rels/.rels", "word/document.xml"}),
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
      {"xlsx", zipOf({"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"}),
       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true},
      {"plain zip", zipOf({"a.txt"}), nullptr, false},  // application/zip with its central directory
      {"text", "Dear Mr Anderson,\nplease find the settlement attached.\n", "text/plain", true},
      {"CSV", "name,amount\nAnderson,100\nSmith,200\n", "text/csv", true},
      {"RTF", "{\\rtf1 hello}", "text/rtf", true},
      {"e-mail", "From: a@b.c\nTo: d@e.f\nSubject: hi\nDate: Mon, 30 Nov 2026 10:00:00 +0000\n\nbody\n", "message/rfc822", true},
      {"empty", "", "application/x-empty", true},
      {"executable", elf, nullptr, false},
      {"HTML", "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "text/html", false},
  };
  for (const auto& c : cases) {
    const std::string t = types.detect(c.bytes);
    INFO(c.what << " detected as " << t);
    if (c.type) CHECK(t == c.type);
    CHECK(typeAllowed(t, allowed) == c.taken);
  }
}

TEST_CASE("allow-list patterns match exact types and families only") {
  const std::vector<std::string> list = {"application/pdf", "image/*", "application/vnd.oasis.opendocument.*"};
  CHECK(typeAllowed("application/pdf", list));
  CHECK(typeAllowed("image/heic", list));
  CHECK(typeAllowed("application/vnd.oasis.opendocument.text", list));
  CHECK_FALSE(typeAllowed("application/pdfx", list));
  CHECK_FALSE(typeAllowed("imagex/png", list));
  CHECK_FALSE(typeAllowed("application/zip", list));
  CHECK_FALSE(typeAllowed("", list));
}
