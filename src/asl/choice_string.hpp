// String helpers for Choice rules: Java's String.compareTo ordering (UTF-16
// code units, which differs from byte order for characters above U+FFFF) and
// StringMatches wildcards (`*`, with `\*` and `\\` escapes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::asl {

// <0, 0, >0 as Java's compareTo on the UTF-16 forms of two UTF-8 strings.
int compareUtf16(std::string_view a, std::string_view b);

class WildcardPattern {
 public:
  explicit WildcardPattern(std::string_view pattern);
  bool matches(std::string_view text) const;

 private:
  // Literal runs around the stars (one more than there are stars).
  std::vector<std::string> parts_;
};

}  // namespace sluice::asl
