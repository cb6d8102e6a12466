// Higher-order functions: $map, $filter, $single, $reduce, $each, $sift,
// and $eval.
#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

Value fnMap(CallInfo& call, Args& a) {
  const Value& arr = arg(a, 0);
  if (arr.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  Value out = Value::sequence();
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    Value r = callHof(call, fn, arr.at(i), Value::number(static_cast<double>(i)), arr);
    if (r.isDefined()) out.arr()->items.push_back(std::move(r));
  }
  return out;
}

Value fnFilter(CallInfo& call, Args& a) {
  const Value& arr = arg(a, 0);
  if (arr.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  Value out = Value::sequence();
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    Value item = arr.at(i);
    Value r = callHof(call, fn, item, Value::number(static_cast<double>(i)), arr);
    if (isTruthy(r)) out.arr()->items.push_back(std::move(item));
  }
  return out;
}

Value fnSingle(CallInfo& call, Args& a) {
  const Value& arr = arg(a, 0);
  if (arr.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  bool found = false;
  Value result;
  size_t n = arr.size();
  for (size_t i = 0; i < n; ++i) {
    Value item = arr.at(i);
    bool positive = true;
    if (fn.isDefined()) {
      positive = isTruthy(callHof(call, fn, item, Value::number(static_cast<double>(i)), arr));
    }
    if (positive) {
      if (found) throw JError("D3138").idx(static_cast<int>(i));
      result = item;
      found = true;
    }
  }
  if (!found) throw JError("D3139");
  return result;
}

Value fnReduce(CallInfo& call, Args& a) {
  const Value& seq = arg(a, 0);
  if (seq.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  int arity = functionArity(fn);
  if (arity < 2) throw JError("D3050").idx(1);
  Value result;
  size_t index;
  size_t n = seq.size();
  if (arg(a, 2).isUndefined() && n > 0) {
    result = seq.at(0);
    index = 1;
  } else {
    result = arg(a, 2);
    index = 0;
  }
  while (index < n) {
    result =
        callHof4(call, fn, result, seq.at(index), Value::number(static_cast<double>(index)), seq);
    index++;
  }
  return result;
}

Value fnEach(CallInfo& call, Args& a) {
  const Value& obj = arg(a, 0);
  if (obj.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  Value out = Value::sequence();
  std::vector<std::pair<std::string, Value>> entries;
  obj.forEachEntry([&](std::string_view k, const Value& v) { entries.emplace_back(k, v); });
  for (auto& [k, v] : entries) {
    Value r = callHof(call, fn, v, Value::string(k), obj);
    if (r.isDefined()) out.arr()->items.push_back(std::move(r));
  }
  return out;
}

Value fnSift(CallInfo& call, Args& a) {
  const Value& obj = arg(a, 0);
  if (obj.isUndefined()) return Value();
  const Value& fn = arg(a, 1);
  Value out = Value::object();
  std::vector<std::pair<std::string, Value>> entries;
  obj.forEachEntry([&](std::string_view k, const Value& v) { entries.emplace_back(k, v); });
  for (auto& [k, v] : entries) {
    if (isTruthy(callHof(call, fn, v, Value::string(k), obj))) out.obj()->set(k, v);
  }
  if (out.objectSize() == 0) return Value();
  return out;
}

Value fnEval(CallInfo& call, Args& a) {
  const Value& expr = arg(a, 0);
  if (expr.isUndefined()) return Value();
  Value input = call.input;
  if (arg(a, 1).isDefined()) {
    input = arg(a, 1);
    if (input.isArray() && !input.isSequence()) {
      input = makeSequence({input});
      input.arr()->outerWrapper = true;
    }
  }
  std::shared_ptr<Ast> ast;
  try {
    ast = parseExpression(std::string(expr.str()));
  } catch (JError& e) {
    JError out("D3120");
    out.detail = e.code;
    throw out;
  }
  call.ctx.keep.push_back(ast);
  try {
    return evaluate(ast->root, input, call.env, call.ctx);
  } catch (JError& e) {
    if (e.code == "U1001") throw;
    JError out("D3121");
    out.detail = e.code;
    throw out;
  }
}

}  // namespace

void addHigherOrderFunctions(std::vector<NativeDef>& out) {
  out.push_back({"map", "<af>", 2, fnMap});
  out.push_back({"filter", "<af>", 2, fnFilter});
  out.push_back({"single", "<af?>", 2, fnSingle});
  out.push_back({"reduce", "<afj?:j>", 3, fnReduce});
  out.push_back({"each", "<o-f:a>", 2, fnEach});
  out.push_back({"sift", "<o-f?:o>", 2, fnSift});
  out.push_back({"eval", "<sx?:x>", 2, fnEval});
}

}  // namespace sluice::asl::jsonata
