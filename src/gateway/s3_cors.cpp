// S3's CORS matching: AllowedOrigins and AllowedHeaders may hold one `*`
// wildcard (any run of characters), headers compare without case, methods
// exactly. A rule whose origin is "*" answers Allow-Origin "*"; one naming
// origins answers the request's origin and allows credentials.
#include "gateway/s3_cors.hpp"

#include <algorithm>
#include <cctype>

namespace sluice::gateway {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// `pattern` with at most one `*` matching `text`.
bool wildcardMatch(std::string_view pattern, std::string_view text) {
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  std::string_view head = pattern.substr(0, star), tail = pattern.substr(star + 1);
  return text.size() >= head.size() + tail.size() && text.starts_with(head) && text.ends_with(tail);
}

std::vector<std::string> strings(const Json& rule, const char* member) {
  std::vector<std::string> out;
  const Json* v = rule.is_object() ? rule.as_object().if_contains(member) : nullptr;
  if (!v) return out;
  auto add = [&](const Json& x) {
    if (x.is_string()) out.emplace_back(x.get_string());
  };
  if (v->is_array()) {
    for (const Json& x : v->as_array()) add(x);
  } else {
    add(*v);
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

}  // namespace

std::vector<std::string> splitHeaderList(std::string_view text) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= text.size()) {
    size_t comma = text.find(',', from);
    std::string_view part =
        text.substr(from, comma == std::string_view::npos ? std::string_view::npos : comma - from);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front())))
      part.remove_prefix(1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back())))
      part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    from = comma + 1;
  }
  return out;
}

std::optional<HeaderList> corsHeaders(const Json& rules, const std::string& origin,
                                      const std::string& method,
                                      const std::vector<std::string>& requestHeaders,
                                      bool preflight) {
  if (!rules.is_array()) return std::nullopt;
  for (const Json& rule : rules.as_array()) {
    auto origins = strings(rule, "AllowedOrigins");
    auto methods = strings(rule, "AllowedMethods");
    auto allowed = strings(rule, "AllowedHeaders");
    bool anyOrigin = false, originOk = false;
    for (const auto& o : origins) {
      if (o == "*") anyOrigin = true;
      if (wildcardMatch(o, origin)) originOk = true;
    }
    if (!originOk || std::find(methods.begin(), methods.end(), method) == methods.end()) continue;
    bool headersOk = true;
    for (const auto& h : requestHeaders) {
      bool ok = false;
      for (const auto& a : allowed) ok = ok || wildcardMatch(lower(a), lower(h));
      headersOk = headersOk && ok;
    }
    if (!headersOk) continue;
    HeaderList out;
    out.emplace_back("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
    out.emplace_back("Access-Control-Allow-Methods", joined(methods));
    if (preflight && !requestHeaders.empty()) {
      std::vector<std::string> echoed;
      for (const auto& h : requestHeaders) echoed.push_back(lower(h));
      out.emplace_back("Access-Control-Allow-Headers", joined(echoed));
    }
    if (auto expose = strings(rule, "ExposeHeaders"); !expose.empty()) {
      out.emplace_back("Access-Control-Expose-Headers", joined(expose));
    }
    if (const Json* age = rule.as_object().if_contains("MaxAgeSeconds")) {
      if (auto n = toInteger(*age)) out.emplace_back("Access-Control-Max-Age", std::to_string(*n));
    }
    if (!anyOrigin) out.emplace_back("Access-Control-Allow-Credentials", "true");
    out.emplace_back("Vary",
                     "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
    return out;
  }
  return std::nullopt;
}

}  // namespace sluice::gateway
