// lexosd: the LexOS host daemon. Runs in the foreground (systemd Type=notify: READY=1 once the
// database answered, the plugins are loaded and the listener accepts; WATCHDOG=1 while it answers
// /healthz; app/service_notifier.h); SIGTERM or SIGINT stop accepting, let requests in flight
// finish within server.shutdown_grace_seconds, then exit 0.

#include <Poco/Logger.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "app/host.h"
#include "app/service_notifier.h"
#include "app/setup.h"
#include "lexos/sdk/version.h"

namespace {

void usage(std::ostream& out) {
  out << "Usage: lexosd --config FILE [--check]\n"
         "\n"
         "Runs the LexOS server in the foreground.\n"
         "  --config FILE  the INI configuration (keys overridable as LEXOS_SECTION_KEY)\n"
         "  --check        load configuration and plugins, migrate, verify tenancy, then exit\n"
         "  --version      print the version and exit\n"
         "  --help         print this help and exit\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string configPath;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return 0;
    } else if (a == "--version") {
      std::cout << "lexosd " << LEXOS_VERSION << " (plugin SDK " << LEXOS_SDK_VERSION << ", ABI "
                << LEXOS_SDK_ABI_MAJOR << "." << LEXOS_SDK_ABI_MINOR << ")\n";
      return 0;
    } else if (a == "--config" && i + 1 < argc) {
      configPath = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      configPath = a.substr(9);
    } else if (a == "--check") {
      check = true;
    } else {
      std::cerr << "lexosd: unknown argument '" << a << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  if (configPath.empty()) {
    std::cerr << "lexosd: --config FILE is required\n";
    usage(std::cerr);
    return 2;
  }
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    const auto t0 = std::chrono::steady_clock::now();
    auto config = lexos::core::Config::load(configPath, lexos::core::Config::processEnvironment());
    lexos::core::setupLogging(config);
    auto& log = Poco::Logger::get("lexosd");
    lexos::core::Host host(config);
    for (const auto& p : host.registry().plugins())
      if (!p.builtin) log.information("loaded plugin " + p.id + " " + p.version + " from " + p.file);
    for (const auto& m : host.prepareDatabase()) log.information("applied migration " + m);
    if (check) {
      lexos::core::flushLogs();
      std::cout << "lexosd: configuration, plugins and database are OK\n";
      return 0;
    }
    host.startServer();
    lexos::core::announceSetupIfNeeded(host);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    const std::string where = "http://" + config.listen_host + ":" + std::to_string(host.port());
    log.information("listening on " + where + " (ready in " + std::to_string(ms) + " ms, " +
                    std::to_string(config.threads) + " threads)");
    if (config.metrics_enabled)
      log.information("metrics on http://" + config.metrics_host + ":" + std::to_string(host.metricsPort()) +
                      "/metrics (metrics.listen)");
    // prepareDatabase() above connected, migrated and verified the tenancy; the plugins are loaded
    // and the listener accepts: only now is the service ready for systemd.
    lexos::core::ServiceNotifier notifier;
    notifier.ready("serving on " + where + ", " + std::to_string(host.registry().plugins().size()) + " plugins, " +
                   std::to_string(config.threads) + " threads");
    const auto watchdog = notifier.startWatchdog(config.listen_host, host.port());
    if (watchdog.count() > 0)
      log.information("systemd watchdog: /healthz asked every " + std::to_string(watchdog.count() / 2000) + " ms");
    int sig = 0;
    sigwait(&stopSignals, &sig);
    log.information(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", draining (grace " +
                    std::to_string(config.shutdown_grace_seconds) + " s)");
    notifier.stopping("draining requests in flight (grace " + std::to_string(config.shutdown_grace_seconds) + " s)");
    int left = host.stopServer();
    if (left > 0) {
      // Handlers still running cannot be joined; leave without destroying what they use.
      log.warning(std::to_string(left) + " connections were cut off after the grace period");
      log.information("stopped");
      lexos::core::flushLogs();
      std::_Exit(0);
    }
    log.information("stopped");
    lexos::core::flushLogs();
    return 0;
  } catch (const std::exception& e) {
    lexos::core::flushLogs();
    std::cerr << "lexosd: " << e.what() << "\n";
    return 1;
  }
}
