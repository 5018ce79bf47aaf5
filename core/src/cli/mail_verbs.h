#pragma once
// `lexosctl mail …`: the durable mail queue for the operator (docs/operations.md, "Mail"). Never
// prints a message's body (it may hold a sign-in link): recipient, subject, status, attempts,
// last error, next attempt.

#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace lexos::core {

class Host;

/// Runs `mail queue|retry|purge|stats` (`words` starts with "mail"); `opts` holds each option's
/// value ("json" present for --json). Returns the exit code; throws std::runtime_error with a
/// message naming the option for a bad one.
int mailVerb(Host& host, const std::vector<std::string>& words, const std::map<std::string, std::string>& opts,
             std::ostream& out);

}  // namespace lexos::core
