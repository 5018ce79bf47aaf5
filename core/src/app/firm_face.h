#pragma once
// The firm's public face (issue 13 item 5): its logo (core migration 16, table firm_logos) and
// what an anonymous visitor of the firm's portal address /portal/<slug>/ may learn: the firm's
// name and its logo, nothing else. The routes are the core module's (app/core_module.cpp):
//   PUT|DELETE /api/v1/firm/logo          (owner: core.firm.manage) the logo, PNG or JPEG
//   GET /api/v1/public/firms/{slug}        (public) {slug, name, logo_url}
//   GET /api/v1/public/firms/{slug}/logo   (public) the image, with ETag and nosniff

#include <cstdint>
#include <optional>
#include <string>

#include "lexos/sdk/context.h"

namespace lexos::core {

class Connection;

/// The largest logo accepted, in bytes. A letterhead mark needs far less; the bound keeps the
/// row (base64 in the database) and every PDF and e-mail that carries it small.
inline constexpr std::size_t kMaxLogoBytes = 512 * 1024;

struct FirmLogo {
  std::string content_type;  ///< "image/png" or "image/jpeg", as libmagic read the bytes
  std::string bytes;         ///< the image (empty when read without data)
  std::int64_t size = 0;
  std::string sha256;  ///< hex, of the bytes; the ETag
  std::string updated_at;
};

/// The logo of the connection's current firm scope, with or without its bytes; nothing when the
/// firm has none.
std::optional<FirmLogo> readFirmLogo(Connection& c, std::int64_t firm, bool withBytes);

/// Checks `bytes` (not empty, at most kMaxLogoBytes, a PNG or JPEG by libmagic) and stores them
/// as the firm's logo, in the caller's transaction and staff scope. Throws sdk::BadRequest("logo").
FirmLogo writeFirmLogo(Connection& c, std::int64_t firm, const std::string& bytes);

/// Removes the firm's logo; true when there was one.
bool deleteFirmLogo(Connection& c, std::int64_t firm);

/// The public address of a firm's logo, versioned by its hash so that it can be cached long:
/// "/api/v1/public/firms/<slug>/logo?v=<first 16 hex digits>".
std::string firmLogoPath(const std::string& slug, const std::string& sha256);

/// Route handlers (registered by the core module).
namespace firm_face {
void putLogo(sdk::Context& c);
void deleteLogo(sdk::Context& c);
void publicFace(sdk::Context& c);
void publicLogo(sdk::Context& c);
void activationCheck(sdk::Context& c);
}  // namespace firm_face

}  // namespace lexos::core
