#include "lake/exclusion_glob.hpp"

#include <string>
#include <vector>

namespace sluice::lake {

namespace {

// The end of the group or class starting at `open` ('{' or '['), or npos.
size_t closing(std::string_view p, size_t open, char close) {
  int depth = 0;
  for (size_t i = open; i < p.size(); ++i) {
    if (p[i] == '\\') {
      ++i;
      continue;
    }
    if (p[i] == p[open]) ++depth;
    if (p[i] == close && --depth == 0) return i;
  }
  return std::string_view::npos;
}

bool classMatches(std::string_view cls, char c) {
  bool negate = !cls.empty() && (cls[0] == '!' || cls[0] == '^');
  if (negate) cls.remove_prefix(1);
  bool hit = false;
  for (size_t i = 0; i < cls.size(); ++i) {
    char lo = cls[i];
    if (lo == '\\' && i + 1 < cls.size()) lo = cls[++i];
    char hi = lo;
    if (i + 2 < cls.size() && cls[i + 1] == '-') {
      hi = cls[i + 2];
      i += 2;
    }
    if (c >= lo && c <= hi) hit = true;
  }
  return hit != negate;
}

bool match(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    char c = p[0];
    if (c == '*') {
      bool deep = p.size() > 1 && p[1] == '*';
      std::string_view rest = p.substr(deep ? 2 : 1);
      for (size_t i = 0; i <= s.size(); ++i) {
        if (match(rest, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/' && !deep) return false;
      }
      return false;
    }
    if (c == '{') {
      size_t end = closing(p, 0, '}');
      if (end == std::string_view::npos) return false;
      std::string_view rest = p.substr(end + 1);
      // Each top-level alternative, followed by the rest of the pattern.
      int depth = 0;
      size_t start = 1;
      for (size_t i = 1; i <= end; ++i) {
        if (p[i] == '\\') {
          ++i;
          continue;
        }
        if (p[i] == '{') ++depth;
        if (p[i] == '}' && depth > 0 && i != end) --depth;
        if ((p[i] == ',' && depth == 0) || i == end) {
          std::string alternative(p.substr(start, i - start));
          if (match(alternative + std::string(rest), s)) return true;
          start = i + 1;
        }
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      if (s[0] == '/') return false;
    } else if (c == '[') {
      size_t end = closing(p, 0, ']');
      if (end == std::string_view::npos) return false;
      if (s[0] == '/' || !classMatches(p.substr(1, end - 1), s[0])) return false;
      p.remove_prefix(end + 1);
      s.remove_prefix(1);
      continue;
    } else {
      if (c == '\\' && p.size() > 1) {
        p.remove_prefix(1);
        c = p[0];
      }
      if (c != s[0]) return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

}  // namespace

bool exclusionMatches(std::string_view pattern, std::string_view path) {
  return match(pattern, path);
}

}  // namespace sluice::lake
