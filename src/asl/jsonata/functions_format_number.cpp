// $formatNumber: XPath F&O 3.1 format-number pictures (section 4.7).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "asl/jsonata/format.hpp"
#include "asl/jsonata/function.hpp"
#include "core/encoding.hpp"

namespace sluice::asl::jsonata {

namespace {

using CP = std::vector<uint32_t>;

long indexOf(const CP& s, uint32_t c, size_t from = 0) {
  for (size_t i = from; i < s.size(); ++i) {
    if (s[i] == c) return static_cast<long>(i);
  }
  return -1;
}
long lastIndexOf(const CP& s, uint32_t c) {
  for (size_t i = s.size(); i-- > 0;) {
    if (s[i] == c) return static_cast<long>(i);
  }
  return -1;
}
CP sub(const CP& s, long from, long to) {
  if (from < 0) from = 0;
  if (to > static_cast<long>(s.size())) to = static_cast<long>(s.size());
  if (to <= from) return {};
  return CP(s.begin() + from, s.begin() + to);
}
std::string enc(const CP& s) {
  std::string out;
  for (uint32_t c : s) appendUtf8(out, c);
  return out;
}

double shiftDecimal(double v, double precision) {
  std::string s = formatNumber(v);
  auto e = s.find('e');
  std::string mant = s.substr(0, e);
  double exp = e == std::string::npos ? 0 : std::strtod(s.c_str() + e + 1, nullptr);
  std::string t = mant + "e" + formatNumber(exp + precision);
  return std::strtod(t.c_str(), nullptr);
}

double roundHalfEven(double x, double precision) {
  if (precision != 0) x = shiftDecimal(x, precision);
  double r = std::floor(x + 0.5);
  if (std::fabs(r - x) == 0.5 && std::fabs(std::fmod(r, 2)) == 1) r -= 1;
  if (precision != 0) r = shiftDecimal(r, -precision);
  if (r == 0) r = 0;
  return r;
}

struct Props {
  uint32_t decimal = '.', grouping = ',', exponent = 'e', minus = '-', percent = '%',
           permille = 0x2030, zero = '0', digit = '#', pattern = ';';
  std::string infinity = "Infinity", nan = "NaN";
};

struct Parts {
  CP prefix, suffix, active, mantissa, integer, fractional, subpicture;
  bool hasExponent = false;
  CP exponentPart;
};

struct Analysis {
  std::vector<int> integerGroups;
  int regular = 0;
  int minInt = 0;
  int scaling = 0;
  CP prefix, suffix, picture;
  std::vector<int> fractionalGroups;
  int minFrac = 0, maxFrac = 0, minExp = 0;
};

}  // namespace

Value fnFormatNumber(CallInfo&, std::vector<Value>& a) {
  if (a.empty() || a[0].isUndefined()) return Value();
  double value = a[0].num();
  Props p;
  if (a.size() > 2 && a[2].isObject()) {
    a[2].forEachEntry([&](std::string_view k, const Value& v) {
      if (!v.isString()) return;
      auto cps = decodeUtf8(v.str());
      uint32_t c = cps.empty() ? 0 : cps[0];
      if (k == "decimal-separator")
        p.decimal = c;
      else if (k == "grouping-separator")
        p.grouping = c;
      else if (k == "exponent-separator")
        p.exponent = c;
      else if (k == "minus-sign")
        p.minus = c;
      else if (k == "percent")
        p.percent = c;
      else if (k == "per-mille")
        p.permille = c;
      else if (k == "zero-digit")
        p.zero = c;
      else if (k == "digit")
        p.digit = c;
      else if (k == "pattern-separator")
        p.pattern = c;
      else if (k == "infinity")
        p.infinity = std::string(v.str());
      else if (k == "NaN")
        p.nan = std::string(v.str());
    });
  }
  auto isDigit = [&](uint32_t c) { return c >= p.zero && c < p.zero + 10; };
  auto isActive = [&](uint32_t c) {
    return isDigit(c) || c == p.decimal || c == p.exponent || c == p.grouping || c == p.digit ||
           c == p.pattern;
  };
  CP picture = decodeUtf8(a.size() > 1 && a[1].isString() ? a[1].str() : "");
  std::vector<CP> subs;
  {
    CP cur;
    for (uint32_t c : picture) {
      if (c == p.pattern) {
        subs.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    subs.push_back(cur);
  }
  if (subs.size() > 2) throw JError("D3080");

  auto split = [&](const CP& s) {
    Parts r;
    r.subpicture = s;
    long pre = -1;
    for (size_t i = 0; i < s.size(); ++i) {
      if (isActive(s[i]) && s[i] != p.exponent) {
        pre = static_cast<long>(i);
        break;
      }
    }
    r.prefix = pre < 0 ? CP{} : sub(s, 0, pre);
    long suf = -1;
    for (size_t i = s.size(); i-- > 0;) {
      if (isActive(s[i]) && s[i] != p.exponent) {
        suf = static_cast<long>(i);
        break;
      }
    }
    r.suffix = suf < 0 ? CP{} : sub(s, suf + 1, static_cast<long>(s.size()));
    long n = static_cast<long>(s.size());
    r.active = sub(s, static_cast<long>(r.prefix.size()), n - static_cast<long>(r.suffix.size()));
    long expPos = indexOf(s, p.exponent, r.prefix.size());
    if (expPos == -1 || expPos > n - static_cast<long>(r.suffix.size())) {
      r.mantissa = r.active;
    } else {
      r.mantissa = sub(r.active, 0, expPos);
      r.exponentPart = sub(r.active, expPos + 1, static_cast<long>(r.active.size()));
      r.hasExponent = true;
    }
    long dp = indexOf(r.mantissa, p.decimal);
    if (dp == -1) {
      r.integer = r.mantissa;
      r.fractional = r.suffix;
    } else {
      r.integer = sub(r.mantissa, 0, dp);
      r.fractional = sub(r.mantissa, dp + 1, static_cast<long>(r.mantissa.size()));
    }
    return r;
  };

  auto validate = [&](const Parts& r) {
    const char* error = nullptr;
    const CP& s = r.subpicture;
    long dp = indexOf(s, p.decimal);
    if (dp != lastIndexOf(s, p.decimal)) error = "D3081";
    if (indexOf(s, p.percent) != lastIndexOf(s, p.percent)) error = "D3082";
    if (indexOf(s, p.permille) != lastIndexOf(s, p.permille)) error = "D3083";
    if (indexOf(s, p.percent) != -1 && indexOf(s, p.permille) != -1) error = "D3084";
    bool valid = false;
    for (uint32_t c : r.mantissa) {
      if (isDigit(c) || c == p.digit) {
        valid = true;
        break;
      }
    }
    if (!valid) error = "D3085";
    for (uint32_t c : r.active) {
      if (!isActive(c)) error = "D3086";
    }
    if (dp != -1) {
      if ((dp > 0 && s[static_cast<size_t>(dp - 1)] == p.grouping) ||
          (static_cast<size_t>(dp + 1) < s.size() &&
           s[static_cast<size_t>(dp + 1)] == p.grouping)) {
        error = "D3087";
      }
    } else if (!r.integer.empty() && r.integer.back() == p.grouping) {
      error = "D3088";
    }
    for (size_t i = 0; i + 1 < s.size(); ++i) {
      if (s[i] == p.grouping && s[i + 1] == p.grouping) error = "D3089";
    }
    long opt = indexOf(r.integer, p.digit);
    if (opt != -1) {
      for (long i = 0; i < opt; ++i) {
        if (isDigit(r.integer[static_cast<size_t>(i)])) error = "D3090";
      }
    }
    opt = lastIndexOf(r.fractional, p.digit);
    if (opt != -1) {
      for (size_t i = static_cast<size_t>(opt); i < r.fractional.size(); ++i) {
        if (isDigit(r.fractional[i])) error = "D3091";
      }
    }
    if (r.hasExponent && !r.exponentPart.empty() &&
        (indexOf(s, p.percent) != -1 || indexOf(s, p.permille) != -1)) {
      error = "D3092";
    }
    if (r.hasExponent) {
      bool bad = r.exponentPart.empty();
      for (uint32_t c : r.exponentPart) bad = bad || !isDigit(c);
      if (bad) error = "D3093";
    }
    if (error) throw JError(error);
  };

  auto analyse = [&](const Parts& r) {
    Analysis an;
    auto groupPositions = [&](const CP& part, bool toLeft) {
      std::vector<int> out;
      long pos = indexOf(part, p.grouping);
      while (pos != -1) {
        CP range = toLeft ? sub(part, 0, pos) : sub(part, pos, static_cast<long>(part.size()));
        int count = 0;
        for (uint32_t c : range) count += (isDigit(c) || c == p.digit) ? 1 : 0;
        out.push_back(count);
        pos = indexOf(r.integer, p.grouping, static_cast<size_t>(pos + 1));
      }
      return out;
    };
    an.integerGroups = groupPositions(r.integer, false);
    if (!an.integerGroups.empty()) {
      int factor = 0;
      for (int x : an.integerGroups) factor = std::gcd(factor, x);
      bool all = factor > 0;
      for (size_t k = 1; all && k <= an.integerGroups.size(); ++k) {
        bool found = false;
        for (int x : an.integerGroups) found = found || x == static_cast<int>(k) * factor;
        all = found;
      }
      an.regular = all ? factor : 0;
    }
    an.fractionalGroups = groupPositions(r.fractional, true);
    for (uint32_t c : r.integer) an.minInt += isDigit(c) ? 1 : 0;
    an.scaling = an.minInt;
    for (uint32_t c : r.fractional) {
      an.minFrac += isDigit(c) ? 1 : 0;
      an.maxFrac += (isDigit(c) || c == p.digit) ? 1 : 0;
    }
    if (an.minInt == 0 && an.maxFrac == 0) {
      if (r.hasExponent) {
        an.minFrac = 1;
        an.maxFrac = 1;
      } else {
        an.minInt = 1;
      }
    }
    if (r.hasExponent && an.minInt == 0 && indexOf(r.integer, p.digit) != -1) an.minInt = 1;
    if (an.minInt == 0 && an.minFrac == 0) an.minFrac = 1;
    if (r.hasExponent) {
      for (uint32_t c : r.exponentPart) an.minExp += isDigit(c) ? 1 : 0;
    }
    an.prefix = r.prefix;
    an.suffix = r.suffix;
    an.picture = r.subpicture;
    return an;
  };

  std::vector<Parts> parts;
  for (const auto& s : subs) parts.push_back(split(s));
  for (const auto& r : parts) validate(r);
  std::vector<Analysis> vars;
  for (const auto& r : parts) vars.push_back(analyse(r));
  if (vars.size() == 1) {
    vars.push_back(vars[0]);
    vars[1].prefix.insert(vars[1].prefix.begin(), p.minus);
  }
  const Analysis& pic = value >= 0 ? vars[0] : vars[1];
  double adjusted = value;
  if (indexOf(pic.picture, p.percent) != -1) {
    adjusted = value * 100;
  } else if (indexOf(pic.picture, p.permille) != -1) {
    adjusted = value * 1000;
  }
  double mantissa = adjusted;
  bool hasExp = false;
  double exponent = 0;
  if (pic.minExp != 0) {
    hasExp = true;
    double maxM = std::pow(10, pic.scaling);
    double minM = std::pow(10, pic.scaling - 1);
    while (mantissa < minM) {
      mantissa *= 10;
      exponent -= 1;
    }
    while (mantissa > maxM) {
      mantissa /= 10;
      exponent += 1;
    }
  }
  double rounded = roundHalfEven(mantissa, pic.maxFrac);
  auto makeString = [&](double v, int dp) {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", dp, std::fabs(v));
    CP out;
    for (char* c = buf; *c; ++c) {
      if (*c >= '0' && *c <= '9') {
        out.push_back(p.zero + static_cast<uint32_t>(*c - '0'));
      } else {
        out.push_back(static_cast<uint32_t>(*c));
      }
    }
    return out;
  };
  CP s = makeString(rounded, pic.maxFrac);
  long dpos = indexOf(s, '.');
  if (dpos == -1) {
    s.push_back(p.decimal);
  } else {
    s[static_cast<size_t>(dpos)] = p.decimal;
  }
  while (!s.empty() && s.front() == p.zero) s.erase(s.begin());
  while (!s.empty() && s.back() == p.zero) s.pop_back();
  dpos = indexOf(s, p.decimal);
  long padLeft = pic.minInt - dpos;
  long padRight = pic.minFrac - (static_cast<long>(s.size()) - dpos - 1);
  if (padLeft > 0) s.insert(s.begin(), static_cast<size_t>(padLeft), p.zero);
  if (padRight > 0) s.insert(s.end(), static_cast<size_t>(padRight), p.zero);
  dpos = indexOf(s, p.decimal);
  if (pic.regular > 0) {
    long groups = (dpos - 1) / pic.regular;
    for (long g = 1; g <= groups; ++g) {
      s.insert(s.begin() + (dpos - g * pic.regular), p.grouping);
    }
  } else {
    for (int pos : pic.integerGroups) {
      s.insert(s.begin() + (dpos - pos), p.grouping);
      dpos++;
    }
  }
  dpos = indexOf(s, p.decimal);
  for (int pos : pic.fractionalGroups) {
    s.insert(s.begin() + (pos + dpos + 1), p.grouping);
  }
  dpos = indexOf(s, p.decimal);
  if (pic.maxFrac == 0 || dpos == static_cast<long>(s.size()) - 1) s.pop_back();
  std::string out = enc(pic.prefix) + enc(s);
  if (hasExp) {
    CP e = makeString(exponent, 0);
    long pad = pic.minExp - static_cast<long>(e.size());
    if (pad > 0) e.insert(e.begin(), static_cast<size_t>(pad), p.zero);
    CP sep{p.exponent};
    out += enc(sep);
    if (exponent < 0) out += enc(CP{p.minus});
    out += enc(e);
  }
  out += enc(pic.suffix);
  return Value::string(std::move(out));
}

}  // namespace sluice::asl::jsonata
