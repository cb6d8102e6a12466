// Object and type functions: $keys, $lookup, $spread, $merge, $type,
// $boolean, $not, $error, $assert.
#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

void collectKeys(const Value& v, std::vector<std::string>& keys) {
  if (v.isArray()) {
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) collectKeys(v.at(i), keys);
  } else if (v.isObject()) {
    v.forEachEntry([&](std::string_view k, const Value&) {
      for (const auto& e : keys) {
        if (e == k) return;
      }
      keys.emplace_back(k);
    });
  }
}

Value fnKeys(CallInfo&, Args& a) {
  std::vector<std::string> keys;
  collectKeys(arg(a, 0), keys);
  Value out = Value::sequence();
  for (auto& k : keys) out.arr()->items.push_back(Value::string(std::move(k)));
  return out;
}

Value lookupIn(const Value& input, std::string_view key) {
  if (input.isArray()) {
    Value out = Value::sequence();
    size_t n = input.size();
    for (size_t i = 0; i < n; ++i) {
      Value r = lookupIn(input.at(i), key);
      if (r.isUndefined()) continue;
      appendFlatten(out.arr()->items, r);
    }
    return out;
  }
  if (input.isObject()) return input.get(key);
  return Value();
}

Value fnLookup(CallInfo&, Args& a) {
  if (!arg(a, 1).isString()) return Value();
  return lookupIn(arg(a, 0), arg(a, 1).str());
}

Value spread(const Value& v) {
  if (v.isArray()) {
    Value out = Value::sequence();
    size_t n = v.size();
    for (size_t i = 0; i < n; ++i) {
      Value s = spread(v.at(i));
      if (s.isUndefined()) continue;
      appendFlatten(out.arr()->items, s);
    }
    return out;
  }
  if (v.isObject()) {
    Value out = Value::sequence();
    v.forEachEntry([&](std::string_view k, const Value& item) {
      Value o = Value::object();
      o.obj()->set(k, item);
      out.arr()->items.push_back(std::move(o));
    });
    return out;
  }
  return v;
}

Value fnSpread(CallInfo&, Args& a) {
  return spread(arg(a, 0));
}

Value fnMerge(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  Value out = Value::object();
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    v.at(i).forEachEntry([&](std::string_view k, const Value& item) { out.obj()->set(k, item); });
  }
  return out;
}

Value fnType(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  switch (v.type()) {
    case Type::Undefined:
      return Value();
    case Type::Null:
      return Value::string("null");
    case Type::Number:
      return Value::string("number");
    case Type::String:
      return Value::string("string");
    case Type::Boolean:
      return Value::string("boolean");
    case Type::Array:
      return Value::string("array");
    case Type::Function:
      return Value::string("function");
    case Type::Object:
      return Value::string("object");
  }
  return Value();
}

Value fnBoolean(CallInfo&, Args& a) {
  return booleanOf(arg(a, 0));
}

Value fnNot(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  return Value::boolean(!isTruthy(v));
}

Value fnError(CallInfo&, Args& a) {
  JError e("D3137");
  e.detail = arg(a, 0).isString() ? std::string(arg(a, 0).str()) : "$error() function evaluated";
  throw e;
}

Value fnAssert(CallInfo&, Args& a) {
  if (!arg(a, 0).boolValue()) {
    JError e("D3141");
    e.detail = arg(a, 1).isString() ? std::string(arg(a, 1).str()) : "$assert() statement failed";
    throw e;
  }
  return Value();
}

}  // namespace

void addObjectFunctions(std::vector<NativeDef>& out) {
  out.push_back({"keys", "<x-:a<s>>", 1, fnKeys});
  out.push_back({"lookup", "<x-s:x>", 2, fnLookup});
  out.push_back({"spread", "<x-:a<o>>", 1, fnSpread});
  out.push_back({"merge", "<a<o>:o>", 1, fnMerge});
  out.push_back({"type", "<x:s>", 1, fnType});
  out.push_back({"boolean", "<x-:b>", 1, fnBoolean});
  out.push_back({"not", "<x-:b>", 1, fnNot});
  out.push_back({"error", "<s?:x>", 1, fnError});
  out.push_back({"assert", "<bs?:x>", 2, fnAssert});
}

}  // namespace sluice::asl::jsonata
