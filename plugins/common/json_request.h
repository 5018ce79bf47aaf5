#pragma once
// Reading JSON request bodies and writing JSON answers in the bundled modules, with errors that
// name the field (lexos::sdk::BadRequest) as the HTTP contract asks.

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "lexos/sdk/context.h"

namespace lexos::plugin {

/// The request body as a JSON object; 400 naming "body" unless it is application/json and an
/// object. With `allowed` non-empty, a top-level field outside it is refused, naming it.
Poco::JSON::Object::Ptr jsonObject(sdk::Context& c, const std::set<std::string>& allowed = {});
/// jsonObject() on a body already in hand (the fuzz target tests/fuzz/json_request.cpp uses it).
Poco::JSON::Object::Ptr parseJsonObject(const std::string& contentType, const std::string& body,
                                        const std::set<std::string>& allowed = {});

/// A text field: absent -> nullopt; null -> "" when `nullable`; wrong type or longer than
/// `maxChars` characters -> 400 naming `field`. Trims surrounding white space.
std::optional<std::string> optText(const Poco::JSON::Object::Ptr& o, const std::string& field, std::size_t maxChars,
                                   bool nullable = true);
/// A required, non-empty text field.
std::string reqText(const Poco::JSON::Object::Ptr& o, const std::string& field, std::size_t maxChars,
                    const std::string& message);
/// A boolean field; absent -> nullopt.
std::optional<bool> optBool(const Poco::JSON::Object::Ptr& o, const std::string& field);
/// An integer field (JSON number or numeric string, as ids may be either); absent -> nullopt.
std::optional<std::int64_t> optInt(const Poco::JSON::Object::Ptr& o, const std::string& field);
/// A path parameter that must be a positive integer id; 404 otherwise (ids are opaque).
std::int64_t pathId(sdk::Context& c, const std::string& name = "id");
/// A date "YYYY-MM-DD" (validated as a calendar date) or 400 naming `field`.
std::string checkDate(const std::string& value, const std::string& field);
/// Serialises a JSON object or array.
std::string toJson(const Poco::Dynamic::Var& v);
/// Sends a complete list: `{"items": [...], "next_cursor": null}`.
void sendList(sdk::Context& c, const Poco::JSON::Array& items);
/// Sends `v` as JSON with `status`.
void sendJson(sdk::Context& c, const Poco::Dynamic::Var& v, int status = 200);
/// Characters (code points) in UTF-8 text.
std::size_t charCount(const std::string& s);

}  // namespace lexos::plugin
