#include "clamd_daemon.h"

#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace lexos::test {

const std::string kEicar = R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)";

namespace {

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    out += d[ch >> 4];
    out += d[ch & 15];
  }
  return out;
}

// True when clamd at `path` answers zPING with PONG.
bool pings(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && ::send(fd, "zPING", 6, MSG_NOSIGNAL) == 6) {
    char buf[16] = {};
    ok = ::recv(fd, buf, sizeof buf - 1, 0) > 0 && std::string(buf) == "PONG";
  }
  ::close(fd);
  return ok;
}

// A TCP port free on 127.0.0.1 now (the kernel's pick).
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    throw std::runtime_error("no free TCP port for clamd");
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::string findClamd() {
  for (const char* p : {"/usr/sbin/clamd", "/usr/bin/clamd", "/usr/local/sbin/clamd"})
    if (::access(p, X_OK) == 0) return p;
  throw std::runtime_error("clamd is not installed (Debian: clamav-daemon; scripts/deps.sh installs it)");
}

}  // namespace

ClamdDaemon::ClamdDaemon(std::size_t streamMaxBytes) {
  const std::string clamd = findClamd();
  const fs::path dir(dir_.path);
  fs::create_directories(dir / "db");
  // A body signature (.ndb: name, any target type, any offset, hex bytes) for the EICAR string.
  std::ofstream(dir / "db" / "lexos-test.ndb") << "Lexos.Test.EICAR:0:*:" << hex("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
                                               << "\n";
  socket_ = (dir / "clamd.sock").string();
  const std::string conf = (dir / "clamd.conf").string();
  tcp_port_ = freePort();
  std::ofstream(conf) << "LocalSocket " << socket_ << "\n"
                      << "DatabaseDirectory " << (dir / "db").string() << "\n"
                      << "TemporaryDirectory " << dir.string() << "\n"
                      << "LogFile " << (dir / "clamd.log").string() << "\n"
                      << "TCPSocket " << tcp_port_ << "\n"
                      << "TCPAddr 127.0.0.1\n"
                      << "Foreground yes\n"
                      << "StreamMaxLength " << streamMaxBytes << "\n";
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    std::freopen((dir / "clamd.out").c_str(), "w", stdout);
    std::freopen((dir / "clamd.out").c_str(), "a", stderr);
    ::execl(clamd.c_str(), clamd.c_str(), "-c", conf.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pings(socket_)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_ || std::chrono::steady_clock::now() > deadline) {
      pid_ = -1;
      std::ifstream log(dir / "clamd.out");
      std::stringstream ss;
      ss << log.rdbuf();
      stop();
      throw std::runtime_error("clamd did not start: " + ss.str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void ClamdDaemon::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

ClamdDaemon::~ClamdDaemon() { stop(); }

}  // namespace lexos::test
