// Numeric and aggregation functions.
#include <cmath>
#include <cstdlib>
#include <regex>

#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

bool matchesDecimal(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') i++;
  size_t d = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') i++;
  if (i == d) return false;
  if (i < s.size() && s[i] == '.') {
    i++;
    size_t f = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') i++;
    if (i == f) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') i++;
    if (i == e) return false;
  }
  return i == s.size();
}

Value fnNumber(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (v.isNumber()) return v;
  if (v.isBool()) return Value::number(v.boolValue() ? 1 : 0);
  if (v.isString()) {
    std::string s(v.str());
    if (matchesDecimal(s)) {
      double d = std::strtod(s.c_str(), nullptr);
      if (std::isfinite(d)) return Value::number(d);
    }
    if (s.size() > 2 && s[0] == '0') {
      char p = s[1];
      int base = (p == 'x' || p == 'X')   ? 16
                 : (p == 'o' || p == 'O') ? 8
                 : (p == 'b' || p == 'B') ? 2
                                          : 0;
      if (base) {
        bool ok = true;
        double r = 0;
        for (size_t i = 2; i < s.size(); ++i) {
          char c = s[i];
          int d = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : 99;
          if (d >= base) {
            ok = false;
            break;
          }
          r = r * base + d;
        }
        if (ok) return Value::number(r);
      }
    }
  }
  throw JError("D3030").val(v).idx(1);
}

Value fnAbs(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  return Value::number(std::fabs(v.num()));
}
Value fnFloor(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  return Value::number(std::floor(v.num()) + 0.0);
}
Value fnCeil(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  double r = std::ceil(v.num());
  return Value::number(r == 0 ? 0.0 : r);
}

double jsRound(double x) {
  return std::floor(x + 0.5);
}

double shift(double v, double precision) {
  std::string s = formatNumber(v);
  auto e = s.find('e');
  std::string mant = s.substr(0, e);
  double exp = e == std::string::npos ? 0 : std::strtod(s.c_str() + e + 1, nullptr);
  std::string t = mant + "e" + formatNumber(exp + precision);
  return std::strtod(t.c_str(), nullptr);
}

Value fnRound(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  double x = v.num();
  double precision = arg(a, 1).isNumber() ? arg(a, 1).num() : 0;
  if (precision != 0) x = shift(x, precision);
  double result = jsRound(x);
  double diff = result - x;
  if (std::fabs(diff) == 0.5 && std::fabs(std::fmod(result, 2)) == 1) result -= 1;
  if (precision != 0) result = shift(result, -precision);
  if (result == 0) result = 0;
  return Value::number(result);
}

Value fnSqrt(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (v.num() < 0) throw JError("D3060").val(v).idx(1);
  return Value::number(std::sqrt(v.num()));
}

Value fnPower(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  double r = std::pow(v.num(), arg(a, 1).num());
  if (!std::isfinite(r)) throw JError("D3061").val(v).idx(1);
  return Value::number(r);
}

Value fnRandom(CallInfo& call, Args&) {
  std::uniform_real_distribution<double> d(0.0, 1.0);
  return Value::number(d(call.ctx.rng()));
}

Value fnSum(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  double total = 0;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) total += v.at(i).num();
  return Value::number(total);
}

Value fnCount(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value::number(0);
  return Value::number(static_cast<double>(v.size()));
}

Value fnMax(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined() || v.size() == 0) return Value();
  double m = -INFINITY;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) m = std::max(m, v.at(i).num());
  return Value::number(m);
}

Value fnMin(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined() || v.size() == 0) return Value();
  double m = INFINITY;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) m = std::min(m, v.at(i).num());
  return Value::number(m);
}

Value fnAverage(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined() || v.size() == 0) return Value();
  double total = 0;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) total += v.at(i).num();
  return Value::number(total / static_cast<double>(n));
}

}  // namespace

void addNumericFunctions(std::vector<NativeDef>& out) {
  out.push_back({"number", "<(nsb)-:n>", 1, fnNumber});
  out.push_back({"abs", "<n-:n>", 1, fnAbs});
  out.push_back({"floor", "<n-:n>", 1, fnFloor});
  out.push_back({"ceil", "<n-:n>", 1, fnCeil});
  out.push_back({"round", "<n-n?:n>", 2, fnRound});
  out.push_back({"sqrt", "<n-:n>", 1, fnSqrt});
  out.push_back({"power", "<n-n:n>", 2, fnPower});
  out.push_back({"random", "<:n>", 0, fnRandom});
  out.push_back({"sum", "<a<n>:n>", 1, fnSum});
  out.push_back({"count", "<a:n>", 1, fnCount});
  out.push_back({"max", "<a<n>:n>", 1, fnMax});
  out.push_back({"min", "<a<n>:n>", 1, fnMin});
  out.push_back({"average", "<a<n>:n>", 1, fnAverage});
}

}  // namespace sluice::asl::jsonata
