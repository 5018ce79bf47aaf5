// The loader's checks before dlopen (core/src/plugins/loader.cpp): the identity in a plugin's
// LexOS note, and who may write the file and the folders above it. Each refusal names the
// path, what was expected, what was found and the fix.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lexos/sdk/gate.h"
#include "plugins/loader.h"
#include "test_host.h"

using lexos::core::checkPluginNote;
using lexos::core::checkPluginPath;
using lexos::core::LoadError;
using lexos::core::NoteLookup;
using lexos::test::TempDir;
namespace fs = std::filesystem;

namespace {

NoteLookup goodNote(const std::string& id = "hello") {
  NoteLookup l;
  l.result = NoteLookup::Result::Found;
  l.note.format = LEXOS_PLUGIN_NOTE_FORMAT;
  l.note.abi_major = LEXOS_SDK_ABI_MAJOR;
  l.note.abi_minor = LEXOS_SDK_ABI_MINOR;
  l.note.gate_size = sizeof(LexosPluginGate);
  l.note.stdlib = LEXOS_SDK_STDLIB;
  l.note.sdk_version = LEXOS_SDK_VERSION;
  l.note.plugin_id = id;
  return l;
}

std::string noteError(const NoteLookup& l, const std::string& expectedId = "hello") {
  try {
    checkPluginNote("/opt/lexos/lib/lexos/plugins/hello.so", l, expectedId);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string pathError(const std::string& file) {
  try {
    checkPluginPath(file);
  } catch (const LoadError& e) {
    return e.what();
  }
  return "(accepted)";
}

// <tmp>/plugins/hello.so, folder 0755, file 0644.
struct PluginTree {
  TempDir tmp;
  fs::path dir = fs::path(tmp.path) / "plugins";
  fs::path file = dir / "hello.so";
  PluginTree() {
    fs::create_directory(dir);
    std::ofstream(file) << "not really a plugin";
    ::chmod(tmp.path.c_str(), 0755);
    ::chmod(dir.c_str(), 0755);
    ::chmod(file.c_str(), 0644);
  }
};

}  // namespace

TEST_CASE("a note of this SDK's ABI, standard library and the file's id is accepted") {
  CHECK(noteError(goodNote()) == "(accepted)");
  auto older = goodNote();
  older.note.abi_minor = 0;  // built against 1.0: runs on this host
  CHECK(noteError(older) == "(accepted)");
}

TEST_CASE(
    "a plugin without a LexOS note is refused as older than SDK 1.2 or not a plugin, with the "
    "fix") {
  NoteLookup none;
  none.result = NoteLookup::Result::NoNote;
  const auto msg = noteError(none);
  CHECK_THAT(msg, Catch::StartsWith("/opt/lexos/lib/lexos/plugins/hello.so: "));
  CHECK_THAT(msg, Catch::Contains("not a LexOS plugin"));
  CHECK_THAT(msg, Catch::Contains("built against an SDK older than 1.2"));
  CHECK_THAT(msg, Catch::Contains("section .note.lexos"));
  CHECK_THAT(msg, Catch::Contains("rebuild it against the installed SDK"));
}

TEST_CASE("a note with another ABI major or a newer minor is refused, naming expected and found") {
  auto major = goodNote();
  major.note.abi_major = 2;
  major.note.abi_minor = 0;
  auto msg = noteError(major);
  CHECK_THAT(msg, Catch::Contains("hello.so: ABI mismatch: expected SDK ABI major 1, found 2.0"));
  CHECK_THAT(msg, Catch::Contains("refused before loading it"));
  CHECK_THAT(msg, Catch::Contains("rebuild the plugin"));

  auto minor = goodNote();
  minor.note.abi_minor = LEXOS_SDK_ABI_MINOR + 1;
  msg = noteError(minor);
  CHECK_THAT(msg, Catch::Contains("the plugin needs SDK ABI 1." +
                                  std::to_string(LEXOS_SDK_ABI_MINOR + 1)));
  CHECK_THAT(msg, Catch::Contains("this lexosd provides 1." + std::to_string(LEXOS_SDK_ABI_MINOR)));
  CHECK_THAT(msg, Catch::Contains("upgrade lexosd or rebuild the plugin"));
}

TEST_CASE("a note with another standard library, a smaller gate or another id is refused") {
  auto lib = goodNote();
  lib.note.stdlib = "libc++";
  CHECK_THAT(
      noteError(lib),
      Catch::Contains("build fingerprint mismatch: expected C++ standard library '" LEXOS_SDK_STDLIB
                      "', found 'libc++'"));
  auto gate = goodNote();
  gate.note.gate_size = 40;
  CHECK_THAT(noteError(gate),
             Catch::Contains("gate struct size mismatch: expected at least " +
                             std::to_string(sizeof(LexosPluginGate)) + " bytes, found 40"));
  const auto msg = noteError(goodNote("helo"));
  CHECK_THAT(msg,
             Catch::Contains(
                 "plugin id mismatch: the file name expects id 'hello', the plugin says 'helo'"));
  CHECK_THAT(msg, Catch::Contains("rename the file to helo.so or fix the id in LEXOS_PLUGIN"));
}

TEST_CASE("bytes from a plugin file are shown escaped in a refusal") {
  const auto msg = noteError(goodNote("evil\n\x1b[2Jid"));
  CHECK_THAT(msg, Catch::Contains("the plugin says 'evil\\x0a\\x1b[2Jid'"));
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE(
    "a file that is not ELF, for another machine or damaged is refused with the reader's reason") {
  NoteLookup l;
  l.result = NoteLookup::Result::NotElf;
  l.problem = "not an ELF file (expected a shared library built with LEXOS_PLUGIN)";
  CHECK(noteError(l) == "/opt/lexos/lib/lexos/plugins/hello.so: not a LexOS plugin: " + l.problem);
  l.result = NoteLookup::Result::Unsupported;
  l.problem = "a 32-bit ELF file (ELFCLASS32)";
  CHECK_THAT(noteError(l), Catch::Contains("cannot be loaded by this lexosd: a 32-bit ELF file"));
  l.result = NoteLookup::Result::Malformed;
  l.problem = "the section header table runs past the end of the file";
  CHECK_THAT(noteError(l), Catch::Contains("damaged plugin file: the section header table") &&
                               Catch::Contains("reinstall or rebuild it"));
}

TEST_CASE(
    "a plugin file and folders only their owner can write are accepted, under a root-owned sticky "
    "/tmp") {
  PluginTree t;
  struct stat tmp {};
  REQUIRE(::stat("/tmp", &tmp) == 0);
  REQUIRE((tmp.st_mode & S_ISVTX));  // /tmp is 1777 root: accepted because it is sticky
  CHECK(pathError(t.file.string()) == "(accepted)");
}

TEST_CASE("a plugin file writable by its group or others is refused with chmod go-w") {
  PluginTree t;
  ::chmod(t.file.c_str(), 0664);
  auto msg = pathError(t.file.string());
  CHECK_THAT(msg, Catch::StartsWith(t.file.string() +
                                    ": refused: the file is writable by its group (mode 0664)"));
  CHECK_THAT(msg, Catch::EndsWith("chmod go-w " + t.file.string()));
  ::chmod(t.file.c_str(), 0646);
  CHECK_THAT(pathError(t.file.string()),
             Catch::Contains("the file is writable by others (mode 0646)"));
}

TEST_CASE("a plugin folder, or any folder above it, writable by its group or others is refused") {
  PluginTree t;
  ::chmod(t.dir.c_str(), 0775);
  auto msg = pathError(t.file.string());
  CHECK_THAT(msg, Catch::StartsWith(t.file.string() + ": refused: folder " + t.dir.string() +
                                    " on its path is writable by its group (mode 0775)"));
  CHECK_THAT(msg, Catch::EndsWith("chmod go-w " + t.dir.string()));
  ::chmod(t.dir.c_str(), 0755);
  ::chmod(t.tmp.path.c_str(), 0777);  // two levels up, not sticky
  msg = pathError(t.file.string());
  CHECK_THAT(msg, Catch::Contains("folder " + t.tmp.path +
                                  " on its path is writable by others (mode 0777)"));
  CHECK_THAT(msg, Catch::EndsWith("chmod go-w " + t.tmp.path));
}

TEST_CASE("a sticky folder writable by others is refused unless root owns it") {
  PluginTree t;
  ::chmod(t.dir.c_str(), 01777);
  const auto msg = pathError(t.file.string());
  if (::geteuid() == 0) {
    CHECK(msg == "(accepted)");  // like /tmp: only an entry's owner may rename or remove it
  } else {
    CHECK_THAT(msg, Catch::Contains("folder " + t.dir.string() +
                                    " on its path is writable by others (mode 1777)"));
  }
}

TEST_CASE("a symbolic link is followed and both the link's folders and the target's are checked") {
  PluginTree t;
  const fs::path open = fs::path(t.tmp.path) / "open";
  fs::create_directory(open);
  ::chmod(open.c_str(), 0777);
  // The link lies in a folder anyone can write: anyone could point it elsewhere.
  fs::create_symlink(t.file, open / "hello.so");
  CHECK_THAT(pathError((open / "hello.so").string()),
             Catch::Contains("folder " + open.string() + " on its path is writable by others"));
  // The link lies in a good folder, the file it points to in one anyone can write.
  std::ofstream(open / "real.so") << "x";
  ::chmod((open / "real.so").c_str(), 0644);
  fs::remove(t.file);
  fs::create_symlink(open / "real.so", t.file);
  CHECK_THAT(pathError(t.file.string()),
             Catch::Contains("folder " + open.string() + " on its path is writable by others"));
}

TEST_CASE("a plugin file or folder owned by another user is refused with chown root") {
  if (::geteuid() != 0) {
    WARN("skipped: giving a file to another user needs root");
    return;
  }
  PluginTree t;
  REQUIRE(::chown(t.file.c_str(), 65534, 65534) == 0);
  auto msg = pathError(t.file.string());
  CHECK_THAT(msg, Catch::StartsWith(t.file.string() + ": refused: the file is owned by uid 65534"));
  CHECK_THAT(msg, Catch::Contains("expected root or uid 0 (root), the user lexosd runs as"));
  CHECK_THAT(msg, Catch::EndsWith("chown root " + t.file.string()));
  REQUIRE(::chown(t.file.c_str(), 0, 0) == 0);
  REQUIRE(::chown(t.dir.c_str(), 65534, 65534) == 0);
  msg = pathError(t.file.string());
  CHECK_THAT(msg,
             Catch::Contains("folder " + t.dir.string() + " on its path is owned by uid 65534"));
  CHECK_THAT(msg, Catch::EndsWith("chown root " + t.dir.string()));
}

TEST_CASE("a plugin path that is relative, missing or not a regular file is refused") {
  CHECK_THAT(pathError("plugins/hello.so"), Catch::Contains("plugin paths must be absolute"));
  PluginTree t;
  CHECK_THAT(pathError((t.dir / "nope.so").string()), Catch::Contains("cannot read file"));
  fs::create_directory(t.dir / "adir.so");
  CHECK_THAT(pathError((t.dir / "adir.so").string()), Catch::Contains("expected a regular file"));
}
