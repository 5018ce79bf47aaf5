#include "lexosd_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace lexos::test {

LexosdProcess::LexosdProcess(const std::string& configFile, const std::string& logFile,
                             const std::map<std::string, std::string>& env)
    : logFile_(logFile) {
  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls are allowed (this test process has threads).
  const std::string exe = std::string(LEXOS_BINARY_DIR) + "/bin/lexosd";
  std::vector<std::string> envText;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string name = kv.substr(0, kv.find('='));
    // A configuration override inherited from the shell (LEXOS_SERVER_LISTEN, ...) is not the
    // test's: the test's config file and `env` decide.
    if (name.rfind("LEXOS_", 0) == 0 && name.rfind("LEXOS_TEST_", 0) != 0) continue;
    if (!env.count(name)) envText.push_back(kv);
  }
  for (const auto& [k, v] : env) envText.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : envText) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string a0 = exe, a1 = "--config", a2 = configFile;
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  const int fd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + logFile);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    // lexosd blocks SIGTERM itself; a mask inherited from a test thread must not hide it.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(exe.c_str(), argv, envp.data());
    ::_exit(127);
  }
  ::close(fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
  const std::regex listening("listening on http://[^:]+:([0-9]+)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string text = log();
    if (std::regex_search(text, m, listening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (auto code = wait(0))
      throw std::runtime_error("lexosd exited with " + std::to_string(*code) +
                               " before listening:\n" + text);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  signal(SIGKILL);
  wait(5000);
  throw std::runtime_error("lexosd did not report a port within 30 s:\n" + log());
}

LexosdProcess::~LexosdProcess() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    wait(10000);
  }
}

void LexosdProcess::signal(int sig) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

std::optional<int> LexosdProcess::wait(int ms) {
  if (reaped_) return std::nullopt;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string LexosdProcess::log() const {
  std::ifstream in(logFile_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int lexosctl(const std::string& configFile, const std::string& args, std::string& output,
             const std::string& input) {
  char tmpl[] = "/tmp/lexosctl-out-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  // As for lexosd: configuration overrides inherited from the shell are not the test's.
  std::string unset;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    const std::string name = kv.substr(0, kv.find('='));
    if (name.rfind("LEXOS_", 0) == 0 && name.rfind("LEXOS_TEST_", 0) != 0)
      unset += "-u " + name + " ";
  }
  const std::string cmd = (unset.empty() ? std::string() : "env " + unset) +
                          std::string(LEXOS_BINARY_DIR) + "/bin/lexosctl --config '" + configFile +
                          "' " + args + " >'" + tmpl + "' 2>&1";
  FILE* p = ::popen(cmd.c_str(), "w");
  if (!p) throw std::runtime_error("cannot run lexosctl");
  if (!input.empty()) std::fwrite(input.data(), 1, input.size(), p);
  const int status = ::pclose(p);
  std::ifstream in(tmpl);
  std::stringstream ss;
  ss << in.rdbuf();
  output = ss.str();
  ::unlink(tmpl);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace lexos::test
