#include "http/server.h"

// The connection layer. Design (docs/http-front.md has the long form):
// - One acceptor thread: accept4, caps (total, per client address), register with epoll.
// - `server.threads` workers share one epoll instance; each connection is armed EPOLLONESHOT,
//   so at most one worker holds it at a time. A worker reads what the socket has (never
//   blocking), feeds the strict parser, and only when a request's head and body are complete
//   runs the dispatcher on it. Responses are collected in memory and written without
//   blocking; what the socket does not take is finished on a later EPOLLOUT.
// - A reaper thread enforces the deadlines (head, body rate, keep-alive idle, send) every
//   100 ms, on connections no worker holds.
// A client that sends slowly, or nothing, costs a file descriptor and a buffer, never a
// thread, a database connection or a lock.

#include <Poco/Logger.h>
#include <Poco/Net/SocketAddress.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <Poco/String.h>

#include <algorithm>
#include <deque>
#include <list>
#include <optional>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "http/buffered_exchange.h"
#include "http/error_mapper.h"
#include "http/dispatcher.h"
#include "http/request_body.h"
#include "http/request_context.h"
#include "http/request_head.h"
#include "identity/audit_sequencer.h"
#include "data/connection_pool.h"
#include "guard/session_prefetch.h"
#include "plugins/registry.h"
#include "vault/spooled_blob.h"

namespace lexos::core {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kWakeId = ~std::uint64_t{0};
constexpr std::uint64_t kResumeId = ~std::uint64_t{0} - 1;  // sessions read for parked requests
constexpr std::uint64_t kHeldId = ~std::uint64_t{0} - 2;    // answers whose audit events committed
constexpr std::size_t kUnroutedBodyLimit = 64 * 1024;  // bodies of 404/405/static requests
constexpr auto kStopIdleQuiet = std::chrono::milliseconds(300);
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;
// Threads reading parked requests' sessions: statements in flight over all firms (at most
// SessionPrefetch::kLanes of one firm).
constexpr std::size_t kPrefetchThreads = 4;
// Parked requests one worker resumes per wake-up (docs/guard.md: 1, 4 and all measured).
constexpr std::size_t kResumeChunk = 4;

std::string errorBody(const std::string& code, const std::string& message) {
  std::string m;
  for (char c : message) {
    if (c == '"' || c == '\\') m.push_back('\\');
    m.push_back(c);
  }
  return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + m + "\"}}";
}

// A complete error answer that closes the connection (framing errors, timeouts, caps, a held
// answer whose audit events could not be committed). `extra`: more header lines, each ending
// in CRLF; `headRequest`: the head only (a HEAD request's answer has no body). `bodyBytes`, when
// given, is set to the body's size.
std::string closingAnswer(int status, const std::string& code, const std::string& message,
                          const std::string& extra = "", bool headRequest = false, std::size_t* bodyBytes = nullptr) {
  const std::string body = errorBody(code, message);
  if (bodyBytes) *bodyBytes = headRequest ? 0 : body.size();
  std::string reason = Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n" + extra +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + (headRequest ? "" : body);
}

const char* codeFor(int status) {
  switch (status) {
    case 408: return "timeout";
    case 411: return "length_required";
    case 413: return "too_large";
    case 507: return "insufficient_storage";
    case 500: return "internal";
    case 414: return "uri_too_long";
    case 431: return "header_too_large";
    case 501: return "not_implemented";
    case 505: return "version_not_supported";
    default: return "bad_request";
  }
}

}  // namespace

struct HttpServer::Impl {
  enum class Phase { kIdle, kHead, kBody, kHandling, kWriting, kLingering, kClosed };

  struct Conn : std::enable_shared_from_this<Conn> {
    std::uint64_t id = 0;
    int fd = -1;
    std::string ip;
    bool capped = true;  // counts against the per-address cap
    Poco::Net::SocketAddress peer, local;
    std::mutex mu;  // held by the worker serving it or the reaper acting on it, never while waiting
    Phase phase = Phase::kIdle;
    bool fresh = true;  // no request yet on this connection
    std::string in;
    std::size_t scanned = 0;  // bytes of `in` searched for the end of the head
    RequestHead head;
    RequestBody body;     // in memory up to server.body_memory_bytes, then in a spool file
    std::string decoded;  // chunked: what the decoder produced from the bytes at hand
    std::unique_ptr<ChunkedDecoder> chunked;
    std::uint64_t body_limit = 0;
    bool routed = false;  // the request names an API route
    std::uint64_t body_received = 0;
    std::string out;
    std::size_t out_off = 0;
    bool close_after_write = false;
    bool linger = false;  // closing after a refusal: the client may still be sending
    int requests = 0;
    Clock::time_point since;  // when the current phase began
    Clock::time_point last_progress;
    BufferedResponse::AfterHold after_hold;  // a held answer's access line (the dispatcher's)
    std::string held_rid;                    // and its request id (X-Request-Id of a 503 instead)
  };

  Services& services;
  const Config& cfg;
  int listen_fd = -1;
  int epoll_fd = -1;
  int wake_fd = -1;
  // PostgreSQL: requests whose session must be read wait here, not in a thread
  // (guard/session_prefetch.h); their sessions come back through `resumed` and resume_fd.
  std::unique_ptr<SessionPrefetch> prefetch;
  int resume_fd = -1;
  std::mutex resume_mu;
  std::deque<std::pair<std::shared_ptr<Conn>, std::optional<SessionInfo>>> resumed;
  // Answers held until their read's audit events are committed (AuditSequencer::
  // recordReadLater): the recorder's thread queues them here and writes `fd` (an eventfd of
  // their own, edge-triggered, read only under `mu`: a worker woken by a write always finds the
  // counter set, so no wake-up is lost); a worker writes them all. Shared with the callbacks,
  // which may outlive a stopped server (closed).
  struct Held {
    std::mutex mu;
    std::deque<std::pair<std::shared_ptr<Conn>, bool>> ready;
    int fd = -1;
    bool closed = false;
    void release(std::shared_ptr<Conn> c, bool ok) {
      std::lock_guard<std::mutex> lock(mu);
      if (closed) return;
      ready.emplace_back(std::move(c), ok);
      if (ready.size() == 1) {  // one wake-up for what queues until a worker takes them
        const std::uint64_t one = 1;
        (void)::write(fd, &one, sizeof one);
      }
    }
  };
  std::shared_ptr<Held> held = std::make_shared<Held>();
  int port = 0;
  std::string spool_dir;  // <state_dir>/spool, 0700: request bodies over body_memory_bytes
  Poco::Net::SocketAddress local;
  std::atomic<bool> stopping{false};
  // When stop() began: an idle keep-alive connection is closed once quiet for kStopIdleQuiet
  // *since then* too. One idle for longer before the stop was closed at once, and a load
  // balancer that picked it for a request at that moment met a reset (502 for a POST); in the
  // moment after the stop it learns the node is gone (new connections are refused) and stops
  // choosing its kept-alive ones.
  std::atomic<Clock::time_point> stop_at{Clock::time_point{}};
  std::atomic<bool> accepting{true};
  std::atomic<bool> exiting{false};
  std::thread acceptor, reaper;
  // Worker threads. `server.threads` of them run the loop; a worker whose handler must wait
  // for a client that reads a streamed answer slowly steps out, and a stand-in is started so
  // that `server.threads` stay free for everyone else (at most kMaxStandIns beyond the
  // setting). Surplus workers retire once they finish what they hold.
  struct Worker {
    std::thread thread;
    bool done = false;  // under workers_mu: the loop has ended, the thread can be joined
  };
  static constexpr int kMaxStandIns = 256;
  std::mutex workers_mu;
  std::list<Worker> workers;  // under workers_mu
  bool workers_closed = false;  // under workers_mu: stop() joins them; start no more
  std::atomic<int> running{0};          // workers in the loop (not retired)
  std::atomic<int> waiting_on_client{0};  // of those, inside a slow client's write
  std::atomic<std::uint64_t> stand_ins{0};
  std::atomic<int> busy{0};  // workers inside the dispatcher

  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::uint64_t, std::shared_ptr<Conn>> conns;
  };
  std::array<Shard, kShards> shards;
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<int> open{0};
  std::mutex addr_mu;
  std::unordered_map<std::string, int> per_address;

  struct Counters {
    std::atomic<std::uint64_t> accepted{0}, refused_over_cap{0}, head_timeouts{0}, body_timeouts{0},
        idle_closed{0}, send_timeouts{0}, framing_errors{0}, requests{0}, parked{0}, held_for_audit{0},
        audit_refused{0};
  } counters;

  explicit Impl(Services& s) : services(s), cfg(*s.config) {}

  void count(std::atomic<std::uint64_t> Counters::*field) {
    (counters.*field).fetch_add(1, std::memory_order_relaxed);
  }

  Shard& shardOf(std::uint64_t id) { return shards[id % kShards]; }

  std::shared_ptr<Conn> find(std::uint64_t id) {
    Shard& s = shardOf(id);
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.conns.find(id);
    return it == s.conns.end() ? nullptr : it->second;
  }

  // --- lifecycle of a connection ----------------------------------------------------------

  void arm(Conn& c, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events | EPOLLONESHOT | EPOLLRDHUP;
    ev.data.u64 = c.id;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev) != 0) closeNow(c);
  }

  /// Closes at once. Caller holds c.mu.
  void closeNow(Conn& c) {
    if (c.phase == Phase::kClosed) return;
    c.phase = Phase::kClosed;
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    if (c.capped) {
      std::lock_guard<std::mutex> lock(addr_mu);
      auto it = per_address.find(c.ip);
      if (it != per_address.end() && --it->second <= 0) per_address.erase(it);
    }
    {
      Shard& s = shardOf(c.id);
      std::lock_guard<std::mutex> lock(s.mu);
      s.conns.erase(c.id);
    }
    --open;
  }

  /// Closes after what was written has been read: shut down our side, then read and drop what
  /// the client still sends for a moment, so that a client still sending a refused body gets
  /// our answer instead of a reset.
  void closeGracefully(Conn& c) {
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Phase::kLingering;
    c.since = Clock::now();
    c.body_received = 0;
    c.in.clear();
    arm(c, EPOLLIN);
  }

  /// Queues `bytes` and writes what the socket takes. Returns true when all was written.
  bool write(Conn& c) {
    while (c.out_off < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<std::size_t>(n);
        c.last_progress = Clock::now();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
      c.close_after_write = true;  // the client went away
      c.out.clear();
      c.out_off = 0;
      return true;
    }
    c.out.clear();
    c.out_off = 0;
    return true;
  }

  /// Sends a closing answer (framing error, too large) and closes after a linger.
  void refuse(Conn& c, int status, const std::string& message) {
    c.body.clear();  // nothing of a refused body is kept (its spool file goes now)
    c.out = closingAnswer(status, codeFor(status), message);
    c.out_off = 0;
    c.close_after_write = true;
    c.linger = true;
    finishWrite(c);
  }

  /// After a response has been queued in c.out: writes it. True when the connection is idle
  /// again and buffered input may be processed; false when it waits for EPOLLOUT or closed.
  /// Caller holds c.mu.
  bool finishWrite(Conn& c) {
    c.phase = Phase::kWriting;
    c.since = c.last_progress = Clock::now();
    if (!write(c)) {
      arm(c, EPOLLOUT);
      return false;
    }
    return completeWrite(c);
  }

  bool completeWrite(Conn& c) {
    if (c.close_after_write) {
      if (c.linger || !c.in.empty()) closeGracefully(c);
      else closeNow(c);
      return false;
    }
    c.phase = Phase::kIdle;
    c.since = Clock::now();
    return true;
  }

  // --- reading and parsing -----------------------------------------------------------------

  /// Reads what the socket has. Returns false on EOF or error (after reading what came).
  bool readAvailable(Conn& c) {
    // 128 KiB per call: a large upload arrives in a few big reads rather than many small ones.
    constexpr std::size_t kRecvBlock = 128 * 1024;
    static thread_local std::unique_ptr<char[]> block(new char[kRecvBlock]);
    char* buf = block.get();
    while (true) {
      const ssize_t n = ::recv(c.fd, buf, kRecvBlock, 0);
      if (n > 0) {
        if (c.phase == Phase::kLingering) {
          c.body_received += static_cast<std::uint64_t>(n);
          if (c.body_received > kLingerBytes) return false;
          continue;
        }
        c.in.append(buf, static_cast<std::size_t>(n));
        c.last_progress = Clock::now();
        // Do not buffer without bound: the parser judges once a head's worth is here, and a
        // body is moved out of `in` as it is processed.
        if (c.in.size() > static_cast<std::size_t>(cfg.max_head_bytes) + kRecvBlock &&
            (c.phase == Phase::kIdle || c.phase == Phase::kHead))
          return true;
        if (c.in.size() > (1u << 20)) return true;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      return false;
    }
  }

  /// True when `in` may hold a complete head (or a bare-LF one the parser will refuse).
  bool headMayBeComplete(Conn& c) {
    const std::size_t from = c.scanned > 3 ? c.scanned - 3 : 0;
    const bool found = c.in.find("\n\r\n", from) != std::string::npos || c.in.find("\n\n", from) != std::string::npos;
    c.scanned = c.in.size();
    return found || c.in.size() >= static_cast<std::size_t>(cfg.max_head_bytes);
  }

  std::uint64_t bodyLimitFor(const RequestHead& head, bool& routed) {
    routed = false;
    std::string target = head.target;
    const auto q = target.find('?');
    std::string path;
    if (!urlDecode(target.substr(0, q), path, false)) return kUnroutedBodyLimit;
    if (path.rfind("/api/", 0) != 0) return kUnroutedBodyLimit;
    auto match = services.registry->router().match(head.method, path);
    if (!match.match) return kUnroutedBodyLimit;
    routed = true;
    const auto& route = services.registry->routes()[match.match->target];
    return std::min<std::uint64_t>(route.route.max_body_bytes, cfg.max_body_bytes);
  }

  /// Moves the state machine as far as the buffered bytes allow. `eof`: the client closed
  /// its side (what is buffered is still served). Caller holds c.mu.
  void process(Conn& c, bool eof) {
    while (true) {
      if (c.phase == Phase::kIdle) {
        if (c.in.empty()) break;
        c.phase = Phase::kHead;
        c.since = Clock::now();
        c.scanned = 0;
      }
      if (c.phase == Phase::kHead) {
        if (!headMayBeComplete(c)) break;
        RequestHead head;
        HeadError err;
        std::size_t consumed = 0;
        const auto r = parseRequestHead(c.in, static_cast<std::size_t>(cfg.max_head_bytes), head, consumed, err);
        if (r == HeadParse::kIncomplete) break;
        if (r == HeadParse::kError) {
          count(&Counters::framing_errors);
          refuse(c, err.status, err.message);
          return;
        }
        c.in.erase(0, consumed);
        c.scanned = 0;
        c.fresh = false;
        // Absolute-form targets (RFC 9112 §3.2.2) are reduced to their path and query.
        if (head.target.rfind("http://", 0) == 0 || head.target.rfind("https://", 0) == 0) {
          const auto slash = head.target.find('/', head.target.find("//") + 2);
          head.target = slash == std::string::npos ? "/" : head.target.substr(slash);
        }
        c.head = std::move(head);
        c.body.reset(cfg.body_memory_bytes, spool_dir);
        c.chunked.reset();
        c.body_received = 0;
        c.body_limit = bodyLimitFor(c.head, c.routed);
        if (c.head.has_length && c.head.content_length > c.body_limit) {
          refuse(c, 413, "The request body is larger than " + std::to_string(c.body_limit) + " bytes.");
          return;
        }
        if (c.head.chunked) c.chunked = std::make_unique<ChunkedDecoder>(c.body_limit);
        if (c.head.has_length && c.head.content_length > cfg.body_memory_bytes && services.vault) startVaultBody(c);
        c.phase = Phase::kBody;
        c.since = Clock::now();
        if (c.head.expect_continue && c.head.hasBody() && c.in.empty()) {
          static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
          (void)::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL);  // best effort
        }
      }
      if (c.phase == Phase::kBody) {
        bool complete = false;
        if (c.chunked) {
          std::size_t used = 0;
          c.decoded.clear();
          const auto r = c.chunked->feed(c.in, used, c.decoded);
          c.in.erase(0, used);
          c.body_received += used;
          if (!keepBody(c, c.decoded.data(), c.decoded.size())) return;
          if (c.decoded.capacity() > (256u << 10)) std::string().swap(c.decoded);
          if (r == ChunkedDecoder::Result::kError) {
            count(&Counters::framing_errors);
            refuse(c, 400, "The chunked body is malformed.");
            return;
          }
          if (r == ChunkedDecoder::Result::kTooLarge) {
            refuse(c, 413, "The request body is larger than " + std::to_string(c.body_limit) + " bytes.");
            return;
          }
          complete = r == ChunkedDecoder::Result::kDone;
        } else {
          const std::uint64_t need = c.head.content_length - c.body.size();
          const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(need, c.in.size()));
          if (!keepBody(c, c.in.data(), take)) return;
          c.in.erase(0, take);
          c.body_received += take;
          complete = c.body.size() == c.head.content_length;
        }
        if (!complete) break;
        if (!completeBody(c)) return;
        if (!dispatch(c)) return;
        continue;  // pipelined requests already buffered
      }
      break;
    }
    if (eof) {
      closeNow(c);  // the client is gone and no complete request is left
      return;
    }
    // Wait for more bytes. The idle/head/body deadlines are the reaper's.
    arm(c, EPOLLIN);
  }

  /// Adds received body bytes to the request (memory, then the spool file). A full disk answers
  /// 507 and closes, dropping what was kept; false then. Caller holds c.mu.
  bool keepBody(Conn& c, const char* data, std::size_t n) {
    std::string error;
    const auto r = c.body.append(data, n, error);
    if (r == RequestBody::Append::kOk) return true;
    Poco::Logger::get("lexosd").error("request body of " + c.head.method + " " + c.head.target.substr(0, 200) +
                                      " dropped: " + error);
    c.in.clear();
    refuse(c, 507,
           r == RequestBody::Append::kDiskFull
               ? "The server has no room to store the request body (its disk is full); nothing was kept."
               : "The server could not store the request body; nothing was kept.");
    return false;
  }

  /// A large upload whose head the guard accepts goes into the firm's vault as it arrives
  /// (hashed, encrypted, written: one pass), so that the handler's Vault::put adopts the file
  /// instead of reading a plain spool back (vault/spooled_blob.h). Anything that fails here
  /// leaves the body to the plain spool, and the dispatch answers as it would have.
  void startVaultBody(Conn& c) {
    try {
      RequestBody none;
      BufferedResponse res;
      BufferedRequest req(c.head, none, c.peer, c.local, res);
      const std::int64_t firm = Dispatcher(services).uploadFirm(req);
      if (firm <= 0) return;
      const vault::FirmKey key = services.vault->readFirmKey(firm);
      if (key.id == 0) return;  // a firm's first upload makes its key, in its own transaction
      auto blob = vault::SpooledBlob::start(*services.vault, firm, key, spool_dir);
      if (blob) c.body.intoVault(std::move(blob));  // else too many at once: the plain spool
    } catch (const std::exception& e) {
      Poco::Logger::get("lexosd").warning("upload of " + c.head.method + " " + c.head.target.substr(0, 200) +
                                          " spooled plainly: " + e.what());
    }
  }

  /// The body is all here: seals a vault body's last segment. False (after a 507 or 500
  /// answer) when that fails. Caller holds c.mu.
  bool completeBody(Conn& c) {
    std::string error;
    const auto r = c.body.complete(error);
    if (r == RequestBody::Append::kOk) return true;
    Poco::Logger::get("lexosd").error("request body of " + c.head.method + " " + c.head.target.substr(0, 200) +
                                      " dropped: " + error);
    c.in.clear();
    if (r == RequestBody::Append::kDiskFull)
      refuse(c, 507, "The server has no room to store the request body (its disk is full); nothing was kept.");
    else
      refuse(c, 500, "The server could not store the request body; nothing was kept.");
    return false;
  }

  static constexpr int kStepOutAfterMs = 50;

  /// This worker is about to wait on a slow client: if that leaves fewer than server.threads
  /// workers free, start a stand-in.
  void stepOut() {
    const int waiting = ++waiting_on_client;
    if (running.load() - waiting < cfg.threads) startWorker(true);
  }

  /// Starts a worker thread (a stand-in when `standIn`); joins those that have retired.
  void startWorker(bool standIn) {
    std::lock_guard<std::mutex> lock(workers_mu);
    for (auto it = workers.begin(); it != workers.end();) {
      if (it->done) {
        it->thread.join();
        it = workers.erase(it);
      } else {
        ++it;
      }
    }
    if (workers_closed || exiting.load()) return;
    if (standIn && running.load() >= cfg.threads + kMaxStandIns) return;
    ++running;
    auto& w = workers.emplace_back();
    try {
      w.thread = std::thread([this, &w] {
        workerLoop();
        std::lock_guard<std::mutex> l(workers_mu);
        w.done = true;
      });
    } catch (const std::system_error& e) {
      // No thread to be had (a process or memory limit): a stand-in is not started and the
      // slow client's write waits in its worker, as before; at start-up it is fatal.
      --running;
      workers.pop_back();
      if (!standIn) throw;
      Poco::Logger::get("lexosd").warning(std::string("no stand-in worker started: ") + e.what());
      return;
    }
    if (standIn) stand_ins.fetch_add(1, std::memory_order_relaxed);
  }

  /// True (and counted out of `running`) when this worker is surplus: more run than
  /// server.threads plus those waiting on slow clients.
  bool retire() {
    int r = running.load();
    while (r > cfg.threads + waiting_on_client.load())
      if (running.compare_exchange_weak(r, r - 1)) return true;
    return false;
  }

  /// Writes a part of a streamed answer while its handler runs: waits for the socket (the
  /// send timeout at most) since the handler produces the rest only after this returns.
  void blockingWrite(Conn& c, const char* data, std::size_t size, bool& failed) {
    std::size_t off = 0;
    while (!failed && off < size) {
      const ssize_t n = ::send(c.fd, data + off, size - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        // A client that reads at a usual pace makes room within moments. One that does not
        // would hold this worker for as long as it likes: step out of the pool (a stand-in
        // takes this worker's place) for the rest of the wait.
        pollfd p{c.fd, POLLOUT, 0};
        if (::poll(&p, 1, kStepOutAfterMs) > 0) continue;
        stepOut();
        const int ready = ::poll(&p, 1, std::max(cfg.send_timeout_seconds * 1000 - kStepOutAfterMs, 1));
        --waiting_on_client;
        if (ready > 0) continue;
        count(&Counters::send_timeouts);
      }
      failed = true;
    }
    if (failed) throw std::runtime_error("the client stopped reading a streamed response");
  }

  /// Runs the request through the dispatcher and starts writing the answer. True when the
  /// connection is idle again (see finishWrite).
  bool dispatch(Conn& c, std::optional<SessionInfo> preset = std::nullopt, bool resuming = false) {
    c.phase = Phase::kHandling;
    if (!resuming && prefetch && c.routed) {
      // The session check, before a worker runs the request: the cache, or nothing to check, is
      // answered here; a database read parks the request (the connection stays unarmed, its
      // worker goes on to other connections) until resumeSome() brings its session back.
      const std::string cookie = headerOf(c.head, "Cookie");
      SessionInfo s;
      Guard::SessionLookup lookup;
      switch (services.guard->resolve(cookie, s, lookup)) {
        case Guard::Resolve::kAnonymous:
          preset = SessionInfo{};
          break;
        case Guard::Resolve::kCached:
          preset = std::move(s);
          break;
        case Guard::Resolve::kLookup:
          count(&Counters::parked);
          prefetch->submit(std::move(lookup), [this, conn = c.shared_from_this()](std::optional<SessionInfo> found) {
            std::lock_guard<std::mutex> lock(resume_mu);
            resumed.emplace_back(conn, std::move(found));
          });
          return false;
      }
    }
    ++c.requests;
    count(&Counters::requests);
    BufferedResponse res;
    BufferedRequest req(c.head, c.body, c.peer, c.local, res);
    const bool http10 = c.head.version_minor == 0;
    const bool closeBefore = !c.head.keep_alive || stopping.load() || c.requests >= cfg.keepalive_requests;
    bool streamFailed = false;
    if (c.head.method != "HEAD")  // a HEAD answer has no body to stream
      res.streamTo([this, &c, &streamFailed](const char* bytes, std::size_t n) { blockingWrite(c, bytes, n, streamFailed); },
                   closeBefore, http10);
    ++busy;
    try {
      Dispatcher d(services);
      if (preset) d.presetSession(std::move(*preset));
      d.handleRequest(req, res);
    } catch (const std::exception& e) {
      Poco::Logger::get("lexosd").error(std::string("request failed outside the dispatcher: ") + e.what());
      res.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      res.setKeepAlive(false);
    }
    --busy;
    const bool close = res.streamStarted() ? closeBefore || http10
                                           : closeBefore || !res.getKeepAlive() || stopping.load();
    c.out.clear();
    c.out_off = 0;
    if (streamFailed) {
      closeNow(c);
      return false;
    }
    res.serialize(c.out, c.head.method == "HEAD", close, http10);
    // A download cut short (its source failed): the client learns it from the closed connection.
    c.close_after_write = close || res.fixedIncomplete();
    c.body.clear();
    if (const auto& record = res.heldFor()) {
      // The read's audit events are being committed: the answer waits for them, unarmed, and
      // this worker goes on to other connections (releaseHeld() writes it).
      count(&Counters::held_for_audit);
      c.after_hold = res.takeAfterHold();
      c.held_rid = res.get("X-Request-Id", "");
      // Repeated on a 503 that may replace the answer: only a plain token (a plugin may have set it).
      if (c.held_rid.find_first_of("\r\n") != std::string::npos) c.held_rid.clear();
      record->onDone([box = held, conn = c.shared_from_this()](bool ok) mutable { box->release(std::move(conn), ok); });
      return false;
    }
    return finishWrite(c);
  }

  /// Writes the answers whose audit events are committed (all that are ready: a send each,
  /// without blocking); an answer whose events could not be recorded becomes a 503.
  void releaseHeld() {
    std::deque<std::pair<std::shared_ptr<Conn>, bool>> ready;
    {
      std::lock_guard<std::mutex> lock(held->mu);
      std::uint64_t n = 0;
      (void)::read(held->fd, &n, sizeof n);
      ready.swap(held->ready);
    }
    // Every answer first (non-blocking sends), then the connections' next requests: one of those
    // (a pipelined download to a slow reader) may hold this worker, but not the other answers.
    std::vector<std::shared_ptr<Conn>> idle;
    for (auto& [conn, ok] : ready) {
      std::lock_guard<std::mutex> lock(conn->mu);
      Conn& c = *conn;
      auto after = std::move(c.after_hold);
      if (c.phase != Phase::kHandling) continue;  // closed meanwhile (the server stopping)
      std::size_t refusedBytes = 0;
      if (!ok) {
        // The client may try again at once: the next view is recorded in a commit of its own.
        count(&Counters::audit_refused);
        c.out = closingAnswer(503, "audit_unavailable", AuditUnavailable::kMessage,
                              "Retry-After: 1\r\n" + (c.held_rid.empty() ? "" : "X-Request-Id: " + c.held_rid + "\r\n"),
                              c.head.method == "HEAD",
                              &refusedBytes);
        c.out_off = 0;
        c.close_after_write = true;
      }
      // The access line and metrics (what is sent, after how long) before the client has it, as
      // for every other answer: whoever reads them after the answer finds them.
      if (after) {
        try {
          after(ok, refusedBytes);
        } catch (const std::exception& e) {  // a log channel that failed: the answer still goes
          std::fprintf(stderr, "lexosd: the access line of a held answer failed: %s\n", e.what());
        } catch (...) {
        }
      }
      if (finishWrite(c)) idle.push_back(conn);
    }
    for (auto& conn : idle) {
      std::lock_guard<std::mutex> lock(conn->mu);
      if (conn->phase == Phase::kIdle) process(*conn, false);
    }
  }

  /// The first header named `name` (as BufferedRequest::get finds it), or "".
  static std::string headerOf(const RequestHead& head, const char* name) {
    for (const auto& [k, v] : head.headers)
      if (Poco::icompare(k, name) == 0) return v;
    return {};
  }

  /// Runs parked requests whose sessions came back: up to kResumeChunk in this worker, one
  /// after another, and if more are queued the eventfd is written again so that another worker
  /// takes the next ones meanwhile. A statement's worth of requests costs a few wake-ups, not
  /// one each, and is still spread over the cores. (resume_fd is edge-triggered: each write
  /// wakes one worker.)
  void resumeSome() {
    std::vector<std::pair<std::shared_ptr<Conn>, std::optional<SessionInfo>>> batch;
    {
      std::lock_guard<std::mutex> lock(resume_mu);
      std::uint64_t n = 0;
      (void)::read(resume_fd, &n, sizeof n);
      while (!resumed.empty() && batch.size() < kResumeChunk) {
        batch.push_back(std::move(resumed.front()));
        resumed.pop_front();
      }
      if (!resumed.empty()) {
        const std::uint64_t one = 1;
        (void)::write(resume_fd, &one, sizeof one);
      }
    }
    for (auto& [conn, session] : batch) {
      std::lock_guard<std::mutex> lock(conn->mu);
      Conn& c = *conn;
      if (c.phase != Phase::kHandling) continue;  // closed meanwhile (the server stopping)
      // No session (the read failed): the dispatch checks it itself and answers the failure.
      if (dispatch(c, std::move(session), true)) process(c, false);
    }
  }

  // --- threads -----------------------------------------------------------------------------

  void workerLoop() {
    epoll_event ev{};
    while (!exiting.load()) {
      if (retire()) return;
      const int n = epoll_wait(epoll_fd, &ev, 1, -1);
      if (n <= 0) continue;
      if (ev.data.u64 == kWakeId) break;
      if (ev.data.u64 == kResumeId) {
        resumeSome();
        continue;
      }
      if (ev.data.u64 == kHeldId) {
        releaseHeld();
        continue;
      }
      auto conn = find(ev.data.u64);
      if (!conn) continue;
      std::lock_guard<std::mutex> lock(conn->mu);
      Conn& c = *conn;
      switch (c.phase) {
        case Phase::kClosed:
        case Phase::kHandling:
          break;
        case Phase::kWriting:
          if (ev.events & (EPOLLERR | EPOLLHUP)) {
            closeNow(c);
          } else if (write(c)) {
            if (completeWrite(c)) process(c, false);
          } else {
            arm(c, EPOLLOUT);
          }
          break;
        case Phase::kLingering:
          if (!readAvailable(c)) closeNow(c);
          else arm(c, EPOLLIN);
          break;
        default: {
          const bool open = readAvailable(c);
          process(c, !open);
        }
      }
    }
  }

  void acceptLoop() {
    while (accepting.load()) {
      pollfd p{listen_fd, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      while (acceptOne()) {
      }
    }
    // Connections the kernel completed before we stopped are served (with Connection: close),
    // not reset when the socket closes.
    while (acceptOne()) {
    }
  }

  /// Accepts one pending connection; false when none is pending.
  bool acceptOne() {
    {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) return true;
        if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        return false;
      }
      auto c = std::make_shared<Conn>();
      c->fd = fd;
      c->peer = Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&ss), len);
      c->local = local;
      c->ip = c->peer.host().toString();
      const auto& proxies = cfg.trusted_proxies;
      c->capped = std::find(proxies.begin(), proxies.end(), c->ip) == proxies.end();
      bool over = open.load() >= cfg.max_connections;
      if (!over && c->capped) {
        std::lock_guard<std::mutex> lock(addr_mu);
        int& n = per_address[c->ip];
        if (cfg.max_connections_per_address > 0 && n >= cfg.max_connections_per_address) over = true;
        else ++n;
        if (n == 0) per_address.erase(c->ip);
      }
      if (over) {
        count(&Counters::refused_over_cap);
        ::close(fd);
        return true;
      }
      count(&Counters::accepted);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c->id = next_id++;
      c->since = c->last_progress = Clock::now();
      ++open;
      {
        Shard& s = shardOf(c->id);
        std::lock_guard<std::mutex> lock(s.mu);
        s.conns.emplace(c->id, c);
      }
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
      ev.data.u64 = c->id;
      std::lock_guard<std::mutex> lock(c->mu);
      if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) closeNow(*c);
      return true;
    }
  }

  /// One pass of the deadlines over the connections no worker holds.
  void reap(bool stopDrain) {
    std::vector<std::shared_ptr<Conn>> all;
    for (auto& s : shards) {
      std::lock_guard<std::mutex> lock(s.mu);
      for (auto& [id, c] : s.conns) all.push_back(c);
    }
    const auto now = Clock::now();
    const auto secs = [&](Clock::time_point t) { return std::chrono::duration<double>(now - t).count(); };
    for (auto& conn : all) {
      std::unique_lock<std::mutex> lock(conn->mu, std::try_to_lock);
      if (!lock.owns_lock()) continue;  // a worker is on it
      Conn& c = *conn;
      switch (c.phase) {
        case Phase::kIdle:
          if (stopDrain && now - std::max(c.since, stop_at.load()) >= kStopIdleQuiet) {
            closeNow(c);
          } else if (c.fresh && secs(c.since) >= cfg.head_timeout_seconds) {
            count(&Counters::head_timeouts);
            closeNow(c);  // connected and sent nothing
          } else if (!c.fresh && secs(c.since) >= cfg.keepalive_timeout_seconds) {
            count(&Counters::idle_closed);
            closeNow(c);
          }
          break;
        case Phase::kHead:
          if (secs(c.since) >= cfg.head_timeout_seconds) {
            count(&Counters::head_timeouts);
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
            refuseFromReaper(c, "The request head did not arrive in time.");
          }
          break;
        case Phase::kBody: {
          const double elapsed = secs(c.since);
          if (cfg.body_min_rate > 0 && elapsed >= cfg.body_grace_seconds &&
              static_cast<double>(c.body_received) < cfg.body_min_rate * (elapsed - cfg.body_grace_seconds)) {
            count(&Counters::body_timeouts);
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
            refuseFromReaper(c, "The request body arrived too slowly.");
          }
          break;
        }
        case Phase::kWriting:
          if (secs(c.last_progress) >= cfg.send_timeout_seconds) {
            count(&Counters::send_timeouts);
            closeNow(c);
          }
          break;
        case Phase::kLingering:
          if (now - c.since >= kLingerTime) closeNow(c);
          break;
        case Phase::kHandling:
        case Phase::kClosed:
          break;
      }
    }
  }

  /// 408 and close, from the reaper (the connection is not armed: nobody else touches it).
  void refuseFromReaper(Conn& c, const std::string& message) {
    const std::string answer = closingAnswer(408, "timeout", message);
    (void)::send(c.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);  // best effort
    closeNow(c);
  }

  void reapLoop() {
    while (!exiting.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      reap(stopping.load());
    }
  }
};

HttpServer::HttpServer(Services& services) : impl_(std::make_unique<Impl>(services)) {}

HttpServer::~HttpServer() {
  if (impl_ && (impl_->listen_fd >= 0 || impl_->running.load() > 0)) stop(0);
}

void HttpServer::start() {
  Impl& m = *impl_;
  const Config& c = m.cfg;
  const std::string where = "server.listen = " + c.listen_host + ":" + std::to_string(c.listen_port);
  Poco::Net::SocketAddress addr;
  try {
    addr = Poco::Net::SocketAddress(c.listen_host, static_cast<Poco::UInt16>(c.listen_port));
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("config: " + where + ": cannot listen: " + e.displayText());
  }
  const int fd = ::socket(addr.family() == Poco::Net::SocketAddress::IPv6 ? AF_INET6 : AF_INET,
                          SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("config: " + where + ": cannot listen: " + std::strerror(errno));
  int one = 1;
  // SO_REUSEADDR (TIME_WAIT) yes, SO_REUSEPORT no: a second daemon on the port is an error.
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, addr.addr(), addr.length()) != 0 || ::listen(fd, 1024) != 0) {
    const int e = errno;
    ::close(fd);
    throw std::runtime_error("config: " + where + ": cannot listen: " + std::strerror(e) +
                             (e == EADDRINUSE ? " (another process uses this port; address in use)" : ""));
  }
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  m.local = Poco::Net::SocketAddress(reinterpret_cast<sockaddr*>(&ss), len);
  m.port = m.local.port();
  m.listen_fd = fd;

  // Request bodies over server.body_memory_bytes are spooled here (anonymous files: nothing
  // stays behind). Only lexosd may read them.
  {
    namespace fs = std::filesystem;
    m.spool_dir = ((c.state_dir.empty() ? fs::temp_directory_path() : fs::path(c.state_dir)) / "spool").string();
    std::error_code ec;
    fs::create_directories(m.spool_dir, ec);
    if (!ec) fs::permissions(m.spool_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      ::close(fd);
      m.listen_fd = -1;
      throw std::runtime_error("config: state.dir = " + c.state_dir + ": cannot create the spool folder " +
                               m.spool_dir + ": " + ec.message());
    }
  }

  // Each connection is a descriptor: ask for as many as max_connections needs.
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }

  m.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m.epoll_fd < 0 || m.wake_fd < 0) throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered: wakes every worker when stopping
  ev.data.u64 = kWakeId;
  epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.wake_fd, &ev);
  {
    std::lock_guard<std::mutex> lock(m.held->mu);
    m.held->fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m.held->fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    m.held->closed = false;
    epoll_event hev{};
    hev.events = EPOLLIN | EPOLLET;
    hev.data.u64 = kHeldId;
    epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.held->fd, &hev);
  }
  if (m.services.pool && m.services.guard && m.services.pool->backend() == sdk::Backend::PostgreSQL) {
    m.resume_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m.resume_fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    epoll_event rev{};
    rev.events = EPOLLIN | EPOLLET;  // one wake-up per write
    rev.data.u64 = kResumeId;
    epoll_ctl(m.epoll_fd, EPOLL_CTL_ADD, m.resume_fd, &rev);
    // One wake-up per statement: the eventfd is written once its requests are all queued.
    m.prefetch = std::make_unique<SessionPrefetch>(*m.services.guard, *m.services.pool, kPrefetchThreads, [&m] {
      const std::uint64_t one = 1;
      (void)::write(m.resume_fd, &one, sizeof one);
    });
  }

  for (int i = 0; i < c.threads; ++i) m.startWorker(false);
  m.reaper = std::thread([&m] { m.reapLoop(); });
  m.acceptor = std::thread([&m] { m.acceptLoop(); });
}

int HttpServer::port() const { return impl_ ? impl_->port : 0; }

int HttpServer::currentConnections() const { return impl_ ? impl_->open.load() : 0; }

ServerStats HttpServer::stats() const {
  const auto& k = impl_->counters;
  ServerStats s;
  s.accepted = k.accepted;
  s.refused_over_cap = k.refused_over_cap;
  s.head_timeouts = k.head_timeouts;
  s.body_timeouts = k.body_timeouts;
  s.idle_closed = k.idle_closed;
  s.send_timeouts = k.send_timeouts;
  s.framing_errors = k.framing_errors;
  s.requests = k.requests;
  s.parked = k.parked;
  s.held_for_audit = k.held_for_audit;
  s.audit_refused = k.audit_refused;
  s.workers = impl_->running.load();
  s.stand_ins = impl_->stand_ins.load();
  s.busy = impl_->busy.load();
  if (impl_->prefetch) s.session_reads = impl_->prefetch->stats().first;
  return s;
}

int HttpServer::stop(int graceSeconds) {
  if (!impl_) return 0;
  Impl& m = *impl_;
  if (m.listen_fd < 0 && m.running.load() == 0) return 0;
  // 1. Stop accepting and close the socket first: new connections are refused from here on.
  //    Only then do answers say Connection: close; the other order let clients reconnect into
  //    the moment before the socket closed and meet a reset (tests/integration/faults_test.cpp).
  m.accepting = false;
  if (m.acceptor.joinable()) m.acceptor.join();
  if (m.listen_fd >= 0) {
    ::close(m.listen_fd);
    m.listen_fd = -1;
  }
  m.stop_at = Clock::now();
  m.stopping = true;
  // 2. Requests in progress finish (their answers say Connection: close); idle keep-alive
  //    connections are closed by the reaper once quiet for a moment, so that a request
  //    already on its way is still served rather than reset.
  const auto deadline = Clock::now() + std::chrono::seconds(graceSeconds);
  while (m.open.load() > 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  // 3. Whatever is left is cut off: shut down the sockets (a handler still running writes to
  //    a dead socket), then close them once no worker holds them.
  int left = 0;
  for (auto& s : m.shards) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [id, c] : s.conns) {
      ::shutdown(c->fd, SHUT_RDWR);
      ++left;
    }
  }
  m.exiting = true;
  m.reap(true);
  const std::uint64_t one = 1;
  (void)::write(m.wake_fd, &one, sizeof one);
  if (m.reaper.joinable()) m.reaper.join();
  // Handlers still running cannot be interrupted, but their sockets are shut down, so most end
  // within moments (a write fails, a statement returns): wait a little for them, because a
  // handler left running would use the services its host is about to free (an in-process
  // host, as the tests run it, outlives this call).
  const auto hard = Clock::now() + std::chrono::seconds(5);
  while (m.busy.load() > 0 && Clock::now() < hard) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::list<Impl::Worker> workers;
  {
    std::lock_guard<std::mutex> lock(m.workers_mu);
    m.workers_closed = true;
    workers.splice(workers.end(), m.workers);
  }
  if (m.busy.load() > 0) {
    // Still running after that: the process is about to exit, so their threads are left to it
    // rather than waited for.
    for (auto& w : workers) w.thread.detach();
    {
      std::lock_guard<std::mutex> lock(m.workers_mu);  // they still mark themselves done in it
      m.workers.splice(m.workers.end(), workers);
    }
    impl_.release();  // the detached threads still use it; the process is ending
    return std::max(left, 1);
  }
  for (auto& w : workers) w.thread.join();
  m.running = 0;
  // Sessions still being read: let the statements end; their requests are not resumed (their
  // connections are closed below, as any left over).
  if (m.prefetch) m.prefetch->stop();
  {
    std::lock_guard<std::mutex> lock(m.resume_mu);
    m.resumed.clear();
  }
  {
    // Answers still held: their events are committed by the recorder (AuditSequencer::stop);
    // their connections are closed below.
    std::lock_guard<std::mutex> lock(m.held->mu);
    m.held->closed = true;
    m.held->ready.clear();
    if (m.held->fd >= 0) ::close(m.held->fd);
    m.held->fd = -1;
  }
  std::vector<std::shared_ptr<Impl::Conn>> rest;
  for (auto& s : m.shards) {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& [id, c] : s.conns) rest.push_back(c);
  }
  for (auto& c : rest) {
    std::lock_guard<std::mutex> lock(c->mu);
    m.closeNow(*c);
  }
  ::close(m.epoll_fd);
  ::close(m.wake_fd);
  if (m.resume_fd >= 0) ::close(m.resume_fd);
  m.epoll_fd = m.wake_fd = m.resume_fd = -1;
  return left;
}

}  // namespace lexos::core
