#include "asl/choice_string.hpp"

#include <cstdint>

namespace sluice::asl {

namespace {

// Decodes one UTF-8 sequence at `pos` (invalid bytes pass through as-is, so
// the ordering stays total).
uint32_t nextCodePoint(std::string_view s, size_t& pos) {
  auto c = static_cast<unsigned char>(s[pos++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  uint32_t cp = c & (0x3F >> extra);
  for (int i = 0; i < extra && pos < s.size(); ++i) {
    cp = (cp << 6) | (static_cast<unsigned char>(s[pos++]) & 0x3F);
  }
  return cp;
}

// Appends the UTF-16 code units of `cp` to `units` (at most two).
int toUtf16(uint32_t cp, uint16_t units[2]) {
  if (cp < 0x10000) {
    units[0] = static_cast<uint16_t>(cp);
    return 1;
  }
  cp -= 0x10000;
  units[0] = static_cast<uint16_t>(0xD800 + (cp >> 10));
  units[1] = static_cast<uint16_t>(0xDC00 + (cp & 0x3FF));
  return 2;
}

}  // namespace

int compareUtf16(std::string_view a, std::string_view b) {
  size_t pa = 0, pb = 0;
  uint16_t ua[2], ub[2];
  int na = 0, nb = 0, ia = 0, ib = 0;
  while (true) {
    if (ia == na) {
      if (pa == a.size()) {
        na = 0;
      } else {
        na = toUtf16(nextCodePoint(a, pa), ua);
      }
      ia = 0;
    }
    if (ib == nb) {
      if (pb == b.size()) {
        nb = 0;
      } else {
        nb = toUtf16(nextCodePoint(b, pb), ub);
      }
      ib = 0;
    }
    bool endA = na == 0, endB = nb == 0;
    if (endA || endB) return endA && endB ? 0 : endA ? -1 : 1;
    if (ua[ia] != ub[ib]) return ua[ia] < ub[ib] ? -1 : 1;
    ++ia;
    ++ib;
  }
}

WildcardPattern::WildcardPattern(std::string_view pattern) {
  // Split on unescaped stars: parts_ = literal runs, one more than the stars.
  std::string current;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size() && (pattern[i + 1] == '*' || pattern[i + 1] == '\\')) {
      current += pattern[++i];
    } else if (c == '*') {
      parts_.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  parts_.push_back(std::move(current));
}

bool WildcardPattern::matches(std::string_view text) const {
  if (parts_.size() == 1) return text == parts_[0];
  // The first part is anchored at the start and the last at the end; middle
  // parts are found greedily left to right, which is exact for `*` alone.
  const std::string& first = parts_.front();
  const std::string& last = parts_.back();
  if (text.size() < first.size() + last.size()) return false;
  if (text.substr(0, first.size()) != first) return false;
  if (text.substr(text.size() - last.size()) != last) return false;
  size_t pos = first.size();
  std::string_view middle = text.substr(0, text.size() - last.size());
  for (size_t i = 1; i + 1 < parts_.size(); ++i) {
    auto found = middle.find(parts_[i], pos);
    if (found == std::string_view::npos) return false;
    pos = found + parts_[i].size();
  }
  return true;
}

}  // namespace sluice::asl
