// Byte encodings shared across services (Base64 as Java's basic codec).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

std::string base64Encode(std::string_view in);
// Padding optional; anything outside the alphabet fails.
std::optional<std::string> base64Decode(std::string_view in);

}  // namespace sluice
