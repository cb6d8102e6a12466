#include "services/logs/regex_pattern.hpp"

#include <cctype>
#include <string>

namespace sluice::services::logs {

namespace {

AwsError invalidRegex(std::string_view detail) {
  return {"InvalidParameterException", "Invalid regex filter pattern: " + std::string(detail), 400};
}

bool allowedLiteral(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view(":_#=@/;,-").find(c) != std::string_view::npos;
}

bool isOperator(char c) {
  return std::string_view("^$?[]{}|\\*+.").find(c) != std::string_view::npos;
}

}  // namespace

Result<RegexPattern> RegexPattern::compile(std::string_view expression) {
  if (expression.empty()) return invalidRegex("empty expression");
  for (size_t i = 0; i < expression.size(); ++i) {
    char c = expression[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      return invalidRegex("multi-byte characters are not supported");
    }
    if (c == '\\') {
      // An escaped operator, or one of the classes \d \D \w \W \s \S.
      if (i + 1 == expression.size()) return invalidRegex("a trailing '\\'");
      char next = expression[++i];
      if (!isOperator(next) && std::string_view("dDwWsS").find(next) == std::string_view::npos) {
        return invalidRegex(std::string("unsupported escape '\\") + next + "'");
      }
      continue;
    }
    if (c == '(' || c == ')') return invalidRegex("'(' and ')' are not supported");
    if (!allowedLiteral(c) && !isOperator(c)) {
      return invalidRegex(std::string("unsupported character '") + c + "'");
    }
  }
  RegexPattern out;
  try {
    out.regex_ = std::make_shared<const std::regex>(std::string(expression),
                                                    std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error&) {
    return invalidRegex("'" + std::string(expression) + "' is not a valid expression");
  }
  return out;
}

bool RegexPattern::search(std::string_view text) const {
  return std::regex_search(text.begin(), text.end(), *regex_);
}

}  // namespace sluice::services::logs
