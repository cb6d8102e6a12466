#include "asl/jsonata/regex.hpp"

#include "asl/jsonata/ast.hpp"

namespace sluice::asl::jsonata {

std::shared_ptr<const RegexData> compileRegex(std::string_view pattern, std::string_view flags) {
  auto r = std::make_shared<RegexData>();
  r->source = std::string(pattern);
  r->flags = std::string(flags);
  boost::regex::flag_type f = boost::regex::perl;
  if (flags.find('i') != std::string_view::npos) f |= boost::regex::icase;
  if (flags.find('m') == std::string_view::npos) f |= boost::regex::no_mod_m;
  try {
    r->re = boost::regex(r->source, f);
  } catch (const std::exception&) {
    throw JError("S0303").tok(r->source);
  }
  return r;
}

std::optional<RegexMatch> regexFind(const RegexData& re, std::string_view text, size_t from) {
  if (from > text.size()) return std::nullopt;
  boost::match_results<std::string_view::const_iterator> m;
  auto flags = boost::match_default | boost::match_not_dot_newline;
  if (from > 0) flags |= boost::match_prev_avail;
  if (!boost::regex_search(text.begin() + static_cast<long>(from), text.end(), m, re.re, flags)) {
    return std::nullopt;
  }
  RegexMatch out;
  out.start = static_cast<size_t>(m[0].first - text.begin());
  out.end = static_cast<size_t>(m[0].second - text.begin());
  for (size_t i = 1; i < m.size(); ++i) {
    if (m[i].matched) {
      out.groups.emplace_back(std::string(m[i].first, m[i].second));
    } else {
      out.groups.emplace_back(std::nullopt);
    }
  }
  return out;
}

}  // namespace sluice::asl::jsonata
