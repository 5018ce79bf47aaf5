#pragma once
// Malware scanning of uploads with ClamAV's clamd (INSTREAM), while the bytes stream into the
// vault: the request's body is read once, and each chunk the vault reads is also sent to clamd.
// The verdict is known when the vault has stored the blob, before the version row is written,
// so no document version becomes visible unscanned. docs/documents.md, "Malware scanning".
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "lexos/sdk/errors.h"

namespace lexos::documents {

/// Where clamd listens: `[plugin.documents] clamd_socket`, a unix socket path (absolute) or
/// `tcp:HOST:PORT`. Plain data.
struct ClamdAddress {
  std::string unix_path;  ///< set for a unix socket
  std::string host;       ///< set for TCP
  std::string port;
  /// As configured, for messages.
  std::string text() const { return unix_path.empty() ? "tcp:" + host + ":" + port : unix_path; }
};

/// Parses `raw` (the value of clamd_socket). Throws std::runtime_error naming the key and the
/// expected forms when it is neither.
ClamdAddress parseClamdSocket(const std::string& raw);

/// The scanner the documents module was configured with, or nullptr (no clamd_socket: uploads
/// are stored with scan status "not_scanned"). Set once at registration.
void configureClamd(const std::string& raw);
const ClamdAddress* configuredClamd();

/// 503: clamd could not scan the upload (unreachable, timed out, or answered an error); the
/// upload is refused (fail closed).
class ScannerUnavailable : public sdk::HttpError {
 public:
  explicit ScannerUnavailable(const std::string& message) : HttpError(503, "scanner_unavailable", message, "file") {}
};

/// 403: a quarantined version (clamd found malware in it) cannot be downloaded, shared or restored.
class Quarantined : public sdk::HttpError {
 public:
  explicit Quarantined(const std::string& message) : HttpError(403, "quarantined", message) {}
};

/// clamd's verdict on one stream.
struct ScanVerdict {
  bool infected = false;
  std::string signature;  ///< the signature's name when infected, e.g. "Win.Test.EICAR_HDB-1"
};

/// One INSTREAM session with clamd. Connecting happens in the constructor (ScannerUnavailable
/// when clamd cannot be reached), so an upload is refused before its bytes are read. Not
/// thread-safe; one per upload.
class ClamdScan {
 public:
  explicit ClamdScan(const ClamdAddress& address);
  ~ClamdScan();
  ClamdScan(const ClamdScan&) = delete;
  ClamdScan& operator=(const ClamdScan&) = delete;

  /// Sends one chunk. A failure is remembered (not thrown: the chunk comes from inside an
  /// istream read) and reported by finish().
  void send(const char* data, std::size_t n);
  /// Ends the stream and reads the verdict; ScannerUnavailable on any failure or error answer.
  ScanVerdict finish();

 private:
  bool writeAll(const char* data, std::size_t n);
  std::string readReply();

  ClamdAddress address_;
  int fd_ = -1;
  std::string failure_;
};

/// An input stream that reads `source` and hands every chunk it reads to `scan` as well.
class ScanningStream : public std::istream {
 public:
  /// Bytes read from the source and sent to clamd at a time (one INSTREAM chunk): fewer
  /// system calls and chunk headers than the vault's 64 KiB reads; 1 MiB of memory per upload.
  static constexpr std::size_t kChunkBytes = 1 << 20;

  ScanningStream(std::istream& source, ClamdScan& scan);
  ~ScanningStream() override;

 private:
  class Buf : public std::streambuf {
   public:
    Buf(std::istream& source, ClamdScan& scan) : source_(source), scan_(scan), buf_(kChunkBytes) {}

   protected:
    int_type underflow() override;

   private:
    std::istream& source_;
    ClamdScan& scan_;
    std::vector<char> buf_;
  };
  std::istream& source_;
  std::ios::iostate sourceMask_;
  Buf buf_;
};

}  // namespace lexos::documents
