// Vault throughput (docs/benchmarks.md, "Vault"): encrypts FILE into FILE.vault with the blob
// format (64 KiB AES-256-GCM segments, SHA-256 of the plaintext), fsyncs it, then decrypts it
// sequentially to nothing, and reads the last and first MiB. Prints MB/s. Not a test.
//   cmake --build build --target vault_bench && build/bin/vault_bench /tmp/big.bin
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "vault/segment_cipher.h"

using namespace lexos::core::vault;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: vault_bench FILE\n");
    return 2;
  }
  const std::string in = argv[1], out = in + ".vault";
  const Key firm = randomKey();
  const std::string aad = blobKeyAad(1, "00000000000000000000000000000000", 1);
  std::vector<char> buf(1 << 20);
  const int src = ::open(in.c_str(), O_RDONLY);
  const int dst = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (src < 0 || dst < 0) return 1;
  auto t0 = Clock::now();
  SegmentEncryptor enc(firm, 1, aad, [&](const char* p, std::size_t n) {
    if (::write(dst, p, n) != static_cast<ssize_t>(n)) std::abort();
  });
  for (;;) {
    const ssize_t r = ::read(src, buf.data(), buf.size());
    if (r <= 0) break;
    enc.write(buf.data(), static_cast<std::size_t>(r));
  }
  enc.finish();
  ::fsync(dst);
  ::close(dst);
  ::close(src);
  const double enc_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double mb = enc.plaintextBytes() / 1e6;
  std::printf("encrypt+sha256+write+fsync: %.0f MB in %.2f s = %.0f MB/s (sha256 %s)\n", mb, enc_s, mb / enc_s,
              enc.sha256().c_str());

  const int fd = ::open(out.c_str(), O_RDONLY);
  const auto size = static_cast<std::uint64_t>(::lseek(fd, 0, SEEK_END));
  SegmentDecryptor dec([&](std::uint64_t off, char* b, std::size_t n) {
    return static_cast<std::size_t>(::pread(fd, b, n, static_cast<off_t>(off)));
  }, size, firm, aad);
  t0 = Clock::now();
  for (std::uint64_t off = 0; off < dec.size();) off += dec.read(off, buf.data(), buf.size());
  const double dec_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("read+decrypt (sequential):   %.0f MB in %.2f s = %.0f MB/s\n", mb, dec_s, mb / dec_s);
  auto timeRange = [&](std::uint64_t off) {
    SegmentDecryptor d([&](std::uint64_t o, char* b, std::size_t n) {
      return static_cast<std::size_t>(::pread(fd, b, n, static_cast<off_t>(o)));
    }, size, firm, aad);
    const auto t = Clock::now();
    d.read(off, buf.data(), buf.size());
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  std::printf("first MiB: %.2f ms, last MiB: %.2f ms\n", timeRange(0), timeRange(dec.size() - buf.size()));
  ::close(fd);
  return 0;
}
