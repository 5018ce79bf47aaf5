#pragma once
// The request and response objects the connection layer (http/server.cpp) hands to the
// dispatcher: Poco's HTTPServerRequest/HTTPServerResponse interfaces over a request whose head
// and body have arrived in full, and a response collected in memory and written by the
// connection layer without blocking a thread on a slow reader.
//
// Poco's interfaces are kept so that the dispatcher, the guard and the static files keep one
// shape whichever front feeds them.

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

#include <functional>
#include <memory>
#include <istream>
#include <ostream>
#include <string>

#include "http/request_body.h"
#include "http/request_head.h"

namespace lexos::core {

/// A std::streambuf appending to a std::string it does not own, calling `spill` whenever the
/// string grows past `threshold` (a streamed response writes a chunk then).
class StringAppendBuf : public std::streambuf {
 public:
  explicit StringAppendBuf(std::string& target) : target_(target) {}
  void onSpill(std::function<void()> spill, std::size_t threshold) {
    spill_ = std::move(spill);
    threshold_ = threshold;
  }

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) target_.push_back(static_cast<char>(c));
    check();
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    target_.append(s, static_cast<std::size_t>(n));
    check();
    return n;
  }

 private:
  void check() {
    if (spill_ && target_.size() >= threshold_) spill_();
  }
  std::string& target_;
  std::function<void()> spill_;
  std::size_t threshold_ = 0;
};

class BufferedResponse;

/// A complete request. Lives for one dispatch; not thread-safe.
class BufferedRequest : public Poco::Net::HTTPServerRequest {
 public:
  /// `body` must outlive this object.
  BufferedRequest(const RequestHead& head, const RequestBody& body, const Poco::Net::SocketAddress& client,
                  const Poco::Net::SocketAddress& server, BufferedResponse& response);
  /// The body, read from memory or its spool file.
  std::istream& stream() override { return stream_; }
  /// Bytes in the body (as received: after chunked decoding).
  std::uint64_t bodySize() const { return body_size_; }
  /// The vault file the body went into as it arrived (uploads in one pass), or null.
  vault::SpooledBlob* vaultBlob() const { return buf_.body().vaultBlob(); }
  /// Nothing of the body has been read yet.
  bool bodyUntouched() const { return buf_.untouched(); }
  /// The body reads as ended from now on (the vault took it whole).
  void exhaustBody() { buf_.exhaust(); }
  const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
  const Poco::Net::SocketAddress& serverAddress() const override { return server_; }
  const Poco::Net::HTTPServerParams& serverParams() const override;
  Poco::Net::HTTPServerResponse& response() const override;
  bool secure() const override { return false; }

 private:
  RequestBodyReadBuf buf_;
  std::istream stream_;
  std::uint64_t body_size_;
  Poco::Net::SocketAddress client_, server_;
  BufferedResponse& response_;
};

/// A response collected in memory. The connection layer serialises it (serialize()) once the
/// dispatcher returns, adding Content-Length, Date and Connection.
class BufferedResponse : public Poco::Net::HTTPServerResponse {
 public:
  BufferedResponse();
  void sendContinue() override {}  // the connection layer answers Expect: 100-continue itself
  std::ostream& send() override;
  void sendFile(const std::string& path, const std::string& mediaType) override;
  void sendBuffer(const void* buffer, std::size_t length) override;
  void redirect(const std::string& uri, HTTPStatus status = HTTP_FOUND) override;
  void requireAuthentication(const std::string& realm) override;
  bool sent() const override { return sent_; }

  /// Appends the status line, header fields and (unless `headRequest`) the body to `out`.
  /// `close`: announce and then close the connection. Header values holding CR or LF are
  /// dropped (response splitting). After a streamed body has begun (see streamTo), appends
  /// its last chunk only.
  void serialize(std::string& out, bool headRequest, bool close, bool http10);

  /// Lets a body the handler streams (chunked: the SDK's Response::stream()) leave in chunks
  /// of about 64 KiB while it is produced, through `write` (blocking, bounded by the send
  /// timeout; throws when the client is gone), instead of collecting it whole. `close` as for
  /// serialize(); an HTTP/1.0 client gets the raw body and the connection closes after it.
  void streamTo(std::function<void(const char*, std::size_t)> write, bool close, bool http10);
  /// True once part of the answer went out through the stream writer.
  bool streamStarted() const { return stream_started_; }
  /// Makes the next send() a body of the announced Content-Length (setContentLength64) that
  /// leaves as it is written, like a streamed one but without chunked framing (downloads).
  void beginFixedLength() { fixed_ = true; }
  /// For a fixed-length body being streamed (beginFixedLength, then send()): writes `n` bytes
  /// straight to the connection, after the head and whatever the stream holds, with no copy
  /// into the response's buffer. False when the response is not streamed (the caller then
  /// writes to the stream).
  bool writeDirect(const char* data, std::size_t n);
  /// The read's audit events still being committed (AuditSequencer::recordReadLater): the
  /// connection layer holds this answer until they are, and answers 503 if they cannot be.
  void holdFor(std::shared_ptr<class DeferredRecord> record) { held_ = std::move(record); }
  const std::shared_ptr<class DeferredRecord>& heldFor() const { return held_; }
  /// What to do once a held answer has been written (ok) or replaced by a 503 of
  /// `refusedBytes` body bytes (not ok): the dispatcher's access line and metrics, which then say
  /// what the client got and how long it took. The connection layer takes it (takeAfterHold)
  /// and runs it; without a hold, unused.
  using AfterHold = std::function<void(bool ok, std::size_t refusedBytes)>;
  void afterHold(AfterHold f) { after_hold_ = std::move(f); }
  AfterHold takeAfterHold() { return std::move(after_hold_); }
  /// True when a fixed-length body (beginFixedLength) did not reach its announced length (the
  /// handler failed half-way): the connection must close after what was written.
  bool fixedIncomplete() const {
    return fixed_ && fixed_written_ + body_.size() != static_cast<std::uint64_t>(getContentLength64());
  }

 private:
  void spill();
  std::shared_ptr<class DeferredRecord> held_;
  AfterHold after_hold_;
  void head(std::string& out, bool headRequest, bool close, bool http10, bool chunked);
  std::function<void(const char*, std::size_t)> write_;
  bool stream_close_ = false, stream_http10_ = false, stream_started_ = false;
  bool fixed_ = false;
  std::uint64_t fixed_written_ = 0;  // body bytes of a fixed-length body already written
  std::string body_;
  StringAppendBuf buf_;
  std::ostream stream_;
  bool sent_ = false;
};

}  // namespace lexos::core
