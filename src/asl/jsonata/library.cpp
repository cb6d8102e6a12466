// Helpers shared by the function library, and the table of built-ins.
#include <cmath>
#include <unordered_map>

#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

bool isNumeric(const Value& v) {
  if (!v.isNumber()) return false;
  double d = v.num();
  if (std::isnan(d)) return false;
  if (!std::isfinite(d)) throw JError("D1001").val(v);
  return true;
}

Value booleanOf(const Value& v) {
  if (v.isUndefined()) return Value();
  return Value::boolean(isTruthy(v));
}

bool isTruthy(const Value& v) {
  switch (v.type()) {
    case Type::Undefined:
    case Type::Null:
      return false;
    case Type::Boolean:
      return v.boolValue();
    case Type::Number:
      return isNumeric(v) && v.num() != 0;
    case Type::String:
      return !v.str().empty();
    case Type::Object:
      return v.objectSize() > 0;
    case Type::Function:
      return false;
    case Type::Array: {
      size_t n = v.size();
      if (n == 1) return isTruthy(v.at(0));
      for (size_t i = 0; i < n; ++i) {
        if (isTruthy(v.at(i))) return true;
      }
      return false;
    }
  }
  return false;
}

bool isArrayOfStrings(const Value& v) {
  if (!v.isArray()) return false;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    if (!v.at(i).isString()) return false;
  }
  return true;
}

bool isArrayOfNumbers(const Value& v) {
  if (!v.isArray()) return false;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    if (!v.at(i).isNumber()) return false;
  }
  return true;
}

std::string toStringValue(const Value& v, bool prettify) {
  if (v.isString()) return std::string(v.str());
  if (v.isFunction()) return "";
  if (v.isNumber() && !std::isfinite(v.num())) throw JError("D3001").val(v);
  if (v.isOuterWrapper() && v.size() > 0) return stringify(v.at(0), true, prettify ? 2 : 0);
  return stringify(v, true, prettify ? 2 : 0);
}

void appendFlatten(std::vector<Value>& out, const Value& v) {
  if (v.isArray()) {
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) out.push_back(v.at(i));
  } else {
    out.push_back(v);
  }
}

Value appendValues(const Value& a, const Value& b) {
  if (a.isUndefined()) return b;
  if (b.isUndefined()) return a;
  Value out = Value::array();
  auto& items = out.arr()->items;
  appendFlatten(items, a);
  appendFlatten(items, b);
  return out;
}

std::vector<std::string_view> codePoints(std::string_view s) {
  std::vector<std::string_view> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (i + len > s.size()) len = s.size() - i;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

size_t codePointCount(std::string_view s) {
  size_t n = 0;
  for (char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80) n++;
  }
  return n;
}

namespace {

struct Builtins {
  std::unordered_map<std::string_view, Value> table;
  Builtins() {
    std::vector<NativeDef> defs;
    addStringFunctions(defs);
    addNumericFunctions(defs);
    addArrayFunctions(defs);
    addObjectFunctions(defs);
    addHigherOrderFunctions(defs);
    addDateTimeFunctions(defs);
    addFormatFunctions(defs);
    for (const auto& d : defs) {
      auto f = std::make_shared<FunctionData>();
      f->kind = FunctionData::Kind::Native;
      f->impl = d.impl;
      f->name = d.name;
      f->arity = d.arity;
      f->signature = parseSignature(d.signature);
      table[d.name] = Value::function(std::move(f));
    }
  }
};

}  // namespace

const Value* lookupBuiltin(std::string_view name) {
  static const Builtins builtins;
  auto it = builtins.table.find(name);
  return it == builtins.table.end() ? nullptr : &it->second;
}

}  // namespace sluice::asl::jsonata
