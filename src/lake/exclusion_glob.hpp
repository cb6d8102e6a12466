// Glue crawler exclude patterns: globs over an object's path relative to the
// crawler's include path, as Glue documents them:
//
//   *       any characters within one folder level     *.csv, 2024/*/tmp
//   **      any characters across folder levels        **/_temporary/**, **.gz
//   ?       one character (not "/")
//   [a-z] [!0-9]   a character class (negated with !)
//   {a,b}   either alternative                         {tmp,staging}/**
//   \x      the character x itself
#pragma once

#include <string_view>

namespace sluice::lake {

bool exclusionMatches(std::string_view pattern, std::string_view path);

}  // namespace sluice::lake
