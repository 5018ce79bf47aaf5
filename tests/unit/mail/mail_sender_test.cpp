// The durable mail queue's settings and retry schedule (mail/mail_sender.h, docs/operations.md).
#include <catch2/catch.hpp>
#include <fstream>

#include "config/config.h"
#include "mail/mail_sender.h"
#include "test_host.h"

using lexos::core::Config;
using lexos::core::ConfigError;
using lexos::core::MailSender;

namespace {
std::string errorOf(const std::string& text) {
  lexos::test::TempDir d;
  const std::string f = d.path + "/c.ini";
  std::ofstream(f) << "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n" << text;
  try {
    Config::load(f, {});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}
}  // namespace

TEST_CASE("mail retries double from mail.retry_base_seconds up to mail.retry_max_seconds") {
  CHECK(MailSender::backoffSeconds(1, 30, 3600) == 30);
  CHECK(MailSender::backoffSeconds(2, 30, 3600) == 60);
  CHECK(MailSender::backoffSeconds(3, 30, 3600) == 120);
  CHECK(MailSender::backoffSeconds(7, 30, 3600) == 1920);
  CHECK(MailSender::backoffSeconds(8, 30, 3600) == 3600);
  CHECK(MailSender::backoffSeconds(100, 30, 3600) == 3600);  // no overflow
  CHECK(MailSender::backoffSeconds(5, 1, 2) == 2);
}

TEST_CASE("the mail queue's keys have defaults and refuse bad values by name") {
  lexos::test::TempDir d;
  const std::string f = d.path + "/c.ini";
  std::ofstream(f) << "[state]\ndir = v\n[plugins]\ndir = p\n[web]\ndir = w\n";
  const auto c = Config::load(f, {});
  CHECK(c.mail_max_attempts == 8);
  CHECK(c.mail_retry_base_seconds == 30);
  CHECK(c.mail_retry_max_seconds == 3600);
  CHECK(c.mail_poll_seconds == 30);
  CHECK(c.mail_lease_seconds == 300);
  CHECK_THAT(errorOf("[mail]\nmax_attempts = 0\n"), Catch::Contains("mail.max_attempts") && Catch::Contains("'0'"));
  CHECK_THAT(errorOf("[mail]\nretry_base_seconds = soon\n"), Catch::Contains("mail.retry_base_seconds"));
  CHECK_THAT(errorOf("[mail]\nretry_base_seconds = 60\nretry_max_seconds = 10\n"),
             Catch::Contains("mail.retry_max_seconds") && Catch::Contains("mail.retry_base_seconds"));
  CHECK_THAT(errorOf("[mail]\nlease_seconds = 5\n"), Catch::Contains("mail.lease_seconds"));
  CHECK_THAT(errorOf("[mail]\npoll_seconds = 0\n"), Catch::Contains("mail.poll_seconds"));
  CHECK(errorOf("[mail]\nmax_attempts = 3\nretry_base_seconds = 5\nretry_max_seconds = 600\npoll_seconds = 5\n") == "(accepted)");
}
