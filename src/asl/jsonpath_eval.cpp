// JSONPath evaluation with Jayway's semantics: missing properties and type
// mismatches simply select nothing; filters keep array elements (or the object
// itself) for which the predicate holds.
#include <algorithm>
#include <charconv>

#include "asl/jsonpath_ast.hpp"

namespace sluice::asl::jsonpath {
namespace {

// Array position for a (possibly negative) index, or nullopt when out of range.
std::optional<size_t> arrayPos(long long idx, size_t size) {
  long long n = static_cast<long long>(size);
  if (idx < 0) idx += n;
  if (idx < 0 || idx >= n) return std::nullopt;
  return static_cast<size_t>(idx);
}

bool evalFilter(const FilterExpr& f, const Json& current, const Json& root);

// Applies one step (without its recursion) to `node`.
void applyStep(const Step& step, bool leaf, const Json& node, const Json& root, Matches& out) {
  switch (step.kind) {
    case Step::Kind::Name: {
      if (!node.is_object()) return;
      if (const Json* v = node.get_object().if_contains(step.names[0])) out.nodes.push_back(v);
      return;
    }
    case Step::Kind::Names: {
      if (!node.is_object()) return;
      const auto& obj = node.get_object();
      if (leaf) {
        // Jayway merges several properties at the leaf into one object.
        auto merged = std::make_unique<Json>(json::object());
        for (const auto& name : step.names) {
          if (const Json* v = obj.if_contains(name)) merged->get_object()[name] = *v;
        }
        out.nodes.push_back(merged.get());
        out.owned.push_back(std::move(merged));
        return;
      }
      for (const auto& name : step.names) {
        if (const Json* v = obj.if_contains(name)) out.nodes.push_back(v);
      }
      return;
    }
    case Step::Kind::Index:
    case Step::Kind::Indexes: {
      if (!node.is_array()) return;
      const auto& arr = node.get_array();
      for (long long idx : step.indexes) {
        if (auto p = arrayPos(idx, arr.size())) out.nodes.push_back(&arr[*p]);
      }
      return;
    }
    case Step::Kind::Wildcard: {
      if (node.is_object()) {
        for (const auto& kv : node.get_object()) out.nodes.push_back(&kv.value());
      } else if (node.is_array()) {
        for (const auto& e : node.get_array()) out.nodes.push_back(&e);
      }
      return;
    }
    case Step::Kind::Slice: {
      if (!node.is_array()) return;
      const auto& arr = node.get_array();
      long long n = static_cast<long long>(arr.size());
      long long from = step.sliceStart.value_or(0), to = step.sliceEnd.value_or(n);
      if (from < 0) from = std::max(0LL, n + from);
      if (to < 0) to = n + to;
      to = std::min(to, n);
      for (long long i = from; i < to; ++i) out.nodes.push_back(&arr[static_cast<size_t>(i)]);
      return;
    }
    case Step::Kind::Filter: {
      if (node.is_array()) {
        for (const auto& e : node.get_array()) {
          if (evalFilter(*step.filter, e, root)) out.nodes.push_back(&e);
        }
      } else if (node.is_object() && evalFilter(*step.filter, node, root)) {
        out.nodes.push_back(&node);
      }
      return;
    }
  }
}

// `..step`: the step applied to the node and to every descendant, pre-order.
void applyRecursive(const Step& step, bool leaf, const Json& node, const Json& root, Matches& out) {
  applyStep(step, leaf, node, root, out);
  if (node.is_object()) {
    for (const auto& kv : node.get_object()) applyRecursive(step, leaf, kv.value(), root, out);
  } else if (node.is_array()) {
    for (const auto& e : node.get_array()) applyRecursive(step, leaf, e, root, out);
  }
}

// ---- filter values ----

// A resolved operand: absent (undefined path), or a value possibly owned.
struct Value {
  const Json* ptr = nullptr;
  Json owned;
  bool defined() const { return ptr != nullptr; }
};

void resolve(const Operand& o, const Json& current, const Json& root, Value& out) {
  switch (o.kind) {
    case Operand::Kind::Literal:
      out.ptr = &o.literal;
      return;
    case Operand::Kind::Regex:
      return;
    case Operand::Kind::Current:
    case Operand::Kind::Root: {
      const Json& start = o.kind == Operand::Kind::Current ? current : root;
      if (o.definite) {
        if (!o.steps.empty() && o.steps.back().kind == Step::Kind::Names) {
          if (auto v = selectDefinite(o.steps, start)) {
            out.owned = std::move(*v);
            out.ptr = &out.owned;
          }
          return;
        }
        out.ptr = selectOne(o.steps, start);
        return;
      }
      Matches m;
      selectAll(o.steps, start, root, m);
      json::array arr;
      arr.reserve(m.nodes.size());
      for (const Json* n : m.nodes) arr.push_back(*n);
      out.owned = std::move(arr);
      out.ptr = &out.owned;
      return;
    }
  }
}

std::optional<double> numberFromString(const json::string& s) {
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return d;
}

// Jayway compares a number with a numeric string by value.
bool looseEquals(const Json& a, const Json& b) {
  if (isNumber(a) && b.is_string()) {
    auto d = numberFromString(b.get_string());
    return d && *d == toDouble(a);
  }
  if (a.is_string() && isNumber(b)) return looseEquals(b, a);
  return jsonEquals(a, b);
}

// <0, 0, >0, or nullopt when the values are not comparable.
std::optional<int> order(const Json& a, const Json& b) {
  if (isNumber(a) && isNumber(b)) {
    double x = toDouble(a), y = toDouble(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = std::string_view(a.get_string()).compare(std::string_view(b.get_string()));
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return std::nullopt;
}

bool contains(const Json& list, const Json& v) {
  if (!list.is_array()) return false;
  for (const auto& e : list.get_array()) {
    if (looseEquals(v, e)) return true;
  }
  return false;
}

bool evalFilter(const FilterExpr& f, const Json& current, const Json& root) {
  using Op = FilterExpr::Op;
  switch (f.op) {
    case Op::Or:
      for (const auto& c : f.children) {
        if (evalFilter(c, current, root)) return true;
      }
      return false;
    case Op::And:
      for (const auto& c : f.children) {
        if (!evalFilter(c, current, root)) return false;
      }
      return true;
    case Op::Not:
      return !evalFilter(f.children[0], current, root);
    default:
      break;
  }
  Value l;
  resolve(f.lhs, current, root, l);
  if (f.op == Op::Exists) {
    if (f.lhs.kind == Operand::Kind::Literal) return f.lhs.literal == Json(true);
    return l.defined();
  }
  if (f.op == Op::Match) {
    if (!l.defined() || !l.ptr->is_string() || !f.rhs.regex) return false;
    const auto& s = l.ptr->get_string();
    return std::regex_match(s.begin(), s.end(), *f.rhs.regex);
  }
  Value r;
  resolve(f.rhs, current, root, r);
  bool both = l.defined() && r.defined();
  switch (f.op) {
    case Op::Eq:
      return both && looseEquals(*l.ptr, *r.ptr);
    case Op::Ne:
      return !(both && looseEquals(*l.ptr, *r.ptr));
    case Op::In:
      return both && contains(*r.ptr, *l.ptr);
    case Op::Nin:
      return !(both && contains(*r.ptr, *l.ptr));
    default:
      break;
  }
  if (!both) return false;
  auto c = order(*l.ptr, *r.ptr);
  if (!c) return false;
  switch (f.op) {
    case Op::Lt:
      return *c < 0;
    case Op::Le:
      return *c <= 0;
    case Op::Gt:
      return *c > 0;
    case Op::Ge:
      return *c >= 0;
    default:
      return false;
  }
}

}  // namespace

void selectAll(const Steps& steps, const Json& node, const Json& root, Matches& out) {
  std::vector<const Json*> current{&node};
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    bool leaf = i + 1 == steps.size();
    Matches next;
    for (const Json* n : current) {
      if (step.recursive) {
        applyRecursive(step, leaf, *n, root, next);
      } else {
        applyStep(step, leaf, *n, root, next);
      }
    }
    current = std::move(next.nodes);
    for (auto& o : next.owned) out.owned.push_back(std::move(o));
    if (current.empty()) break;
  }
  out.nodes.insert(out.nodes.end(), current.begin(), current.end());
}

const Json* selectOne(const Steps& steps, const Json& node) {
  return selectPrefix(steps, steps.size(), node);
}

const Json* selectPrefix(const Steps& steps, size_t count, const Json& node) {
  const Json* cur = &node;
  for (size_t i = 0; i < count; ++i) {
    const Step& step = steps[i];
    if (step.kind == Step::Kind::Name) {
      if (!cur->is_object()) return nullptr;
      cur = cur->get_object().if_contains(step.names[0]);
    } else if (step.kind == Step::Kind::Index) {
      if (!cur->is_array()) return nullptr;
      const auto& arr = cur->get_array();
      auto p = arrayPos(step.indexes[0], arr.size());
      cur = p ? &arr[*p] : nullptr;
    } else {
      return nullptr;
    }
    if (!cur) return nullptr;
  }
  return cur;
}

std::optional<Json> selectDefinite(const Steps& steps, const Json& node) {
  if (!steps.empty() && steps.back().kind == Step::Kind::Names) {
    const Json* parent = selectPrefix(steps, steps.size() - 1, node);
    if (!parent || !parent->is_object()) return std::nullopt;
    json::object merged;
    for (const auto& name : steps.back().names) {
      if (const Json* v = parent->get_object().if_contains(name)) merged[name] = *v;
    }
    return Json(std::move(merged));
  }
  if (const Json* v = selectOne(steps, node)) return *v;
  return std::nullopt;
}

}  // namespace sluice::asl::jsonpath
