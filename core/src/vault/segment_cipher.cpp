#include "vault/segment_cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

#include "lexos/sdk/vault.h"

namespace lexos::core::vault {

namespace {

constexpr char kMagic[8] = {'L', 'E', 'X', 'V', 'A', 'U', 'L', 'T'};

EVP_CIPHER_CTX* ctx(void* p) { return static_cast<EVP_CIPHER_CTX*>(p); }

void putBe(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t getBe(const std::string& in, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(in[at + i]);
  return v;
}

std::array<unsigned char, 12> segmentNonce(const std::array<unsigned char, 4>& prefix, std::uint64_t index) {
  std::array<unsigned char, 12> n{};
  std::memcpy(n.data(), prefix.data(), 4);
  for (int i = 0; i < 8; ++i) n[4 + i] = static_cast<unsigned char>((index >> (8 * (7 - i))) & 0xff);
  return n;
}

std::string segmentAad(const std::string& header, std::uint64_t index, bool last) {
  std::string aad = header;
  putBe(aad, index, 8);
  aad.push_back(last ? 1 : 0);
  return aad;
}

void check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string("vault: OpenSSL ") + what + " failed");
}

}  // namespace

void randomBytes(unsigned char* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("vault: no random bytes (RAND_bytes failed)");
}

Key randomKey() {
  Key k;
  randomBytes(k.data(), k.size());
  return k;
}

std::string toHex(const unsigned char* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    s.push_back(d[p[i] >> 4]);
    s.push_back(d[p[i] & 15]);
  }
  return s;
}

std::string toHex(const std::string& bytes) {
  return toHex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

std::string fromHex(const std::string& hex) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) throw std::invalid_argument("odd number of hex digits");
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int a = nib(hex[i]), b = nib(hex[i + 1]);
    if (a < 0 || b < 0) throw std::invalid_argument("not a hex digit");
    out.push_back(static_cast<char>(a * 16 + b));
  }
  return out;
}

Key keyFromBytes(const std::string& bytes) {
  if (bytes.size() != kKeySize) throw sdk::VaultCorrupt("vault: a key must be 32 bytes");
  Key k;
  std::memcpy(k.data(), bytes.data(), kKeySize);
  return k;
}

std::string seal(const Key& key, const std::string& aad, const std::string& plaintext) {
  unsigned char nonce[12];
  randomBytes(nonce, sizeof nonce);
  std::string out(reinterpret_cast<char*>(nonce), sizeof nonce);
  out.resize(12 + plaintext.size() + kTagSize);
  auto* c = EVP_CIPHER_CTX_new();
  if (!c) throw std::runtime_error("vault: out of memory");
  int len = 0;
  try {
    check(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), nullptr, key.data(), nonce), "seal init");
    check(EVP_EncryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), static_cast<int>(aad.size())),
          "seal aad");
    check(EVP_EncryptUpdate(c, reinterpret_cast<unsigned char*>(&out[12]), &len,
                            reinterpret_cast<const unsigned char*>(plaintext.data()), static_cast<int>(plaintext.size())),
          "seal");
    check(EVP_EncryptFinal_ex(c, reinterpret_cast<unsigned char*>(&out[12 + len]), &len), "seal final");
    check(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagSize, &out[12 + plaintext.size()]), "seal tag");
  } catch (...) {
    EVP_CIPHER_CTX_free(c);
    throw;
  }
  EVP_CIPHER_CTX_free(c);
  return out;
}

std::string unseal(const Key& key, const std::string& aad, const std::string& sealed) {
  if (sealed.size() < 12 + kTagSize) throw sdk::VaultCorrupt("vault: sealed key too short");
  const std::size_t n = sealed.size() - 12 - kTagSize;
  std::string out(n, '\0');
  auto* c = EVP_CIPHER_CTX_new();
  if (!c) throw std::runtime_error("vault: out of memory");
  int len = 0, ok = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), nullptr, key.data(), in) == 1 &&
       EVP_DecryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), static_cast<int>(aad.size())) == 1 &&
       EVP_DecryptUpdate(c, reinterpret_cast<unsigned char*>(out.data()), &len, in + 12, static_cast<int>(n)) == 1 &&
       EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagSize, const_cast<unsigned char*>(in + 12 + n)) == 1 &&
       EVP_DecryptFinal_ex(c, reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  EVP_CIPHER_CTX_free(c);
  if (!ok) throw sdk::VaultCorrupt("vault: a sealed key does not open with this key (wrong key, or changed)");
  return out;
}

std::string BlobHeader::encode() const {
  std::string h(kMagic, 8);
  putBe(h, version, 2);
  putBe(h, kHeaderSize, 2);
  putBe(h, segment_size, 4);
  putBe(h, firm_key_id, 4);
  h.append(reinterpret_cast<const char*>(nonce_prefix.data()), 4);
  if (sealed_key.size() != kSealedKeySize) throw std::logic_error("vault: sealed key of the wrong size");
  h += sealed_key;
  h.resize(kHeaderSize, '\0');
  return h;
}

BlobHeader BlobHeader::decode(const std::string& b) {
  if (b.size() != kHeaderSize || std::memcmp(b.data(), kMagic, 8) != 0)
    throw sdk::VaultCorrupt("vault: not a vault blob (no LEXVAULT header)");
  BlobHeader h;
  h.version = static_cast<std::uint16_t>(getBe(b, 8, 2));
  if (h.version != 1) throw sdk::VaultCorrupt("vault: blob format version " + std::to_string(h.version) + " is unknown");
  if (getBe(b, 10, 2) != kHeaderSize) throw sdk::VaultCorrupt("vault: blob header size is wrong");
  h.segment_size = static_cast<std::uint32_t>(getBe(b, 12, 4));
  if (h.segment_size < 1024 || h.segment_size > (16u << 20)) throw sdk::VaultCorrupt("vault: blob segment size is wrong");
  h.firm_key_id = static_cast<std::uint32_t>(getBe(b, 16, 4));
  std::memcpy(h.nonce_prefix.data(), b.data() + 20, 4);
  h.sealed_key = b.substr(24, kSealedKeySize);
  for (std::size_t i = 24 + kSealedKeySize; i < kHeaderSize; ++i)
    if (b[i] != '\0') throw sdk::VaultCorrupt("vault: blob header padding is not zero");
  return h;
}

std::uint64_t ciphertextSize(std::uint64_t plaintext, std::uint32_t s) {
  const std::uint64_t n = plaintext == 0 ? 1 : (plaintext + s - 1) / s;
  return kHeaderSize + plaintext + n * kTagSize;
}

std::uint64_t plaintextSize(std::uint64_t ciphertext, std::uint32_t s) {
  if (ciphertext < kHeaderSize + kTagSize) throw sdk::VaultCorrupt("vault: blob is shorter than a header and one segment");
  const std::uint64_t body = ciphertext - kHeaderSize;
  const std::uint64_t n = (body + s + kTagSize - 1) / (s + kTagSize);
  const std::uint64_t p = body - n * kTagSize;
  if (n > 1 && p <= (n - 1) * s) throw sdk::VaultCorrupt("vault: blob length is not one a blob can have");
  return p;
}

std::string blobKeyAad(std::int64_t firmId, const std::string& blobId, std::uint32_t firmKeyId) {
  return "lexos-vault/v1/blob-key firm=" + std::to_string(firmId) + " blob=" + blobId +
         " firm-key=" + std::to_string(firmKeyId);
}

// ---- SegmentEncryptor ----

SegmentEncryptor::SegmentEncryptor(const Key& firmKey, std::uint32_t firmKeyId, const std::string& keyAad, Sink sink,
                                   std::uint32_t segmentSize, bool hash)
    : sink_(std::move(sink)), segmentSize_(segmentSize), blobKey_(randomKey()), hash_(hash) {
  BlobHeader h;
  h.segment_size = segmentSize_;
  h.firm_key_id = firmKeyId;
  randomBytes(h.nonce_prefix.data(), 4);
  prefix_ = h.nonce_prefix;
  h.sealed_key = seal(firmKey, keyAad, std::string(reinterpret_cast<const char*>(blobKey_.data()), kKeySize));
  header_ = h.encode();
  cipher_ = EVP_CIPHER_CTX_new();
  digest_ = EVP_MD_CTX_new();
  if (!cipher_ || !digest_) throw std::runtime_error("vault: out of memory");
  check(EVP_EncryptInit_ex(ctx(cipher_), EVP_aes_256_gcm(), nullptr, nullptr, nullptr), "cipher init");
  check(EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(digest_), EVP_sha256(), nullptr), "digest init");
  pending_.reserve(segmentSize_);
  out_.resize(segmentSize_ + kTagSize);
  sink_(header_.data(), header_.size());
  ciphertext_ = header_.size();
}

SegmentEncryptor::~SegmentEncryptor() {
  EVP_CIPHER_CTX_free(ctx(cipher_));
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(digest_));
  OPENSSL_cleanse(blobKey_.data(), blobKey_.size());
}

void SegmentEncryptor::write(const char* data, std::size_t n) {
  if (finished_) throw std::logic_error("vault: write after finish");
  if (hash_) check(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(digest_), data, n), "digest");
  plaintext_ += n;
  while (n > 0) {
    if (pending_.size() == segmentSize_) sealSegment(false);  // more data follows: not the last
    if (pending_.empty() && n > segmentSize_) {
      // A whole segment with more data after it in this call: sealed from the caller's bytes.
      sealFrom(data, segmentSize_, false);
      data += segmentSize_;
      n -= segmentSize_;
      continue;
    }
    const std::size_t take = std::min<std::size_t>(n, segmentSize_ - pending_.size());
    pending_.insert(pending_.end(), data, data + take);
    data += take;
    n -= take;
  }
}

void SegmentEncryptor::finish() {
  if (finished_) throw std::logic_error("vault: finish twice");
  sealSegment(true);
  finished_ = true;
  if (!hash_) return;
  unsigned char md[32];
  unsigned int len = 0;
  check(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(digest_), md, &len), "digest final");
  sha256_ = toHex(md, len);
}

void SegmentEncryptor::sealSegment(bool last) {
  sealFrom(pending_.data(), pending_.size(), last);
  pending_.clear();
}

void SegmentEncryptor::sealFrom(const char* plain, std::size_t size, bool last) {
  const auto nonce = segmentNonce(prefix_, index_);
  const std::string aad = segmentAad(header_, index_, last);
  int len = 0, fin = 0;
  auto* c = ctx(cipher_);
  check(EVP_EncryptInit_ex(c, nullptr, nullptr, blobKey_.data(), nonce.data()), "segment init");
  check(EVP_EncryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), static_cast<int>(aad.size())),
        "segment aad");
  auto* out = reinterpret_cast<unsigned char*>(out_.data());
  check(EVP_EncryptUpdate(c, out, &len, reinterpret_cast<const unsigned char*>(plain), static_cast<int>(size)), "segment");
  check(EVP_EncryptFinal_ex(c, out + len, &fin), "segment final");
  check(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, kTagSize, out + size), "segment tag");
  const std::size_t n = size + kTagSize;
  sink_(out_.data(), n);
  ciphertext_ += n;
  ++index_;
}

// ---- SegmentDecryptor ----

SegmentDecryptor::SegmentDecryptor(ReadAt readAt, std::uint64_t ciphertextBytes, const Key& firmKey, const std::string& keyAad)
    : readAt_(std::move(readAt)), ciphertext_(ciphertextBytes) {
  if (ciphertext_ < kHeaderSize) throw sdk::VaultCorrupt("vault: blob is shorter than its header");
  headerBytes_.resize(kHeaderSize);
  if (readAt_(0, headerBytes_.data(), kHeaderSize) != kHeaderSize) throw sdk::VaultCorrupt("vault: blob header unreadable");
  header_ = BlobHeader::decode(headerBytes_);
  size_ = plaintextSize(ciphertext_, header_.segment_size);
  segments_ = size_ == 0 ? 1 : (size_ + header_.segment_size - 1) / header_.segment_size;
  blobKey_ = keyFromBytes(unseal(firmKey, keyAad, header_.sealed_key));
  cipher_ = EVP_CIPHER_CTX_new();
  if (!cipher_) throw std::runtime_error("vault: out of memory");
  check(EVP_DecryptInit_ex(ctx(cipher_), EVP_aes_256_gcm(), nullptr, nullptr, nullptr), "cipher init");
  in_.resize(header_.segment_size + kTagSize);
  plain_.resize(header_.segment_size);
}

SegmentDecryptor::~SegmentDecryptor() {
  EVP_CIPHER_CTX_free(ctx(cipher_));
  OPENSSL_cleanse(blobKey_.data(), blobKey_.size());
  if (!plain_.empty()) OPENSSL_cleanse(plain_.data(), plain_.size());
}

void SegmentDecryptor::openSegment(std::uint64_t i, char* into) {
  if (!into && cached_ == i) return;
  cached_ = UINT64_MAX;
  const std::uint64_t s = header_.segment_size;
  const bool last = i + 1 == segments_;
  const std::size_t plainLen = last ? static_cast<std::size_t>(size_ - i * s) : static_cast<std::size_t>(s);
  const std::uint64_t at = kHeaderSize + i * (s + kTagSize);
  const std::size_t n = plainLen + kTagSize;
  std::size_t got = 0;
  while (got < n) {
    const std::size_t r = readAt_(at + got, in_.data() + got, n - got);
    if (r == 0) throw sdk::VaultCorrupt("vault: blob ends inside segment " + std::to_string(i));
    got += r;
  }
  const auto nonce = segmentNonce(header_.nonce_prefix, i);
  const std::string aad = segmentAad(headerBytes_, i, last);
  auto* c = ctx(cipher_);
  auto* in = reinterpret_cast<unsigned char*>(in_.data());
  auto* out = reinterpret_cast<unsigned char*>(into ? into : plain_.data());
  if (into && cached_ == i) cached_ = UINT64_MAX;  // plain_ is not written now
  int len = 0, fin = 0;
  const bool ok =
      EVP_DecryptInit_ex(c, nullptr, nullptr, blobKey_.data(), nonce.data()) == 1 &&
      EVP_DecryptUpdate(c, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(c, out, &len, in, static_cast<int>(plainLen)) == 1 &&
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, kTagSize, in + plainLen) == 1 &&
      EVP_DecryptFinal_ex(c, out + len, &fin) == 1;
  if (!ok) {
    if (into) std::memset(into, 0, plainLen);  // nothing unverified is left in the caller's buffer
    throw sdk::VaultCorrupt("vault: segment " + std::to_string(i) + " fails its integrity check (changed, moved or cut)");
  }
  if (!into) cached_ = i;
}

std::size_t SegmentDecryptor::read(std::uint64_t offset, char* buf, std::size_t n) {
  if (offset >= size_ || n == 0) return 0;
  const std::uint64_t s = header_.segment_size;
  std::size_t done = 0;
  while (done < n && offset < size_) {
    const std::uint64_t i = offset / s;
    const std::size_t within = static_cast<std::size_t>(offset - i * s);
    const std::size_t avail = static_cast<std::size_t>(std::min<std::uint64_t>(s, size_ - i * s)) - within;
    const std::size_t take = std::min(avail, n - done);
    if (within == 0 && take == avail && cached_ != i) {
      // A whole segment wanted: decrypted straight into the caller's buffer, no copy.
      openSegment(i, buf + done);
      done += take;
      offset += take;
      continue;
    }
    openSegment(i);
    std::memcpy(buf + done, plain_.data() + within, take);
    done += take;
    offset += take;
  }
  return done;
}

std::string SegmentDecryptor::verifyAll() {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  if (!md) throw std::runtime_error("vault: out of memory");
  try {
    check(EVP_DigestInit_ex(md, EVP_sha256(), nullptr), "digest init");
    for (std::uint64_t i = 0; i < segments_; ++i) {
      openSegment(i);
      const std::uint64_t s = header_.segment_size;
      const std::size_t len = static_cast<std::size_t>(std::min<std::uint64_t>(s, size_ - i * s));
      check(EVP_DigestUpdate(md, plain_.data(), len), "digest");
    }
    unsigned char out[32];
    unsigned int len = 0;
    check(EVP_DigestFinal_ex(md, out, &len), "digest final");
    EVP_MD_CTX_free(md);
    return toHex(out, len);
  } catch (...) {
    EVP_MD_CTX_free(md);
    throw;
  }
}

}  // namespace lexos::core::vault
