#pragma once
/// @file gate.h
/// The C gate: the one symbol the host reads before it touches any C++ in a plugin.
///
/// Every plugin exports `lexos_plugin_gate`, an `extern "C"` function that returns a pointer to
/// a static LexosPluginGate. The host checks the magic, the struct size, the ABI numbers and the
/// build fingerprint, and refuses the file with a message naming it, what was expected and what
/// was found. Only then does it call `create`. Use the LEXOS_PLUGIN macro; do not write the gate
/// by hand.

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
}

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

/// Declares a plugin. Put it once in one .cpp file of the plugin:
///
///     LEXOS_PLUGIN(HelloPlugin, "hello", "1.0.0")
///
/// `Class` must derive from lexos::sdk::Plugin and be default-constructible. The id must equal
/// the library's file stem (`hello.so` or `libhello.so`).
#define LEXOS_PLUGIN(Class, id, version)                                                   \
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
