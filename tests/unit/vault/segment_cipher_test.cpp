// The vault's blob format (core/src/vault/segment_cipher.h): every cut, reorder, bit flip or
// append is detected; range reads at segment edges; empty blobs and exact multiples.
#include <catch2/catch.hpp>

#include <openssl/sha.h>

#include <random>
#include <string>

#include "lexos/sdk/vault.h"
#include "vault/segment_cipher.h"

using namespace lexos::core::vault;
using lexos::sdk::VaultCorrupt;

namespace {

constexpr std::uint32_t kSeg = 1024;  // small segments keep the tests quick; the format is the same

std::string randomText(std::size_t n, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string sha(const std::string& s) {
  unsigned char md[32];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return toHex(md, 32);
}

struct Sealed {
  std::string bytes;
  std::string sha256;
};

const Key& firmKey() {
  static const Key k = randomKey();
  return k;
}

const std::string kAad = blobKeyAad(42, "00112233445566778899aabbccddeeff", 1);

Sealed encrypt(const std::string& plain, std::size_t chunk = 777, std::uint32_t seg = kSeg) {
  Sealed out;
  SegmentEncryptor e(firmKey(), 1, kAad, [&](const char* p, std::size_t n) { out.bytes.append(p, n); }, seg);
  for (std::size_t at = 0; at < plain.size(); at += chunk) e.write(plain.data() + at, std::min(chunk, plain.size() - at));
  e.finish();
  out.sha256 = e.sha256();
  CHECK(e.ciphertextBytes() == out.bytes.size());
  CHECK(e.plaintextBytes() == plain.size());
  return out;
}

SegmentDecryptor::ReadAt over(const std::string& bytes) {
  return [&bytes](std::uint64_t off, char* buf, std::size_t n) -> std::size_t {
    if (off >= bytes.size()) return 0;
    const std::size_t take = std::min<std::size_t>(n, bytes.size() - off);
    std::copy(bytes.data() + off, bytes.data() + off + take, buf);
    return take;
  };
}

// Decrypts everything; throws VaultCorrupt when anything is wrong.
std::string decryptAll(const std::string& bytes, const std::string& aad = kAad) {
  SegmentDecryptor d(over(bytes), bytes.size(), firmKey(), aad);
  d.verifyAll();
  std::string out(d.size(), '\0');
  CHECK(d.read(0, out.data(), out.size()) == out.size());
  return out;
}

}  // namespace

TEST_CASE("a blob decrypts to its plaintext and its hash is the plaintext's SHA-256") {
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{kSeg - 1}, std::size_t{kSeg}, std::size_t{kSeg + 1},
                        std::size_t{3 * kSeg}, std::size_t{5 * kSeg + 17}}) {
    INFO("plaintext of " << n << " bytes");
    const std::string plain = randomText(n, static_cast<unsigned>(n));
    const auto sealed = encrypt(plain);
    CHECK(sealed.sha256 == sha(plain));
    CHECK(sealed.bytes.size() == ciphertextSize(n, kSeg));
    CHECK(plaintextSize(sealed.bytes.size(), kSeg) == n);
    CHECK(decryptAll(sealed.bytes) == plain);
    SegmentDecryptor d(over(sealed.bytes), sealed.bytes.size(), firmKey(), kAad);
    CHECK(d.verifyAll() == sha(plain));
  }
}

TEST_CASE("any way of cutting the writes gives the same plaintext, length and hash, whole segments sealed from the caller's bytes too") {
  // Writes of less than a segment go through the encryptor's buffer; a write holding whole
  // segments with more after them seals those straight from the caller's bytes. Every cut,
  // including exact multiples in one write (the last segment must still be marked last).
  for (std::size_t n : {std::size_t{kSeg}, std::size_t{2 * kSeg}, std::size_t{3 * kSeg + 5}, std::size_t{7 * kSeg}}) {
    const std::string plain = randomText(n, static_cast<unsigned>(n) + 7);
    for (std::size_t chunk : {std::size_t{1000}, std::size_t{kSeg}, std::size_t{kSeg + 1}, std::size_t{2 * kSeg - 3}, n}) {
      INFO(n << " bytes written " << chunk << " at a time");
      const auto sealed = encrypt(plain, chunk);
      CHECK(sealed.sha256 == sha(plain));
      CHECK(sealed.bytes.size() == ciphertextSize(n, kSeg));
      CHECK(decryptAll(sealed.bytes) == plain);
      // Cutting off the last segment is still detected (the one before it is not marked last).
      CHECK_THROWS_AS(decryptAll(sealed.bytes.substr(0, sealed.bytes.size() - (n % kSeg == 0 ? kSeg : n % kSeg) - kTagSize)),
                      lexos::sdk::VaultCorrupt);
    }
  }
}

TEST_CASE("an empty blob has exactly one sealed segment and an exact multiple has no extra one") {
  CHECK(encrypt("").bytes.size() == kHeaderSize + kTagSize);
  CHECK(encrypt(randomText(4 * kSeg)).bytes.size() == kHeaderSize + 4 * (kSeg + kTagSize));
}

TEST_CASE("the default segment is 64 KiB and the header names it") {
  const auto sealed = encrypt(randomText(200000), 65536, kSegmentSize);
  const auto h = BlobHeader::decode(sealed.bytes.substr(0, kHeaderSize));
  CHECK(h.segment_size == 65536);
  CHECK(h.firm_key_id == 1);
  CHECK(sealed.bytes.size() == kHeaderSize + 200000 + 4 * kTagSize);
}

TEST_CASE("every single bit flip anywhere in a blob is detected") {
  const std::string plain = randomText(2 * kSeg + 100);
  const auto sealed = encrypt(plain);
  // Every byte of the header and of the first segment, then a stride through the rest.
  for (std::size_t at = 0; at < sealed.bytes.size(); at += (at < kHeaderSize + kSeg + kTagSize ? 1 : 13)) {
    std::string bad = sealed.bytes;
    bad[at] = static_cast<char>(bad[at] ^ (1 << (at % 8)));
    INFO("bit flipped in byte " << at);
    CHECK_THROWS_AS(decryptAll(bad), VaultCorrupt);
  }
}

TEST_CASE("segments cut, reordered, duplicated or appended are detected") {
  const std::string plain = randomText(3 * kSeg + 10);
  const auto sealed = encrypt(plain);
  const std::string header = sealed.bytes.substr(0, kHeaderSize);
  auto seg = [&](int i) {
    const std::size_t at = kHeaderSize + i * (kSeg + kTagSize);
    return sealed.bytes.substr(at, i == 3 ? std::string::npos : kSeg + kTagSize);
  };
  SECTION("the last segment cut off") { CHECK_THROWS_AS(decryptAll(header + seg(0) + seg(1) + seg(2)), VaultCorrupt); }
  SECTION("a middle segment cut out") { CHECK_THROWS_AS(decryptAll(header + seg(0) + seg(2) + seg(3)), VaultCorrupt); }
  SECTION("two segments swapped") { CHECK_THROWS_AS(decryptAll(header + seg(1) + seg(0) + seg(2) + seg(3)), VaultCorrupt); }
  SECTION("a segment repeated") { CHECK_THROWS_AS(decryptAll(header + seg(0) + seg(0) + seg(2) + seg(3)), VaultCorrupt); }
  SECTION("a segment appended after the last") {
    CHECK_THROWS_AS(decryptAll(sealed.bytes + seg(1)), VaultCorrupt);
    CHECK_THROWS_AS(decryptAll(sealed.bytes + std::string(1, 'x')), VaultCorrupt);
  }
  SECTION("bytes cut from the end of the last segment") {
    CHECK_THROWS_AS(decryptAll(sealed.bytes.substr(0, sealed.bytes.size() - 1)), VaultCorrupt);
  }
  SECTION("a segment of another blob under the same firm key") {
    const auto other = encrypt(randomText(3 * kSeg + 10, 99));
    CHECK_THROWS_AS(decryptAll(header + other.bytes.substr(kHeaderSize, kSeg + kTagSize) + seg(1) + seg(2) + seg(3)),
                    VaultCorrupt);
  }
  SECTION("nothing cut: it decrypts") { CHECK(decryptAll(header + seg(0) + seg(1) + seg(2) + seg(3)) == plain); }
}

TEST_CASE("a blob opens only as the blob it was written as and with its firm's key") {
  const auto sealed = encrypt(randomText(100));
  CHECK_THROWS_AS(decryptAll(sealed.bytes, blobKeyAad(42, "ffffffffffffffffffffffffffffffff", 1)), VaultCorrupt);
  CHECK_THROWS_AS(decryptAll(sealed.bytes, blobKeyAad(43, "00112233445566778899aabbccddeeff", 1)), VaultCorrupt);
  const Key other = randomKey();
  CHECK_THROWS_AS(SegmentDecryptor(over(sealed.bytes), sealed.bytes.size(), other, kAad), VaultCorrupt);
}

TEST_CASE("range reads at and across segment edges return the right bytes") {
  const std::string plain = randomText(4 * kSeg + 123, 3);
  const auto sealed = encrypt(plain);
  std::size_t segmentsRead = 0;
  auto counting = [&](std::uint64_t off, char* buf, std::size_t n) -> std::size_t {
    if (off >= kHeaderSize) ++segmentsRead;
    return over(sealed.bytes)(off, buf, n);
  };
  SegmentDecryptor d(counting, sealed.bytes.size(), firmKey(), kAad);
  REQUIRE(d.size() == plain.size());
  for (std::uint64_t off : {std::uint64_t{0}, std::uint64_t{kSeg - 1}, std::uint64_t{kSeg}, std::uint64_t{kSeg + 1},
                            std::uint64_t{2 * kSeg - 3}, std::uint64_t{4 * kSeg}, std::uint64_t{4 * kSeg + 122}}) {
    for (std::size_t len : {std::size_t{1}, std::size_t{2}, std::size_t{kSeg}, std::size_t{kSeg + 5}}) {
      std::string buf(len, '\0');
      const std::size_t got = d.read(off, buf.data(), len);
      INFO("offset " << off << " length " << len);
      CHECK(got == std::min<std::size_t>(len, plain.size() - off));
      CHECK(buf.substr(0, got) == plain.substr(off, got));
    }
  }
  char c;
  CHECK(d.read(plain.size(), &c, 1) == 0);
  // A read of the last bytes decrypts the last segment only.
  SegmentDecryptor fresh(counting, sealed.bytes.size(), firmKey(), kAad);
  segmentsRead = 0;
  std::string tail(10, '\0');
  CHECK(fresh.read(plain.size() - 10, tail.data(), 10) == 10);
  CHECK(tail == plain.substr(plain.size() - 10));
  CHECK(segmentsRead == 1);
}

TEST_CASE("impossible blob lengths are refused") {
  CHECK_THROWS_AS(plaintextSize(kHeaderSize + kTagSize - 1, kSeg), VaultCorrupt);
  CHECK_THROWS_AS(plaintextSize(kHeaderSize + (kSeg + kTagSize) + kTagSize, kSeg), VaultCorrupt);  // empty 2nd segment
  CHECK(plaintextSize(kHeaderSize + (kSeg + kTagSize) + kTagSize + 1, kSeg) == kSeg + 1);
  CHECK_THROWS_AS(BlobHeader::decode(std::string(kHeaderSize, 'x')), VaultCorrupt);
}

TEST_CASE("a sealed key opens only with its key and its additional data") {
  const Key k = randomKey();
  const std::string secret(32, 's');
  const auto sealed = seal(k, "firm=1", secret);
  CHECK(sealed.size() == kSealedKeySize);
  CHECK(unseal(k, "firm=1", sealed) == secret);
  CHECK_THROWS_AS(unseal(k, "firm=2", sealed), VaultCorrupt);
  CHECK_THROWS_AS(unseal(randomKey(), "firm=1", sealed), VaultCorrupt);
  std::string bad = sealed;
  bad[20] ^= 1;
  CHECK_THROWS_AS(unseal(k, "firm=1", bad), VaultCorrupt);
  CHECK(fromHex(toHex(sealed)) == sealed);
}
