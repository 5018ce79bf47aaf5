#pragma once
/// @file plugin.h
/// The interface a plugin implements. See sdk/README.md for a walk-through.
///
/// Plugins run inside lexosd as trusted code: the tenancy guard and the database's row
/// scoping protect against buggy plugins and hostile users, not against a hostile plugin.
/// Install only plugins you trust, from files only root can write.

#include "lexos/sdk/gate.h"
#include "lexos/sdk/registrar.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// A LexOS module. Created once by the host through the gate's `create`, owned by the host,
/// deleted at shutdown; the library itself is never unloaded while the process lives.
class Plugin {
 public:
  virtual ~Plugin() = default;
  /// Declares the plugin's permissions, tables, migrations, routes and navigation. Called once,
  /// on the host's main thread, before the server accepts requests. May throw to refuse to
  /// load (the message is shown to the operator).
  virtual void registerWith(Registrar& registrar) = 0;
};

}  // namespace v1
}  // namespace lexos::sdk
