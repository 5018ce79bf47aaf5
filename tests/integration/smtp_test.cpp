// The SMTP transport against a real SMTP receiver on a local socket (no STARTTLS offered, so
// the client falls back to plain SMTP as a local relay would be used).
#include <catch2/catch.hpp>

#include "config/config.h"
#include "mail/mailer.h"
#include "smtp_receiver.h"
#include "test_host.h"

using namespace lexos::test;

TEST_CASE("the SMTP transport delivers a multipart message to a real SMTP server over a socket") {
  SmtpReceiver smtp;
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "",
                                                   "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " +
                                                       std::to_string(smtp.port()) + "\nfrom = Anderson Law <office@anderson.test>\n"),
                                       {});
  lexos::core::Mailer mailer(cfg);
  lexos::sdk::MailMessage m;
  m.to = "neo@anderson.test";
  m.subject = "Your portal invitation";
  m.text = "Set your password: https://lexos.example/portal/#/activate/1.abc";
  m.html = "<p>Set your <b>password</b></p>";
  mailer.deliver({m});
  auto msgs = smtp.messages();
  REQUIRE(msgs.size() == 1);
  CHECK_THAT(msgs[0], Catch::Contains("Subject: Your portal invitation"));
  CHECK_THAT(msgs[0], Catch::Contains("To: <neo@anderson.test>"));
  CHECK_THAT(msgs[0], Catch::Contains("From: Anderson Law <office@anderson.test>"));
  CHECK_THAT(msgs[0], Catch::Contains("multipart/alternative"));
  CHECK_THAT(msgs[0], Catch::Contains("text/plain") && Catch::Contains("text/html"));
  REQUIRE(smtp.recipients().size() == 1);
  CHECK_THAT(smtp.recipients()[0], Catch::Contains("<neo@anderson.test>"));
}

TEST_CASE("with mail.smtp_tls = required, a server without STARTTLS gets nothing") {
  SmtpReceiver smtp;
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "",
                                                   "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_tls = required\nsmtp_port = " +
                                                       std::to_string(smtp.port()) + "\n"),
                                       {});
  lexos::core::Mailer mailer(cfg);
  lexos::sdk::MailMessage m;
  m.to = "neo@anderson.test";
  m.subject = "x";
  m.text = "y";
  mailer.deliver({m});  // logged, not thrown: the request that queued it already committed
  CHECK(smtp.messages().empty());
}

TEST_CASE("by default, mail goes in plain text only to a relay on this machine") {
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "", "[mail]\ntransport = smtp\n"), {});
  CHECK(cfg.smtp_tls == "auto");
  lexos::sdk::MailMessage m;
  m.to = "neo@anderson.test";
  m.subject = "x";
  m.text = "y";
  SmtpReceiver local;  // 127.0.0.1: a local relay, plain SMTP allowed
  cfg.smtp_host = "127.0.0.1";
  cfg.smtp_port = local.port();
  lexos::core::Mailer(cfg).deliver({m});
  CHECK(local.messages().size() == 1);
  // 127.0.0.2 is still this machine's loopback, but not a name "auto" treats as local: it
  // stands for another host, and without STARTTLS nothing is sent.
  SmtpReceiver remote("127.0.0.2");
  cfg.smtp_host = "127.0.0.2";
  cfg.smtp_port = remote.port();
  lexos::core::Mailer(cfg).deliver({m});
  CHECK(remote.messages().empty());
}

TEST_CASE("the mailer writes no non-ASCII address into a header and encodes a non-ASCII sender name") {
  SmtpReceiver smtp;
  TempDir dir;
  auto cfg = lexos::core::Config::load(writeConfig(dir.path, Db::SQLite, "",
                                                   "[mail]\ntransport = smtp\nsmtp_host = 127.0.0.1\nsmtp_port = " +
                                                       std::to_string(smtp.port()) + "\nfrom = Kanzlei Müller <office@mueller.test>\n"),
                                       {});
  lexos::core::Mailer mailer(cfg);
  lexos::sdk::MailMessage m;
  m.subject = "Ihre Einladung";
  m.text = "Hallo";
  for (const char* to : {"ünïcode@exämple.com", "ünïcode@example.com", "user@exämple.com"}) {
    INFO(to);
    m.to = to;
    CHECK_THROWS_AS(mailer.format(m), std::invalid_argument);
    mailer.deliver({m});  // refused, logged, not thrown
  }
  CHECK(smtp.messages().empty());
  CHECK(smtp.recipients().empty());
  m.to = "zoe@example.com";
  mailer.deliver({m});
  auto msgs = smtp.messages();
  REQUIRE(msgs.size() == 1);
  CHECK_THAT(msgs[0], Catch::Contains("From: =?UTF-8?q?Kanzlei_M=C3=BCller?= <office@mueller.test>"));
  CHECK_THAT(msgs[0], !Catch::Contains("Müller"));
  CHECK_THAT(msgs[0], Catch::Contains("To: <zoe@example.com>"));
}
