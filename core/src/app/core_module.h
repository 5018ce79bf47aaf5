#pragma once
// The host's own module "core": identity tables, sessions, the audit log, per-firm module
// switches, and the routes /api/v1/auth/*, /api/v1/me, /api/v1/nav. Registered through the same
// Registrar as plugins, so its tables get the same tenancy enforcement and its routes appear in
// `lexosctl routes` and in the authorization matrix.

#include <memory>

#include "lexos/sdk/plugin.h"

namespace lexos::core {

struct Config;
class Registry;
class Guard;
class AuditSequencer;

/// Creates the core module. `registry`, `guard` and `sequencer` are read at request time (they
/// outlive it).
std::unique_ptr<sdk::Plugin> makeCoreModule(const Config& config, const Registry& registry,
                                            const Guard* const& guard, AuditSequencer* const& sequencer);

}  // namespace lexos::core
