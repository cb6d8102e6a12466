#include "services/events/event_pattern.hpp"

#include "core/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <vector>

namespace sluice::services::events {

namespace {

AwsError invalid(const std::string& reason) {
  return {"InvalidEventPatternException", "Event pattern is not valid. Reason: " + reason, 400};
}

// An IPv4 or IPv6 network: address bytes and prefix length.
struct Cidr {
  std::array<unsigned char, 16> bytes{};
  int length = 0;  // bytes used: 4 or 16
  int prefix = 0;
};

std::optional<std::pair<std::array<unsigned char, 16>, int>> parseIp(const std::string& s) {
  std::array<unsigned char, 16> b{};
  if (inet_pton(AF_INET, s.c_str(), b.data()) == 1) return std::make_pair(b, 4);
  if (inet_pton(AF_INET6, s.c_str(), b.data()) == 1) return std::make_pair(b, 16);
  return std::nullopt;
}

std::optional<Cidr> parseCidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parseIp(std::string(text.substr(0, slash)));
  if (!ip) return std::nullopt;
  std::string bits(text.substr(slash + 1));
  if (bits.empty() || bits.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  Cidr c;
  c.bytes = ip->first;
  c.length = ip->second;
  c.prefix = std::stoi(bits);
  if (c.prefix > c.length * 8) return std::nullopt;
  return c;
}

bool inCidr(const Cidr& c, std::string_view address) {
  auto ip = parseIp(std::string(address));
  if (!ip || ip->second != c.length) return false;
  for (int bit = 0; bit < c.prefix; ++bit) {
    int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((ip->first[byte] & mask) != (c.bytes[byte] & mask)) return false;
  }
  return true;
}

enum class Kind {
  Literal,
  Prefix,
  Suffix,
  EqualsIgnoreCase,
  Wildcard,
  Numeric,
  Exists,
  Cidr,
  AnythingBut
};

struct Matcher {
  Kind kind = Kind::Literal;
  Json literal;             // Literal
  std::string text;         // Prefix/Suffix/EqualsIgnoreCase/Wildcard
  bool ignoreCase = false;  // Prefix/Suffix with equals-ignore-case
  std::vector<std::pair<std::string, double>> numeric;
  bool exists = true;
  Cidr cidr;
  std::vector<Matcher> butNot;  // AnythingBut: the values it refuses

  bool matchesValue(const Json& v) const;
};

bool Matcher::matchesValue(const Json& v) const {
  switch (kind) {
    case Kind::Literal:
      if (isNumber(literal) && isNumber(v)) return toDouble(literal) == toDouble(v);
      return literal == v;
    case Kind::Prefix:
    case Kind::Suffix: {
      if (!v.is_string()) return false;
      std::string s = ignoreCase ? asciiLower(v.get_string()) : std::string(v.get_string());
      std::string t = ignoreCase ? asciiLower(text) : text;
      return kind == Kind::Prefix ? s.starts_with(t) : s.ends_with(t);
    }
    case Kind::EqualsIgnoreCase:
      return v.is_string() && asciiLower(v.get_string()) == asciiLower(text);
    case Kind::Wildcard:
      return v.is_string() && wildcardMatch(text, v.get_string());
    case Kind::Numeric: {
      if (!isNumber(v)) return false;
      double x = toDouble(v);
      for (const auto& [op, n] : numeric) {
        bool ok = op == "="    ? x == n
                  : op == "<"  ? x < n
                  : op == "<=" ? x <= n
                  : op == ">"  ? x > n
                               : x >= n;
        if (!ok) return false;
      }
      return true;
    }
    case Kind::Cidr:
      return v.is_string() && inCidr(cidr, v.get_string());
    case Kind::AnythingBut:
      return std::none_of(butNot.begin(), butNot.end(),
                          [&](const Matcher& m) { return m.matchesValue(v); });
    case Kind::Exists:
      return exists;
  }
  return false;
}

Result<std::string> stringOperand(const Json& v, const char* op) {
  if (!v.is_string()) return invalid(std::string(op) + " match pattern must be a string");
  return std::string(v.get_string());
}

Result<Matcher> parseMatcher(const Json& m);

// prefix/suffix take a string or {"equals-ignore-case": string}.
Result<Matcher> affix(Kind kind, const Json& v, const char* op) {
  Matcher out;
  out.kind = kind;
  if (v.is_object() && v.as_object().size() == 1 && v.as_object().contains("equals-ignore-case")) {
    auto s = stringOperand(v.as_object().at("equals-ignore-case"), op);
    if (!s) return s.error();
    out.text = *s;
    out.ignoreCase = true;
    return out;
  }
  auto s = stringOperand(v, op);
  if (!s) return s.error();
  out.text = *s;
  return out;
}

Result<Matcher> parseAnythingBut(const Json& v) {
  Matcher out;
  out.kind = Kind::AnythingBut;
  auto literal = [](const Json& x) -> Result<Matcher> {
    if (x.is_object() || x.is_array()) {
      return invalid("Inside anything but list, start|null|boolean is not supported.");
    }
    Matcher m;
    m.literal = x;
    return m;
  };
  if (v.is_array()) {
    if (v.as_array().empty()) return invalid("Empty arrays are not allowed");
    for (const Json& x : v.as_array()) {
      auto m = literal(x);
      if (!m) return m.error();
      out.butNot.push_back(std::move(*m));
    }
    return out;
  }
  if (v.is_object()) {
    const JsonObject& o = v.as_object();
    if (o.size() != 1) return invalid("Invalid anything-but pattern");
    const auto& [key, inner] = *o.begin();
    Result<Matcher> m = invalid("Unsupported anything-but pattern: " + std::string(key));
    if (key == "prefix")
      m = affix(Kind::Prefix, inner, "prefix");
    else if (key == "suffix")
      m = affix(Kind::Suffix, inner, "suffix");
    else if (key == "wildcard") {
      Matcher w;
      w.kind = Kind::Wildcard;
      auto s = stringOperand(inner, "wildcard");
      if (!s) return s.error();
      w.text = *s;
      m = w;
    } else if (key == "equals-ignore-case") {
      auto list = inner.is_array() ? inner.as_array() : JsonArray{inner};
      for (const Json& x : list) {
        Matcher e;
        e.kind = Kind::EqualsIgnoreCase;
        auto s = stringOperand(x, "equals-ignore-case");
        if (!s) return s.error();
        e.text = *s;
        out.butNot.push_back(std::move(e));
      }
      return out;
    }
    if (!m) return m.error();
    out.butNot.push_back(std::move(*m));
    return out;
  }
  auto m = literal(v);
  if (!m) return m.error();
  out.butNot.push_back(std::move(*m));
  return out;
}

Result<Matcher> parseNumeric(const Json& v) {
  if (!v.is_array() || v.as_array().empty() || v.as_array().size() % 2 != 0 ||
      v.as_array().size() > 4) {
    return invalid("Value of numeric must be an array.");
  }
  Matcher out;
  out.kind = Kind::Numeric;
  const JsonArray& a = v.as_array();
  for (size_t i = 0; i < a.size(); i += 2) {
    if (!a[i].is_string()) return invalid("Unrecognized numeric range operator");
    std::string op(a[i].get_string());
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
      return invalid("Unrecognized numeric range operator: " + op);
    }
    if (!isNumber(a[i + 1])) return invalid("Value of " + op + " must be numeric");
    if (op == "=" && a.size() > 2) return invalid("Bad numeric range operator: =");
    out.numeric.emplace_back(op, toDouble(a[i + 1]));
  }
  return out;
}

Result<Matcher> parseMatcher(const Json& m) {
  if (!m.is_object()) {
    if (m.is_array()) return invalid("Match value must be String, number, true, false, or null");
    Matcher lit;
    lit.literal = m;
    return lit;
  }
  const JsonObject& o = m.as_object();
  if (o.size() != 1) return invalid("Only one key allowed in match expression");
  const auto& [key, v] = *o.begin();
  if (key == "prefix") return affix(Kind::Prefix, v, "prefix");
  if (key == "suffix") return affix(Kind::Suffix, v, "suffix");
  if (key == "anything-but") return parseAnythingBut(v);
  if (key == "numeric") return parseNumeric(v);
  if (key == "equals-ignore-case" || key == "wildcard") {
    auto s = stringOperand(v, key == "wildcard" ? "wildcard" : "equals-ignore-case");
    if (!s) return s.error();
    Matcher out;
    out.kind = key == "wildcard" ? Kind::Wildcard : Kind::EqualsIgnoreCase;
    out.text = *s;
    return out;
  }
  if (key == "exists") {
    if (!v.is_bool()) return invalid("exists match pattern must be either true or false.");
    Matcher out;
    out.kind = Kind::Exists;
    out.exists = v.get_bool();
    return out;
  }
  if (key == "cidr") {
    auto s = stringOperand(v, "cidr");
    if (!s) return s.error();
    auto c = parseCidr(*s);
    if (!c) return invalid("Nonstandard IP address: " + *s);
    Matcher out;
    out.kind = Kind::Cidr;
    out.cidr = *c;
    return out;
  }
  return invalid("Unrecognized match type " + std::string(key));
}

}  // namespace

struct EventPattern::Node {
  // Per key: either matchers (a leaf) or a nested node.
  struct Field {
    std::string key;
    std::vector<Matcher> matchers;
    std::shared_ptr<const Node> nested;
  };
  std::vector<Field> fields;
  std::vector<std::vector<std::shared_ptr<const Node>>> ors;  // each "$or": one must match
};

namespace {

using Node = EventPattern::Node;

Result<std::shared_ptr<const Node>> parseNode(const JsonObject& o, int depth) {
  if (depth > 64) return invalid("Pattern is too deeply nested");
  auto node = std::make_shared<Node>();
  for (const auto& kv : o) {
    std::string key(kv.key());
    const Json& v = kv.value();
    if (key == "$or") {
      if (!v.is_array() || v.as_array().size() < 2) {
        return invalid("Value of $or must be an array of at least 2 objects.");
      }
      std::vector<std::shared_ptr<const Node>> alternatives;
      for (const Json& alt : v.as_array()) {
        if (!alt.is_object()) return invalid("Value of $or must be an array of objects.");
        auto n = parseNode(alt.as_object(), depth + 1);
        if (!n) return n.error();
        alternatives.push_back(*n);
      }
      node->ors.push_back(std::move(alternatives));
      continue;
    }
    Node::Field f;
    f.key = key;
    if (v.is_object()) {
      auto n = parseNode(v.as_object(), depth + 1);
      if (!n) return n.error();
      f.nested = *n;
    } else if (v.is_array()) {
      if (v.as_array().empty()) return invalid("Empty arrays are not allowed");
      for (const Json& m : v.as_array()) {
        auto matcher = parseMatcher(m);
        if (!matcher) return matcher.error();
        f.matchers.push_back(std::move(*matcher));
      }
    } else {
      return invalid("Match value must be String, number, true, false, or null");
    }
    node->fields.push_back(std::move(f));
  }
  return std::shared_ptr<const Node>(node);
}

bool matchNode(const Node& n, const Json* event);

bool matchField(const Node::Field& f, const Json* value) {
  if (f.nested) {
    // A nested pattern against an array: any element may satisfy it.
    if (value && value->is_array()) {
      return std::any_of(value->as_array().begin(), value->as_array().end(),
                         [&](const Json& e) { return matchNode(*f.nested, &e); });
    }
    return matchNode(*f.nested, value && value->is_object() ? value : nullptr);
  }
  for (const Matcher& m : f.matchers) {
    if (m.kind == Kind::Exists) {
      bool present = value != nullptr && !(value->is_array() && value->as_array().empty());
      if (present == m.exists) return true;
      continue;
    }
    if (!value) continue;
    if (value->is_array()) {
      for (const Json& e : value->as_array()) {
        if (m.matchesValue(e)) return true;
      }
    } else if (m.matchesValue(*value)) {
      return true;
    }
  }
  return false;
}

bool matchNode(const Node& n, const Json* event) {
  const JsonObject* o = event && event->is_object() ? &event->as_object() : nullptr;
  for (const Node::Field& f : n.fields) {
    const Json* v = o ? o->if_contains(f.key) : nullptr;
    if (!matchField(f, v)) return false;
  }
  for (const auto& alternatives : n.ors) {
    if (std::none_of(alternatives.begin(), alternatives.end(),
                     [&](const auto& alt) { return matchNode(*alt, event); })) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<EventPattern> EventPattern::parse(const std::string& text) {
  std::string error;
  auto doc = parseJson(text, &error);
  if (!doc) return invalid("Filter is not valid JSON: " + error);
  if (!doc->is_object()) return invalid("Filter is not an object");
  auto root = parseNode(doc->as_object(), 0);
  if (!root) return root.error();
  EventPattern p;
  p.root_ = *root;
  return p;
}

bool EventPattern::matches(const Json& event) const {
  return matchNode(*root_, &event);
}

}  // namespace sluice::services::events
