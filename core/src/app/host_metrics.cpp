#include "app/host_metrics.h"

#include <Poco/Version.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include "app/host.h"
#include "http/read_cache.h"
#include "lexos/sdk/version.h"

namespace lexos::core {

namespace {

std::string pocoVersion() {
  const unsigned v = POCO_VERSION;
  return std::to_string((v >> 24) & 0xff) + "." + std::to_string((v >> 16) & 0xff) + "." +
         std::to_string((v >> 8) & 0xff);
}

void writeServer(MetricsWriter& w, const Host& host) {
  const ServerStats s = host.serverStats();
  w.family("lexos_http_connections_open", "gauge", "Client connections open on the API listener.");
  w.sample("lexos_http_connections_open", {}, host.currentConnections());
  w.family("lexos_http_connections_accepted_total", "counter", "Client connections accepted.");
  w.sample("lexos_http_connections_accepted_total", {}, s.accepted);
  w.family("lexos_http_connections_refused_total", "counter",
           "Connections closed at once because server.max_connections or the per-address cap was reached.");
  w.sample("lexos_http_connections_refused_total", {}, s.refused_over_cap);
  w.family("lexos_http_connection_timeouts_total", "counter",
           "Connections closed by a deadline: head and body (408), idle keep-alive, an answer not read (send).");
  w.sample("lexos_http_connection_timeouts_total", {{"phase", "head"}}, s.head_timeouts);
  w.sample("lexos_http_connection_timeouts_total", {{"phase", "body"}}, s.body_timeouts);
  w.sample("lexos_http_connection_timeouts_total", {{"phase", "idle"}}, s.idle_closed);
  w.sample("lexos_http_connection_timeouts_total", {{"phase", "send"}}, s.send_timeouts);
  w.family("lexos_http_framing_errors_total", "counter",
           "Request heads refused before routing (400, 411, 414, 431, 501, 505); not in lexos_http_requests_total.");
  w.sample("lexos_http_framing_errors_total", {}, s.framing_errors);
  w.family("lexos_http_workers", "gauge", "Worker threads running (server.threads and stand-ins).");
  w.sample("lexos_http_workers", {}, s.workers);
  w.family("lexos_http_workers_busy", "gauge", "Worker threads answering a request now.");
  w.sample("lexos_http_workers_busy", {}, s.busy);
  w.family("lexos_http_requests_parked_total", "counter",
           "Requests parked (no worker held) while their session was read from PostgreSQL.");
  w.sample("lexos_http_requests_parked_total", {}, s.parked);
  w.family("lexos_http_answers_held_for_audit_total", "counter",
           "Answers held (no worker held) until their read's audit events were committed.");
  w.sample("lexos_http_answers_held_for_audit_total", {}, s.held_for_audit);
  w.family("lexos_http_answers_refused_for_audit_total", "counter",
           "Answers replaced by 503 because their read's audit events could not be committed.");
  w.sample("lexos_http_answers_refused_for_audit_total", {}, s.audit_refused);
}

void writePool(MetricsWriter& w, const ConnectionPool& pool) {
  const auto p = pool.stats();
  w.family("lexos_db_pool_size", "gauge", "Connections the pool may open (database.pool_size).");
  w.sample("lexos_db_pool_size", {}, p.size);
  w.family("lexos_db_pool_open", "gauge", "Database connections open (lent out or idle).");
  w.sample("lexos_db_pool_open", {}, p.open);
  w.family("lexos_db_pool_in_use", "gauge", "Database connections lent out now.");
  w.sample("lexos_db_pool_in_use", {}, p.in_use);
  w.family("lexos_db_pool_waits_total", "counter", "Borrowers that found every connection lent out and waited.");
  w.sample("lexos_db_pool_waits_total", {}, p.waits);
  w.family("lexos_db_pool_wait_timeouts_total", "counter",
           "Borrowers that waited 10 s in vain (answered 503: database unavailable).");
  w.sample("lexos_db_pool_wait_timeouts_total", {}, p.wait_timeouts);
}

void writeSessionCache(MetricsWriter& w, const Guard& guard) {
  const auto [hits, misses] = guard.cacheStats();
  w.family("lexos_session_cache_hits_total", "counter", "Session checks answered by the session cache.");
  w.sample("lexos_session_cache_hits_total", {}, hits);
  w.family("lexos_session_cache_misses_total", "counter", "Session checks that read the database.");
  w.sample("lexos_session_cache_misses_total", {}, misses);
  const char* state = !guard.cacheEnabled() ? "disabled" : guard.cacheLive() ? "on" : "off";
  w.family("lexos_session_cache_state", "gauge",
           "1 for the cache's state: on, off (change feed not live: every check reads the database), disabled "
           "(session.cache_seconds = 0).");
  for (const char* st : {"on", "off", "disabled"})
    w.sample("lexos_session_cache_state", {{"state", st}}, std::string(st) == state ? 1 : 0);
  w.family("lexos_session_cache_entries", "gauge", "Sessions held in the session cache.");
  w.sample("lexos_session_cache_entries", {}, static_cast<std::uint64_t>(guard.cacheEntries()));
}

// The portal read cache (http/read_cache.h); zeros when cache.portal_seconds = 0.
void writePortalCache(MetricsWriter& w, const ReadCache* cache) {
  w.family("lexos_portal_cache_hits_total", "counter", "Portal GETs answered from the portal read cache.");
  w.sample("lexos_portal_cache_hits_total", {}, cache ? cache->hits() : std::uint64_t{0});
  w.family("lexos_portal_cache_misses_total", "counter",
           "Portal GETs of cacheable routes that ran their handler (nothing kept, or it was stale).");
  w.sample("lexos_portal_cache_misses_total", {}, cache ? cache->misses() : std::uint64_t{0});
  w.family("lexos_portal_cache_entries", "gauge", "Answers held in the portal read cache.");
  w.sample("lexos_portal_cache_entries", {}, static_cast<std::uint64_t>(cache ? cache->entries() : 0));
}

void writeMail(MetricsWriter& w, const Mailer& mailer) {
  const auto [sent, failed] = mailer.stats();
  w.family("lexos_mail_messages_total", "counter",
           "Messages handed to the mail transport (mail.transport), by result: sent, or failed (logged).");
  w.sample("lexos_mail_messages_total", {{"result", "sent"}}, sent);
  w.sample("lexos_mail_messages_total", {{"result", "failed"}}, failed);
}

void writePlugins(MetricsWriter& w, const Registry& registry) {
  std::vector<const PluginInfo*> loaded;
  for (const auto& p : registry.plugins())
    if (!p.builtin) loaded.push_back(&p);
  w.family("lexos_plugins_loaded", "gauge", "Plugins loaded from plugins.dir (the built-in core module not counted).");
  w.sample("lexos_plugins_loaded", {}, static_cast<std::uint64_t>(loaded.size()));
  w.family("lexos_plugin_info", "gauge", "1 for each loaded plugin, with its id and version.");
  for (const auto* p : loaded) w.sample("lexos_plugin_info", {{"plugin", p->id}, {"version", p->version}}, 1);
}

void writeBuild(MetricsWriter& w, const Config& config) {
  w.family("lexos_build_info", "gauge", "1, with the version of lexosd, its plugin SDK and ABI, and Poco.");
  w.sample("lexos_build_info",
           {{"version", LEXOS_VERSION},
            {"sdk_version", LEXOS_SDK_VERSION},
            {"abi", std::to_string(LEXOS_SDK_ABI_MAJOR) + "." + std::to_string(LEXOS_SDK_ABI_MINOR)},
            {"poco_version", pocoVersion()}},
           1);
  w.family("lexos_database_info", "gauge", "1, with the database backend (sqlite or postgresql).");
  w.sample("lexos_database_info", {{"backend", config.database_url.rfind("sqlite:", 0) == 0 ? "sqlite" : "postgresql"}},
           1);
}

}  // namespace

void writeMailQueueDepth(MetricsWriter& w, const std::map<std::string, std::uint64_t>& depthByStatus) {
  w.family("lexos_mail_queue_depth", "gauge", "Messages in the mail queue, by status.");
  for (const auto& [status, n] : depthByStatus) w.sample("lexos_mail_queue_depth", {{"status", status}}, n);
}

void writeProcessMetrics(MetricsWriter& w) {
  const long page = ::sysconf(_SC_PAGESIZE);
  std::uint64_t vsize = 0, rss = 0;
  {
    std::ifstream statm("/proc/self/statm");
    statm >> vsize >> rss;
  }
  w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w.sample("process_resident_memory_bytes", {}, rss * static_cast<std::uint64_t>(page));
  w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w.sample("process_virtual_memory_bytes", {}, vsize * static_cast<std::uint64_t>(page));

  std::uint64_t fds = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++fds;
  w.family("process_open_fds", "gauge", "Open file descriptors.");
  w.sample("process_open_fds", {}, fds);
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    w.sample("process_max_fds", {}, static_cast<std::uint64_t>(rl.rlim_cur));
  }

  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  w.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  w.sample("process_cpu_seconds_total", {}, cpu);

  // Start: boot time (/proc/stat btime) + the process's start in clock ticks since boot (field 22
  // of /proc/self/stat, counted after the command name, which may hold spaces and parentheses).
  std::string stat;
  {
    std::ifstream in("/proc/self/stat");
    std::getline(in, stat);
  }
  double boot = 0;
  {
    std::ifstream in("/proc/stat");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("btime ", 0) == 0) boot = std::stod(line.substr(6));
  }
  const auto close = stat.rfind(')');
  if (close != std::string::npos && boot > 0) {
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    for (int i = 3; i <= 22 && fields >> f; ++i)
      if (i == 22) {
        w.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.");
        w.sample("process_start_time_seconds", {},
                 boot + static_cast<double>(std::stoull(f)) / static_cast<double>(::sysconf(_SC_CLK_TCK)));
      }
  }
}

void addHostCollectors(Metrics& metrics, Host& host) {
  metrics.addCollector([&host](MetricsWriter& w) { writeServer(w, host); });
  metrics.addCollector([&host](MetricsWriter& w) { writePool(w, host.pool()); });
  metrics.addCollector([&host](MetricsWriter& w) { writeSessionCache(w, host.guard()); });
  metrics.addCollector([&host](MetricsWriter& w) { writePortalCache(w, host.services().read_cache); });
  metrics.addCollector([&host](MetricsWriter& w) { writeMail(w, *host.services().mailer); });
  // The durable mail queue (mail/mail_sender.h): its depth reads every firm's queue, so a scrape
  // reuses an answer up to 5 s old (Prometheus scrapes every 15 s or more).
  struct QueueCache {
    std::mutex mu;
    std::chrono::steady_clock::time_point at{};
    MailQueueStats stats;
    bool have = false;
  };
  metrics.addCollector([&host, cache = std::make_shared<QueueCache>()](MetricsWriter& w) {
    MailSender& sender = host.mailSender();
    MailQueueStats st;
    {
      std::lock_guard<std::mutex> lock(cache->mu);
      const auto now = std::chrono::steady_clock::now();
      if (!cache->have || now - cache->at > std::chrono::seconds(5)) {
        cache->stats = sender.stats();
        cache->at = now;
        cache->have = true;
      }
      st = cache->stats;
    }
    std::map<std::string, std::uint64_t> depth;
    for (const auto& [status, n] : st.by_status) depth[status] = static_cast<std::uint64_t>(n < 0 ? 0 : n);
    writeMailQueueDepth(w, depth);
    w.family("lexos_mail_queue_oldest_seconds", "gauge",
             "Age of the oldest message waiting in the mail queue (queued or being sent); 0 when none.");
    w.sample("lexos_mail_queue_oldest_seconds", {}, static_cast<std::uint64_t>(st.oldest_queued_seconds));
    w.family("lexos_mail_sender_attempts_total", "counter",
             "This node's mail sender's attempts, by result: sent, retried (will be tried again), failed (for good).");
    w.sample("lexos_mail_sender_attempts_total", {{"result", "sent"}}, sender.sent());
    w.sample("lexos_mail_sender_attempts_total", {{"result", "retried"}}, sender.retried());
    w.sample("lexos_mail_sender_attempts_total", {{"result", "failed"}}, sender.failed());
  });
  metrics.addCollector([&host](MetricsWriter& w) { writePlugins(w, host.registry()); });
  metrics.addCollector([&host](MetricsWriter& w) { writeBuild(w, host.config()); });
  metrics.addCollector([](MetricsWriter& w) { writeProcessMetrics(w); });
}

}  // namespace lexos::core
