#pragma once
// The OpenAPI 3.1 description of the HTTP API, generated from the registered routes: each
// module's routes with their audience, permission and plugin, and the schemas the plugins
// declared with Registrar::describeRoute (SDK 1.7). Served at GET /api/v1/openapi.json
// (docs/http-api.md, "The API described").

#include <functional>
#include <string>

namespace lexos::core {

class Registry;

/// What goes into one description.
struct OpenApiOptions {
  /// The server's public URL (config server.public_url), for `servers`; empty: none listed.
  std::string server_url;
  /// Whether a module's routes are described (the caller's firm has it switched on). The host's
  /// own module ("core") is always described. Unset: every loaded module.
  std::function<bool(const std::string& plugin)> module_on;
};

/// The description as JSON text (OpenAPI 3.1.0, JSON Schema 2020-12 dialect). Paths and
/// operations come out in a stable order (by path, then method), so two calls on the same
/// registry give the same text.
std::string openApiDocument(const Registry& registry, const OpenApiOptions& options);

}  // namespace lexos::core
