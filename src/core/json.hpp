// JSON values used across Sluice: Boost.JSON, plus the parsing and printing
// rules AWS applies (compact output, Java-style doubles, duplicate keys).
#pragma once

#include <boost/json.hpp>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

namespace json = boost::json;
using Json = boost::json::value;
using JsonObject = boost::json::object;
using JsonArray = boost::json::array;

// Parses a JSON text. Returns nullopt (and fills `error` when given) on bad input.
std::optional<Json> parseJson(std::string_view text, std::string* error = nullptr);

// Compact serialisation as Step Functions prints documents: no spaces, doubles
// in their shortest round-trip form ("1.5", "1.0E20", integral doubles keep ".0").
std::string toJsonText(const Json& value);
// A string-to-string map (tags, attributes) as a JSON object's text and back;
// non-string members are skipped when reading.
std::string stringMapToJsonText(const std::map<std::string, std::string>& m);
std::map<std::string, std::string> stringMapFromJsonText(std::string_view text);
// Same, reserving `sizeHint` bytes first (e.g. the size of a similar document).
std::string toJsonText(const Json& value, size_t sizeHint);
void appendJsonText(std::string& out, const Json& value);

// Where one member of an object sits in the object's JSON text: the quoted
// key starts at `key`, its value spans [value, end).
struct MemberSpan {
  size_t key, value, end;
};
// toJsonText that also records where each member of a top-level object is.
std::string toJsonText(const Json& value, size_t sizeHint, std::vector<MemberSpan>& members);
// The text of the object whose text is `text` (with `members` from the call
// above) once its member `key` is set to `value`, as assigning the member and
// serialising the object again would give: in place when the key exists,
// else appended last. Updates `members` to the new text.
std::string withMemberText(std::string_view text, std::vector<MemberSpan>& members,
                           std::string_view key, const Json& value);
// Same with another rendering of doubles (JSONata prints them as JavaScript does).
using DoubleWriter = void (*)(std::string& out, double value);
void appendJsonText(std::string& out, const Json& value, DoubleWriter writeDouble);

// A JSON string literal: quotes plus the escapes JSON requires.
void appendJsonString(std::string& out, std::string_view s);

// Indented output for humans (CLI).
std::string toPrettyJsonText(const Json& value);

// Structural equality where numbers compare by value (1 == 1.0).
bool jsonEquals(const Json& a, const Json& b);

// The value at `path` through nested objects (jsonAt(table, {"StorageDescriptor",
// "Location"})), or nullptr when a step is missing or not an object.
const Json* jsonAt(const Json& value, std::initializer_list<std::string_view> path);
// The text of a string value; "" for a null pointer or any other value.
std::string jsonString(const Json* value);

// Numeric helpers: true for int64/uint64/double kinds.
inline bool isNumber(const Json& v) {
  return v.is_int64() || v.is_uint64() || v.is_double();
}
double toDouble(const Json& v);
// Integral value of a number (int kinds, or a double with no fractional part).
std::optional<long long> toInteger(const Json& v);

// The JSON type name AWS uses in messages ("string", "number", "object", ...).
std::string_view jsonTypeName(const Json& v);

}  // namespace sluice
