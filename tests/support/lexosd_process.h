#pragma once
// lexosd as a separate process, the way an installed daemon runs (for signals and SIGKILL,
// which an in-process TestHost cannot take), and lexosctl runs on the same configuration.
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

namespace lexos::test {

class LexosdProcess {
 public:
  /// Starts BUILD/bin/lexosd --config `configFile` with `env` added to this process's
  /// environment; its stdout and stderr go to `logFile`. Returns once it logs the port it
  /// listens on; throws std::runtime_error (with the log's tail) when it exits or stays silent
  /// for 30 s.
  LexosdProcess(const std::string& configFile, const std::string& logFile,
                const std::map<std::string, std::string>& env = {});
  /// SIGKILLs the process if it still runs.
  ~LexosdProcess();
  LexosdProcess(const LexosdProcess&) = delete;
  LexosdProcess& operator=(const LexosdProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  /// Waits up to `ms` for the process to end. Its exit code, 128 + the signal that ended it, or
  /// nothing when it still runs.
  std::optional<int> wait(int ms);
  std::string log() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int port_ = 0;
  std::string logFile_;
};

/// Runs BUILD/bin/lexosctl --config `configFile` `args` (shell words), writing `input` to its
/// stdin; returns its exit code and puts stdout and stderr into `output`.
int lexosctl(const std::string& configFile, const std::string& args, std::string& output,
             const std::string& input = "");

}  // namespace lexos::test
