#include "mail/mailer.h"

#include <Poco/Logger.h>
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureSMTPClientSession.h>
#include <Poco/Net/StringPartSource.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "config/config.h"

namespace lexos::core {
namespace fs = std::filesystem;

Mailer::Mailer(const Config& config) : config_(config) {}

namespace {

bool plainAscii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u >= 0x20 && u < 0x7F;
  });
}

// An address goes into a header as it is, so it must be printable ASCII: a non-ASCII address
// needs SMTPUTF8 (RFC 6531/6532), which this mailer does not speak. Invitations refuse such
// addresses with a 400 first; this is the last line, for any other way a message gets here.
const std::string& checkedAddress(const std::string& address, const char* what) {
  if (address.empty() || !plainAscii(address) ||
      address.find_first_of("<>,;\"") != std::string::npos)
    throw std::invalid_argument(
        std::string("not writing the ") + what +
        " address into the message: expected a plain ASCII address (no SMTPUTF8), found '" +
        address + "'");
  return address;
}

// mail.from as a header: "Display Name <address>" with a non-ASCII display name encoded as an
// RFC 2047 word (Poco writes the sender verbatim), or a bare address.
std::string senderHeader(const std::string& from) {
  const auto lt = from.rfind('<');
  const auto gt = from.rfind('>');
  if (lt == std::string::npos || gt == std::string::npos || gt < lt)
    return checkedAddress(from, "sender");
  const std::string address = checkedAddress(from.substr(lt + 1, gt - lt - 1), "sender");
  std::string name = from.substr(0, lt);
  name.erase(name.find_last_not_of(" \t") + 1);
  name.erase(0, name.find_first_not_of(" \t"));
  if (name.empty()) return "<" + address + ">";
  if (!plainAscii(name)) name = Poco::Net::MailMessage::encodeWord(name, "UTF-8");
  return name + " <" + address + ">";
}

void build(const Config& config, const sdk::MailMessage& m, Poco::Net::MailMessage& msg) {
  msg.setSender(senderHeader(config.mail_from));
  msg.addRecipient(Poco::Net::MailRecipient(Poco::Net::MailRecipient::PRIMARY_RECIPIENT,
                                            checkedAddress(m.to, "recipient")));
  msg.setSubject(Poco::Net::MailMessage::encodeWord(m.subject, "UTF-8"));
  if (m.html.empty()) {
    msg.setContentType("text/plain; charset=UTF-8");
    msg.setContent(m.text, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  } else {
    msg.setContentType("multipart/alternative");
    msg.addPart("", new Poco::Net::StringPartSource(m.text, "text/plain; charset=UTF-8"),
                Poco::Net::MailMessage::CONTENT_INLINE, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
    msg.addPart("", new Poco::Net::StringPartSource(m.html, "text/html; charset=UTF-8"),
                Poco::Net::MailMessage::CONTENT_INLINE, Poco::Net::MailMessage::ENCODING_QUOTED_PRINTABLE);
  }
}
}  // namespace

std::string Mailer::format(const sdk::MailMessage& m) const {
  std::ostringstream ss;
  Poco::Net::MailMessage msg;
  build(config_, m, msg);
  msg.write(ss);
  return ss.str();
}

void Mailer::writeOutbox(const sdk::MailMessage& m) {
  static std::atomic<unsigned> n{0};
  const fs::path dir = fs::path(config_.state_dir) / "outbox";
  fs::create_directories(dir);
  const auto stamp = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  const fs::path tmp = dir / (".tmp-" + std::to_string(stamp) + "-" + std::to_string(++n));
  const fs::path final = dir / (std::to_string(stamp) + "-" + std::to_string(n) + ".eml");
  {
    std::ofstream out(tmp, std::ios::binary);
    out << format(m);
  }
  fs::rename(tmp, final);  // readers never see half a message
}

void Mailer::sendSmtp(const sdk::MailMessage& m) {
  Poco::Net::SecureSMTPClientSession session(config_.smtp_host, static_cast<Poco::UInt16>(config_.smtp_port));
  session.setTimeout(Poco::Timespan(30, 0));
  session.login();  // EHLO
  bool secure = false;
  if (config_.smtp_tls != "off") {
    // STARTTLS when the server offers it; certificates are verified against the system CAs.
    static Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
    try {
      secure = session.startTLS(context);
    } catch (const Poco::Exception& e) {
      throw std::runtime_error("STARTTLS with " + config_.smtp_host + " failed: " + e.displayText());
    }
    // Activation links are credentials: "auto" insists on TLS except for a relay on this machine.
    const bool local = config_.smtp_host == "localhost" || config_.smtp_host == "127.0.0.1" || config_.smtp_host == "::1";
    const bool required = config_.smtp_tls == "required" || (config_.smtp_tls == "auto" && !local);
    if (!secure && required)
      throw std::runtime_error(config_.smtp_host + " does not offer STARTTLS (mail.smtp_tls = " + config_.smtp_tls +
                               "); not sending mail in plain text to another machine");
  }
  if (!config_.smtp_username.empty())
    session.login(Poco::Net::SMTPClientSession::AUTH_LOGIN, config_.smtp_username, config_.smtp_password);
  Poco::Net::MailMessage msg;
  build(config_, m, msg);
  session.sendMessage(msg);
  session.close();
  Poco::Logger::get("mail").information("sent to " + m.to + " via " + config_.smtp_host + (secure ? " (STARTTLS)" : " (plain)"));
}

namespace {

// The reply code of an SMTP answer: Poco puts it in the exception's code, and the server's
// answer ("550 5.1.1 no such user") in its text; 0 when neither holds one.
int smtpCode(const Poco::Exception& e) {
  if (e.code() >= 200 && e.code() <= 599) return e.code();
  const std::string text = e.displayText();
  for (std::size_t i = 0; i + 3 <= text.size(); ++i) {
    const bool start = i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]));
    const bool end = i + 3 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 3]));
    if (start && end && (text[i] == '4' || text[i] == '5') && std::isdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(text[i + 2])))
      return std::stoi(text.substr(i, 3));
  }
  return 0;
}

}  // namespace

void Mailer::send(const sdk::MailMessage& m) {
  // Every attempt counts once in stats() (lexos_mail_messages_total{result}): sent, or failed.
  struct Count {
    std::atomic<std::uint64_t>& sent;
    std::atomic<std::uint64_t>& failed;
    bool ok = false;
    ~Count() { ++(ok ? sent : failed); }
  } count{sent_, failed_};
  try {
    if (config_.mail_transport == "smtp") sendSmtp(m);
    else writeOutbox(m);
    count.ok = true;
  } catch (const MailError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw MailError(true, e.what());  // no header can hold the address: retrying changes nothing
  } catch (const Poco::Net::SMTPException& e) {
    // RFC 5321 4.2.1: 5yz is a permanent refusal, 4yz a transient one.
    const int code = smtpCode(e);
    throw MailError(code >= 500, "SMTP " + (code ? std::to_string(code) + " " : std::string()) + e.displayText());
  } catch (const Poco::Exception& e) {
    throw MailError(false, e.displayText());  // connection refused or reset, timeout, DNS
  } catch (const std::exception& e) {
    throw MailError(false, e.what());  // STARTTLS problems, a full disk: the operator can fix them
  }
}

void Mailer::deliver(const std::vector<sdk::MailMessage>& messages) {
  for (const auto& m : messages) {
    try {
      send(m);  // counts itself (stats())
    } catch (const std::exception& e) {
      Poco::Logger::get("mail").error("delivery to " + m.to + " failed: " + e.what());
    }
  }
}

}  // namespace lexos::core
