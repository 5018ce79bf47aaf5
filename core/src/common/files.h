#pragma once
// Small file helpers shared by the request body spool and the vault's one-pass uploads.

#include <string>

namespace lexos::core {

/// An anonymous read-write file in `dir` (0600): O_TMPFILE where the file system has it, else a
/// file named `<prefix>XXXXXX` unlinked at once. Nothing of it outlives the descriptor (or the
/// process). -1 with errno set when neither works.
int openAnonymousFile(const std::string& dir, const char* prefix);

/// True for the errors that mean "no room": ENOSPC, EDQUOT, EFBIG.
bool isDiskFull(int err);

}  // namespace lexos::core
