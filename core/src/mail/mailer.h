#pragma once
// Outgoing mail transports: "outbox" writes each message as an .eml file under
// state.dir/outbox/ (development, tests); "smtp" talks to mail.smtp_host.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "lexos/sdk/context.h"

namespace lexos::core {

struct Config;

/// Why one message could not be handed over. `permanent`: trying again will not help (an SMTP
/// 5xx answer, an address no header can hold); otherwise (a 4xx answer, a refused or dropped
/// connection, a timeout, a full disk) a later attempt may succeed.
class MailError : public std::runtime_error {
 public:
  MailError(bool permanent, const std::string& message) : std::runtime_error(message), permanent_(permanent) {}
  bool permanent() const { return permanent_; }

 private:
  bool permanent_;
};

/// Hands messages to the configured transport. Thread-safe (each call opens its own SMTP
/// session; outbox files get unique names).
class Mailer {
 public:
  explicit Mailer(const Config& config);
  /// Hands one message to the transport; throws MailError saying whether a retry may help.
  /// The durable queue's sender (mail/mail_sender.h) calls this.
  void send(const sdk::MailMessage& m);
  /// Delivers messages once each; failures are logged, never thrown (tests of the transport).
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
