#include "services/sns/filter_policy.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace sluice::services::sns {

namespace {

AwsError invalid(const std::string& reason) {
  return {"InvalidParameter", "Invalid parameter: FilterPolicy: " + reason, 400};
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<double> numberOf(const Json& v) {
  if (isNumber(v)) return toDouble(v);
  return std::nullopt;
}

Result<void> checkCondition(const Json& c) {
  if (c.is_string() || isNumber(c) || c.is_null() || c.is_bool()) return {};
  if (!c.is_object() || c.as_object().size() != 1) {
    return invalid("Match value must be String, number, true, false, or null");
  }
  const auto& [op, arg] = *c.as_object().begin();
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    if (!arg.is_string()) return invalid(std::string(op) + " match pattern must be a string");
    return {};
  }
  if (op == "exists") {
    if (!arg.is_bool()) return invalid("exists match pattern must be either true or false.");
    return {};
  }
  if (op == "anything-but") {
    if (arg.is_array()) {
      for (const Json& v : arg.as_array()) {
        if (!v.is_string() && !isNumber(v)) return invalid("Inside anything but list, start|end");
      }
      return {};
    }
    if (arg.is_object()) {
      const Json* p = arg.as_object().if_contains("prefix");
      if (!p || !p->is_string()) return invalid("Unsupported anything-but pattern");
      return {};
    }
    if (!arg.is_string() && !isNumber(arg)) return invalid("Unsupported anything-but pattern");
    return {};
  }
  if (op == "numeric") {
    if (!arg.is_array() || arg.as_array().empty() || arg.as_array().size() % 2) {
      return invalid("Value of numeric must be an array.");
    }
    const JsonArray& a = arg.as_array();
    for (size_t i = 0; i < a.size(); i += 2) {
      if (!a[i].is_string() || !isNumber(a[i + 1])) {
        return invalid("Value of numeric must be an array of operator and number pairs.");
      }
      std::string_view o = a[i].get_string();
      if (o != "=" && o != "<" && o != "<=" && o != ">" && o != ">=") {
        return invalid("Unrecognized numeric range operator: " + std::string(o));
      }
    }
    return {};
  }
  return invalid("Unrecognized match type " + std::string(op));
}

Result<void> checkPolicy(const Json& p, int depth) {
  if (!p.is_object()) return invalid("Filter policy must be a JSON object");
  if (depth > 5) return invalid("Filter policy is too deeply nested");
  for (const auto& kv : p.as_object()) {
    if (kv.key() == "$or") {
      if (!kv.value().is_array() || kv.value().as_array().size() < 2) {
        return invalid("$or must be an array of at least two policies");
      }
      for (const Json& alt : kv.value().as_array()) {
        if (auto r = checkPolicy(alt, depth + 1); !r) return r;
      }
      continue;
    }
    if (kv.value().is_object()) {
      if (auto r = checkPolicy(kv.value(), depth + 1); !r) return r;
      continue;
    }
    if (!kv.value().is_array()) {
      return invalid("\"" + std::string(kv.key()) + "\" must be an object or an array");
    }
    for (const Json& c : kv.value().as_array()) {
      if (auto r = checkCondition(c); !r) return r;
    }
  }
  return {};
}

bool numericMatches(const JsonArray& range, double x) {
  for (size_t i = 0; i + 1 < range.size(); i += 2) {
    std::string_view op = range[i].get_string();
    double v = toDouble(range[i + 1]);
    bool ok = op == "="    ? x == v
              : op == "<"  ? x < v
              : op == "<=" ? x <= v
              : op == ">"  ? x > v
                           : x >= v;
    if (!ok) return false;
  }
  return true;
}

// One condition against one present value (a string or a number).
bool conditionMatches(const Json& c, const Json& value) {
  if (c.is_string()) return value.is_string() && value.get_string() == c.get_string();
  if (isNumber(c)) {
    auto n = numberOf(value);
    return n && *n == toDouble(c);
  }
  if (c.is_null()) return value.is_null();
  if (c.is_bool()) return value.is_bool() && value.get_bool() == c.get_bool();
  const auto& [op, arg] = *c.as_object().begin();
  if (op == "exists") return arg.get_bool();
  if (op == "prefix") return value.is_string() && value.get_string().starts_with(arg.get_string());
  if (op == "suffix") return value.is_string() && value.get_string().ends_with(arg.get_string());
  if (op == "equals-ignore-case") {
    return value.is_string() && lower(value.get_string()) == lower(arg.get_string());
  }
  if (op == "numeric") {
    auto n = numberOf(value);
    return n && numericMatches(arg.as_array(), *n);
  }
  if (op == "anything-but") {
    if (arg.is_object()) {
      return !(value.is_string() &&
               value.get_string().starts_with(arg.as_object().at("prefix").get_string()));
    }
    auto same = [&](const Json& v) {
      if (v.is_string()) return value.is_string() && value.get_string() == v.get_string();
      auto n = numberOf(value);
      return n && *n == toDouble(v);
    };
    if (arg.is_array()) {
      return std::none_of(arg.as_array().begin(), arg.as_array().end(), same);
    }
    return !same(arg);
  }
  return false;
}

// The conditions of one key against a value that may be absent or an array.
bool keyMatches(const JsonArray& conditions, const Json* value) {
  for (const Json& c : conditions) {
    bool existsRule = c.is_object() && c.as_object().contains("exists");
    if (!value) {
      if (existsRule && !c.as_object().at("exists").get_bool()) return true;
      continue;
    }
    if (existsRule) {
      if (c.as_object().at("exists").get_bool()) return true;
      continue;
    }
    if (value->is_array()) {
      for (const Json& v : value->as_array()) {
        if (conditionMatches(c, v)) return true;
      }
    } else if (conditionMatches(c, *value)) {
      return true;
    }
  }
  return false;
}

bool bodyMatches(const Json& policy, const Json* body) {
  for (const auto& kv : policy.as_object()) {
    if (kv.key() == "$or") {
      bool any = false;
      for (const Json& alt : kv.value().as_array()) any = any || bodyMatches(alt, body);
      if (!any) return false;
      continue;
    }
    const Json* v = body && body->is_object() ? body->as_object().if_contains(kv.key()) : nullptr;
    if (kv.value().is_object()) {
      if (!bodyMatches(kv.value(), v)) return false;
    } else if (!keyMatches(kv.value().as_array(), v)) {
      return false;
    }
  }
  return true;
}

// A message attribute as the value filter policies compare: strings,
// numbers for Number, arrays for String.Array; binary attributes never match.
std::optional<Json> attributeValue(const Json& attr) {
  if (!attr.is_object()) return std::nullopt;
  const JsonObject& a = attr.as_object();
  const Json* type = a.if_contains("DataType");
  const Json* text = a.if_contains("StringValue");
  if (!type || !type->is_string() || !text || !text->is_string()) return std::nullopt;
  std::string_view t = type->get_string();
  if (t.starts_with("Number")) {
    char* end = nullptr;
    std::string s(text->get_string());
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0') return Json(d);
    return std::nullopt;
  }
  if (t == "String.Array") {
    if (auto parsed = parseJson(text->get_string()); parsed && parsed->is_array()) return *parsed;
    return std::nullopt;
  }
  return Json(text->get_string());
}

bool attributesMatch(const Json& policy, const Json& attributes) {
  for (const auto& kv : policy.as_object()) {
    if (kv.key() == "$or") {
      bool any = false;
      for (const Json& alt : kv.value().as_array()) any = any || attributesMatch(alt, attributes);
      if (!any) return false;
      continue;
    }
    if (!kv.value().is_array()) return false;  // nesting only applies to bodies
    std::optional<Json> value;
    if (attributes.is_object()) {
      if (const Json* a = attributes.as_object().if_contains(kv.key())) value = attributeValue(*a);
    }
    if (!keyMatches(kv.value().as_array(), value ? &*value : nullptr)) return false;
  }
  return true;
}

}  // namespace

Result<Json> parseFilterPolicy(const std::string& text) {
  auto v = parseJson(text);
  if (!v) return invalid("failed to parse JSON.");
  if (auto r = checkPolicy(*v, 0); !r) return r.error();
  return std::move(*v);
}

bool matchesAttributes(const Json& policy, const Json& attributes) {
  return policy.is_object() && attributesMatch(policy, attributes);
}

bool matchesBody(const Json& policy, const Json& body) {
  return policy.is_object() && body.is_object() && bodyMatches(policy, &body);
}

}  // namespace sluice::services::sns
