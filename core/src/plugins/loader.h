#pragma once
// Loads plugin shared libraries through Boost.DLL. Before anything of a plugin runs, the loader
// checks who can write the file and every folder above it, and reads the plugin's identity from
// the LexOS note in its ELF file (plugins/elf_note.h) without loading it; only a plugin that
// passes is dlopen'ed, and its C gate is checked again before any C++ of it is called. Libraries
// are never unloaded while the process lives.

#include <memory>
#include <string>
#include <vector>

#include "plugins/elf_note.h"
#include "plugins/registry.h"

namespace lexos::core {

class PluginLoader {
 public:
  PluginLoader();
  ~PluginLoader();

  /// Finds `<dir>/<id>.so` (or `lib<id>.so`), checks the file and its gate, creates the plugin
  /// and registers it. Throws LoadError with one line naming the file and the reason.
  void load(const std::string& dir, const std::string& id, Registry& registry);

  /// Checks a file (checkPluginPath, its LexOS note, then its gate after loading it) without
  /// registering it; returns what it declares. Throws LoadError.
  PluginInfo inspect(const std::string& file, const std::string& expectedId);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Refuses (LoadError naming the path and the fix) a plugin file that is not a regular file
/// given by an absolute path, that is writable by its group or others, or that is owned by
/// anyone but root or this process's effective user; and likewise every folder on its path up
/// to `/`, both as written and after symbolic links are resolved. A folder writable by others
/// is accepted only when it is owned by root and sticky (like /tmp): there only an entry's
/// owner may rename or remove it.
void checkPluginPath(const std::string& file);

/// Refuses (LoadError naming `file`, what was expected, what was found and the fix) a plugin
/// whose note lookup did not find a note this host runs: no note, not ELF, another ELF class
/// or machine, a damaged file, another ABI major or a newer minor, a smaller gate, another C++
/// standard library, or an id other than `expectedId`.
void checkPluginNote(const std::string& file, const NoteLookup& lookup,
                     const std::string& expectedId);

}  // namespace lexos::core
