// The host's folders form layers (docs/architecture.md, "Layering"): a file of core/src/<folder>
// includes only its own folder and the folders before it in kLayers, so no include cycle between
// folders can come back. Read from the sources themselves.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// Lowest first. A folder may include itself and any folder before it.
const std::vector<std::string> kLayers = {"common", "config", "plugins", "data", "mail", "tenancy", "schema",
                                          "identity", "vault", "guard", "http",   "app",  "cli"};

int rankOf(const std::string& folder) {
  for (std::size_t i = 0; i < kLayers.size(); ++i)
    if (kLayers[i] == folder) return static_cast<int>(i);
  return -1;
}

const fs::path kSources = fs::path(LEXOS_SOURCE_DIR) / "core" / "src";

struct Include {
  std::string file;    // relative to core/src
  int line;
  std::string target;  // as written
};

std::vector<Include> projectIncludes() {
  static const std::regex kInclude(R"(^\s*#\s*include\s+"([^"]+)\")");
  std::vector<Include> out;
  for (const auto& e : fs::recursive_directory_iterator(kSources)) {
    if (!e.is_regular_file()) continue;
    const auto ext = e.path().extension().string();
    if (ext != ".h" && ext != ".cpp") continue;
    std::ifstream in(e.path());
    std::string text;
    int n = 0;
    while (std::getline(in, text)) {
      ++n;
      std::smatch m;
      if (std::regex_search(text, m, kInclude))
        out.push_back({fs::relative(e.path(), kSources).generic_string(), n, m[1].str()});
    }
  }
  return out;
}

std::string folderOf(const std::string& path) { return path.substr(0, path.find('/')); }

}  // namespace

TEST_CASE("every folder of the host has its place in the layering") {
  int folders = 0;
  for (const auto& e : fs::directory_iterator(kSources)) {
    if (!e.is_directory()) continue;
    ++folders;
    INFO("core/src/" << e.path().filename().string() << " is not in kLayers (tests/unit/layering_test.cpp) "
                     "nor in docs/architecture.md, Layering: place it there");
    CHECK(rankOf(e.path().filename().string()) >= 0);
  }
  CHECK(folders >= 10);
}

TEST_CASE("no file of the host includes a folder above its own") {
  const auto includes = projectIncludes();
  REQUIRE(includes.size() > 100);  // the sources were found and read
  int checked = 0;
  for (const auto& inc : includes) {
    const std::string target = folderOf(inc.target);
    if (inc.target.find('/') == std::string::npos || !fs::is_directory(kSources / target)) continue;
    ++checked;
    const std::string from = folderOf(inc.file);
    INFO("core/src/" << inc.file << ":" << inc.line << " includes \"" << inc.target << "\": " << from
                     << " may include only folders below it (common <- config <- plugins <- data <- mail <- "
                     "tenancy <- schema <- identity <- guard <- http <- app <- cli); move what both need down");
    CHECK(rankOf(target) <= rankOf(from));
  }
  CHECK(checked > 50);
}
