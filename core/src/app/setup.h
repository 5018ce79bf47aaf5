#pragma once
// First start: with no firm in the database, lexosd prints a one-time setup URL that creates
// the first firm and its owner (there is no default account).

namespace lexos::core {
class Host;
/// Prints the setup link to stderr when the database has no firm yet.
void announceSetupIfNeeded(Host& host);
}  // namespace lexos::core
