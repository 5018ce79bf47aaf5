#pragma once
/// @file lists.h
/// Answering with JSON, and the list envelope every LexOS list route uses:
/// `{"items": [...], "next_cursor": "..." | null}` (null on the last page). Part of the SDK
/// toolbox (header only, standard library only).
///
///     // a whole list in one answer
///     sendList(c, rows, [](JsonWriter& w, const Note& n) {
///       w.beginObject().member("id", n.id).member("text", n.text).endObject();
///     });
///
///     // a page, with the cursor of the next one (keyset pagination), and extra members
///     JsonWriter w;
///     beginList(w);
///     for (const auto& n : page) writeNote(w, n);
///     endList(w, hasMore ? std::optional<std::string>(cursorOf(page.back())) : std::nullopt);
///     sendJson(c, w);

#include <optional>
#include <string>

#include "lexos/sdk/context.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// Sends the complete document of `w` as application/json with `status`. std::logic_error
/// when the document is not complete (an object or array left open).
inline void sendJson(Context& c, JsonWriter& w, int status = 200) {
  c.response().sendJson(w.take(), status);
}

/// Opens the list envelope: `{"items":[`. Write the items, then call endList.
inline JsonWriter& beginList(JsonWriter& w) { return w.beginObject().key("items").beginArray(); }

/// Closes the items and the envelope with `"next_cursor"` (null when there is no next page).
/// To add members after the items (totals, say), write `w.endArray()`, your members, then
/// `w.member("next_cursor", cursor).endObject()` instead.
inline JsonWriter& endList(JsonWriter& w,
                           const std::optional<std::string>& nextCursor = std::nullopt) {
  return w.endArray().member("next_cursor", nextCursor).endObject();
}

/// Sends `{"items": [...], "next_cursor": ...}`: each element of `items` is written by
/// `writeItem(JsonWriter&, const Item&)`, which writes exactly one value.
template <typename Range, typename WriteItem>
void sendList(Context& c, const Range& items, WriteItem&& writeItem,
              const std::optional<std::string>& nextCursor = std::nullopt) {
  JsonWriter w;
  beginList(w);
  for (const auto& item : items) writeItem(w, item);
  endList(w, nextCursor);
  sendJson(c, w);
}

}  // namespace v1
}  // namespace lexos::sdk
