#include "plugins/loader.h"

#include <sys/stat.h>

#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <deque>
#include <filesystem>

#include "lexos/sdk/gate.h"

namespace lexos::core {
namespace fs = std::filesystem;

struct PluginLoader::Impl {
  // Never unloaded while the process lives (DESIGN.md): kept until the loader goes, which
  // lexosd does only at exit after the registry deleted the plugin objects.
  std::deque<boost::dll::shared_library> libraries;
};

PluginLoader::PluginLoader() : impl_(std::make_unique<Impl>()) {}
PluginLoader::~PluginLoader() = default;

namespace {

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

void checkFile(const fs::path& file) {
  if (!file.is_absolute()) throw LoadError(file.string() + ": plugin paths must be absolute");
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw LoadError(file.string() + ": cannot read file: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw LoadError(file.string() + ": expected a regular file");
  if (st.st_mode & S_IWOTH)
    throw LoadError(file.string() + ": refused: the file is writable by others (mode " +
                    octal(st.st_mode) + "); expected a file only its owner can write (chmod o-w)");
  if (st.st_mode & S_IWGRP)
    throw LoadError(file.string() + ": refused: the file is writable by its group (mode " +
                    octal(st.st_mode) + "); expected a file only its owner can write (chmod g-w)");
  struct stat dst {};
  if (::stat(file.parent_path().c_str(), &dst) == 0 && (dst.st_mode & S_IWOTH) &&
      !(dst.st_mode & S_ISVTX))
    throw LoadError(file.string() + ": refused: its folder is writable by others (mode " +
                    octal(dst.st_mode) + ")");
}

}  // namespace

PluginInfo PluginLoader::inspect(const std::string& path, const std::string& expectedId) {
  const fs::path file(path);
  checkFile(file);
  boost::dll::shared_library lib;
  try {
    lib.load(boost::dll::fs::path(path), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw LoadError(path + ": cannot load shared library: " + e.what());
  }
  if (!lib.has(LEXOS_PLUGIN_GATE_SYMBOL))
    throw LoadError(path + ": not a LexOS plugin: expected exported symbol '" LEXOS_PLUGIN_GATE_SYMBOL
                    "', found none (build it with LEXOS_PLUGIN(...) from the SDK)");
  auto gateFn = lib.get<const LexosPluginGate*()>(LEXOS_PLUGIN_GATE_SYMBOL);
  const LexosPluginGate* g = gateFn();
  if (!g || std::strncmp(g->magic, LEXOS_PLUGIN_MAGIC, sizeof g->magic) != 0)
    throw LoadError(path + ": not a LexOS plugin: its gate has no '" LEXOS_PLUGIN_MAGIC "' magic");
  if (g->abi_major != LEXOS_SDK_ABI_MAJOR)
    throw LoadError(path + ": ABI mismatch: expected SDK ABI major " + std::to_string(LEXOS_SDK_ABI_MAJOR) +
                    ", found " + std::to_string(g->abi_major) + "." + std::to_string(g->abi_minor) +
                    "; rebuild the plugin against this lexosd's SDK");
  if (g->abi_minor > LEXOS_SDK_ABI_MINOR)
    throw LoadError(path + ": ABI mismatch: the plugin needs SDK ABI " + std::to_string(g->abi_major) + "." +
                    std::to_string(g->abi_minor) + ", this lexosd provides " +
                    std::to_string(LEXOS_SDK_ABI_MAJOR) + "." + std::to_string(LEXOS_SDK_ABI_MINOR) +
                    "; upgrade lexosd or rebuild the plugin");
  if (g->struct_size < sizeof(LexosPluginGate))
    throw LoadError(path + ": gate struct size mismatch: expected at least " +
                    std::to_string(sizeof(LexosPluginGate)) + " bytes, found " + std::to_string(g->struct_size));
  const std::string stdlib = g->stdlib ? g->stdlib : "(none)";
  if (stdlib != LEXOS_SDK_STDLIB)
    throw LoadError(path + ": build fingerprint mismatch: expected C++ standard library '" LEXOS_SDK_STDLIB
                    "', found '" + stdlib + "' (compiler " + (g->compiler ? g->compiler : "?") + ")");
  const std::string id = g->plugin_id ? g->plugin_id : "";
  if (id != expectedId)
    throw LoadError(path + ": plugin id mismatch: the file name expects id '" + expectedId + "', the plugin says '" + id + "'");
  if (!g->create) throw LoadError(path + ": the gate has no create function");
  PluginInfo info;
  info.id = id;
  info.version = g->plugin_version ? g->plugin_version : "";
  info.file = path;
  info.sdk_version = g->sdk_version ? g->sdk_version : "";
  info.compiler = g->compiler ? g->compiler : "";
  info.abi_major = g->abi_major;
  info.abi_minor = g->abi_minor;
  impl_->libraries.push_back(std::move(lib));
  return info;
}

void PluginLoader::load(const std::string& dir, const std::string& id, Registry& registry) {
  const fs::path plain = fs::path(dir) / (id + ".so");
  const fs::path prefixed = fs::path(dir) / ("lib" + id + ".so");
  std::error_code ec;
  const bool a = fs::exists(plain, ec), b = fs::exists(prefixed, ec);
  if (a && b)
    throw LoadError(plain.string() + ": two files for plugin id '" + id + "' (" + plain.string() + " and " +
                    prefixed.string() + "); expected one");
  if (!a && !b)
    throw LoadError(plain.string() + ": plugin '" + id + "' is enabled (plugins.enabled) but no file " +
                    plain.filename().string() + " or " + prefixed.filename().string() + " is in " + dir);
  const std::string file = (a ? plain : prefixed).string();
  PluginInfo info = inspect(file, id);
  auto gateFn = impl_->libraries.back().get<const LexosPluginGate*()>(LEXOS_PLUGIN_GATE_SYMBOL);
  void* raw = nullptr;
  try {
    raw = gateFn()->create();
  } catch (const std::exception& e) {
    throw LoadError(file + ": creating the plugin failed: " + e.what());
  } catch (...) {
    throw LoadError(file + ": creating the plugin failed with an unknown exception");
  }
  if (!raw) throw LoadError(file + ": the plugin's create function returned nothing");
  std::unique_ptr<sdk::Plugin> plugin(static_cast<sdk::Plugin*>(raw));
  registry.registerPlugin(info, std::move(plugin));
}

}  // namespace lexos::core
