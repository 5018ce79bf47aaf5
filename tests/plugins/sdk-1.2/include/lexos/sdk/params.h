#pragma once
/// @file params.h
/// What a handler reads from a request: path and query parameters and the JSON body, checked,
/// with errors that name what was wrong. Part of the SDK toolbox (header only, standard library
/// only). All functions are stateless and may be called from any handler thread.
///
///     // GET /api/v1/notes/{id}?limit=20
///     const std::int64_t id = pathId(c, "id", "No such note.");   // 404 unless a positive id
///     const std::int64_t limit = queryInt(c, "limit", 1, 100).value_or(25);
///     // PATCH /api/v1/notes/{id} {"text": "...", "pinned": false}
///     JsonObject body = readJsonObject(c, {"text", "pinned"});

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "lexos/sdk/context.h"
#include "lexos/sdk/errors.h"
#include "lexos/sdk/json.h"
#include "lexos/sdk/json_fields.h"
#include "lexos/sdk/version.h"

namespace lexos::sdk {
inline namespace v1 {

/// The `{name}` segment of the route's path as a positive id (digits only, within int64).
/// Anything else is a resource that does not exist: 404 with `notFoundMessage`, the same
/// answer as for another firm's id, so ids stay opaque.
inline std::int64_t pathId(Context& c, const std::string& name = "id",
                           const std::string& notFoundMessage = "Not found.") {
  auto id = JsonField::parseId(c.request().pathParam(name));
  if (!id) throw NotFound(notFoundMessage);
  return *id;
}

/// The query parameter `name` as a positive id; nullopt when absent; 400 naming the parameter
/// ("client_id must be an id.", or `message`) otherwise, an empty value included (so that
/// `?user_id=` never reads as "no user named", i.e. all of them).
inline std::optional<std::int64_t> queryId(Context& c, const std::string& name,
                                           const std::string& message = {}) {
  auto raw = c.request().query(name);
  if (!raw) return std::nullopt;
  auto id = JsonField::parseId(*raw);
  if (!id) throw BadRequest(name, message.empty() ? name + " must be an id." : message);
  return id;
}

/// The query parameter `name` as a whole number from `min` to `max` (an optional '-' and
/// digits); nullopt when absent; 400 naming the parameter ("Use a whole number from 1 to 100.",
/// or `message`) otherwise, an empty value included.
inline std::optional<std::int64_t> queryInt(Context& c, const std::string& name, std::int64_t min,
                                            std::int64_t max, const std::string& message = {}) {
  auto raw = c.request().query(name);
  if (!raw) return std::nullopt;
  std::int64_t v = 0;
  const char* b = raw->data();
  const char* e = b + raw->size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (raw->empty() || ec != std::errc() || p != e || v < min || v > max)
    throw BadRequest(name, message.empty() ? "Use a whole number from " + std::to_string(min) +
                                                 " to " + std::to_string(max) + "."
                                           : message);
  return v;
}

/// The query parameter `name` as text checked like a text field (valid UTF-8, trimmed, no
/// control characters, at most `maxChars` characters); nullopt when absent.
inline std::optional<std::string> queryText(Context& c, const std::string& name,
                                            std::size_t maxChars) {
  auto raw = c.request().query(name);
  if (!raw) return std::nullopt;
  return checkText(*raw, name, maxChars);
}

/// True when the request says its body is JSON (Content-Type application/json, any charset
/// parameter aside).
inline bool hasJsonBody(Context& c) { return c.request().contentType() == "application/json"; }

/// The request body as a JSON object whose fields must be among `accepted`. 400 naming "body"
/// unless the Content-Type is application/json ("Send the request as application/json.") and
/// the body is a JSON object; 400 naming the field for anything parseJson refuses (duplicate
/// keys, invalid UTF-8, ...) and for a field not in `accepted`; 413 beyond `limits.max_bytes`
/// (the route's max_body_bytes applies before that).
inline JsonObject readJsonObject(Context& c, std::initializer_list<std::string_view> accepted,
                                 const JsonLimits& limits = {}) {
  if (!hasJsonBody(c)) throw BadRequest("body", "Send the request as application/json.");
  const std::string body = c.request().body();
  return JsonObject::parse(body, accepted, limits);
}

/// The request body as any JSON value (an array, say), checked by parseJson; 400 naming "body"
/// unless the Content-Type is application/json.
inline Json readJson(Context& c, const JsonLimits& limits = {}) {
  if (!hasJsonBody(c)) throw BadRequest("body", "Send the request as application/json.");
  return parseJson(c.request().body(), limits);
}

}  // namespace v1
}  // namespace lexos::sdk
