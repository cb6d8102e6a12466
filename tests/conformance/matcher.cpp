#include "matcher.hpp"

#include <regex>

namespace sluice::conformance {

std::set<std::string> defaultWildcards() {
  return {"snf_role_arn",     "sfn_role_arn",     "date",
          "datetime",         "timestamp",        "RequestId",
          "x-amzn-RequestId", "x-amzn-requestid", "X-Amzn-Trace-Id",
          "x-amz-crc32"};
}

Matcher::Matcher(std::set<std::string> wildcards) : wildcards_(std::move(wildcards)) {}

bool Matcher::matchString(std::string_view pattern, std::string_view text) const {
  if (pattern.find('<') == std::string_view::npos) return pattern == text;
  // Translate "<token>" runs into ".+" and escape the rest.
  std::string re;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '<') {
      auto close = pattern.find('>', i);
      auto token = close == std::string_view::npos ? std::string_view()
                                                   : pattern.substr(i + 1, close - i - 1);
      if (!token.empty() && token != "omitted" &&
          token.find_first_of(" <\"") == std::string_view::npos) {
        re += "(.+)";
        i = close;
        continue;
      }
    }
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
    re += c;
  }
  try {
    return std::regex_match(text.begin(), text.end(), std::regex(re, std::regex::ECMAScript));
  } catch (const std::regex_error&) {
    return pattern == text;
  }
}

bool Matcher::match(const Json& expected, const Json& actual, std::string* where) const {
  std::string path;
  return matchAt(expected, actual, path, where);
}

bool Matcher::matchAt(const Json& e, const Json& a, std::string& path, std::string* where) const {
  auto fail = [&] {
    if (where) *where = path.empty() ? "/" : path;
    return false;
  };
  if (e.is_string()) {
    std::string_view s = e.get_string();
    if (wildcards_.count(std::string(s))) return true;
    if (!a.is_string()) {
      // A recorded string may be the JSON text of a non-string document.
      return matchString(s, toJsonText(a)) || fail();
    }
    return matchString(s, a.get_string()) || fail();
  }
  if (isNumber(e) && isNumber(a)) return jsonEquals(e, a) || fail();
  if ((e.is_object() || e.is_array()) && a.is_string()) {
    // The recorder stored JSON documents parsed; ours are JSON text.
    auto parsed = parseJson(a.get_string());
    return (parsed && matchAt(e, *parsed, path, where)) || fail();
  }
  if (e.kind() != a.kind()) return fail();
  if (e.is_array()) {
    const auto &x = e.get_array(), &y = a.get_array();
    if (x.size() != y.size()) return fail();
    for (size_t i = 0; i < x.size(); ++i) {
      size_t len = path.size();
      path += "/" + std::to_string(i);
      if (!matchAt(x[i], y[i], path, where)) return false;
      path.resize(len);
    }
    return true;
  }
  if (e.is_object()) {
    const auto &x = e.get_object(), &y = a.get_object();
    if (x.size() != y.size()) return fail();
    for (const auto& kv : x) {
      size_t len = path.size();
      path += "/" + std::string(kv.key());
      auto it = y.find(kv.key());
      if (it == y.end()) return fail();
      if (!matchAt(kv.value(), it->value(), path, where)) return false;
      path.resize(len);
    }
    return true;
  }
  return e == a || fail();
}

}  // namespace sluice::conformance
