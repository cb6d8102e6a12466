#include "core/regex_escape.hpp"

namespace sluice {

std::string regexEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace sluice
