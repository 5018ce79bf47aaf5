#include "cli/mail_verbs.h"

#include <stdexcept>

#include "app/host.h"
#include "common/json.h"
#include "mail/mail_queue.h"

namespace lexos::core {

namespace {

struct Firm {
  std::int64_t id;
  std::string slug;
};

// The firms to look at: the one --firm names, or all.
std::vector<Firm> firmsOf(Connection& c, const std::map<std::string, std::string>& opts) {
  std::vector<Firm> out;
  for (const auto& r : c.query("SELECT id, slug FROM firms ORDER BY slug", {}).rows) out.push_back({sdk::asInt(r[0]), sdk::asText(r[1])});
  auto it = opts.find("firm");
  if (it == opts.end()) return out;
  for (const auto& f : out)
    if (f.slug == it->second) return {f};
  throw std::runtime_error("--firm: no firm '" + it->second + "'");
}

// One line of a tab-separated listing: no tabs or line breaks from a subject or an error.
std::string cell(const std::string& s) {
  std::string out = s.empty() ? "-" : s;
  for (auto& ch : out)
    if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' ';
  return out;
}

bool timestampLike(const std::string& t) {
  // YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ
  const std::string shape = t.size() == 10 ? "dddd-dd-dd" : "dddd-dd-ddTdd:dd:ddZ";
  if (t.size() != shape.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(t[i])) : t[i] != shape[i]) return false;
  return true;
}

}  // namespace

int mailVerb(Host& host, const std::vector<std::string>& w, const std::map<std::string, std::string>& opts,
             std::ostream& out) {
  auto lease = host.pool().acquire();
  Connection& c = *lease;
  if (w.size() == 2 && w[1] == "queue") {
    std::string status;
    if (auto it = opts.find("status"); it != opts.end()) {
      status = it->second;
      if (status != "queued" && status != "sending" && status != "sent" && status != "failed")
        throw std::runtime_error("--status: expected queued, sending, sent or failed (found '" + status + "')");
    }
    std::size_t limit = 100;
    if (auto it = opts.find("limit"); it != opts.end()) {
      const std::string& l = it->second;
      if (l.empty() || l.size() > 6 || l.find_first_not_of("0123456789") != std::string::npos || std::stoul(l) == 0)
        throw std::runtime_error("--limit: expected a number of messages from 1 (found '" + l + "')");
      limit = std::stoul(l);
    }
    const bool json = opts.count("json") > 0;
    std::string j = "[";
    if (!json) out << "firm\tid\tstatus\tattempts\tnext_attempt_at\trecipient\tsubject\tlast_error\n";
    for (const auto& f : firmsOf(c, opts)) {
      for (const auto& m : MailQueue::list(c, f.id, status, limit)) {
        if (json) {
          if (j.size() > 1) j += ",";
          j += "{\"firm\":";
          appendJsonString(j, f.slug);
          j += ",\"id\":" + std::to_string(m.id) + ",\"status\":";
          appendJsonString(j, m.status);
          j += ",\"attempts\":" + std::to_string(m.attempts) + ",\"recipient\":";
          appendJsonString(j, m.recipient);
          j += ",\"subject\":";
          appendJsonString(j, m.subject);
          j += ",\"last_error\":";
          appendJsonString(j, m.last_error);
          j += ",\"next_attempt_at\":";
          appendJsonString(j, m.next_attempt_at);
          j += ",\"created_at\":";
          appendJsonString(j, m.created_at);
          j += ",\"sent_at\":";
          if (m.sent_at.empty()) j += "null";
          else appendJsonString(j, m.sent_at);
          j += ",\"request_id\":";
          appendJsonString(j, m.request_id);
          j += "}";
        } else {
          out << f.slug << "\t" << m.id << "\t" << m.status << "\t" << m.attempts << "\t"
              << (m.status == "queued" ? m.next_attempt_at : "-") << "\t" << cell(m.recipient) << "\t" << cell(m.subject)
              << "\t" << cell(m.last_error) << "\n";
        }
      }
    }
    if (json) out << j << "]\n";
    return 0;
  }
  if (w.size() == 3 && w[1] == "retry") {
    const std::string& id = w[2];
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
      throw std::runtime_error("mail retry: expected a message id as lexosctl mail queue prints it (found '" + id + "')");
    for (const auto& f : firmsOf(c, opts)) {
      if (MailQueue::retry(c, f.id, std::stoll(id))) {
        out << "message " << id << " of " << f.slug << " queued again; lexosd sends it within mail.poll_seconds\n";
        return 0;
      }
    }
    out << "no queued or failed message " << id << "\n";
    return 3;
  }
  if (w.size() == 2 && w[1] == "purge") {
    auto it = opts.find("sent-before");
    if (it == opts.end() || !timestampLike(it->second))
      throw std::runtime_error("mail purge: --sent-before expects a UTC date (YYYY-MM-DD) or time (YYYY-MM-DDTHH:MM:SSZ)");
    const std::string before = it->second.size() == 10 ? it->second + "T00:00:00Z" : it->second;
    std::int64_t n = 0;
    for (const auto& f : firmsOf(c, opts)) n += MailQueue::purgeSent(c, f.id, before);
    out << "removed " << n << " sent messages sent before " << before << "\n";
    return 0;
  }
  if (w.size() == 2 && w[1] == "stats") {
    const auto s = MailQueue::stats(c);
    for (const auto& [status, n] : s.by_status) out << status << "\t" << n << "\n";
    out << "oldest_waiting_seconds\t" << s.oldest_queued_seconds << "\n";
    return 0;
  }
  throw std::runtime_error("mail: expected queue, retry ID, purge --sent-before DATE or stats");
}

}  // namespace lexos::core
