#pragma once
// lexosd's job runner: runs the plugins' jobs (SDK 1.8 Registrar::addJob) for every firm that has
// the job's module on, each at its interval, on one background thread.
//
// A run of job J for firm F:
//   1. claim, in a short transaction of its own in F's staff scope: the job_runs row of (F, J)
//      (core migration 18; created when missing) is read (PostgreSQL: FOR UPDATE SKIP LOCKED, so
//      a row another node is claiming is skipped) and, when its next_run_at has come, moved on by
//      the job's interval; committed. Several nodes on one database thus run each firm's job once
//      per interval, and a node that dies after the claim leaves the run to the next interval.
//   2. run, in a write transaction bound to F as a staff scope without a user (the Context of a
//      public route after bindFirm, without a request): the handler's writes, its audit events
//      (audit_pending, chained by the sequencer) and its mail (the durable queue) commit together,
//      or none of them when it throws;
//   3. record how it ended (last_status, last_error, runs, failures) in a third short transaction.
// Jobs run one at a time, firm after firm; a slow job delays the others, never a request (the
// runner holds one pooled connection while it works).

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lexos::core {

struct Services;
struct JobEntry;
class Connection;

class JobRunner {
 public:
  explicit JobRunner(Services& services);
  ~JobRunner() { stop(); }
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  /// Starts the thread when there is a job to run (and jobs.enabled). Idempotent.
  void start();
  /// Ends the thread after the run in progress, if any. Idempotent.
  void stop();

  struct Outcome {
    std::string job;  ///< "<plugin>.<job>"
    std::int64_t firm = 0;
    bool ran = false;   ///< claimed and run (false: not due, claimed elsewhere, module off)
    bool ok = false;
    std::string error;
  };
  /// One pass over every job and firm, on the caller's thread: runs what is due (`force`: every
  /// job for every firm with the module on, due or not). The thread does this every few seconds.
  /// `firm` (non-zero) and `job` ("<plugin>.<job>", non-empty) narrow the pass (lexosctl jobs run).
  std::vector<Outcome> runOnce(bool force = false, std::int64_t firm = 0, const std::string& job = "");

  /// Runs since start that ended well / threw (tests, diagnostics).
  std::uint64_t succeeded() const { return ok_.load(); }
  std::uint64_t failedRuns() const { return failed_.load(); }

 private:
  void run();
  Outcome runJob(Connection& c, const JobEntry& job, std::int64_t firm, bool force);

  Services& s_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<bool> stopFlag_{false};
  std::atomic<std::uint64_t> ok_{0}, failed_{0};
};

}  // namespace lexos::core
