#pragma once
// A blob's content type from its first bytes (libmagic, the `file` command's library), never
// from its name, checked against the allow-list (vault.allowed_types).

#include <mutex>
#include <string>
#include <vector>

namespace lexos::core::vault {

class ContentTypes {
 public:
  /// Loads libmagic's database. Throws std::runtime_error naming what failed.
  ContentTypes();
  ~ContentTypes();
  ContentTypes(const ContentTypes&) = delete;
  ContentTypes& operator=(const ContentTypes&) = delete;
  /// The MIME type of `head` (the blob's first bytes), e.g. "application/pdf". Thread-safe.
  std::string detect(const std::string& head);
  /// How many first bytes detect() wants (OOXML is recognised by names inside the zip).
  static constexpr std::size_t kHeadBytes = 256 * 1024;

 private:
  std::mutex mu_;
  void* magic_ = nullptr;  // magic_t
};

/// Whether `type` matches one of `patterns` ("application/pdf" exactly, "image/*" any image,
/// "application/vnd.oasis.opendocument.*" a prefix).
bool typeAllowed(const std::string& type, const std::vector<std::string>& patterns);

}  // namespace lexos::core::vault
