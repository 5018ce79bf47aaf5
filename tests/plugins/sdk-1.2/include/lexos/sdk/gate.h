#pragma once
/// @file gate.h
/// The plugin's identity, in two places the host reads before it runs any C++ of the plugin.
///
/// 1. **The LexOS note** (since SDK 1.2): an ELF note (section `.note.lexos`, owner "LEXOS",
///    type LEXOS_PLUGIN_NOTE_TYPE) holding a LexosPluginNote: ABI major and minor, the size of
///    the gate struct, the C++ standard library, the SDK version and the plugin id. The host
///    reads it from the file, without loading it, and refuses a mismatch before `dlopen`, so a
///    plugin built for another host never gets to run its static constructors. `readelf -n
///    hello.so` shows it.
/// 2. **The C gate**: every plugin exports `lexos_plugin_gate`, an `extern "C"` function that
///    returns a pointer to a static LexosPluginGate. After `dlopen` the host checks the magic,
///    the struct size, the ABI numbers and the build fingerprint again, and only then calls
///    `create`.
///
/// A refusal names the file, what was expected and what was found. Use the LEXOS_PLUGIN macro,
/// which emits both; do not write either by hand.

#include <cstdint>

#include "lexos/sdk/version.h"

extern "C" {

/// Identifies a LexOS plugin. The first four fields are frozen for all ABI versions so that any
/// host can read any plugin's gate and say what is wrong with it.
/// Ownership: the struct and its strings are static data of the plugin; they live as long as
/// the library is loaded (for LexOS, as long as the process). Thread-safe to read.
struct LexosPluginGate {
  char magic[16];                 ///< "LEXOS-PLUGIN" and NULs.
  std::uint32_t struct_size;      ///< sizeof(LexosPluginGate) in the plugin's build.
  std::uint32_t abi_major;        ///< LEXOS_SDK_ABI_MAJOR of the plugin's build.
  std::uint32_t abi_minor;        ///< LEXOS_SDK_ABI_MINOR of the plugin's build.
  const char* plugin_id;          ///< Lower-case id, [a-z][a-z0-9_-]*; equals the file stem.
  const char* plugin_version;     ///< The plugin's own version, free text (semver advised).
  const char* sdk_version;        ///< LEXOS_SDK_VERSION of the plugin's build.
  const char* compiler;           ///< Compiler family and version, informative.
  const char* stdlib;             ///< "libstdc++/cxx11" or "libstdc++/old" or "libc++".
  /// Creates the plugin object. The host owns the result and deletes it at shutdown; it is
  /// called once, from the host's main thread, after all checks passed. Returns a
  /// lexos::sdk::Plugin* as void* so that the gate stays plain C.
  void* (*create)();
};

/// Signature of the exported gate function.
typedef const LexosPluginGate* (*LexosPluginGateFn)();

/// The descriptor of the LexOS note: what the host checks before it loads the file. Fixed-size
/// fields, no pointers (the host reads it from the file, where pointers mean nothing), all
/// little-endian as the ELF files LexOS loads. Strings are NUL-terminated within their field.
/// Format 1 is this struct; a later format only appends fields, so any host reads the ones it
/// knows. Emitted by LEXOS_PLUGIN; a plugin never fills one itself.
struct LexosPluginNote {
  char magic[8];                ///< LEXOS_PLUGIN_NOTE_MAGIC and NULs.
  std::uint32_t note_format;    ///< LEXOS_PLUGIN_NOTE_FORMAT of the plugin's build.
  std::uint32_t abi_major;      ///< LEXOS_SDK_ABI_MAJOR of the plugin's build.
  std::uint32_t abi_minor;      ///< LEXOS_SDK_ABI_MINOR of the plugin's build.
  std::uint32_t gate_size;      ///< sizeof(LexosPluginGate) in the plugin's build.
  char stdlib[32];              ///< LEXOS_SDK_STDLIB: "libstdc++/cxx11", "libstdc++/old", "libc++".
  char sdk_version[16];         ///< LEXOS_SDK_VERSION, e.g. "1.2.0".
  char plugin_id[64];           ///< The plugin id (at most 63 bytes); equals the file stem.
};

/// An ELF note as it lies in the file: header, owner name padded to 4 bytes, descriptor.
struct LexosPluginElfNote {
  std::uint32_t namesz;         ///< sizeof("LEXOS") = 6.
  std::uint32_t descsz;         ///< sizeof(LexosPluginNote).
  std::uint32_t type;           ///< LEXOS_PLUGIN_NOTE_TYPE.
  char name[8];                 ///< LEXOS_PLUGIN_NOTE_NAME, NUL-padded to a multiple of 4.
  LexosPluginNote desc;
};
}

/// The note's owner name, section name, type, descriptor magic and format (see LexosPluginNote).
#define LEXOS_PLUGIN_NOTE_NAME "LEXOS"
#define LEXOS_PLUGIN_NOTE_SECTION ".note.lexos"
#define LEXOS_PLUGIN_NOTE_TYPE 0x4c58  // "LX"
#define LEXOS_PLUGIN_NOTE_MAGIC "LEXOSID"
#define LEXOS_PLUGIN_NOTE_FORMAT 1

static_assert(sizeof(LexosPluginNote) == 136 && sizeof(LexosPluginElfNote) == 156,
              "the LexOS note layout is frozen: no padding may creep in");

/// Name of the exported gate symbol.
#define LEXOS_PLUGIN_GATE_SYMBOL "lexos_plugin_gate"
/// Value of LexosPluginGate::magic.
#define LEXOS_PLUGIN_MAGIC "LEXOS-PLUGIN"

#if defined(_LIBCPP_VERSION)
#define LEXOS_SDK_STDLIB "libc++"
#elif defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define LEXOS_SDK_STDLIB "libstdc++/cxx11"
#else
#define LEXOS_SDK_STDLIB "libstdc++/old"
#endif

#if defined(__clang__)
#define LEXOS_SDK_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define LEXOS_SDK_COMPILER "gcc " __VERSION__
#else
#define LEXOS_SDK_COMPILER "unknown"
#endif

#if defined(__GNUC__)
#define LEXOS_SDK_EXPORT extern "C" __attribute__((visibility("default")))
#else
#define LEXOS_SDK_EXPORT extern "C"
#endif

// The ABI major the note records. LEXOS_TEST_ONLY_NOTE_ABI_MAJOR exists for LexOS's own tests
// (a plugin whose note claims another ABI, to prove the host refuses it before loading it);
// never define it in a plugin.
#if defined(LEXOS_TEST_ONLY_NOTE_ABI_MAJOR)
#define LEXOS_PLUGIN_NOTE_ABI_MAJOR_ LEXOS_TEST_ONLY_NOTE_ABI_MAJOR
#else
#define LEXOS_PLUGIN_NOTE_ABI_MAJOR_ LEXOS_SDK_ABI_MAJOR
#endif

// `used` keeps the compiler from dropping the note (nothing refers to it); the linker keeps
// note sections under --gc-sections, and strip keeps allocated sections.
#if defined(__GNUC__)
#define LEXOS_SDK_NOTE_ATTRIBUTES_ \
  __attribute__((section(LEXOS_PLUGIN_NOTE_SECTION), used, aligned(4)))
#else
#define LEXOS_SDK_NOTE_ATTRIBUTES_
#endif

/// Emits the LexOS note for plugin `id` (a string literal of at most 63 bytes: a longer one
/// does not compile). LEXOS_PLUGIN does this; use it alone only with a hand-written gate, as
/// LexOS's own tests do.
#define LEXOS_PLUGIN_NOTE(id)                                                                \
  LEXOS_SDK_NOTE_ATTRIBUTES_ static const LexosPluginElfNote lexos_plugin_note_ = {       \
      static_cast<std::uint32_t>(sizeof(LEXOS_PLUGIN_NOTE_NAME)),                          \
      static_cast<std::uint32_t>(sizeof(LexosPluginNote)),                                 \
      LEXOS_PLUGIN_NOTE_TYPE,                                                              \
      LEXOS_PLUGIN_NOTE_NAME,                                                              \
      {LEXOS_PLUGIN_NOTE_MAGIC, LEXOS_PLUGIN_NOTE_FORMAT, LEXOS_PLUGIN_NOTE_ABI_MAJOR_,     \
       LEXOS_SDK_ABI_MINOR, static_cast<std::uint32_t>(sizeof(LexosPluginGate)),           \
       LEXOS_SDK_STDLIB, LEXOS_SDK_VERSION, id}}

/// Declares a plugin. Put it once in one .cpp file of the plugin:
///
///     LEXOS_PLUGIN(HelloPlugin, "hello", "1.0.0")
///
/// `Class` must derive from lexos::sdk::Plugin and be default-constructible. The id must equal
/// the library's file stem (`hello.so` or `libhello.so`) and be at most 63 bytes. Emits the
/// LexOS note and the exported gate function.
#define LEXOS_PLUGIN(Class, id, version)                                                   \
  LEXOS_PLUGIN_NOTE(id);                                                                   \
  static void* lexos_plugin_create_() {                                                    \
    return static_cast<::lexos::sdk::Plugin*>(new Class()); /* owned by the host */        \
  }                                                                                        \
  LEXOS_SDK_EXPORT const LexosPluginGate* lexos_plugin_gate() {                            \
    static const LexosPluginGate gate = {LEXOS_PLUGIN_MAGIC,                               \
                                         static_cast<std::uint32_t>(sizeof(LexosPluginGate)), \
                                         LEXOS_SDK_ABI_MAJOR,                              \
                                         LEXOS_SDK_ABI_MINOR,                              \
                                         id,                                               \
                                         version,                                          \
                                         LEXOS_SDK_VERSION,                                \
                                         LEXOS_SDK_COMPILER,                               \
                                         LEXOS_SDK_STDLIB,                                 \
                                         &lexos_plugin_create_};                           \
    return &gate;                                                                          \
  }
