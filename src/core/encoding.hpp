// Byte encodings shared across services (Base64 as Java's basic codec).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

std::string base64Encode(std::string_view in);
// Padding optional; anything outside the alphabet fails.
std::optional<std::string> base64Decode(std::string_view in);

// %XX escapes decoded (invalid escapes kept as they are); with `plusAsSpace`
// '+' reads as a space (HTML form and S3 query-string style).
std::string percentDecode(std::string_view in, bool plusAsSpace = false);
// Every byte but A-Z a-z 0-9 - _ . ~ (and '/' when keepSlash) as %XX.
std::string percentEncode(std::string_view in, bool keepSlash = false);

// Appends the UTF-8 encoding of one code point (up to U+10FFFF).
void appendUtf8(std::string& out, uint32_t codePoint);

}  // namespace sluice
