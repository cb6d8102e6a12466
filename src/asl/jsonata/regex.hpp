// Regular expressions (JS syntax, run with Boost.Regex in Perl mode).
#pragma once

#include <boost/regex.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::asl::jsonata {

struct RegexData {
  boost::regex re;
  std::string source;
  std::string flags;
};

// Throws JError S0302-like errors for invalid patterns.
std::shared_ptr<const RegexData> compileRegex(std::string_view pattern, std::string_view flags);

struct RegexMatch {
  size_t start = 0;  // byte offsets
  size_t end = 0;
  std::vector<std::optional<std::string>> groups;
};

// First match at or after byte offset `from`.
std::optional<RegexMatch> regexFind(const RegexData& re, std::string_view text, size_t from);

}  // namespace sluice::asl::jsonata
