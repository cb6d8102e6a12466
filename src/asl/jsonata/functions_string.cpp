// String functions: $string, $substring*, case, $length, $trim, $pad,
// $contains, $split, $join, $replace, $match, base64 and URL encoding.
#include <cmath>
#include <cstring>

#include "asl/jsonata/function.hpp"
#include "asl/jsonata/matcher.hpp"
#include "core/encoding.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

Value fnString(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  const Value& pretty = arg(a, 1);
  return Value::string(toStringValue(v, pretty.isBool() && pretty.boolValue()));
}

// JS Array.prototype.slice index normalisation.
long sliceIndex(double rel, long len) {
  if (std::isnan(rel)) return 0;
  if (rel < 0) {
    double r = static_cast<double>(len) + std::trunc(rel);
    return r < 0 ? 0 : static_cast<long>(r);
  }
  double r = std::trunc(rel);
  return r > static_cast<double>(len) ? len : static_cast<long>(r);
}

std::string joinRange(const std::vector<std::string_view>& cps, long from, long to) {
  std::string out;
  for (long i = from; i < to; ++i) out += cps[static_cast<size_t>(i)];
  return out;
}

Value fnSubstring(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  auto cps = codePoints(s.str());
  long len = static_cast<long>(cps.size());
  double start = arg(a, 1).num();
  if (static_cast<double>(len) + start < 0) start = 0;
  long from = sliceIndex(start, len);
  if (arg(a, 2).isDefined()) {
    double length = arg(a, 2).num();
    if (length <= 0) return Value::string("");
    double end = start >= 0 ? start + length : static_cast<double>(len) + start + length;
    long to = sliceIndex(end, len);
    if (to <= from) return Value::string("");
    return Value::string(joinRange(cps, from, to));
  }
  return Value::string(joinRange(cps, from, len));
}

Value fnSubstringBefore(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string_view str = s.str();
  if (!arg(a, 1).isString()) return Value::string(std::string(str));
  auto pos = str.find(arg(a, 1).str());
  if (pos == std::string_view::npos) return Value::string(std::string(str));
  return Value::string(std::string(str.substr(0, pos)));
}

Value fnSubstringAfter(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string_view str = s.str();
  if (!arg(a, 1).isString()) return Value::string(std::string(str));
  std::string_view chars = arg(a, 1).str();
  auto pos = str.find(chars);
  if (pos == std::string_view::npos) return Value::string(std::string(str));
  return Value::string(std::string(str.substr(pos + chars.size())));
}

uint32_t decodeCp(std::string_view cp) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(cp[i])); };
  if (cp.size() == 1) return b(0);
  if (cp.size() == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (cp.size() == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

uint32_t toUpperCp(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if (c >= 0x100 && c <= 0x17F && (c & 1) == 1 && c != 0x131 && c != 0x138 && c != 0x149) {
    return c - 1;
  }
  return c;
}
uint32_t toLowerCp(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x100 && c <= 0x17F && (c & 1) == 0 && c != 0x130 && c != 0x138) return c + 1;
  return c;
}

template <class F>
Value mapCase(Args& a, F f) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string out;
  std::string_view str = s.str();
  out.reserve(str.size());
  bool upper = f(static_cast<uint32_t>('a')) == 'A';
  for (auto cp : codePoints(str)) {
    if (upper && cp == "\u00DF") {
      out += "SS";
      continue;
    }
    if (cp.size() == 1) {
      out += static_cast<char>(f(static_cast<unsigned char>(cp[0])));
    } else {
      appendUtf8(out, f(decodeCp(cp)));
    }
  }
  return Value::string(std::move(out));
}

Value fnLowercase(CallInfo&, Args& a) {
  return mapCase(a, toLowerCp);
}
Value fnUppercase(CallInfo&, Args& a) {
  return mapCase(a, toUpperCp);
}

Value fnLength(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  return Value::number(static_cast<double>(codePointCount(s.str())));
}

Value fnTrim(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string out;
  bool inSpace = false;
  for (char c : s.str()) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      inSpace = true;
    } else {
      if (inSpace && !out.empty()) out += ' ';
      inSpace = false;
      out += c;
    }
  }
  return Value::string(std::move(out));
}

Value fnPad(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  double width = arg(a, 1).num();
  std::string ch = arg(a, 2).isString() ? std::string(arg(a, 2).str()) : "";
  if (ch.empty()) ch = " ";
  std::string str(s.str());
  double padLength = std::fabs(width) - static_cast<double>(codePointCount(str));
  if (padLength <= 0) return Value::string(std::move(str));
  auto n = static_cast<size_t>(padLength);
  std::string padding;
  auto chCps = codePoints(ch);
  for (size_t i = 0; i < n; ++i) padding += chCps[i % chCps.size()];
  return Value::string(width > 0 ? str + padding : padding + str);
}

Value fnContains(CallInfo& call, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  const Value& token = arg(a, 1);
  if (token.isString()) return Value::boolean(s.str().find(token.str()) != std::string_view::npos);
  Matcher m(call, token, s.str());
  return Value::boolean(m.first());
}

Value fnSplit(CallInfo& call, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  const Value& limitV = arg(a, 2);
  if (limitV.isDefined() && limitV.num() < 0) throw JError("D3020").val(limitV).idx(3);
  Value result = Value::array();
  auto& out = result.arr()->items;
  std::string_view str = s.str();
  bool hasLimit = limitV.isDefined();
  double limit = hasLimit ? limitV.num() : 0;
  if (hasLimit && limit <= 0) return result;
  const Value& sep = arg(a, 1);
  if (sep.isString()) {
    std::string_view sp = sep.str();
    auto maxCount = hasLimit ? static_cast<size_t>(limit) : static_cast<size_t>(-1);
    if (sp.empty()) {
      for (auto cp : codePoints(str)) {
        if (out.size() >= maxCount) break;
        out.push_back(Value::string(std::string(cp)));
      }
      return result;
    }
    size_t pos = 0;
    while (out.size() < maxCount) {
      size_t idx = str.find(sp, pos);
      if (idx == std::string_view::npos) {
        out.push_back(Value::string(std::string(str.substr(pos))));
        break;
      }
      out.push_back(Value::string(std::string(str.substr(pos, idx - pos))));
      pos = idx + sp.size();
    }
    return result;
  }
  Matcher m(call, sep, str);
  if (!m.first()) {
    out.push_back(Value::string(std::string(str)));
    return result;
  }
  size_t start = 0;
  double count = 0;
  bool have = true;
  while (have && (!hasLimit || count < limit)) {
    out.push_back(Value::string(std::string(str.substr(start, m.current().start - start))));
    start = m.current().end;
    have = m.next();
    count++;
  }
  if (!hasLimit || count < limit) out.push_back(Value::string(std::string(str.substr(start))));
  return result;
}

Value fnJoin(CallInfo&, Args& a) {
  const Value& strs = arg(a, 0);
  if (strs.isUndefined()) return Value();
  std::string sep = arg(a, 1).isString() ? std::string(arg(a, 1).str()) : "";
  std::string out;
  size_t n = strs.size();
  for (size_t i = 0; i < n; ++i) {
    if (i) out += sep;
    out += strs.at(i).str();
  }
  return Value::string(std::move(out));
}

std::string substituteGroups(std::string_view replacement, const MatchResult& m) {
  std::string out;
  size_t position = 0;
  size_t groupsLen = m.groups.size();
  size_t index = replacement.find('$', position);
  while (index != std::string_view::npos && position < replacement.size()) {
    out += replacement.substr(position, index - position);
    position = index + 1;
    char dollar = position < replacement.size() ? replacement[position] : '\0';
    if (dollar == '$') {
      out += '$';
      position++;
    } else if (dollar == '0') {
      out += m.match;
      position++;
    } else {
      size_t maxDigits =
          groupsLen == 0
              ? 1
              : static_cast<size_t>(std::floor(std::log10(static_cast<double>(groupsLen)))) + 1;
      auto parse = [&](size_t digits, long& outNum) {
        std::string_view sub = replacement.substr(position, digits);
        size_t k = 0;
        long v = 0;
        while (k < sub.size() && sub[k] >= '0' && sub[k] <= '9') v = v * 10 + (sub[k++] - '0');
        if (k == 0) return false;
        outNum = v;
        return true;
      };
      long num = 0;
      bool ok = parse(maxDigits, num);
      if (ok && maxDigits > 1 && static_cast<size_t>(num) > groupsLen)
        ok = parse(maxDigits - 1, num);
      if (ok) {
        if (groupsLen > 0 && num >= 1 && static_cast<size_t>(num) <= groupsLen) {
          const Value& g = m.groups[static_cast<size_t>(num - 1)];
          if (g.isString()) out += g.str();
        }
        position += std::to_string(num).size();
      } else {
        out += '$';
      }
    }
    index = replacement.find('$', position);
  }
  if (position < replacement.size()) out += replacement.substr(position);
  return out;
}

Value fnReplace(CallInfo& call, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  const Value& pattern = arg(a, 1);
  const Value& replacement = arg(a, 2);
  const Value& limitV = arg(a, 3);
  if (pattern.isString() && pattern.str().empty()) throw JError("D3010").val(pattern).idx(2);
  if (limitV.isDefined() && limitV.num() < 0) throw JError("D3011").val(limitV).idx(4);
  std::string_view str = s.str();
  bool hasLimit = limitV.isDefined();
  double limit = hasLimit ? limitV.num() : 0;
  if (hasLimit && limit <= 0) return Value::string(std::string(str));
  std::string result;
  size_t position = 0;
  double count = 0;
  if (pattern.isString()) {
    std::string_view pat = pattern.str();
    std::string rep = replacement.isString() ? std::string(replacement.str()) : "";
    size_t index = str.find(pat, position);
    while (index != std::string_view::npos && (!hasLimit || count < limit)) {
      result += str.substr(position, index - position);
      result += rep;
      position = index + pat.size();
      count++;
      index = str.find(pat, position);
    }
    result += str.substr(position);
    return Value::string(std::move(result));
  }
  Matcher m(call, pattern, str);
  if (!m.first()) return Value::string(std::string(str));
  bool have = true;
  while (have && (!hasLimit || count < limit)) {
    const MatchResult& cur = m.current();
    result += str.substr(position, cur.start - position);
    if (replacement.isString()) {
      result += substituteGroups(replacement.str(), cur);
    } else {
      Value r = applyFunction(call.ctx, replacement, {cur.toValue(str)}, Value(), call.env);
      if (!r.isString()) throw JError("D3012").val(r);
      result += r.str();
    }
    position = cur.start + cur.match.size();
    count++;
    have = m.next();
  }
  if (position < str.size()) result += str.substr(position);
  return Value::string(std::move(result));
}

Value fnMatch(CallInfo& call, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  const Value& limitV = arg(a, 2);
  if (limitV.isDefined() && limitV.num() < 0) throw JError("D3040").val(limitV).idx(3);
  Value result = Value::sequence();
  bool hasLimit = limitV.isDefined();
  double limit = hasLimit ? limitV.num() : 0;
  if (hasLimit && limit <= 0) return result;
  std::string_view str = s.str();
  Matcher m(call, arg(a, 1), str);
  bool have = m.first();
  double count = 0;
  while (have && (!hasLimit || count < limit)) {
    const MatchResult& cur = m.current();
    Value o = Value::object();
    o.obj()->set("match", Value::string(cur.match));
    o.obj()->set("index",
                 Value::number(static_cast<double>(codePointCount(str.substr(0, cur.start)))));
    o.obj()->set("groups", makeArray(cur.groups));
    result.arr()->items.push_back(std::move(o));
    have = m.next();
    count++;
  }
  return result;
}

const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Node's jsonata encodes with Buffer 'binary' (latin1): each UTF-16 code
// unit contributes its low byte; decoding maps each byte to U+0000-U+00FF.
Value fnBase64Encode(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string in;
  for (auto cp : codePoints(s.str())) {
    uint32_t c = decodeCp(cp);
    if (c >= 0x10000) {
      uint32_t v = c - 0x10000;
      in += static_cast<char>((0xD800 + (v >> 10)) & 0xFF);
      in += static_cast<char>((0xDC00 + (v & 0x3FF)) & 0xFF);
    } else {
      in += static_cast<char>(c & 0xFF);
    }
  }
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += '=';
  }
  return Value::string(std::move(out));
}

Value fnBase64Decode(CallInfo&, Args& a) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : s.str()) {
    const char* p = std::strchr(kB64, c);
    if (c == '=' || c == '\0' || !p) continue;
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      appendUtf8(out, (buf >> bits) & 0xFF);
    }
  }
  return Value::string(std::move(out));
}

bool hasLoneSurrogate(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xED &&
        (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
      return true;
    }
  }
  return false;
}

Value encodeWith(Args& a, std::string_view keep, const char* name) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string_view str = s.str();
  if (hasLoneSurrogate(str)) throw JError("D3140").val(s).tok(name);
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (char ch : str) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        (c < 0x80 && keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return Value::string(std::move(out));
}

Value fnEncodeUrlComponent(CallInfo&, Args& a) {
  return encodeWith(a, "-_.!~*'()", "encodeUrlComponent");
}
Value fnEncodeUrl(CallInfo&, Args& a) {
  return encodeWith(a, "-_.!~*'();/?:@&=+$,#", "encodeUrl");
}

Value decodeWith(Args& a, std::string_view reserved, const char* name) {
  const Value& s = arg(a, 0);
  if (s.isUndefined()) return Value();
  std::string_view str = s.str();
  std::string out;
  auto hexv = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < str.size(); ++i) {
    if (str[i] != '%') {
      out += str[i];
      continue;
    }
    if (i + 2 >= str.size() || hexv(str[i + 1]) < 0 || hexv(str[i + 2]) < 0) {
      throw JError("D3140").val(s).tok(name);
    }
    int byte = hexv(str[i + 1]) * 16 + hexv(str[i + 2]);
    if (byte < 0x80) {
      if (reserved.find(static_cast<char>(byte)) != std::string_view::npos) {
        out.append(str.substr(i, 3));
      } else {
        out += static_cast<char>(byte);
      }
      i += 2;
      continue;
    }
    int len = (byte >> 5) == 6 ? 2 : (byte >> 4) == 14 ? 3 : (byte >> 3) == 30 ? 4 : 0;
    if (len == 0) throw JError("D3140").val(s).tok(name);
    std::string seq(1, static_cast<char>(byte));
    size_t j = i + 3;
    for (int k = 1; k < len; ++k) {
      if (j + 2 >= str.size() || str[j] != '%' || hexv(str[j + 1]) < 0 || hexv(str[j + 2]) < 0) {
        throw JError("D3140").val(s).tok(name);
      }
      int b = hexv(str[j + 1]) * 16 + hexv(str[j + 2]);
      if ((b & 0xC0) != 0x80) throw JError("D3140").val(s).tok(name);
      seq += static_cast<char>(b);
      j += 3;
    }
    out += seq;
    i = j - 1;
  }
  return Value::string(std::move(out));
}

Value fnDecodeUrlComponent(CallInfo&, Args& a) {
  return decodeWith(a, "", "decodeUrlComponent");
}
Value fnDecodeUrl(CallInfo&, Args& a) {
  return decodeWith(a, ";/?:@&=+$,#", "decodeUrl");
}

}  // namespace

void addStringFunctions(std::vector<NativeDef>& out) {
  out.push_back({"string", "<x-b?:s>", 1, fnString});
  out.push_back({"substring", "<s-nn?:s>", 3, fnSubstring});
  out.push_back({"substringBefore", "<s-s:s>", 2, fnSubstringBefore});
  out.push_back({"substringAfter", "<s-s:s>", 2, fnSubstringAfter});
  out.push_back({"lowercase", "<s-:s>", 1, fnLowercase});
  out.push_back({"uppercase", "<s-:s>", 1, fnUppercase});
  out.push_back({"length", "<s-:n>", 1, fnLength});
  out.push_back({"trim", "<s-:s>", 1, fnTrim});
  out.push_back({"pad", "<s-ns?:s>", 3, fnPad});
  out.push_back({"contains", "<s-(sf):b>", 2, fnContains});
  out.push_back({"split", "<s-(sf)n?:a<s>>", 3, fnSplit});
  out.push_back({"join", "<a<s>s?:s>", 2, fnJoin});
  out.push_back({"replace", "<s-(sf)(sf)n?:s>", 4, fnReplace});
  out.push_back({"match", "<s-f<s:o>n?:a<o>>", 3, fnMatch});
  out.push_back({"base64encode", "<s-:s>", 1, fnBase64Encode});
  out.push_back({"base64decode", "<s-:s>", 1, fnBase64Decode});
  out.push_back({"encodeUrlComponent", "<s-:s>", 1, fnEncodeUrlComponent});
  out.push_back({"encodeUrl", "<s-:s>", 1, fnEncodeUrl});
  out.push_back({"decodeUrlComponent", "<s-:s>", 1, fnDecodeUrlComponent});
  out.push_back({"decodeUrl", "<s-:s>", 1, fnDecodeUrl});
}

}  // namespace sluice::asl::jsonata
