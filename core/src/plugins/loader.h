#pragma once
// Loads plugin shared libraries through Boost.DLL. The C gate is read and checked before any
// C++ of the plugin runs; libraries are never unloaded while the process lives.

#include <memory>
#include <string>
#include <vector>

#include "plugins/registry.h"

namespace lexos::core {

class PluginLoader {
 public:
  PluginLoader();
  ~PluginLoader();

  /// Finds `<dir>/<id>.so` (or `lib<id>.so`), checks the file and its gate, creates the plugin
  /// and registers it. Throws LoadError with one line naming the file and the reason.
  void load(const std::string& dir, const std::string& id, Registry& registry);

  /// Checks a file's gate without registering it; returns what it declares. Throws LoadError.
  PluginInfo inspect(const std::string& file, const std::string& expectedId);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lexos::core
