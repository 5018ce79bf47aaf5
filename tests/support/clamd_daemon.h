#pragma once
// A real ClamAV clamd (Debian's clamav-daemon) for one test: its own config, a unix socket in a
// temp folder, and a signature database generated here that detects the EICAR test file (no
// freshclam, no internet). Started in the foreground as a child process, stopped at destruction.
#include <string>
#include <sys/types.h>

#include "test_host.h"

namespace lexos::test {

/// The EICAR anti-virus test file (68 bytes): harmless, detected by the database below.
extern const std::string kEicar;

class ClamdDaemon {
 public:
  /// Starts clamd and waits until it answers PING (a second or so), listening on a unix socket
  /// and on 127.0.0.1:tcpPort(); `streamMaxBytes` is its StreamMaxLength. Throws
  /// std::runtime_error when clamd is not installed (scripts/deps.sh installs it) or does not
  /// come up (its log).
  explicit ClamdDaemon(std::size_t streamMaxBytes = 64 << 20);
  ~ClamdDaemon();
  ClamdDaemon(const ClamdDaemon&) = delete;
  ClamdDaemon& operator=(const ClamdDaemon&) = delete;

  /// The unix socket to put in `[plugin.documents] clamd_socket`.
  const std::string& socket() const { return socket_; }
  /// Its TCP port on 127.0.0.1 (`clamd_socket = tcp:127.0.0.1:PORT`).
  int tcpPort() const { return tcp_port_; }
  /// The name clamd reports for the EICAR file ("Lexos.Test.EICAR.UNOFFICIAL").
  static constexpr const char* kSignature = "Lexos.Test.EICAR.UNOFFICIAL";
  /// Stops clamd now (to test an unreachable scanner).
  void stop();

 private:
  TempDir dir_;
  std::string socket_;
  int tcp_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lexos::test
