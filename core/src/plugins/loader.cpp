#include "plugins/loader.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cerrno>
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

// "uid 1000 (alice)", or "uid 1000" when the user database has no name for it.
std::string user(uid_t uid) {
  std::string out = "uid " + std::to_string(uid);
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[1024];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
    out += std::string(" (") + pw.pw_name + ")";
  return out;
}

// A string read from a plugin file, shown in a message: printable ASCII, the rest as \xNN.
std::string shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

// Ownership and write access of the plugin file or of one folder on its path.
void checkOwnerAndMode(const std::string& file, const std::string& path, const struct stat& st,
                       bool isFile) {
  const uid_t me = ::geteuid();
  const std::string what = isFile ? "the file" : "folder " + path + " on its path";
  const std::string expectedOwner =
      "expected root or " + user(me) + ", the user lexosd runs as: chown root " + path;
  if (st.st_uid != 0 && st.st_uid != me)
    throw LoadError(file + ": refused: " + what + " is owned by " + user(st.st_uid) + "; " +
                    expectedOwner);
  if (!(st.st_mode & (S_IWGRP | S_IWOTH))) return;
  // In a root-owned sticky folder (/tmp) only an entry's owner may rename or remove it, and the
  // entries below are checked in turn: others writing there cannot swap the plugin's path.
  if (!isFile && (st.st_mode & S_ISVTX) && st.st_uid == 0) return;
  const std::string who = (st.st_mode & S_IWOTH) ? "others" : "its group";
  throw LoadError(
      file + ": refused: " + what + " is writable by " + who + " (mode " + octal(st.st_mode) +
      "); " +
      (isFile
           ? "expected a file only its owner can write: chmod go-w " + path
           : "expected a folder only its owner can write (or a root-owned sticky one like /tmp): "
             "chmod go-w " +
                 path));
}

// The folders from `dir` up to `/`, nearest first.
void foldersUp(fs::path dir, std::vector<fs::path>& out) {
  for (;;) {
    if (std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
    if (dir == dir.root_path() || dir.empty()) break;
    dir = dir.parent_path();
  }
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

void checkPluginPath(const std::string& path) {
  const fs::path file(path);
  if (!file.is_absolute()) throw LoadError(path + ": plugin paths must be absolute");
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0)
    throw LoadError(path + ": cannot read file: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw LoadError(path + ": expected a regular file");
  checkOwnerAndMode(path, path, st, true);
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec) throw LoadError(path + ": cannot resolve the path: " + ec.message());
  // As written and as resolved: whoever can write a folder holding a symbolic link on the way
  // can point it elsewhere.
  std::vector<fs::path> folders;
  foldersUp(file.lexically_normal().parent_path(), folders);
  foldersUp(real.parent_path(), folders);
  for (const auto& dir : folders) {
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0)
      throw LoadError(path + ": cannot check folder " + dir.string() +
                      " on its path: " + std::strerror(errno));
    checkOwnerAndMode(path, dir.string(), dst, false);
  }
}

void checkPluginNote(const std::string& file, const NoteLookup& lookup,
                     const std::string& expectedId) {
  using Result = NoteLookup::Result;
  switch (lookup.result) {
    case Result::Found:
      break;
    case Result::NoNote:
      throw LoadError(
          file +
          ": not a LexOS plugin, or built against an SDK older than 1.2: expected a LexOS note "
          "(section " LEXOS_PLUGIN_NOTE_SECTION ", owner " LEXOS_PLUGIN_NOTE_NAME
          "), found none; rebuild it against the installed SDK (LEXOS_PLUGIN(...))");
    case Result::NotElf:
      throw LoadError(file + ": not a LexOS plugin: " + lookup.problem);
    case Result::Unsupported:
      throw LoadError(file + ": cannot be loaded by this lexosd: " + lookup.problem);
    case Result::Malformed:
      throw LoadError(file + ": damaged plugin file: " + lookup.problem +
                      "; reinstall or rebuild it");
  }
  const PluginNote& n = lookup.note;
  const std::string found = std::to_string(n.abi_major) + "." + std::to_string(n.abi_minor);
  const std::string host =
      std::to_string(LEXOS_SDK_ABI_MAJOR) + "." + std::to_string(LEXOS_SDK_ABI_MINOR);
  const std::string before = " (its LexOS note, refused before loading it)";
  if (n.abi_major != LEXOS_SDK_ABI_MAJOR)
    throw LoadError(file + ": ABI mismatch: expected SDK ABI major " +
                    std::to_string(LEXOS_SDK_ABI_MAJOR) + ", found " + found + before +
                    "; rebuild the plugin against this lexosd's SDK (" + host + ")");
  if (n.abi_minor > LEXOS_SDK_ABI_MINOR)
    throw LoadError(file + ": ABI mismatch: the plugin needs SDK ABI " + found +
                    ", this lexosd provides " + host + before +
                    "; upgrade lexosd or rebuild the plugin");
  if (n.gate_size < sizeof(LexosPluginGate))
    throw LoadError(file + ": gate struct size mismatch: expected at least " +
                    std::to_string(sizeof(LexosPluginGate)) + " bytes, found " +
                    std::to_string(n.gate_size) + before +
                    "; rebuild the plugin against this lexosd's SDK");
  if (n.stdlib != LEXOS_SDK_STDLIB)
    throw LoadError(
        file +
        ": build fingerprint mismatch: expected C++ standard library '" LEXOS_SDK_STDLIB
        "', found '" +
        shown(n.stdlib) + "'" + before +
        "; rebuild the plugin with the compiler and standard library lexosd was built with");
  if (n.plugin_id != expectedId)
    throw LoadError(file + ": plugin id mismatch: the file name expects id '" + expectedId +
                    "', the plugin says '" + shown(n.plugin_id) + "'" + before +
                    "; rename the file to " + shown(n.plugin_id) +
                    ".so or fix the id in LEXOS_PLUGIN");
}

PluginInfo PluginLoader::inspect(const std::string& path, const std::string& expectedId) {
  checkPluginPath(path);
  {
    // The file checked above, opened without following a swap: same inode, still a regular file.
    Fd f;
    f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (f.fd < 0) throw LoadError(path + ": cannot open file: " + std::strerror(errno));
    struct stat st {
    }, again{};
    if (::fstat(f.fd, &st) != 0 || ::stat(path.c_str(), &again) != 0 || !S_ISREG(st.st_mode) ||
        st.st_ino != again.st_ino || st.st_dev != again.st_dev)
      throw LoadError(path + ": the file changed while it was being checked; try again");
    checkPluginNote(path, findPluginNoteInFile(f.fd, static_cast<std::uint64_t>(st.st_size)),
                    expectedId);
  }
  // Only now does any code of the plugin run: dlopen runs its static constructors.
  boost::dll::shared_library lib;
  try {
    lib.load(boost::dll::fs::path(path),
             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw LoadError(path + ": cannot load shared library: " + e.what());
  }
  // The gate, checked again: a second opinion from the loaded code, and the create function.
  if (!lib.has(LEXOS_PLUGIN_GATE_SYMBOL))
    throw LoadError(path +
                    ": not a LexOS plugin: expected exported symbol '" LEXOS_PLUGIN_GATE_SYMBOL
                    "', found none (build it with LEXOS_PLUGIN(...) from the SDK)");
  auto gateFn = lib.get<const LexosPluginGate*()>(LEXOS_PLUGIN_GATE_SYMBOL);
  const LexosPluginGate* g = gateFn();
  if (!g || std::strncmp(g->magic, LEXOS_PLUGIN_MAGIC, sizeof g->magic) != 0)
    throw LoadError(path + ": not a LexOS plugin: its gate has no '" LEXOS_PLUGIN_MAGIC "' magic");
  if (g->abi_major != LEXOS_SDK_ABI_MAJOR)
    throw LoadError(path + ": ABI mismatch: expected SDK ABI major " +
                    std::to_string(LEXOS_SDK_ABI_MAJOR) + ", found " +
                    std::to_string(g->abi_major) + "." + std::to_string(g->abi_minor) +
                    " (its gate); rebuild the plugin against this lexosd's SDK");
  if (g->abi_minor > LEXOS_SDK_ABI_MINOR)
    throw LoadError(path + ": ABI mismatch: the plugin needs SDK ABI " +
                    std::to_string(g->abi_major) + "." + std::to_string(g->abi_minor) +
                    ", this lexosd provides " + std::to_string(LEXOS_SDK_ABI_MAJOR) + "." +
                    std::to_string(LEXOS_SDK_ABI_MINOR) +
                    " (its gate); upgrade lexosd or rebuild the plugin");
  if (g->struct_size < sizeof(LexosPluginGate))
    throw LoadError(path + ": gate struct size mismatch: expected at least " +
                    std::to_string(sizeof(LexosPluginGate)) + " bytes, found " +
                    std::to_string(g->struct_size));
  const std::string stdlib = g->stdlib ? g->stdlib : "(none)";
  if (stdlib != LEXOS_SDK_STDLIB)
    throw LoadError(path +
                    ": build fingerprint mismatch: expected C++ standard library '" LEXOS_SDK_STDLIB
                    "', found '" +
                    shown(stdlib) + "' (compiler " + (g->compiler ? shown(g->compiler) : "?") +
                    ")");
  const std::string id = g->plugin_id ? g->plugin_id : "";
  if (id != expectedId)
    throw LoadError(path + ": plugin id mismatch: the file name expects id '" + expectedId +
                    "', the plugin says '" + shown(id) + "'");
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
    throw LoadError(plain.string() + ": two files for plugin id '" + id + "' (" + plain.string() +
                    " and " + prefixed.string() + "); expected one");
  if (!a && !b)
    throw LoadError(plain.string() + ": plugin '" + id +
                    "' is enabled (plugins.enabled) but no file " + plain.filename().string() +
                    " or " + prefixed.filename().string() + " is in " + dir);
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
