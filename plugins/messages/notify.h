#pragma once
// E-mail notices of the messages module. They never carry a message's text: a notice says that
// there is something to read and links to it (the portal or the staff app), so that the content
// stays behind the sign-in.

#include <cstdint>
#include <string>

#include "lexos/sdk/context.h"

namespace lexos::messages {

/// Minutes during which a further message from the same side of a conversation sends no new
/// notice (a burst of messages is one e-mail).
inline constexpr int kNoticeQuietMinutes = 10;

/// The firm's name as its owner set it (Context::firm).
std::string firmName(sdk::Context& c);

/// The UTC time `minutes` ago, formatted as the database formats times ("…T…Z").
std::string minutesAgo(int minutes);

/// Hex SHA-256 of `text` (recorded in the audit chain in place of the text).
std::string sha256Hex(const std::string& text);

/// Staff wrote on case `caseId`: tells the client's active portal users, unless the firm wrote
/// on this conversation in the last kNoticeQuietMinutes. Returns how many notices were queued.
int noticeToClient(sdk::Context& c, std::int64_t caseId, std::int64_t clientId, std::int64_t messageId);

/// A client wrote on case `caseId`: tells the case's responsible lawyer (its contact), unless the
/// client wrote in the last kNoticeQuietMinutes. Returns how many notices were queued.
int noticeToFirm(sdk::Context& c, std::int64_t caseId, const std::string& contactEmail, const std::string& matterNumber,
                 std::int64_t messageId);

/// A member of staff was mentioned in the War Room of case `caseId`.
void noticeOfMention(sdk::Context& c, std::int64_t caseId, const std::string& email);

}  // namespace lexos::messages
