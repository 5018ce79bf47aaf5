#include "vault/firm_vault.h"

#include <istream>

#include "common/time.h"
#include "vault/spooled_blob.h"

namespace lexos::core::vault {

namespace {

class Reader : public sdk::BlobReader {
 public:
  Reader(std::unique_ptr<BlobSource> source, const Key& firmKey, const std::string& aad)
      : source_(std::move(source)),
        dec_([this](std::uint64_t off, char* buf, std::size_t n) { return source_->readAt(off, buf, n); }, source_->size(),
             firmKey, aad) {}
  std::uint64_t size() const override { return dec_.size(); }
  std::size_t read(std::uint64_t offset, char* buf, std::size_t n) override { return dec_.read(offset, buf, n); }

 private:
  std::unique_ptr<BlobSource> source_;
  SegmentDecryptor dec_;
};

sdk::BlobInfo infoOf(const std::string& id, const std::vector<sdk::Value>& row) {
  sdk::BlobInfo b;
  b.id = id;
  b.size = static_cast<std::uint64_t>(sdk::asInt(row[0]));
  b.sha256 = sdk::asText(row[1]);
  b.content_type = sdk::asText(row[2]);
  b.created_at = sdk::asText(row[3]);
  return b;
}

}  // namespace

std::string byteCount(std::uint64_t n) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && n >= 1024 && n % 1024 == 0) {
    n /= 1024;
    ++u;
  }
  return std::to_string(n) + " " + units[u];
}

std::unique_ptr<sdk::BlobReader> openBlob(VaultService& s, std::int64_t firmId, const std::string& id, const Key& firmKey,
                                          std::uint32_t firmKeyId, std::uint64_t expectedSize) {
  auto source = s.store().open(firmId, id);
  if (!source) throw std::runtime_error("vault: blob " + id + " of firm " + std::to_string(firmId) + " is missing from the " +
                                        s.store().name() + " store (lexosctl vault fsck lists such blobs)");
  auto r = std::make_unique<Reader>(std::move(source), firmKey, blobKeyAad(firmId, id, firmKeyId));
  if (r->size() != expectedSize)
    throw sdk::VaultCorrupt("vault: blob " + id + " holds " + std::to_string(r->size()) + " bytes, its record says " +
                            std::to_string(expectedSize));
  return r;
}

template <class F>
auto FirmVault::asFirm(F f) {
  const Scope request{principal_.firm_id, principal_.isPortal() ? principal_.client_id : 0};
  c_.setScope({principal_.firm_id, 0});
  ScopeRestore restore{c_, request};
  return f();
}

void FirmVault::requireFirm() const {
  if (principal_.firm_id <= 0) throw sdk::NotFound("No document store without a firm.");
}

sdk::BlobInfo FirmVault::put(std::istream& in, const sdk::PutOptions& options) {
  requireFirm();
  const auto& cfg = s_.config();
  const std::uint64_t limit =
      options.max_bytes > 0 && options.max_bytes < cfg.max_file_bytes ? options.max_bytes : cfg.max_file_bytes;
  const std::int64_t firm = principal_.firm_id;

  // The request's body, written into the vault's format as it arrived (one pass): adopt it.
  if (body_) {
    if (SpooledBlob* spooled = body_->spooledBody(in); spooled && spooled->firmId() == firm) {
      const FirmKey current = s_.readFirmKey(firm);
      if (current.id == spooled->keyId()) {
        body_->bodyTaken();
        return adopt(*spooled, limit, options);
      }
    }
  }

  // Let the body stream's own errors (413 from the route's limit, ...) through as they are.
  const auto oldMask = in.exceptions();
  in.exceptions(std::ios::badbit);
  struct MaskRestore {
    std::istream& s;
    std::ios::iostate m;
    ~MaskRestore() {
      try {
        s.exceptions(m);
      } catch (...) {
      }
    }
  } restoreMask{in, oldMask};

  std::vector<char> buf(kSegmentSize);
  auto readSome = [&](char* into, std::size_t want) {
    try {
      in.read(into, static_cast<std::streamsize>(want));
    } catch (const std::ios_base::failure&) {
      throw sdk::BadRequest("file", "The upload could not be read; nothing was saved.");
    }
    return static_cast<std::size_t>(in.gcount());
  };
  // The type from the first bytes, before anything is written.
  std::string head(ContentTypes::kHeadBytes, '\0');
  std::size_t headLen = 0;
  while (headLen < head.size()) {
    const std::size_t r = readSome(head.data() + headLen, head.size() - headLen);
    if (r == 0) break;
    headLen += r;
  }
  head.resize(headLen);
  const std::string type = s_.types().detect(head);
  if (!typeAllowed(type, cfg.allowed_types) || (!options.allowed_types.empty() && !typeAllowed(type, options.allowed_types)))
    throw sdk::UnsupportedType(type, "Files of type " + type + " are not accepted here.");

  // The firm key and the quota are read on a connection of their own, before any statement on
  // the request's: on SQLite the request's first write takes the database's write lock, which
  // the upload would otherwise hold for as long as its bytes stream in. Only a firm's very first
  // upload creates its key in the request's transaction.
  FirmKey fk = s_.readFirmKey(firm);
  const std::uint64_t used = cfg.firm_quota_bytes > 0 ? s_.firmUsage(firm) : 0;
  return asFirm([&] {
    auto checkLimits = [&](std::uint64_t total) {
      if (total > limit) throw sdk::PayloadTooLarge("The file is larger than the " + byteCount(limit) + " allowed.");
      if (cfg.firm_quota_bytes > 0 && used + total > cfg.firm_quota_bytes)
        throw sdk::InsufficientStorage("The firm's document storage (" + byteCount(cfg.firm_quota_bytes) +
                                       ") is full; delete documents or ask the administrator for more.");
    };
    checkLimits(headLen);
    if (fk.id == 0) fk = s_.firmKey(c_, firm, true);
    const std::string id = newBlobId();
    auto sink = s_.store().create(firm, id);
    SegmentEncryptor enc(fk.key, fk.id, blobKeyAad(firm, id, fk.id),
                         [&](const char* p, std::size_t n) { sink->write(p, n); });
    enc.write(head.data(), head.size());
    if (headLen == head.size()) {  // more may follow
      for (;;) {
        const std::size_t r = readSome(buf.data(), buf.size());
        if (r == 0) break;
        checkLimits(enc.plaintextBytes() + r);
        enc.write(buf.data(), r);
      }
    }
    if (in.bad()) throw sdk::BadRequest("file", "The upload was interrupted; nothing was saved.");
    enc.finish();
    sink->commit();
    return record(id, enc.plaintextBytes(), enc.sha256(), type, fk.id);
  });
}

sdk::BlobInfo FirmVault::record(const std::string& id, std::uint64_t size, const std::string& sha256, const std::string& type,
                                std::uint32_t keyId) {
  sdk::BlobInfo info;
  info.id = id;
  info.size = size;
  info.sha256 = sha256;
  info.content_type = type;
  info.created_at = utcTimestamp();
  c_.execute(
      "INSERT INTO vault_blobs (firm_id, id, size, sha256, content_type, key_id, store, created_at) VALUES ($1, $2, $3, $4, "
      "$5, $6, $7, $8)",
      {principal_.firm_id, id, static_cast<std::int64_t>(size), sha256, type, static_cast<std::int64_t>(keyId),
       s_.store().name(), info.created_at});
  return info;
}

sdk::BlobInfo FirmVault::adopt(SpooledBlob& blob, std::uint64_t limit, const sdk::PutOptions& options) {
  // The same checks, in the same order and with the same answers, as a put() that reads the
  // stream: the type from the first bytes, the size limit, the quota.
  const auto& cfg = s_.config();
  const std::int64_t firm = principal_.firm_id;
  const std::string type = s_.types().detect(blob.head());
  if (!typeAllowed(type, cfg.allowed_types) || (!options.allowed_types.empty() && !typeAllowed(type, options.allowed_types)))
    throw sdk::UnsupportedType(type, "Files of type " + type + " are not accepted here.");
  if (blob.size() > limit) throw sdk::PayloadTooLarge("The file is larger than the " + byteCount(limit) + " allowed.");
  if (cfg.firm_quota_bytes > 0 && s_.firmUsage(firm) + blob.size() > cfg.firm_quota_bytes)
    throw sdk::InsufficientStorage("The firm's document storage (" + byteCount(cfg.firm_quota_bytes) +
                                   ") is full; delete documents or ask the administrator for more.");
  return asFirm([&] {
    s_.store().adopt(firm, blob.id(), blob.fd(), blob.ciphertextSize());
    auto info = record(blob.id(), blob.size(), blob.sha256(), type, blob.keyId());
    s_.countAdopted();
    return info;
  });
}

sdk::BlobInfo FirmVault::info(const std::string& id) {
  requireFirm();
  if (!isBlobId(id)) throw sdk::NotFound("No such document content.");
  return asFirm([&] {
    auto rs = c_.query("SELECT size, sha256, content_type, created_at FROM vault_blobs WHERE id = $1", {id});
    if (rs.empty()) throw sdk::NotFound("No such document content.");
    return infoOf(id, rs.rows[0]);
  });
}

std::unique_ptr<sdk::BlobReader> FirmVault::open(const std::string& id) {
  requireFirm();
  if (!isBlobId(id)) throw sdk::NotFound("No such document content.");
  return asFirm([&] {
    auto rs = c_.query(
        "SELECT b.size, b.key_id, b.store, k.sealed, k.master_key_id FROM vault_blobs b JOIN vault_keys k ON k.firm_id = "
        "b.firm_id AND k.id = b.key_id WHERE b.id = $1",
        {id});
    if (rs.empty()) throw sdk::NotFound("No such document content.");
    const auto& r = rs.rows[0];
    if (sdk::asText(r[2]) != s_.store().name())
      throw std::runtime_error("vault: blob " + id + " is in the " + sdk::asText(r[2]) + " store, but vault.store is " +
                               s_.store().name());
    const auto keyId = static_cast<std::uint32_t>(sdk::asInt(r[1]));
    const Key k = s_.openFirmKey(principal_.firm_id, keyId, sdk::asText(r[3]), sdk::asText(r[4]));
    return openBlob(s_, principal_.firm_id, id, k, keyId, static_cast<std::uint64_t>(sdk::asInt(r[0])));
  });
}

bool FirmVault::remove(const std::string& id) {
  requireFirm();
  if (!isBlobId(id)) return false;
  return asFirm([&] { return c_.execute("DELETE FROM vault_blobs WHERE id = $1", {id}) > 0; });
}

}  // namespace lexos::core::vault
