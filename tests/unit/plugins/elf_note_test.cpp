// The LexOS note reader (core/src/plugins/elf_note.cpp) on real plugin files built by this
// build, on those files altered one field at a time, cut short at every length, and on garbage.
#include "plugins/elf_note.h"

#include <elf.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "lexos/sdk/gate.h"

using lexos::core::findPluginNote;
using lexos::core::NoteLookup;
using Result = NoteLookup::Result;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string probeImage() { return readFile(std::string(LEXOS_TEST_PLUGIN_DIR) + "/probe.so"); }

// The prefix [0, size) of `image`, read in place (copying every prefix would take minutes).
NoteLookup lookPrefix(const std::string& image, std::size_t size) {
  return findPluginNote(
      [&image, size](std::uint64_t offset, std::size_t n, void* out) {
        if (offset > size || n > size - offset) return false;
        std::memcpy(out, image.data() + offset, n);
        return true;
      },
      size);
}

// Offset of the LexOS note's descriptor in the image (its magic).
std::size_t descOffset(const std::string& image) {
  const std::string magic(LEXOS_PLUGIN_NOTE_MAGIC, sizeof(LexosPluginNote::magic));
  const auto at = image.find(magic);
  REQUIRE(at != std::string::npos);
  REQUIRE(image.find(magic, at + 1) == std::string::npos);
  return at;
}

template <typename T>
void put(std::string& image, std::size_t offset, T value) {
  std::memcpy(&image[offset], &value, sizeof value);  // the test runs on little-endian hosts
}

}  // namespace

TEST_CASE("the note reader finds the identity a plugin built with LEXOS_PLUGIN carries") {
  const auto r = findPluginNote(probeImage());
  REQUIRE(r.result == Result::Found);
  CHECK(r.note.format == LEXOS_PLUGIN_NOTE_FORMAT);
  CHECK(r.note.abi_major == LEXOS_SDK_ABI_MAJOR);
  CHECK(r.note.abi_minor == LEXOS_SDK_ABI_MINOR);
  CHECK(r.note.gate_size == sizeof(LexosPluginGate));
  CHECK(r.note.stdlib == LEXOS_SDK_STDLIB);
  CHECK(r.note.sdk_version == LEXOS_SDK_VERSION);
  CHECK(r.note.plugin_id == "probe");
}

TEST_CASE("the note reader reads the id and ABI the note records, not the file name") {
  const auto wrong = findPluginNote(readFile(std::string(LEXOS_TEST_PLUGIN_DIR) + "/wrongid.so"));
  REQUIRE(wrong.result == Result::Found);
  CHECK(wrong.note.plugin_id == "someoneelse");
  const auto bad = findPluginNote(readFile(std::string(LEXOS_TEST_PLUGIN_DIR) + "/ctorbadabi.so"));
  REQUIRE(bad.result == Result::Found);
  CHECK(bad.note.abi_major == 99);
  CHECK(bad.note.plugin_id == "ctorbadabi");
}

TEST_CASE("the note reader says a shared library without the note has none") {
  for (const char* file : {"notaplugin.so", "ctornonote.so"}) {
    INFO(file);
    const auto r = findPluginNote(readFile(std::string(LEXOS_TEST_PLUGIN_DIR) + "/" + file));
    CHECK(r.result == Result::NoNote);
  }
}

TEST_CASE(
    "the note reader finds the note through the program headers when there are no section "
    "headers") {
  auto image = probeImage();
  put<std::uint64_t>(image, offsetof(Elf64_Ehdr, e_shoff), 0);
  put<std::uint16_t>(image, offsetof(Elf64_Ehdr, e_shnum), 0);
  const auto r = findPluginNote(image);
  REQUIRE(r.result == Result::Found);
  CHECK(r.note.plugin_id == "probe");
}

TEST_CASE(
    "the note reader refuses what is not a 64-bit little-endian shared library for this machine") {
  const auto image = probeImage();
  SECTION("not ELF") {
    for (std::string bytes : {std::string(),
                              std::string("\x7f"
                                          "EL"),
                              std::string("#!/bin/sh\necho hi\n"), std::string(4096, '\0')}) {
      const auto r = findPluginNote(bytes);
      CHECK(r.result == Result::NotElf);
      CHECK_THAT(r.problem, Catch::Contains("not an ELF file"));
    }
  }
  SECTION("32-bit") {
    auto bytes = image;
    bytes[EI_CLASS] = ELFCLASS32;
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Unsupported);
    CHECK_THAT(r.problem,
               Catch::Contains("32-bit") && Catch::Contains("expected a 64-bit little-endian"));
  }
  SECTION("big-endian") {
    auto bytes = image;
    bytes[EI_DATA] = ELFDATA2MSB;
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Unsupported);
    CHECK_THAT(r.problem, Catch::Contains("big-endian"));
  }
  SECTION("an executable") {
    auto bytes = image;
    put<std::uint16_t>(bytes, offsetof(Elf64_Ehdr, e_type), ET_EXEC);
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Unsupported);
    CHECK_THAT(r.problem,
               Catch::Contains("ET_EXEC") && Catch::Contains("expected a shared library (ET_DYN)"));
  }
  SECTION("another machine") {
    auto bytes = image;
    const std::uint16_t host = static_cast<unsigned char>(image[offsetof(Elf64_Ehdr, e_machine)]);
    put<std::uint16_t>(bytes, offsetof(Elf64_Ehdr, e_machine),
                       host == EM_AARCH64 ? EM_X86_64 : EM_AARCH64);
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Unsupported);
    CHECK_THAT(r.problem, Catch::Contains("built for") && Catch::Contains("this lexosd runs on"));
  }
}

TEST_CASE("the note reader refuses a damaged LexOS note, naming what is wrong") {
  const auto image = probeImage();
  const std::size_t desc = descOffset(image);
  SECTION("wrong magic") {
    auto bytes = image;
    bytes[desc] = 'X';
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Malformed);
    CHECK_THAT(r.problem, Catch::Contains("magic"));
  }
  SECTION("an id without its NUL") {
    auto bytes = image;
    std::memset(&bytes[desc + offsetof(LexosPluginNote, plugin_id)], 'a',
                sizeof(LexosPluginNote::plugin_id));
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Malformed);
    CHECK_THAT(r.problem, Catch::Contains("plugin_id has no terminating NUL within its 64 bytes"));
  }
  SECTION("format 0") {
    auto bytes = image;
    put<std::uint32_t>(bytes, desc + offsetof(LexosPluginNote, note_format), 0);
    CHECK(findPluginNote(bytes).result == Result::Malformed);
  }
  SECTION("a descriptor shorter than the format needs") {
    auto bytes = image;
    const std::size_t head =
        desc - 8 - 12;  // the note header: namesz, descsz, type; then "LEXOS\0\0\0"
    REQUIRE(std::memcmp(&bytes[head + 12], "LEXOS", 6) == 0);
    put<std::uint32_t>(bytes, head + 4, 16);
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Malformed);
    CHECK_THAT(r.problem, Catch::Contains("holds 16 bytes; expected at least 136"));
  }
  SECTION("a note that claims more than its section holds") {
    auto bytes = image;
    const std::size_t head = desc - 8 - 12;
    put<std::uint32_t>(bytes, head + 4, 0xfffffff0u);
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Malformed);
    CHECK_THAT(r.problem, Catch::Contains("runs past its end"));
  }
  SECTION("a later format with more fields is read by the fields this host knows") {
    auto bytes = image;
    put<std::uint32_t>(bytes, desc + offsetof(LexosPluginNote, note_format), 7);
    const auto r = findPluginNote(bytes);
    REQUIRE(r.result == Result::Found);
    CHECK(r.note.format == 7);
    CHECK(r.note.plugin_id == "probe");
  }
}

TEST_CASE("the note reader refuses header tables that point past the end of the file") {
  const auto image = probeImage();
  SECTION("section header table") {
    auto bytes = image;
    put<std::uint64_t>(bytes, offsetof(Elf64_Ehdr, e_shoff), image.size() - 10);
    const auto r = findPluginNote(bytes);
    CHECK(r.result == Result::Malformed);
    CHECK_THAT(r.problem,
               Catch::Contains("runs past the end of the file") && Catch::Contains("truncated"));
  }
  SECTION("section offsets that overflow") {
    auto bytes = image;
    put<std::uint64_t>(bytes, offsetof(Elf64_Ehdr, e_shoff), ~std::uint64_t{0} - 8);
    CHECK(findPluginNote(bytes).result == Result::Malformed);
  }
  SECTION("program header table without section headers") {
    auto bytes = image;
    put<std::uint64_t>(bytes, offsetof(Elf64_Ehdr, e_shoff), 0);
    put<std::uint64_t>(bytes, offsetof(Elf64_Ehdr, e_phoff), image.size());
    CHECK(findPluginNote(bytes).result == Result::Malformed);
  }
  SECTION("section headers smaller than ELF64's") {
    auto bytes = image;
    put<std::uint16_t>(bytes, offsetof(Elf64_Ehdr, e_shentsize), 40);
    CHECK(findPluginNote(bytes).result == Result::Malformed);
  }
}

TEST_CASE("the note reader never finds a note in a plugin cut short, at any length") {
  const auto image = probeImage();
  REQUIRE(findPluginNote(image).result == Result::Found);
  std::size_t notElf = 0, malformed = 0;
  for (std::size_t size = 0; size < image.size(); ++size) {
    const auto r = lookPrefix(image, size);
    if (r.result == Result::Found || r.result == Result::NoNote)
      FAIL("a prefix of " << size << " bytes gave a result");
    REQUIRE_FALSE(r.problem.empty());
    (r.result == Result::NotElf ? notElf : malformed)++;
  }
  CHECK(notElf == 4);  // 0 to 3 bytes: not even the magic
  CHECK(malformed == image.size() - 4);
}

TEST_CASE(
    "the note reader survives every byte of the headers and the note flipped, and random garbage") {
  const auto image = probeImage();
  const std::size_t desc = descOffset(image);
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < 4096 && i < image.size(); ++i) offsets.push_back(i);
  for (std::size_t i = desc - 20; i < desc + sizeof(LexosPluginNote); ++i) offsets.push_back(i);
  const std::uint64_t shoff = [&] {
    std::uint64_t v;
    std::memcpy(&v, &image[offsetof(Elf64_Ehdr, e_shoff)], sizeof v);
    return v;
  }();
  for (std::size_t i = shoff; i < image.size(); ++i) offsets.push_back(i);
  std::size_t found = 0;
  for (std::size_t at : offsets) {
    auto bytes = image;
    bytes[at] = static_cast<char>(bytes[at] ^ 0xff);
    const auto r = findPluginNote(bytes);
    if (r.result == Result::Found) {
      ++found;
      CHECK(r.note.plugin_id.size() < sizeof(LexosPluginNote::plugin_id));
    } else {
      CHECK((r.result == Result::NoNote || !r.problem.empty()));
    }
  }
  CHECK(found > 0);  // most bytes (padding, unrelated sections) do not matter

  std::mt19937_64 random(20261130);
  for (int round = 0; round < 20000; ++round) {
    std::string bytes(64 + random() % 4096, '\0');
    for (auto& c : bytes) c = static_cast<char>(random());
    // Mostly well-formed ELF identification, so that the walk goes past the first checks.
    std::memcpy(&bytes[0], image.data(), round % 4 ? 24 : 4);
    const auto r = findPluginNote(bytes);
    CHECK((r.result != Result::Found || r.note.plugin_id.size() < 64));
  }
}
