#pragma once
// sdk::Vault for one request: the request's firm's blobs, through the request's transaction
// (vault_keys and vault_blobs rows) and the installation's store (the bytes).

#include "data/connection.h"
#include "lexos/sdk/principal.h"
#include "lexos/sdk/vault.h"
#include "vault/vault_service.h"

namespace lexos::core::vault {

class SpooledBlob;

/// The request's body, as far as the vault cares: when the connection layer wrote it into the
/// vault's format as it arrived (spooled_blob.h), put() of that untouched body adopts the file
/// instead of encrypting the bytes again. Implemented by the host's request (HttpRequest).
class VaultBody {
 public:
  virtual ~VaultBody() = default;
  /// The spooled blob when `in` is the request's body stream, complete and not yet read from;
  /// null otherwise.
  virtual SpooledBlob* spooledBody(const std::istream& in) = 0;
  /// The vault took the body whole: the body stream reads as ended from now on.
  virtual void bodyTaken() = 0;
};

class FirmVault : public sdk::Vault {
 public:
  /// `conn` is the request's connection, inside its transaction, bound to the principal.
  FirmVault(VaultService& service, Connection& conn, const sdk::Principal& principal)
      : s_(service), c_(conn), principal_(principal) {}
  sdk::BlobInfo put(std::istream& in, const sdk::PutOptions& options) override;
  sdk::BlobInfo info(const std::string& id) override;
  std::unique_ptr<sdk::BlobReader> open(const std::string& id) override;
  bool remove(const std::string& id) override;
  /// The request's body, for put() to adopt a spooled upload (null: always read the stream).
  void setBody(VaultBody* body) { body_ = body; }

 private:
  sdk::BlobInfo adopt(SpooledBlob& blob, std::uint64_t limit, const sdk::PutOptions& options);
  /// The blob's vault_blobs row, in the request's transaction (firm scope).
  sdk::BlobInfo record(const std::string& id, std::uint64_t size, const std::string& sha256, const std::string& type,
                       std::uint32_t keyId);
  // Runs `f` with the connection bound to the firm as staff (vault rows are firm-only), then
  // puts the request's own scope back (a portal user's client).
  template <class F>
  auto asFirm(F f);
  void requireFirm() const;
  VaultService& s_;
  Connection& c_;
  const sdk::Principal& principal_;
  VaultBody* body_ = nullptr;
};

/// Opens a stored blob (a reader over its store's bytes), checking its length against
/// `expectedSize` (the recorded plaintext size). Throws VaultCorrupt, or std::runtime_error
/// when the store has no such blob.
std::unique_ptr<sdk::BlobReader> openBlob(VaultService& s, std::int64_t firmId, const std::string& id, const Key& firmKey,
                                          std::uint32_t firmKeyId, std::uint64_t expectedSize);

/// Human form of a byte count ("2 GiB", "10 MiB", "512 bytes") for messages.
std::string byteCount(std::uint64_t n);

}  // namespace lexos::core::vault
