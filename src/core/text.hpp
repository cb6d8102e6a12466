// Small text helpers the services share: ASCII case folding, `*` wildcards
// and comma lists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// `s` with A-Z folded to a-z (other bytes as they are).
std::string asciiLower(std::string_view s);

// Whether `text` matches `pattern`, where `*` matches any run of characters
// (none included) and everything else matches itself.
bool wildcardMatch(std::string_view pattern, std::string_view text);

// "a, b,,c " as {"a", "b", "c"}: split at `separator`, each part trimmed of
// spaces, empty parts dropped.
std::vector<std::string> splitList(std::string_view text, char separator = ',');

}  // namespace sluice
