#pragma once
// A real SMTP receiver on a local socket for tests (no STARTTLS offered, so the client falls back
// to plain SMTP as a local relay would be used): what lexosd sends is captured as it left.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lexos::test {

// A minimal SMTP server (RFC 5321 subset): EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
class SmtpReceiver {
 public:
  explicit SmtpReceiver(const std::string& host = "127.0.0.1") : socket_(Poco::Net::SocketAddress(host, 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpReceiver() {
    stop_ = true;
    socket_.close();
    thread_.join();
  }
  int port() const { return socket_.address().port(); }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> l(mu_);
    return messages_;
  }
  std::vector<std::string> recipients() {
    std::lock_guard<std::mutex> l(mu_);
    return rcpts_;
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
      Poco::Net::SocketStream io(s);
      io << "220 test.local ESMTP\r\n" << std::flush;
      std::string line;
      while (std::getline(io, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::string verb = line.substr(0, 4);
        for (auto& ch : verb) ch = static_cast<char>(std::toupper(ch));
        if (verb == "EHLO") io << "250-test.local\r\n250 8BITMIME\r\n" << std::flush;
        else if (verb == "HELO" || verb == "MAIL" || verb == "RSET" || verb == "NOOP") io << "250 OK\r\n" << std::flush;
        else if (verb == "RCPT") {
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
  }
  Poco::Net::ServerSocket socket_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> messages_, rcpts_;
};


}  // namespace lexos::test
