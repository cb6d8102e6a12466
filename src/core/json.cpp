#include "core/json.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace sluice {

std::optional<Json> parseJson(std::string_view text, std::string* error) {
  boost::system::error_code ec;
  Json v = json::parse(text, ec);
  if (ec) {
    if (error) *error = ec.message();
    return std::nullopt;
  }
  return v;
}

namespace {

// The usual doubles in documents are short decimals (prices, ratios). For
// 0.01 <= |d| < 1e9, the fewest fractional digits k (up to 6) whose decimal
// m / 10^k reads back as d is exactly to_chars' shortest form, in fixed
// notation: m and 10^k are exact doubles, so m / 10^k rounds correctly to
// the double nearest that decimal; with |d| < 1e9 two k-digit decimals never
// share a double. Returns false to leave the rest to to_chars.
bool appendShortDecimal(std::string& out, double d) {
  static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
  static constexpr uint64_t kPow10Int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  double a = std::fabs(d);
  if (!(a >= 0.01 && a < 1e9)) return false;
  for (int k = 0; k <= 6; ++k) {
    double m = std::nearbyint(a * kPow10[k]);
    if (m / kPow10[k] != a) continue;
    // Whole numbers from 1e4 may print as 1e+04 and so on: to_chars decides.
    if (k == 0 && a >= 1e4) return false;
    auto n = static_cast<uint64_t>(m);
    char buf[32];
    char* p = buf;
    if (d < 0) *p++ = '-';
    p = std::to_chars(p, buf + sizeof buf, n / kPow10Int[k]).ptr;
    *p++ = '.';
    if (k == 0) {
      *p++ = '0';  // Java's "1.0"
    } else {
      uint64_t frac = n % kPow10Int[k];
      for (int i = k - 1; i >= 0; --i) {
        p[i] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      p += k;
    }
    out.append(buf, p);
    return true;
  }
  return false;
}

void appendDouble(std::string& out, double d) {
  if (std::isnan(d) || std::isinf(d)) {
    out += "null";  // not representable in JSON
    return;
  }
  if (appendShortDecimal(out, d)) return;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view s(buf, static_cast<size_t>(end - buf));
  // Java prints exponents as "1.0E20" and integral values as "1.0";
  // to_chars gives "1e+20" and "1".
  auto epos = s.find('e');
  std::string_view mantissa = s.substr(0, epos);
  out += mantissa;
  if (mantissa.find('.') == std::string_view::npos) out += ".0";
  if (epos != std::string_view::npos) {
    out += 'E';
    auto exp = s.substr(epos + 1);
    if (!exp.empty() && exp[0] == '+') exp.remove_prefix(1);
    out += exp;
  }
}

// Index of the first byte that JSON must escape (control, '"' or '\'), or
// s.size(). Looks at eight bytes at a time: state documents are serialised for
// every history event, so this loop is hot.
size_t firstEscape(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto hasZero = [&](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;  // some byte < 0x20
    if (control | hasZero(w ^ (kOnes * '"')) | hasZero(w ^ (kOnes * '\\'))) break;
  }
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\') return i;
  }
  return i;
}

void appendString(std::string& out, std::string_view s) {
  out += '"';
  for (;;) {
    size_t i = firstEscape(s);
    out.append(s.data(), i);
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      }
    }
    s.remove_prefix(i + 1);
  }
  out += '"';
}

void appendPretty(std::string& out, const Json& v, int indent) {
  auto pad = [&](int n) { out.append(static_cast<size_t>(n) * 2, ' '); };
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      appendString(out, kv.key());
      out += ": ";
      appendPretty(out, kv.value(), indent + 1);
    }
    out += '\n';
    pad(indent);
    out += '}';
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const auto& e : a) {
      if (!first) out += ",\n";
      first = false;
      pad(indent + 1);
      appendPretty(out, e, indent + 1);
    }
    out += '\n';
    pad(indent);
    out += ']';
  } else {
    appendJsonText(out, v);
  }
}

}  // namespace

void appendJsonText(std::string& out, const Json& v) {
  appendJsonText(out, v, &appendDouble);
}

void appendJsonText(std::string& out, const Json& v, DoubleWriter writeDouble) {
  switch (v.kind()) {
    case json::kind::null:
      out += "null";
      break;
    case json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      break;
    case json::kind::int64: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_int64());
      out.append(buf, end);
      break;
    }
    case json::kind::uint64: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      out.append(buf, end);
      break;
    }
    case json::kind::double_:
      writeDouble(out, v.get_double());
      break;
    case json::kind::string:
      appendString(out, v.get_string());
      break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        appendJsonText(out, e, writeDouble);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        appendString(out, kv.key());
        out += ':';
        appendJsonText(out, kv.value(), writeDouble);
      }
      out += '}';
      break;
    }
  }
}

void appendJsonString(std::string& out, std::string_view s) {
  appendString(out, s);
}

std::string toJsonText(const Json& value) {
  std::string out;
  appendJsonText(out, value);
  return out;
}

std::string toJsonText(const Json& value, size_t sizeHint) {
  std::string out;
  out.reserve(sizeHint);
  appendJsonText(out, value);
  return out;
}

std::string toJsonText(const Json& value, size_t sizeHint, std::vector<MemberSpan>& members) {
  members.clear();
  if (!value.is_object()) return toJsonText(value, sizeHint);
  std::string out;
  out.reserve(sizeHint);
  out += '{';
  members.reserve(value.get_object().size());
  for (const auto& kv : value.get_object()) {
    if (out.size() > 1) out += ',';
    size_t key = out.size();
    appendString(out, kv.key());
    out += ':';
    size_t at = out.size();
    appendJsonText(out, kv.value());
    members.push_back({key, at, out.size()});
  }
  out += '}';
  return out;
}

std::string withMemberText(std::string_view text, std::vector<MemberSpan>& members,
                           std::string_view key, const Json& value) {
  std::string quoted;
  appendString(quoted, key);
  std::string out;
  out.reserve(text.size() + 64);
  for (size_t i = 0; i < members.size(); ++i) {
    MemberSpan& m = members[i];
    if (m.value - m.key != quoted.size() + 1 || text.compare(m.key, quoted.size(), quoted) != 0) {
      continue;
    }
    out.append(text.substr(0, m.value));
    appendJsonText(out, value);
    size_t end = out.size();
    out.append(text.substr(m.end));
    for (size_t j = i + 1; j < members.size(); ++j) {
      members[j].key = members[j].key + end - m.end;
      members[j].value = members[j].value + end - m.end;
      members[j].end = members[j].end + end - m.end;
    }
    m.end = end;
    return out;
  }
  out.append(text.substr(0, text.size() - 1));  // up to the closing brace
  if (!members.empty()) out += ',';
  size_t at = out.size();
  out += quoted;
  out += ':';
  size_t at_value = out.size();
  appendJsonText(out, value);
  members.push_back({at, at_value, out.size()});
  out += '}';
  return out;
}

std::string toPrettyJsonText(const Json& value) {
  std::string out;
  appendPretty(out, value, 0);
  return out;
}

double toDouble(const Json& v) {
  switch (v.kind()) {
    case json::kind::int64:
      return static_cast<double>(v.get_int64());
    case json::kind::uint64:
      return static_cast<double>(v.get_uint64());
    case json::kind::double_:
      return v.get_double();
    default:
      return 0;
  }
}

std::optional<long long> toInteger(const Json& v) {
  switch (v.kind()) {
    case json::kind::int64:
      return v.get_int64();
    case json::kind::uint64:
      if (v.get_uint64() > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<long long>(v.get_uint64());
    case json::kind::double_: {
      double d = v.get_double();
      if (std::floor(d) != d || std::fabs(d) > 9.2e18) return std::nullopt;
      return static_cast<long long>(d);
    }
    default:
      return std::nullopt;
  }
}

bool jsonEquals(const Json& a, const Json& b) {
  if (isNumber(a) && isNumber(b)) {
    auto ia = toInteger(a), ib = toInteger(b);
    if (ia && ib) return *ia == *ib;
    return toDouble(a) == toDouble(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::array: {
      const auto &x = a.get_array(), &y = b.get_array();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!jsonEquals(x[i], y[i])) return false;
      return true;
    }
    case json::kind::object: {
      const auto &x = a.get_object(), &y = b.get_object();
      if (x.size() != y.size()) return false;
      for (const auto& kv : x) {
        auto it = y.find(kv.key());
        if (it == y.end() || !jsonEquals(kv.value(), it->value())) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

std::string_view jsonTypeName(const Json& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "unknown";
}

std::string stringMapToJsonText(const std::map<std::string, std::string>& m) {
  JsonObject o;
  for (const auto& [k, v] : m) o[k] = v;
  return toJsonText(o);
}

std::map<std::string, std::string> stringMapFromJsonText(std::string_view text) {
  std::map<std::string, std::string> out;
  if (auto v = parseJson(text); v && v->is_object()) {
    for (const auto& kv : v->as_object()) {
      if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  return out;
}

const Json* jsonAt(const Json& value, std::initializer_list<std::string_view> path) {
  const Json* v = &value;
  for (std::string_view m : path) {
    if (!v->is_object()) return nullptr;
    v = v->as_object().if_contains(m);
    if (!v) return nullptr;
  }
  return v;
}

std::string jsonString(const Json* value) {
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

}  // namespace sluice
