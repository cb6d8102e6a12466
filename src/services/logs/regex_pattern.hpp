// The regular expressions of CloudWatch Logs filter patterns: `%...%`, alone
// (`%ERROR|WARN%`) or as a value in JSON (`{ $.level = %ERR.*% }`) and
// space-delimited (`[ip, code = %^5\d\d$%]`) patterns. Only AWS's subset is
// accepted: letters, digits, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . (so no groups); \d \w \s and their negations.
// A pattern matches when the expression occurs anywhere in the text.
#pragma once

#include <memory>
#include <regex>
#include <string_view>

#include "core/error.hpp"

namespace sluice::services::logs {

class RegexPattern {
 public:
  // The text between the two '%'. InvalidParameterException for anything
  // outside the subset.
  static Result<RegexPattern> compile(std::string_view expression);
  bool search(std::string_view text) const;

  // AWS allows this many regular expressions in one JSON or space-delimited
  // filter pattern.
  static constexpr int kMaxPerPattern = 2;

 private:
  std::shared_ptr<const std::regex> regex_;
};

}  // namespace sluice::services::logs
