#include "asl/number_literal.hpp"

#include <cctype>
#include <charconv>

namespace sluice::asl {

NumberScan scanNumberLiteral(std::string_view s, size_t& pos, bool allowPlus, Json& out) {
  size_t start = pos;
  if (pos < s.size() && (s[pos] == '-' || (allowPlus && s[pos] == '+'))) ++pos;
  bool isDouble = false;
  while (pos < s.size()) {
    char c = s[pos];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (c == '.' || c == 'e' || c == 'E' ||
               ((c == '+' || c == '-') && (s[pos - 1] == 'e' || s[pos - 1] == 'E'))) {
      isDouble = true;
      ++pos;
    } else {
      break;
    }
  }
  std::string_view t = s.substr(start, pos - start);
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (t.empty() || t == "-") return NumberScan::Empty;
  if (!isDouble) {
    long long v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec == std::errc() && p == t.data() + t.size()) {
      out = v;
      return NumberScan::Ok;
    }
  }
  double d = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (ec != std::errc() || p != t.data() + t.size()) return NumberScan::Invalid;
  out = d;
  return NumberScan::Ok;
}

}  // namespace sluice::asl
