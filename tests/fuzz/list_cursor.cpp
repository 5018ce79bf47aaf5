// Fuzz target: the clients list's opaque cursor (plugins/clients/list_cursor.cpp), which comes
// back from callers as a query parameter. Properties: decode() either returns a position with a
// positive id or throws BadRequest naming "cursor"; a decoded cursor encodes and decodes to the
// same position; any position (any order, UTF-8 key, positive id) survives encode() then
// decode().

#include "list_cursor.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "lexos/sdk/errors.h"
#include "text.h"

using lexos::clients::ListCursor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  try {
    const ListCursor c = ListCursor::decode(input);
    FUZZ_CHECK(c.id > 0);
    const ListCursor again = ListCursor::decode(c.encode());
    FUZZ_CHECK(again.sort == c.sort && again.sort_name == c.sort_name && again.id == c.id);
  } catch (const lexos::sdk::BadRequest& e) {
    FUZZ_CHECK(e.field() == "cursor");
  }

  // The other direction: a position made from the input (8 bytes of id, one byte choosing the
  // order, then the key).
  if (size >= 9) {
    ListCursor c;
    std::uint64_t id = 0;
    std::memcpy(&id, data, 8);
    c.id = static_cast<std::int64_t>(id & 0x7fffffffffffffffULL);
    c.sort = static_cast<lexos::clients::ListSort>(data[8] % 4);
    c.sort_name = input.substr(9);
    if (c.id > 0 && lexos::clients::text::isValidUtf8(c.sort_name)) {
      const std::string encoded = c.encode();
      if (encoded.size() <= 2048) {
        const ListCursor back = ListCursor::decode(encoded);
        FUZZ_CHECK(back.sort == c.sort && back.sort_name == c.sort_name && back.id == c.id);
      }
    }
  }
  return 0;
}
