#include "http/job_runner.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>

#include "common/time.h"
#include "common/tokens.h"
#include "config/config.h"
#include "data/connection_pool.h"
#include "http/request_context.h"
#include "http/server.h"
#include "identity/audit_log.h"
#include "identity/audit_sequencer.h"
#include "mail/mail_queue.h"
#include "mail/mail_sender.h"
#include "plugins/registry.h"

namespace lexos::core {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("jobs"); }

// How often the thread looks for due runs: a job's interval is at least 10 s (registrar.h).
constexpr auto kTick = std::chrono::seconds(5);

std::string jobName(const JobEntry& j) { return j.plugin + "." + j.job.id; }

bool moduleOn(Connection& c, const std::string& module) {
  // No row: on (the guard reads firm_modules the same way).
  auto r = c.query("SELECT 1 FROM firm_modules WHERE module = $1 AND NOT enabled", {module});
  return r.empty();
}

void rollbackQuietly(Connection& c) {
  try {
    if (c.inTransaction()) c.rollback();
  } catch (...) {
  }
}

}  // namespace

JobRunner::JobRunner(Services& services) : s_(services) {}

void JobRunner::start() {
  if (thread_.joinable() || !s_.config->jobs_enabled || s_.registry->jobs().empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = false;
  }
  stopFlag_ = false;
  thread_ = std::thread([this] { run(); });
}

void JobRunner::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  stopFlag_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void JobRunner::run() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_for(lock, kTick, [this] { return stopping_; })) return;
    }
    try {
      runOnce(false);
    } catch (const std::exception& e) {
      logger().warning(std::string("jobs: a pass failed (the next one retries): ") + e.what());
    }
  }
}

std::vector<JobRunner::Outcome> JobRunner::runOnce(bool force, std::int64_t onlyFirm, const std::string& onlyJob) {
  std::vector<Outcome> out;
  const auto& jobs = s_.registry->jobs();
  if (jobs.empty()) return out;
  auto lease = s_.pool->acquire();
  Connection& c = *lease;
  std::vector<std::int64_t> firms;
  for (const auto& r : c.query("SELECT id FROM firms ORDER BY id", {}).rows) firms.push_back(sdk::asInt(r[0]));
  for (const auto& job : jobs)
    for (auto firm : firms) {
      if ((onlyFirm && firm != onlyFirm) || (!onlyJob.empty() && jobName(job) != onlyJob)) continue;
      if (stopFlag_) return out;
      out.push_back(runJob(c, job, firm, force));
    }
  return out;
}

JobRunner::Outcome JobRunner::runJob(Connection& c, const JobEntry& job, std::int64_t firm, bool force) {
  Outcome o;
  o.job = jobName(job);
  o.firm = firm;
  const bool pg = c.backend() == sdk::Backend::PostgreSQL;
  const std::string now = utcTimestamp();

  // 1. Claim.
  try {
    c.beginScoped(true, {firm, 0});
    if (!moduleOn(c, job.plugin)) {
      c.rollback();
      return o;
    }
    // The first run of a job for a firm makes its row. SQLite's write transaction excludes other
    // writers; on PostgreSQL a row another node inserts first is left alone.
    if (pg)
      c.execute("INSERT INTO job_runs (firm_id, job, next_run_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                {firm, o.job, now});
    else if (c.query("SELECT 1 FROM job_runs WHERE job = $1", {o.job}).empty())
      c.execute("INSERT INTO job_runs (firm_id, job, next_run_at) VALUES ($1, $2, $3)", {firm, o.job, now});
    auto row = c.query(std::string("SELECT next_run_at FROM job_runs WHERE job = $1") + (pg ? " FOR UPDATE SKIP LOCKED" : ""),
                       {o.job});
    if (row.empty() || (!force && sdk::asText(row.rows[0][0]) > now)) {
      c.rollback();  // not due, or another node is claiming it now
      return o;
    }
    c.execute("UPDATE job_runs SET next_run_at = $1, last_started_at = $2, runs = runs + 1 WHERE job = $3",
              {utcTimestamp(job.job.every_seconds), now, o.job});
    c.commit();
  } catch (const std::exception& e) {
    rollbackQuietly(c);
    o.error = e.what();
    logger().warning("jobs: could not claim " + o.job + " for firm " + std::to_string(firm) + ": " + o.error);
    return o;
  }
  o.ran = true;

  // 2. Run, as a public route bound to the firm runs (staff scope, no user).
  sdk::Principal principal;
  principal.firm_id = firm;
  const std::string runId = "job-" + randomToken(6);
  std::vector<std::int64_t> mailIds;
  try {
    c.beginScoped(true, {firm, 0});
    RequestContext ctx(principal, c, *s_.config, job.plugin, runId);
    ctx.setVault(s_.vault);
    job.job.handler(ctx);
    c.setScope({firm, 0});
    AuditLog::append(c, principal, "", runId, ctx.auditBuffer().events);
    if (!ctx.mailQueue().messages.empty()) mailIds = MailQueue::enqueue(c, firm, ctx.mailQueue().messages, runId);
    c.commit();
    o.ok = true;
  } catch (const std::exception& e) {
    rollbackQuietly(c);
    o.error = e.what();
  } catch (...) {
    rollbackQuietly(c);
    o.error = "unknown error";
  }
  if (s_.audit) s_.audit->notifyRecorded();
  if (!mailIds.empty() && s_.mailSender) {
    if (s_.config->mail_transport == "outbox") s_.mailSender->deliverNow(c, firm, mailIds);
    else s_.mailSender->notify(firm);
  }
  (o.ok ? ok_ : failed_) += 1;
  if (!o.ok) logger().error("[" + runId + "] job " + o.job + " failed for firm " + std::to_string(firm) + ": " + o.error);

  // 3. Record how it ended.
  try {
    c.beginScoped(true, {firm, 0});
    c.execute(o.ok ? "UPDATE job_runs SET last_finished_at = $1, last_status = 'ok', last_error = '' WHERE job = $2"
                   : "UPDATE job_runs SET last_finished_at = $1, last_status = 'failed', last_error = $3, "
                     "failures = failures + 1 WHERE job = $2",
              o.ok ? std::vector<sdk::Value>{utcTimestamp(), o.job}
                   : std::vector<sdk::Value>{utcTimestamp(), o.job, o.error.substr(0, 500)});
    c.commit();
  } catch (const std::exception& e) {
    rollbackQuietly(c);
    logger().warning("jobs: could not record the end of " + o.job + " for firm " + std::to_string(firm) + ": " + e.what());
  }
  return o;
}

}  // namespace lexos::core
