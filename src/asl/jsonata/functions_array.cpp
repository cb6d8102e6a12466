// Array functions: $append, $reverse, $shuffle, $distinct, $sort, $zip, $exists.
#include <algorithm>

#include "asl/jsonata/function.hpp"

namespace sluice::asl::jsonata {

namespace {

using Args = std::vector<Value>;

const Value& arg(Args& a, size_t i) {
  static const Value undef;
  return i < a.size() ? a[i] : undef;
}

Value fnAppend(CallInfo&, Args& a) {
  return appendValues(arg(a, 0), arg(a, 1));
}

Value fnExists(CallInfo&, Args& a) {
  return Value::boolean(arg(a, 0).isDefined());
}

Value fnReverse(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (v.size() <= 1) return v;
  std::vector<Value> items = itemsOf(v);
  std::reverse(items.begin(), items.end());
  return makeArray(std::move(items));
}

Value fnShuffle(CallInfo& call, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (v.size() <= 1) return v;
  std::vector<Value> items = itemsOf(v);
  std::shuffle(items.begin(), items.end(), call.ctx.rng());
  return makeArray(std::move(items));
}

Value fnDistinct(CallInfo&, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (!v.isArray() || v.size() <= 1) return v;
  Value out = v.isSequence() ? Value::sequence() : Value::array();
  auto& items = out.arr()->items;
  size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    Value item = v.at(i);
    bool found = false;
    for (const auto& r : items) {
      if (deepEqual(item, r)) {
        found = true;
        break;
      }
    }
    if (!found) items.push_back(std::move(item));
  }
  return out;
}

template <class After>
void mergeSortValues(std::vector<Value>& v, After& after) {
  if (v.size() <= 1) return;
  size_t mid = v.size() / 2;
  std::vector<Value> left(v.begin(), v.begin() + static_cast<long>(mid));
  std::vector<Value> right(v.begin() + static_cast<long>(mid), v.end());
  mergeSortValues(left, after);
  mergeSortValues(right, after);
  size_t i = 0, j = 0, k = 0;
  while (i < left.size() && j < right.size()) {
    if (after(left[i], right[j])) {
      v[k++] = right[j++];
    } else {
      v[k++] = left[i++];
    }
  }
  while (i < left.size()) v[k++] = left[i++];
  while (j < right.size()) v[k++] = right[j++];
}

Value fnSort(CallInfo& call, Args& a) {
  const Value& v = arg(a, 0);
  if (v.isUndefined()) return Value();
  if (v.size() <= 1) return v;
  std::vector<Value> items = itemsOf(v);
  const Value& comparator = arg(a, 1);
  if (comparator.isUndefined()) {
    if (!isArrayOfNumbers(v) && !isArrayOfStrings(v)) throw JError("D3070").idx(1);
    auto after = [](const Value& x, const Value& y) {
      if (x.isNumber()) return x.num() > y.num();
      return x.str() > y.str();
    };
    mergeSortValues(items, after);
  } else {
    auto after = [&](const Value& x, const Value& y) {
      return isTruthy(applyFunction(call.ctx, comparator, {x, y}, Value(), call.env));
    };
    mergeSortValues(items, after);
  }
  return makeArray(std::move(items));
}

Value fnZip(CallInfo&, Args& a) {
  Value out = Value::array();
  if (a.empty()) return out;
  size_t len = static_cast<size_t>(-1);
  for (const auto& v : a) len = std::min(len, v.isArray() ? v.size() : 0);
  for (size_t i = 0; i < len; ++i) {
    Value tuple = Value::array();
    for (const auto& v : a) tuple.arr()->items.push_back(v.at(i));
    out.arr()->items.push_back(std::move(tuple));
  }
  return out;
}

}  // namespace

void addArrayFunctions(std::vector<NativeDef>& out) {
  out.push_back({"append", "<xx:a>", 2, fnAppend});
  out.push_back({"exists", "<x:b>", 1, fnExists});
  out.push_back({"reverse", "<a:a>", 1, fnReverse});
  out.push_back({"shuffle", "<a:a>", 1, fnShuffle});
  out.push_back({"distinct", "<x:x>", 1, fnDistinct});
  out.push_back({"sort", "<af?:a>", 2, fnSort});
  out.push_back({"zip", "<a+>", 0, fnZip});
}

}  // namespace sluice::asl::jsonata
