#include "notify.h"

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>
#include <vector>

#include "lexos/sdk/errors.h"

namespace lexos::messages {

std::string firmName(sdk::Context& c) {
  sdk::FirmProfile firm;  // the name as the firm's owner set it (Firm settings; SDK 1.5)
  c.firm(firm);
  return firm.name.empty() ? std::string("your law firm") : firm.name;
}

std::string minutesAgo(int minutes) {
  const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(minutes) * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string sha256Hex(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

namespace {

// Whether the same side wrote on this conversation recently (then a notice already went out).
bool recentlyNoticed(sdk::Context& c, std::int64_t caseId, const char* side, std::int64_t messageId) {
  return !c.db()
              .query("SELECT 1 FROM messages WHERE case_id = $1 AND author_kind = $2 AND id <> $3 AND created_at >= $4 "
                     "LIMIT 1",
                     {caseId, std::string(side), messageId, minutesAgo(kNoticeQuietMinutes)})
              .empty();
}

// Queues one notice; an address the mailer refuses is logged and skipped (the message stands).
bool send(sdk::Context& c, const std::string& to, const std::string& subject, const std::string& text) {
  try {
    c.mail().send({to, subject, text, {}});
    return true;
  } catch (const sdk::HttpError& e) {
    c.log(sdk::LogLevel::Warning, std::string("message notice not sent: ") + e.what());
    return false;
  }
}

}  // namespace

int noticeToClient(sdk::Context& c, std::int64_t caseId, std::int64_t clientId, std::int64_t messageId) {
  if (recentlyNoticed(c, caseId, "staff", messageId)) return 0;
  auto users = c.db().query("SELECT email FROM users WHERE kind = 'portal' AND client_id = $1 AND status = 'active' "
                            "ORDER BY id",
                            {clientId});
  if (users.empty()) return 0;
  const std::string firm = firmName(c);
  const std::string link = c.publicUrl() + "/portal/#/matters/" + std::to_string(caseId);
  const std::string subject = "You have a new message from " + firm;
  const std::string text = "You have a new message from " + firm + " about one of your matters.\n\n"
                           "Read it and answer in your client portal:\n" + link + "\n\n"
                           "For your privacy, messages are not sent by e-mail; they stay in the portal.\n";
  int sent = 0;
  for (const auto& r : users.rows) sent += send(c, sdk::asText(r[0]), subject, text) ? 1 : 0;
  return sent;
}

int noticeToFirm(sdk::Context& c, std::int64_t caseId, const std::string& contactEmail, const std::string& matterNumber,
                 std::int64_t messageId) {
  if (contactEmail.empty() || recentlyNoticed(c, caseId, "client", messageId)) return 0;
  const std::string link = c.publicUrl() + "/app/#/cases/" + std::to_string(caseId);
  const std::string subject = "New client message on matter " + matterNumber;
  const std::string text = "A client wrote a new message on matter " + matterNumber + ".\n\n"
                           "Read it and answer in LexOS:\n" + link + "\n\n"
                           "Messages are not sent by e-mail; they stay in LexOS.\n";
  return send(c, contactEmail, subject, text) ? 1 : 0;
}

void noticeOfMention(sdk::Context& c, std::int64_t caseId, const std::string& email) {
  const std::string link = c.publicUrl() + "/app/#/cases/" + std::to_string(caseId);
  send(c, email, "You were mentioned in a War Room discussion",
       "A colleague mentioned you in the War Room of a case.\n\nRead it in LexOS:\n" + link + "\n");
}

}  // namespace lexos::messages
