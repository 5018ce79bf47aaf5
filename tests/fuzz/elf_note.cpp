// Fuzz target: the LexOS note reader (core/src/plugins/elf_note.cpp: findPluginNote), what the
// loader runs on a plugin file before dlopen, so on whatever bytes lie in plugins.dir.
// Input: the bytes of a file. Properties: the reader never asks for a byte outside the file,
// nor for more than a few hundred bytes at once; a note is found only in a 64-bit
// little-endian ELF file, and its strings are shorter than their fields, free of NULs, and the
// id lies in the file followed by a NUL; every refusal says why; the in-memory reader agrees.

#include "plugins/elf_note.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.h"
#include "lexos/sdk/gate.h"

using lexos::core::findPluginNote;
using lexos::core::NoteLookup;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string image(reinterpret_cast<const char*>(data), size);
  const NoteLookup r = findPluginNote(
      [&](std::uint64_t offset, std::size_t n, void* out) {
        FUZZ_CHECK(offset <= size && n <= size - offset);
        FUZZ_CHECK(n <= 512);
        std::memcpy(out, data + offset, n);
        return true;
      },
      size);

  if (r.result == NoteLookup::Result::Found) {
    FUZZ_CHECK(size >= 64 && std::memcmp(data,
                                         "\x7f"
                                         "ELF\x02\x01",
                                         6) == 0);
    FUZZ_CHECK(r.note.format != 0);
    FUZZ_CHECK(r.note.plugin_id.size() < sizeof(LexosPluginNote::plugin_id));
    FUZZ_CHECK(r.note.stdlib.size() < sizeof(LexosPluginNote::stdlib));
    FUZZ_CHECK(r.note.sdk_version.size() < sizeof(LexosPluginNote::sdk_version));
    for (const std::string* s : {&r.note.plugin_id, &r.note.stdlib, &r.note.sdk_version})
      FUZZ_CHECK(s->find('\0') == std::string::npos);
    FUZZ_CHECK(image.find(r.note.plugin_id + std::string(1, '\0')) != std::string::npos);
    FUZZ_CHECK(r.problem.empty());
  } else if (r.result == NoteLookup::Result::NoNote) {
    FUZZ_CHECK(r.problem.empty());
  } else {
    FUZZ_CHECK(!r.problem.empty());
  }

  const NoteLookup again = findPluginNote(image);
  FUZZ_CHECK(again.result == r.result && again.problem == r.problem &&
             again.note.plugin_id == r.note.plugin_id && again.note.abi_major == r.note.abi_major &&
             again.note.abi_minor == r.note.abi_minor);
  return 0;
}
