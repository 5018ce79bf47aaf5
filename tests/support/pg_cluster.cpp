#include "pg_cluster.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace lexos::test {

namespace {
std::string dir;
void stopCluster() {
  if (dir.empty()) return;
  std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pg-cluster.sh' stop '" + dir + "' >/dev/null 2>&1";
  [[maybe_unused]] int rc = std::system(cmd.c_str());
}
}  // namespace

const PgUrls& pgCluster() {
  static PgUrls urls;
  static std::once_flag once;
  std::call_once(once, [] {
    char tmpl[] = "/tmp/lexos-pg-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pg-cluster.sh' start '" + dir + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p) throw std::runtime_error("cannot run pg-cluster.sh");
    std::array<char, 512> buf{};
    while (fgets(buf.data(), buf.size(), p.get())) {
      std::string line(buf.data());
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.rfind("LEXOS_TEST_PG_URL=", 0) == 0) urls.runtime = line.substr(18);
      if (line.rfind("LEXOS_TEST_PG_OWNER_URL=", 0) == 0) urls.owner = line.substr(24);
    }
    if (urls.runtime.empty() || urls.owner.empty())
      throw std::runtime_error("pg-cluster.sh did not start a cluster (see its stderr)");
    std::atexit(stopCluster);
  });
  return urls;
}

namespace {
void control(const char* verb) {
  pgCluster();
  std::string cmd = "bash '" LEXOS_SOURCE_DIR "/tests/support/pg-cluster.sh' " + std::string(verb) + " '" + dir + "' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error(std::string("pg-cluster.sh ") + verb + " failed");
}
}  // namespace

void pgClusterHalt() { control("halt"); }
void pgClusterResume() { control("resume"); }

}  // namespace lexos::test
