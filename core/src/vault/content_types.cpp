#include "vault/content_types.h"

#include <magic.h>

#include <stdexcept>

namespace lexos::core::vault {

ContentTypes::ContentTypes() {
  magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
  if (!m) throw std::runtime_error("vault: libmagic could not start");
  if (magic_load(m, nullptr) != 0) {
    const std::string why = magic_error(m) ? magic_error(m) : "unknown error";
    magic_close(m);
    throw std::runtime_error("vault: libmagic could not load its database (" + why + "); install libmagic-mgc");
  }
  magic_ = m;
}

ContentTypes::~ContentTypes() {
  if (magic_) magic_close(static_cast<magic_t>(magic_));
}

std::string ContentTypes::detect(const std::string& head) {
  std::lock_guard<std::mutex> lock(mu_);  // a magic_t is not thread-safe
  const char* t = magic_buffer(static_cast<magic_t>(magic_), head.data(), head.size());
  return t ? std::string(t) : std::string("application/octet-stream");
}

bool typeAllowed(const std::string& type, const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    if (!p.empty() && p.back() == '*') {
      if (type.compare(0, p.size() - 1, p, 0, p.size() - 1) == 0) return true;
    } else if (type == p) {
      return true;
    }
  }
  return false;
}

}  // namespace lexos::core::vault
