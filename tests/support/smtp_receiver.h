#pragma once
// A minimal SMTP server for tests (RFC 5321 subset): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT, on a local socket, no STARTTLS offered; keeps every message and recipient it received.
// It can also misbehave, the ways a real relay does (durable mail tests): refuse connections
// (nothing listens on its port), answer 421 at the greeting, refuse recipients with a 4xx or
// 5xx answer, or take its time over each message.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lexos::test {

class SmtpReceiver {
 public:
  /// How it answers. Accept: takes every message. Greet421: "421 busy" at once, then closes.
  /// Reject451 / Reject550: refuses every recipient with that code (transient / permanent).
  enum class Mode { Accept, Greet421, Reject451, Reject550 };

  explicit SmtpReceiver(const std::string& host = "127.0.0.1")
      : host_(host), socket_(Poco::Net::SocketAddress(host, 0)) {
    port_ = socket_.address().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpReceiver() { refuseConnections(); }
  int port() const { return port_; }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> l(mu_);
    return messages_;
  }
  std::vector<std::string> recipients() {
    std::lock_guard<std::mutex> l(mu_);
    return rcpts_;
  }
  void setMode(Mode m) { mode_ = m; }
  /// Waits this long before answering each message's data (a slow relay).
  void setDelay(std::chrono::milliseconds d) { delayMs_ = static_cast<int>(d.count()); }
  /// Connections seen (accepted), whatever became of them.
  int connections() const { return connections_.load(); }
  /// Stops listening: connecting to port() is refused until acceptConnections().
  void refuseConnections() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    socket_.close();
  }
  /// Listens on the same port again.
  void acceptConnections() {
    if (thread_.joinable()) return;
    socket_ = Poco::Net::ServerSocket(Poco::Net::SocketAddress(host_, static_cast<Poco::UInt16>(port_)));
    stop_ = false;
    thread_ = std::thread([this] { serve(); });
  }

 private:
  void serve() {
    while (!stop_) {
      Poco::Net::StreamSocket s;
      try {
        if (!socket_.poll(Poco::Timespan(0, 100000), Poco::Net::Socket::SELECT_READ)) continue;
        s = socket_.acceptConnection();
      } catch (...) {
        return;
      }
      ++connections_;
      try {
        converse(s);
      } catch (...) {
        // the client went away
      }
    }
  }
  void converse(Poco::Net::StreamSocket& s) {
    Poco::Net::SocketStream io(s);
    const Mode mode = mode_;
    if (mode == Mode::Greet421) {
      io << "421 test.local busy, try again later\r\n" << std::flush;
      return;
    }
    io << "220 test.local ESMTP\r\n" << std::flush;
    std::string line;
    while (std::getline(io, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::string verb = line.substr(0, 4);
      for (auto& ch : verb) ch = static_cast<char>(std::toupper(ch));
      if (verb == "EHLO") io << "250-test.local\r\n250 8BITMIME\r\n" << std::flush;
      else if (verb == "HELO" || verb == "MAIL" || verb == "RSET" || verb == "NOOP") io << "250 OK\r\n" << std::flush;
      else if (verb == "RCPT") {
        if (mode == Mode::Reject451) {
          io << "451 4.3.0 mailbox temporarily unavailable\r\n" << std::flush;
          continue;
        }
        if (mode == Mode::Reject550) {
          io << "550 5.1.1 no such user\r\n" << std::flush;
          continue;
        }
        std::lock_guard<std::mutex> l(mu_);
        rcpts_.push_back(line);
        io << "250 OK\r\n" << std::flush;
      } else if (verb == "DATA") {
        io << "354 end with .\r\n" << std::flush;
        std::string data, l;
        while (std::getline(io, l)) {
          if (!l.empty() && l.back() == '\r') l.pop_back();
          if (l == ".") break;
          data += l + "\n";
        }
        if (delayMs_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delayMs_.load()));
        {
          std::lock_guard<std::mutex> g(mu_);
          messages_.push_back(data);
        }
        io << "250 queued\r\n" << std::flush;
      } else if (verb == "QUIT") {
        io << "221 bye\r\n" << std::flush;
        break;
      } else {
        io << "502 not implemented\r\n" << std::flush;  // STARTTLS lands here: not offered
      }
    }
  }
  std::string host_;
  Poco::Net::ServerSocket socket_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<Mode> mode_{Mode::Accept};
  std::atomic<int> delayMs_{0};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> messages_, rcpts_;
};

}  // namespace lexos::test
