#pragma once
// `lexosctl demo`: a demo firm built through the real HTTP API (so it exercises exactly what a
// firm would do), printing fresh random passwords.

#include <ostream>
#include <string>

namespace lexos::core {

struct Config;

/// Creates firm `slug` with an owner, Mr. Anderson (portal active, "State vs. Fouchix" with
/// updates, some shared, some internal, and an internal note) and a second client with his own
/// matter and portal account. Throws std::runtime_error with a message for the operator.
void createDemo(const Config& config, const std::string& slug, std::ostream& out);

}  // namespace lexos::core
