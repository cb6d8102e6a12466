// Text matched literally inside a regular expression (ECMAScript syntax, as
// std::regex and RE2 read it): every metacharacter backslashed.
#pragma once

#include <string>
#include <string_view>

namespace sluice {

std::string regexEscape(std::string_view text);

}  // namespace sluice
