#pragma once
// Reads a plugin's LexOS note (sdk/include/lexos/sdk/gate.h) from its ELF file without loading
// it: the host's first look at a plugin, before dlopen runs any of the plugin's code. The file
// is treated as hostile: every offset and size is checked against the file before it is used,
// nothing is allocated in proportion to what the file claims, and a truncated or damaged file
// gives a Malformed result, never a crash.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace lexos::core {

/// What a plugin's LexOS note says. Strings are the bytes before the field's first NUL.
struct PluginNote {
  std::uint32_t format = 0;     ///< Note format (1 today; later formats only append fields).
  std::uint32_t abi_major = 0;  ///< SDK ABI major the plugin was built against.
  std::uint32_t abi_minor = 0;  ///< SDK ABI minor the plugin was built against.
  std::uint32_t gate_size = 0;  ///< sizeof(LexosPluginGate) in the plugin's build.
  std::string stdlib;           ///< C++ standard library fingerprint ("libstdc++/cxx11", ...).
  std::string sdk_version;      ///< SDK version, informative ("1.2.0").
  std::string plugin_id;        ///< The id the plugin declares; must equal the file stem.
};

/// The outcome of looking for the note in a file.
struct NoteLookup {
  enum class Result {
    Found,        ///< `note` holds the note.
    NoNote,       ///< A well-formed ELF shared library without a LexOS note.
    NotElf,       ///< Not an ELF file at all.
    Unsupported,  ///< An ELF file this host cannot load (class, byte order, type, machine).
    Malformed,    ///< Truncated or damaged headers, or a LexOS note that is not well formed.
  };
  Result result = Result::NoNote;
  PluginNote note;      ///< Filled when result is Found.
  std::string problem;  ///< Otherwise: what is wrong, worded for an operator, without the path.
};

/// Reads exactly `size` bytes at `offset` into `out`; returns false when it cannot (past the
/// end, I/O error). The lookup calls it only inside [0, fileSize) and for at most a few hundred
/// bytes at a time.
using ReadAt = std::function<bool(std::uint64_t offset, std::size_t size, void* out)>;

/// Looks for the LexOS note in the ELF image of `fileSize` bytes that `read` gives. Accepts
/// 64-bit little-endian shared libraries (ET_DYN) for the machine this host runs on. Looks in
/// the SHT_NOTE sections when the file has a section header table, else in the PT_NOTE
/// segments. Throws nothing but std::bad_alloc. Thread-safe (no shared state).
NoteLookup findPluginNote(const ReadAt& read, std::uint64_t fileSize);

/// The same over an image held in memory (tests, fuzzing).
NoteLookup findPluginNote(const std::string& image);

/// The same over an open file descriptor (pread; the file offset is not moved). `fileSize` is
/// the size fstat reported.
NoteLookup findPluginNoteInFile(int fd, std::uint64_t fileSize);

}  // namespace lexos::core
