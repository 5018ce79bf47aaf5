#pragma once
/// @file schema.h
/// JsonSchema: builds the JSON Schema 2020-12 texts a plugin declares with
/// Registrar::describeRoute (SDK 1.7), so a route's answers can be described in C++ without
/// hand-written JSON. Part of the SDK toolbox: header only, compiled into the plugin; the text it
/// produces is what crosses the boundary (no ABI of its own).
///
///     const JsonSchema note = JsonSchema::object()
///                                 .field("id", JsonSchema::id())
///                                 .field("text", JsonSchema::string())
///                                 .optionalField("pinned", JsonSchema::boolean());
///     RouteDescription d;
///     d.method = Method::Get;
///     d.path = "/api/v1/notes";
///     d.query_schema = JsonSchema::object().optionalField("q", JsonSchema::string()).text();
///     d.response_schema = JsonSchema::list(note).text();
///     r.describeRoute(d);
///
///     // The same with the builder:
///     r.describeRoute(DescriptionBuilder(Method::Get, "/api/v1/notes")
///                         .query(JsonSchema::object().optionalField("q", JsonSchema::string()))
///                         .response(JsonSchema::list(note)));
///
/// `field` names a member every answer has (it goes into `required`); `optionalField` one that
/// may be missing. Objects accept members they do not list unless closed() says otherwise
/// (answers may grow; a request schema of a route that refuses unknown fields should be closed).
/// Values are plain copies; build them on any thread.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lexos/sdk/json.h"
#include "lexos/sdk/registrar.h"

namespace lexos::sdk {
inline namespace v1 {

/// A JSON Schema (2020-12) under construction; text() gives its JSON.
class JsonSchema {
 public:
  /// {"type": "string"}.
  static JsonSchema string() { return typed("string"); }
  /// {"type": "integer"}.
  static JsonSchema integer() { return typed("integer"); }
  /// {"type": "number"}.
  static JsonSchema number() { return typed("number"); }
  /// {"type": "boolean"}.
  static JsonSchema boolean() { return typed("boolean"); }
  /// {"type": "object"}; add members with field() / optionalField().
  static JsonSchema object() { return typed("object"); }
  /// {"type": "array", "items": item}.
  static JsonSchema array(const JsonSchema& item) { return typed("array").raw("items", item.text()); }
  /// An id as the API answers it: a positive integer (ids are opaque to callers; docs/ids.md).
  static JsonSchema id() { return integer().minimum(1); }
  /// An amount of money in minor units (cents): an integer.
  static JsonSchema money() { return integer(); }
  /// A UTC time as the API writes it: "YYYY-MM-DDTHH:MM:SSZ".
  static JsonSchema dateTime() { return string().format("date-time"); }
  /// A calendar date "YYYY-MM-DD".
  static JsonSchema date() { return string().format("date"); }
  /// Anything ({}): a value the description leaves open.
  static JsonSchema any() { return JsonSchema(); }
  /// {"$ref": "#/components/schemas/<name>"}: one of the host's shared components ("Error",
  /// "ListCursor").
  static JsonSchema ref(const std::string& name) {
    return JsonSchema().raw("$ref", quote("#/components/schemas/" + name));
  }
  /// The answer of a list route: {"items": [item, ...], "next_cursor": string | null}, both
  /// always present (lists.h).
  static JsonSchema list(const JsonSchema& item) {
    return object().field("items", array(item)).field("next_cursor", string().orNull());
  }
  /// A schema given as JSON text (an object), taken as it is.
  static JsonSchema fromText(std::string json) {
    JsonSchema s;
    s.verbatim_ = std::move(json);
    return s;
  }

  /// A member every value has (listed in "required").
  JsonSchema& field(const std::string& name, const JsonSchema& schema) {
    properties_.emplace_back(name, schema.text());
    required_.push_back(name);
    return *this;
  }
  /// A member a value may lack.
  JsonSchema& optionalField(const std::string& name, const JsonSchema& schema) {
    properties_.emplace_back(name, schema.text());
    return *this;
  }
  /// No members beyond those listed ("additionalProperties": false).
  JsonSchema& closed() { return raw("additionalProperties", "false"); }
  /// null is allowed too ("type": [t, "null"]).
  JsonSchema& orNull() {
    nullable_ = true;
    return *this;
  }
  /// One of these strings ("enum").
  JsonSchema& oneOf(const std::vector<std::string>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + quote(values[i]);
    return raw("enum", out + "]");
  }
  JsonSchema& minimum(std::int64_t n) { return raw("minimum", std::to_string(n)); }
  JsonSchema& maximum(std::int64_t n) { return raw("maximum", std::to_string(n)); }
  JsonSchema& minLength(std::int64_t n) { return raw("minLength", std::to_string(n)); }
  JsonSchema& maxLength(std::int64_t n) { return raw("maxLength", std::to_string(n)); }
  JsonSchema& maxItems(std::int64_t n) { return raw("maxItems", std::to_string(n)); }
  /// A format annotation ("date-time", "date", "email", "uri").
  JsonSchema& format(const std::string& f) { return raw("format", quote(f)); }
  /// A human description of the value.
  JsonSchema& describe(const std::string& text) { return raw("description", quote(text)); }
  /// Any keyword with its value as JSON text (e.g. raw("pattern", "\"^[0-9]+$\"")).
  JsonSchema& raw(const std::string& keyword, std::string json) {
    keywords_.emplace_back(keyword, std::move(json));
    return *this;
  }

  /// The schema as JSON text.
  std::string text() const {
    if (!verbatim_.empty()) return verbatim_;
    std::string out = "{";
    bool first = true;
    auto member = [&](const std::string& k, const std::string& v) {
      out += first ? "" : ",";
      first = false;
      out += quote(k) + ":" + v;
    };
    if (!type_.empty()) member("type", nullable_ ? "[" + quote(type_) + ",\"null\"]" : quote(type_));
    for (const auto& kw : keywords_) member(kw.first, kw.second);
    if (!properties_.empty()) {
      std::string props = "{";
      for (std::size_t i = 0; i < properties_.size(); ++i)
        props += (i ? "," : "") + quote(properties_[i].first) + ":" + properties_[i].second;
      member("properties", props + "}");
    }
    if (!required_.empty()) {
      std::string req = "[";
      for (std::size_t i = 0; i < required_.size(); ++i) req += (i ? "," : "") + quote(required_[i]);
      member("required", req + "]");
    }
    return out + "}";
  }

 private:
  static JsonSchema typed(const char* type) {
    JsonSchema s;
    s.type_ = type;
    return s;
  }
  static std::string quote(const std::string& s) {
    JsonWriter w;
    w.value(s);
    return w.take();
  }
  std::string type_;
  bool nullable_ = false;
  std::vector<std::pair<std::string, std::string>> keywords_;
  std::vector<std::pair<std::string, std::string>> properties_;
  std::vector<std::string> required_;
  std::string verbatim_;
};

/// Builds a RouteDescription (registrar.h) for Registrar::describeRoute (SDK 1.7).
class DescriptionBuilder {
 public:
  DescriptionBuilder(Method method, std::string path) {
    d_.method = method;
    d_.path = std::move(path);
  }
  /// Longer text than the route's summary.
  DescriptionBuilder& description(std::string text) {
    d_.description = std::move(text);
    return *this;
  }
  /// The query parameters: an object schema, one property each.
  DescriptionBuilder& query(const JsonSchema& parameters) {
    d_.query_schema = parameters.text();
    return *this;
  }
  /// The request body (JSON unless `contentType` says otherwise).
  DescriptionBuilder& request(const JsonSchema& body, std::string contentType = "application/json") {
    d_.request_schema = body.text();
    d_.request_content_type = std::move(contentType);
    return *this;
  }
  /// The success answer: its status and body (JSON unless `contentType` says otherwise).
  DescriptionBuilder& response(const JsonSchema& body, int status = 200, std::string contentType = "application/json") {
    d_.response_schema = body.text();
    d_.response_status = status;
    d_.response_content_type = std::move(contentType);
    return *this;
  }
  /// A success answer that is not JSON (a PDF, a CSV, a file): its status and media type.
  DescriptionBuilder& responseOf(std::string contentType, int status = 200) {
    d_.response_schema.clear();
    d_.response_status = status;
    d_.response_content_type = std::move(contentType);
    return *this;
  }
  /// The success answer is 204 No Content.
  DescriptionBuilder& noContent() {
    d_.response_schema.clear();
    d_.response_status = 204;
    return *this;
  }
  const RouteDescription& build() const { return d_; }
  operator const RouteDescription&() const { return d_; }

 private:
  RouteDescription d_;
};

}  // namespace v1
}  // namespace lexos::sdk
