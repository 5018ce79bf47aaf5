#pragma once
// The vault's blob format (docs/vault.md, "Format"): a 96-byte header, then the plaintext in
// fixed-size segments, each sealed with AES-256-GCM under the blob's own key. The nonce of
// segment i is the blob's 4-byte nonce prefix followed by i (64-bit big-endian); its additional
// data is the header, i and a "last segment" flag, so a segment changed, cut, moved, dropped
// from the end or appended after the last one fails its tag. The blob key is random per blob,
// sealed in the header by the firm's key with the blob's identity as additional data, so a
// blob file renamed to another id does not open either.
//
// OpenSSL's EVP interface directly rather than Poco::Crypto: a segment needs a new nonce, and
// Poco 1.11 builds a new Cipher and transform object for each (measured in docs/vault.md); the
// EVP context here is initialised once and re-keyed with each nonce.

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lexos::core::vault {

inline constexpr std::uint32_t kSegmentSize = 64 * 1024;  ///< plaintext bytes per full segment
inline constexpr std::size_t kTagSize = 16;
inline constexpr std::size_t kHeaderSize = 96;
inline constexpr std::size_t kKeySize = 32;
inline constexpr std::size_t kSealedKeySize = 12 + kKeySize + kTagSize;  ///< nonce, key, tag

using Key = std::array<unsigned char, kKeySize>;

/// Cryptographically strong random bytes (OpenSSL's RAND_bytes); throws when it fails.
void randomBytes(unsigned char* out, std::size_t n);
Key randomKey();
/// Lowercase hex of bytes, and back (throws std::invalid_argument on bad hex).
std::string toHex(const unsigned char* p, std::size_t n);
std::string toHex(const std::string& bytes);
std::string fromHex(const std::string& hex);

/// AES-256-GCM of a short secret (a key) under `key` with `aad`: nonce || ciphertext || tag.
std::string seal(const Key& key, const std::string& aad, const std::string& plaintext);
/// The inverse; throws VaultCorrupt (lexos/sdk/vault.h) when the tag or the length is wrong.
std::string unseal(const Key& key, const std::string& aad, const std::string& sealed);
Key keyFromBytes(const std::string& bytes);  ///< exactly kKeySize bytes, else VaultCorrupt

/// The fixed header of a blob file.
struct BlobHeader {
  std::uint16_t version = 1;
  std::uint32_t segment_size = kSegmentSize;
  std::uint32_t firm_key_id = 0;
  std::array<unsigned char, 4> nonce_prefix{};
  std::string sealed_key;  ///< kSealedKeySize bytes: the blob key sealed by the firm key

  std::string encode() const;  ///< exactly kHeaderSize bytes
  /// Parses kHeaderSize bytes; throws VaultCorrupt naming what is wrong.
  static BlobHeader decode(const std::string& bytes);
};

/// Ciphertext size of a blob of `plaintext` bytes (header included), and the inverse (throws
/// VaultCorrupt for a size no blob can have).
std::uint64_t ciphertextSize(std::uint64_t plaintext, std::uint32_t segmentSize = kSegmentSize);
std::uint64_t plaintextSize(std::uint64_t ciphertext, std::uint32_t segmentSize = kSegmentSize);

/// Encrypts a stream into blob bytes handed to `sink` in order, hashing the plaintext as it
/// goes. One full segment is held back until more data (or finish) says whether it is the last.
/// Not thread-safe.
class SegmentEncryptor {
 public:
  using Sink = std::function<void(const char* data, std::size_t n)>;
  /// `keyAad` binds the sealed blob key to the blob (firm, id, firm key id): see blobKeyAad().
  /// `hash`: false when the caller hashes the plaintext itself (sha256() stays empty).
  SegmentEncryptor(const Key& firmKey, std::uint32_t firmKeyId, const std::string& keyAad, Sink sink,
                   std::uint32_t segmentSize = kSegmentSize, bool hash = true);
  ~SegmentEncryptor();
  SegmentEncryptor(const SegmentEncryptor&) = delete;
  SegmentEncryptor& operator=(const SegmentEncryptor&) = delete;

  void write(const char* data, std::size_t n);
  /// Seals the last segment (an empty one for an empty blob). Call once.
  void finish();
  std::uint64_t plaintextBytes() const { return plaintext_; }
  std::uint64_t ciphertextBytes() const { return ciphertext_; }
  /// Lowercase hex SHA-256 of the plaintext; valid after finish().
  const std::string& sha256() const { return sha256_; }

 private:
  void sealSegment(bool last);
  void sealFrom(const char* plain, std::size_t size, bool last);
  Sink sink_;
  std::uint32_t segmentSize_;
  Key blobKey_{};
  std::string header_;
  std::array<unsigned char, 4> prefix_{};
  std::vector<char> pending_;
  std::vector<char> out_;
  std::uint64_t index_ = 0, plaintext_ = 0, ciphertext_ = 0;
  std::string sha256_;
  void* cipher_ = nullptr;  // EVP_CIPHER_CTX
  void* digest_ = nullptr;  // EVP_MD_CTX
  bool hash_ = true;
  bool finished_ = false;
};

/// Decrypts ranges of a blob read through `readAt` (ciphertext offset, buffer, length: returns
/// bytes read). Keeps the last segment it opened, so sequential reads open each segment once.
/// Throws VaultCorrupt for a wrong header, key or tag. Not thread-safe.
class SegmentDecryptor {
 public:
  using ReadAt = std::function<std::size_t(std::uint64_t offset, char* buf, std::size_t n)>;
  SegmentDecryptor(ReadAt readAt, std::uint64_t ciphertextBytes, const Key& firmKey, const std::string& keyAad);
  ~SegmentDecryptor();
  SegmentDecryptor(const SegmentDecryptor&) = delete;
  SegmentDecryptor& operator=(const SegmentDecryptor&) = delete;

  const BlobHeader& header() const { return header_; }
  std::uint64_t size() const { return size_; }
  std::size_t read(std::uint64_t offset, char* buf, std::size_t n);
  /// Decrypts every segment in order and returns the plaintext's SHA-256 (fsck).
  std::string verifyAll();

 private:
  /// Reads and checks segment `index` into plain_ (kept as the cached one), or straight into
  /// `into` (not cached) when given.
  void openSegment(std::uint64_t index, char* into = nullptr);
  ReadAt readAt_;
  std::uint64_t ciphertext_;
  BlobHeader header_;
  std::string headerBytes_;
  Key blobKey_{};
  std::uint64_t size_ = 0, segments_ = 0;
  std::uint64_t cached_ = UINT64_MAX;
  std::vector<char> in_, plain_;
  void* cipher_ = nullptr;
};

/// The additional data that binds a blob key to its blob.
std::string blobKeyAad(std::int64_t firmId, const std::string& blobId, std::uint32_t firmKeyId);

}  // namespace lexos::core::vault
