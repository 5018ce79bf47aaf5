#pragma once
// Outgoing mail transports: "outbox" writes each message as an .eml file under
// state.dir/outbox/ (development, tests); "smtp" talks to mail.smtp_host.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "lexos/sdk/context.h"

namespace lexos::core {

struct Config;

class Mailer {
 public:
  explicit Mailer(const Config& config);
  /// Delivers messages; failures are logged, never thrown (the request already committed).
  void deliver(const std::vector<sdk::MailMessage>& messages);
  /// Formats one message as RFC 5322 text (multipart/alternative when it has HTML). Throws
  /// std::invalid_argument for a recipient or sender address that is not plain ASCII (it would
  /// need SMTPUTF8); a non-ASCII display name in mail.from is RFC 2047 encoded.
  std::string format(const sdk::MailMessage& m) const;
  /// Messages handed to the transport since start, and those it failed (metrics).
  std::pair<std::uint64_t, std::uint64_t> stats() const { return {sent_.load(), failed_.load()}; }

 private:
  void writeOutbox(const sdk::MailMessage& m);
  void sendSmtp(const sdk::MailMessage& m);
  const Config& config_;
  std::mutex mu_;
  std::atomic<std::uint64_t> sent_{0}, failed_{0};
};

}  // namespace lexos::core
