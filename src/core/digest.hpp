// Message digests as lower-case hex (MD5, SHA-1, SHA-256, SHA-384, SHA-512),
// shared by States.Hash and JSONata's $hash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// nullopt when `algorithm` is not one of the names above.
std::optional<std::string> hexDigest(std::string_view algorithm, std::string_view data);

}  // namespace sluice
