// S3's CORS matching: AllowedOrigins and AllowedHeaders may hold a `*`
// wildcard (any run of characters; S3 refuses more than one in an origin),
// headers compare without case, methods exactly. A rule whose origin is "*"
// answers Allow-Origin "*"; one naming origins answers the request's origin
// and allows credentials.
#include "gateway/s3_cors.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace sluice::gateway {

namespace {

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
      for (const auto& a : allowed) ok = ok || wildcardMatch(asciiLower(a), asciiLower(h));
      headersOk = headersOk && ok;
    }
    if (!headersOk) continue;
    HeaderList out;
    out.emplace_back("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
    out.emplace_back("Access-Control-Allow-Methods", joined(methods));
    if (preflight && !requestHeaders.empty()) {
      std::vector<std::string> echoed;
      for (const auto& h : requestHeaders) echoed.push_back(asciiLower(h));
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
