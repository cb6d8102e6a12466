// The evaluator: walks the processed tree against an input value.
#include <cmath>

#include "asl/jsonata/function.hpp"
#include "asl/jsonata/regex.hpp"

namespace sluice::asl::jsonata {

namespace {

struct DepthGuard {
  Context& ctx;
  explicit DepthGuard(Context& c) : ctx(c) {
    ++ctx.depth;
    if (ctx.maxDepth > 0 && ctx.depth > ctx.maxDepth) {
      --ctx.depth;
      JError e("U1001");
      e.detail =
          "Stack overflow error: Check for non-terminating recursive function.  "
          "Consider rewriting as tail-recursive.";
      throw e;
    }
    if (ctx.stackBase) {
      char here;
      auto used = static_cast<size_t>(ctx.stackBase > &here ? ctx.stackBase - &here
                                                            : &here - ctx.stackBase);
      if (used > ctx.stackBytes) {
        --ctx.depth;
        JError e("U1001");
        e.detail =
            "Stack overflow error: Check for non-terminating recursive function.  "
            "Consider rewriting as tail-recursive.";
        throw e;
      }
    }
    if (ctx.hasDeadline && (++ctx.tick & 255) == 0 &&
        std::chrono::steady_clock::now() > ctx.deadline) {
      --ctx.depth;
      JError e("U1001");
      e.detail = "Expression evaluation timeout: Check for infinite loop";
      throw e;
    }
  }
  ~DepthGuard() { --ctx.depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

Value lookupVariable(const Env& env, std::string_view name) {
  if (env) {
    if (const Value* v = env->find(name)) return *v;
  }
  if (const Value* b = lookupBuiltin(name)) return *b;
  return Value();
}

Env frameFromTuple(const Env& env, const Value& tuple) {
  auto frame = std::make_shared<Frame>(env);
  tuple.forEachEntry([&](std::string_view k, const Value& v) { frame->bind(k, v); });
  return frame;
}

Value lookupField(const Value& input, std::string_view key) {
  if (input.isArray()) {
    Value result = Value::sequence();
    auto& out = result.arr()->items;
    size_t n = input.size();
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Value res = lookupField(input.at(i), key);
      if (res.isUndefined()) continue;
      if (res.isArray()) {
        size_t m = res.size();
        for (size_t j = 0; j < m; ++j) out.push_back(res.at(j));
      } else {
        out.push_back(std::move(res));
      }
    }
    return result;
  }
  if (input.isObject()) return input.get(key);
  return Value();
}

Value tupleAt(const Value& tuple) {
  return tuple.get("@");
}

class Evaluator {
 public:
  explicit Evaluator(Context& ctx) : ctx_(ctx) {}

  Value eval(const Node* n, const Value& input, const Env& env) {
    DepthGuard guard(ctx_);
    Value result;
    switch (n->type) {
      case NodeType::Path:
        result = evalPath(n, input, env);
        break;
      case NodeType::Binary:
        result = evalBinary(n, input, env);
        break;
      case NodeType::Negate: {
        result = eval(n->expr, input, env);
        if (result.isUndefined()) break;
        if (isNumeric(result)) {
          result = Value::number(-result.num());
        } else {
          throw JError("D1002").at(n->position).tok("-").val(result);
        }
        break;
      }
      case NodeType::ArrayCons:
        result = evalArray(n, input, env);
        break;
      case NodeType::ObjectCons:
        result = evalGroup(n->pairs, n->position, input, env);
        break;
      case NodeType::Name:
        result = lookupField(input, n->value);
        break;
      case NodeType::String:
      case NodeType::Number:
      case NodeType::Literal:
        result = n->literal;
        break;
      case NodeType::Wildcard:
        result = evalWildcard(input);
        break;
      case NodeType::Descendant:
        result = evalDescendants(input);
        break;
      case NodeType::Parent:
        result = lookupVariable(env, n->slot->label);
        break;
      case NodeType::Condition: {
        Value cond = eval(n->expr, input, env);
        if (isTruthy(cond)) {
          result = eval(n->then, input, env);
        } else if (n->otherwise) {
          result = eval(n->otherwise, input, env);
        }
        break;
      }
      case NodeType::Block: {
        auto frame = std::make_shared<Frame>(env);
        for (const Node* e : n->items) result = eval(e, input, frame);
        break;
      }
      case NodeType::Bind: {
        result = eval(n->rhs, input, env);
        if (result.isFunction() || result.obj() || result.arr()) ctx_.boundFrames.push_back(env);
        env->bind(n->lhs->value, result);
        break;
      }
      case NodeType::Regex: {
        auto f = std::make_shared<FunctionData>();
        f->kind = FunctionData::Kind::Regex;
        f->regex = n->regex;
        f->arity = 1;
        result = Value::function(std::move(f));
        break;
      }
      case NodeType::Function:
        result = evalFunction(n, input, env, nullptr);
        break;
      case NodeType::Partial:
        result = evalPartial(n, input, env);
        break;
      case NodeType::Variable:
        if (n->value.empty()) {
          result = input.isOuterWrapper() ? input.at(0) : input;
        } else {
          result = lookupVariable(env, n->value);
        }
        break;
      case NodeType::Lambda: {
        auto f = std::make_shared<FunctionData>();
        f->kind = FunctionData::Kind::Lambda;
        f->node = n;
        f->input = input;
        f->env = env;
        f->params = n->params;
        f->signature = n->signature;
        f->arity = static_cast<int>(n->params.size());
        result = Value::function(std::move(f));
        break;
      }
      case NodeType::Apply:
        result = evalApply(n, input, env);
        break;
      case NodeType::Transform: {
        auto f = std::make_shared<FunctionData>();
        f->kind = FunctionData::Kind::Transform;
        f->node = n;
        f->env = env;
        f->arity = 1;
        static const auto sig = parseSignature("<(oa):o>");
        f->signature = sig;
        result = Value::function(std::move(f));
        break;
      }
      case NodeType::Sort:
        result = evalSort(n, input, env);
        break;
      case NodeType::Placeholder:
        break;
      default:
        throw JError("S0206").at(n->position);
    }
    for (const Stage& s : n->predicate) result = evalFilter(s.expr, result, env);
    if (n->type != NodeType::Path && n->group) {
      result = evalGroup(n->group->pairs, n->group->position, result, env);
    }
    if (auto* a = result.arr(); a && a->sequence && !a->tupleStream) {
      if (n->keepArray) a->keepSingleton = true;
      if (a->items.empty()) {
        result = Value();
      } else if (a->items.size() == 1 && !a->keepSingleton) {
        Value only = a->items[0];
        result = std::move(only);
      }
    }
    return result;
  }

  // ---- paths ----
  Value evalPath(const Node* n, const Value& input, const Env& env) {
    Value inputSeq;
    if (input.isArray() && n->items[0]->type != NodeType::Variable) {
      inputSeq = input;
    } else {
      inputSeq = makeSequence({input});
    }
    Value resultSeq;
    bool isTuple = false;
    Value tupleBindings;
    bool haveTuples = false;
    size_t count = n->items.size();
    for (size_t i = 0; i < count; ++i) {
      const Node* step = n->items[i];
      if (step->tuple) isTuple = true;
      if (i == 0 && step->consarray) {
        resultSeq = eval(step, inputSeq, env);
      } else if (isTuple) {
        tupleBindings = evalTupleStep(step, inputSeq, haveTuples ? &tupleBindings : nullptr, env);
        haveTuples = true;
      } else {
        resultSeq = evalStep(step, inputSeq, env, i + 1 == count);
      }
      if (!isTuple && (resultSeq.isUndefined() || (resultSeq.isArray() && resultSeq.size() == 0))) {
        break;
      }
      if (!step->hasFocus) inputSeq = resultSeq;
    }
    if (isTuple) {
      if (n->tuple) {
        resultSeq = tupleBindings;
      } else {
        resultSeq = Value::sequence();
        if (tupleBindings.isArray()) {
          size_t m = tupleBindings.size();
          for (size_t i = 0; i < m; ++i)
            resultSeq.arr()->items.push_back(tupleAt(tupleBindings.at(i)));
        }
      }
    }
    if (n->keepSingletonArray) {
      if (resultSeq.isArray() && resultSeq.isCons() && !resultSeq.isSequence()) {
        resultSeq = makeSequence({resultSeq});
      }
      if (resultSeq.isArray()) {
        if (!resultSeq.arr()) resultSeq = makeSequence(itemsOf(resultSeq));
        resultSeq.arr()->keepSingleton = true;
      }
    }
    if (n->group) {
      resultSeq =
          evalGroup(n->group->pairs, n->group->position, isTuple ? tupleBindings : resultSeq, env);
    }
    return resultSeq;
  }

  Value evalStep(const Node* step, const Value& input, const Env& env, bool last) {
    if (step->type == NodeType::Sort) {
      Value result = evalSort(step, input, env);
      if (!step->stages.empty()) result = evalStages(step->stages, result, env);
      return result;
    }
    size_t n = input.size();
    Value out = Value::sequence();
    auto& items = out.arr()->items;
    items.reserve(n);
    // A lone array produced by the last step is returned as it is.
    Value pending;
    size_t count = 0;
    auto flatten = [&](Value& res) {
      if (!res.isArray() || res.isCons()) {
        items.push_back(std::move(res));
      } else if (ArrayData* a = res.arr(); a && res.heap().use_count() == 1) {
        for (auto& v : a->items) items.push_back(std::move(v));
      } else {
        size_t m = res.size();
        for (size_t j = 0; j < m; ++j) items.push_back(res.at(j));
      }
    };
    // Plain field steps on objects need none of eval()'s bookkeeping.
    bool plainName = step->type == NodeType::Name && step->predicate.empty() && !step->group;
    for (size_t i = 0; i < n; ++i) {
      Value item = input.at(i);
      Value res;
      if (plainName && !item.isArray()) {
        if (item.isObject()) res = item.get(step->value);
      } else {
        res = eval(step, item, env);
      }
      for (const Stage& s : step->stages) res = evalFilter(s.expr, res, env);
      if (res.isUndefined()) continue;
      if (++count == 1 && last && res.isArray() && !res.isSequence()) {
        pending = std::move(res);
        continue;
      }
      if (pending.isDefined()) {
        flatten(pending);
        pending = Value();
      }
      flatten(res);
    }
    if (pending.isDefined()) {
      if (count == 1) return pending;
      flatten(pending);
    }
    return out;
  }

  Value evalStages(const std::vector<Stage>& stages, Value result, const Env& env) {
    for (const Stage& s : stages) {
      if (!s.isIndex) {
        result = evalFilter(s.expr, result, env);
      } else if (auto* a = result.arr()) {
        for (size_t i = 0; i < a->items.size(); ++i) {
          if (auto* o = a->items[i].obj()) o->set(s.var, Value::number(static_cast<double>(i)));
        }
      }
    }
    return result;
  }

  static Value copyTuple(const Value& t) {
    Value c = Value::object();
    if (auto* o = t.obj()) c.obj()->entries = o->entries;
    return c;
  }

  Value evalTupleStep(const Node* step, const Value& input, const Value* tupleBindings,
                      const Env& env) {
    if (step->type == NodeType::Sort) {
      Value result;
      if (tupleBindings) {
        result = evalSort(step, *tupleBindings, env);
      } else {
        Value sorted = evalSort(step, input, env);
        result = Value::sequence();
        result.arr()->tupleStream = true;
        size_t n = sorted.isArray() ? sorted.size() : 0;
        for (size_t i = 0; i < n; ++i) {
          Value t = Value::object();
          t.obj()->set("@", sorted.at(i));
          if (step->hasIndex) t.obj()->set(step->indexVar, Value::number(static_cast<double>(i)));
          result.arr()->items.push_back(std::move(t));
        }
      }
      if (!step->stages.empty()) result = evalStages(step->stages, result, env);
      return result;
    }
    Value result = Value::sequence();
    result.arr()->tupleStream = true;
    std::vector<Value> bindings;
    if (!tupleBindings) {
      size_t n = input.isArray() ? input.size() : 0;
      for (size_t i = 0; i < n; ++i) {
        Value t = Value::object();
        t.obj()->set("@", input.at(i));
        bindings.push_back(std::move(t));
      }
    } else if (tupleBindings->isArray()) {
      bindings = itemsOf(*tupleBindings);
    }
    auto& out = result.arr()->items;
    for (const Value& tb : bindings) {
      Env stepEnv = frameFromTuple(env, tb);
      Value focus = tupleAt(tb);
      Value res = eval(step, focus, stepEnv);
      if (res.isUndefined()) continue;
      std::vector<Value> resItems;
      bool resTuple = res.isTupleStream();
      if (!res.isArray()) {
        resItems.push_back(res);
      } else {
        resItems = itemsOf(res);
      }
      for (size_t bb = 0; bb < resItems.size(); ++bb) {
        Value tuple = copyTuple(tb);
        ObjectData* o = tuple.obj();
        if (resTuple) {
          resItems[bb].forEachEntry([&](std::string_view k, const Value& v) { o->set(k, v); });
        } else {
          if (!step->focus.empty()) {
            o->set(step->focus, resItems[bb]);
            o->set("@", focus);
          } else {
            o->set("@", resItems[bb]);
          }
          if (!step->indexVar.empty())
            o->set(step->indexVar, Value::number(static_cast<double>(bb)));
          if (step->ancestor) o->set(step->ancestor->label, focus);
        }
        out.push_back(std::move(tuple));
      }
    }
    if (!step->stages.empty()) result = evalStages(step->stages, result, env);
    return result;
  }

  Value evalFilter(const Node* predicate, const Value& input, const Env& env) {
    Value results = Value::sequence();
    bool tupleStream = input.isTupleStream();
    if (tupleStream) results.arr()->tupleStream = true;
    std::vector<Value> single;
    const Value* src = &input;
    Value wrapped;
    if (!input.isArray()) {
      wrapped = makeSequence({input});
      src = &wrapped;
    }
    size_t n = src->size();
    auto& out = results.arr()->items;
    if (predicate->type == NodeType::Number) {
      double idx = std::floor(predicate->num);
      if (idx < 0) idx += static_cast<double>(n);
      if (idx >= 0 && idx < static_cast<double>(n)) {
        Value item = src->at(static_cast<size_t>(idx));
        if (item.isDefined()) {
          if (item.isArray()) return item;
          out.push_back(std::move(item));
        }
      }
      return results;
    }
    for (size_t index = 0; index < n; ++index) {
      Value item = src->at(index);
      Value context = item;
      Env env2 = env;
      if (tupleStream) {
        context = tupleAt(item);
        env2 = frameFromTuple(env, item);
      }
      Value res = eval(predicate, context, env2);
      if (isNumeric(res)) res = makeArray({res});
      if (isArrayOfNumbers(res)) {
        size_t m = res.size();
        for (size_t j = 0; j < m; ++j) {
          double ii = std::floor(res.at(j).num());
          if (ii < 0) ii += static_cast<double>(n);
          if (ii == static_cast<double>(index)) out.push_back(item);
        }
      } else if (isTruthy(res)) {
        out.push_back(item);
      }
    }
    return results;
  }

  Value evalWildcard(const Value& in) {
    Value input = in;
    Value results = Value::sequence();
    if (input.isOuterWrapper() && input.size() > 0) input = input.at(0);
    auto& out = results.arr()->items;
    input.forEachEntry([&](std::string_view, const Value& v) {
      if (v.isArray()) {
        flattenInto(out, v);
      } else {
        out.push_back(v);
      }
    });
    return results;
  }

  static void flattenInto(std::vector<Value>& out, const Value& v) {
    if (v.isArray()) {
      size_t n = v.size();
      for (size_t i = 0; i < n; ++i) flattenInto(out, v.at(i));
    } else {
      out.push_back(v);
    }
  }

  static void recurseDescendants(const Value& v, std::vector<Value>& out) {
    if (!v.isArray()) out.push_back(v);
    if (v.isArray()) {
      size_t n = v.size();
      for (size_t i = 0; i < n; ++i) recurseDescendants(v.at(i), out);
    } else if (v.isObject()) {
      v.forEachEntry([&](std::string_view, const Value& c) { recurseDescendants(c, out); });
    }
  }

  Value evalDescendants(const Value& input) {
    if (input.isUndefined()) return Value();
    Value seq = Value::sequence();
    recurseDescendants(input, seq.arr()->items);
    if (seq.arr()->items.size() == 1) return seq.arr()->items[0];
    return seq;
  }

  // ---- operators ----
  Value evalBinary(const Node* n, const Value& input, const Env& env) {
    Value lhs = eval(n->lhs, input, env);
    Op op = n->op;
    if (op == Op::And) {
      if (!isTruthy(lhs)) return Value::boolean(false);
      return Value::boolean(isTruthy(eval(n->rhs, input, env)));
    }
    if (op == Op::Or) {
      if (isTruthy(lhs)) return Value::boolean(true);
      return Value::boolean(isTruthy(eval(n->rhs, input, env)));
    }
    Value rhs = eval(n->rhs, input, env);
    try {
      return binaryOp(op, lhs, rhs);
    } catch (JError& e) {
      e.position = n->position;
      e.tok(n->value);
      throw;
    }
  }

  static Value binaryOp(Op op, const Value& lhs, const Value& rhs) {
    switch (op) {
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Mod: {
        if (lhs.isDefined() && !isNumeric(lhs)) throw JError("T2001").val(lhs);
        if (rhs.isDefined() && !isNumeric(rhs)) throw JError("T2002").val(rhs);
        if (lhs.isUndefined() || rhs.isUndefined()) return Value();
        double a = lhs.num(), b = rhs.num();
        switch (op) {
          case Op::Add:
            return Value::number(a + b);
          case Op::Sub:
            return Value::number(a - b);
          case Op::Mul:
            return Value::number(a * b);
          case Op::Div:
            return Value::number(a / b);
          default:
            return Value::number(std::fmod(a, b));
        }
      }
      case Op::Eq:
      case Op::Ne: {
        if (lhs.isUndefined() || rhs.isUndefined()) return Value::boolean(false);
        bool eq = deepEqual(lhs, rhs);
        return Value::boolean(op == Op::Eq ? eq : !eq);
      }
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        auto comparable = [](const Value& v) {
          return v.isUndefined() || v.isString() || v.isNumber();
        };
        if (!comparable(lhs) || !comparable(rhs)) {
          throw JError("T2010").val((lhs.isString() || lhs.isNumber()) ? rhs : lhs);
        }
        if (lhs.isUndefined() || rhs.isUndefined()) return Value();
        if (lhs.type() != rhs.type()) {
          JError e("T2009");
          e.val(lhs);
          e.value2 = rhs;
          throw e;
        }
        int cmp;
        if (lhs.isNumber()) {
          double a = lhs.num(), b = rhs.num();
          cmp = a < b ? -1 : (a > b ? 1 : (a == b ? 0 : 2));
          if (cmp == 2) return Value::boolean(false);
        } else {
          int c = lhs.str().compare(rhs.str());
          cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        switch (op) {
          case Op::Lt:
            return Value::boolean(cmp < 0);
          case Op::Le:
            return Value::boolean(cmp <= 0);
          case Op::Gt:
            return Value::boolean(cmp > 0);
          default:
            return Value::boolean(cmp >= 0);
        }
      }
      case Op::Concat: {
        std::string s;
        if (lhs.isDefined()) s = toStringValue(lhs, false);
        if (rhs.isDefined()) s += toStringValue(rhs, false);
        return Value::string(std::move(s));
      }
      case Op::Range: {
        auto isInt = [](const Value& v) {
          return v.isNumber() && std::isfinite(v.num()) && v.num() == std::floor(v.num());
        };
        if (lhs.isDefined() && !isInt(lhs)) throw JError("T2003").val(lhs);
        if (rhs.isDefined() && !isInt(rhs)) throw JError("T2004").val(rhs);
        if (lhs.isUndefined() || rhs.isUndefined()) return Value();
        double a = lhs.num(), b = rhs.num();
        if (a > b) return Value();
        double size = b - a + 1;
        if (size > 1e7) throw JError("D2014").val(Value::number(size));
        Value seq = Value::sequence();
        auto& items = seq.arr()->items;
        items.reserve(static_cast<size_t>(size));
        for (double x = a; x <= b; x += 1) items.push_back(Value::number(x));
        return seq;
      }
      case Op::In: {
        if (lhs.isUndefined() || rhs.isUndefined()) return Value::boolean(false);
        auto same = [&](const Value& v) {
          if (v.type() != lhs.type()) return false;
          switch (v.type()) {
            case Type::Null:
              return true;
            case Type::Boolean:
              return v.boolValue() == lhs.boolValue();
            case Type::Number:
              return v.num() == lhs.num();
            case Type::String:
              return v.str() == lhs.str();
            default:
              return v.identity() == lhs.identity();
          }
        };
        if (!rhs.isArray()) return Value::boolean(same(rhs));
        size_t m = rhs.size();
        for (size_t i = 0; i < m; ++i) {
          if (same(rhs.at(i))) return Value::boolean(true);
        }
        return Value::boolean(false);
      }
      default:
        throw JError("S0206");
    }
  }

  Value evalArray(const Node* n, const Value& input, const Env& env) {
    Value result = Value::array();
    auto& items = result.arr()->items;
    for (const Node* item : n->items) {
      Value v = eval(item, input, env);
      if (v.isUndefined()) continue;
      if (item->type == NodeType::ArrayCons) {
        items.push_back(std::move(v));
      } else if (v.isArray()) {
        size_t m = v.size();
        for (size_t i = 0; i < m; ++i) items.push_back(v.at(i));
      } else {
        items.push_back(std::move(v));
      }
    }
    if (n->consarray) result.arr()->cons = true;
    return result;
  }

  Value evalGroup(const std::vector<std::pair<Node*, Node*>>& pairs, int position,
                  const Value& input, const Env& env) {
    Value result = Value::object();
    bool reduce = input.isTupleStream();
    std::vector<Value> items;
    if (!input.isArray()) {
      items.push_back(input);
    } else {
      items = itemsOf(input);
    }
    if (items.empty()) items.emplace_back();
    struct Group {
      std::string key;
      Value data;
      size_t exprIndex;
    };
    std::vector<Group> groups;
    std::unordered_map<std::string, size_t> index;
    for (const Value& item : items) {
      Env env2 = reduce ? frameFromTuple(env, item) : env;
      Value ctxItem = reduce ? tupleAt(item) : item;
      for (size_t p = 0; p < pairs.size(); ++p) {
        Value key = eval(pairs[p].first, ctxItem, env2);
        if (key.isUndefined()) continue;
        if (!key.isString()) throw JError("T1003").at(position).val(key);
        std::string k(key.str());
        auto it = index.find(k);
        if (it != index.end()) {
          Group& g = groups[it->second];
          if (g.exprIndex != p) throw JError("D1009").at(position).val(key);
          g.data = appendValues(g.data, item);
        } else {
          index.emplace(k, groups.size());
          groups.push_back(Group{k, item, p});
        }
      }
    }
    for (Group& g : groups) {
      Value context = g.data;
      Env env2 = env;
      if (reduce) {
        Value tuple = reduceTupleStream(g.data);
        context = tupleAt(tuple);
        tuple.obj()->erase("@");
        env2 = frameFromTuple(env, tuple);
      }
      Value v = eval(pairs[g.exprIndex].second, context, env2);
      if (v.isDefined()) result.obj()->set(g.key, std::move(v));
    }
    return result;
  }

  static Value reduceTupleStream(const Value& stream) {
    if (!stream.isArray()) return copyTuple(stream);
    Value result = copyTuple(stream.at(0));
    size_t n = stream.size();
    for (size_t i = 1; i < n; ++i) {
      stream.at(i).forEachEntry([&](std::string_view k, const Value& v) {
        result.obj()->set(k, appendValues(result.obj()->get(k), v));
      });
    }
    return result;
  }

  Value evalSort(const Node* n, const Value& input, const Env& env) {
    if (!input.isArray() || input.size() <= 1) return input;
    bool isTupleSort = input.isTupleStream();
    std::vector<Value> items = itemsOf(input);
    // Evaluate the sort keys once per item.
    std::vector<std::vector<Value>> keys(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      Value context = items[i];
      Env env2 = env;
      if (isTupleSort) {
        context = tupleAt(items[i]);
        env2 = frameFromTuple(env, items[i]);
      }
      for (const SortTerm& t : n->terms) keys[i].push_back(eval(t.expr, context, env2));
    }
    auto after = [&](size_t a, size_t b) {  // true when a sorts after b
      int comp = 0;
      for (size_t t = 0; comp == 0 && t < n->terms.size(); ++t) {
        const Value& aa = keys[a][t];
        const Value& bb = keys[b][t];
        if (aa.isUndefined()) {
          comp = bb.isUndefined() ? 0 : 1;
          continue;
        }
        if (bb.isUndefined()) {
          comp = -1;
          continue;
        }
        bool aok = aa.isString() || aa.isNumber();
        bool bok = bb.isString() || bb.isNumber();
        if (!aok || !bok) throw JError("T2008").at(n->position).val(aok ? bb : aa);
        if (aa.type() != bb.type()) throw JError("T2007").at(n->position).val(aa);
        if (aa.isNumber()) {
          comp = aa.num() == bb.num() ? 0 : (aa.num() < bb.num() ? -1 : 1);
        } else {
          int c = aa.str().compare(bb.str());
          comp = c == 0 ? 0 : (c < 0 ? -1 : 1);
        }
        if (n->terms[t].descending) comp = -comp;
      }
      return comp == 1;
    };
    std::vector<size_t> order(items.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    mergeSort(order, after);
    Value out = Value::array();
    if (isTupleSort) {
      out = Value::sequence();
      out.arr()->tupleStream = true;
    }
    out.arr()->items.reserve(order.size());
    for (size_t i : order) out.arr()->items.push_back(items[i]);
    return out;
  }

  template <class After>
  static void mergeSort(std::vector<size_t>& v, After& after) {
    if (v.size() <= 1) return;
    size_t mid = v.size() / 2;
    std::vector<size_t> left(v.begin(), v.begin() + static_cast<long>(mid));
    std::vector<size_t> right(v.begin() + static_cast<long>(mid), v.end());
    mergeSort(left, after);
    mergeSort(right, after);
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

  // ---- functions ----
  static std::string procName(const Node* proc) {
    if (proc->type == NodeType::Path && !proc->items.empty()) return proc->items[0]->value;
    return proc->value;
  }

  Value evalFunction(const Node* n, const Value& input, const Env& env, const Value* applyTo) {
    Value proc = eval(n->expr, input, env);
    if (proc.isUndefined() && n->expr->type == NodeType::Path &&
        lookupVariable(env, n->expr->items[0]->value).isDefined()) {
      throw JError("T1005").at(n->position).tok(n->expr->items[0]->value);
    }
    std::vector<Value> args;
    args.reserve(n->items.size() + 1);
    if (applyTo) args.push_back(*applyTo);
    for (const Node* a : n->items) args.push_back(eval(a, input, env));
    try {
      return apply(proc, std::move(args), input, env);
    } catch (JError& e) {
      if (e.position < 0) e.position = n->position;
      if (!e.hasToken) e.tok(procName(n->expr));
      throw;
    }
  }

  Value evalPartial(const Node* n, const Value& input, const Env& env) {
    std::vector<Value> args;
    std::vector<bool> holes;
    for (const Node* a : n->items) {
      if (a->type == NodeType::Placeholder) {
        args.emplace_back();
        holes.push_back(true);
      } else {
        args.push_back(eval(a, input, env));
        holes.push_back(false);
      }
    }
    Value proc = eval(n->expr, input, env);
    if (proc.isUndefined() && n->expr->type == NodeType::Path &&
        lookupVariable(env, n->expr->items[0]->value).isDefined()) {
      throw JError("T1007").at(n->position).tok(n->expr->items[0]->value);
    }
    FunctionData* f = proc.fn();
    if (!f) throw JError("T1008").at(n->position).tok(procName(n->expr));
    auto p = std::make_shared<FunctionData>();
    if (f->kind == FunctionData::Kind::Lambda) {
      p->kind = FunctionData::Kind::Lambda;
      p->node = f->node;
      p->input = f->input;
      auto frame = std::make_shared<Frame>(f->env);
      for (size_t i = 0; i < f->params.size(); ++i) {
        if (i < holes.size() && holes[i]) {
          p->params.push_back(f->params[i]);
        } else {
          frame->bind(f->params[i], i < args.size() ? args[i] : Value());
        }
      }
      p->env = frame;
      p->arity = static_cast<int>(p->params.size());
    } else {
      p->kind = FunctionData::Kind::Partial;
      p->target = proc;
      p->bound = std::move(args);
      p->placeholder = std::move(holes);
      int holesCount = 0;
      for (bool h : p->placeholder) holesCount += h ? 1 : 0;
      p->arity = holesCount;
    }
    return Value::function(std::move(p));
  }

  Value evalApply(const Node* n, const Value& input, const Env& env) {
    Value lhs = eval(n->lhs, input, env);
    if (n->rhs->type == NodeType::Function) return evalFunction(n->rhs, input, env, &lhs);
    Value func = eval(n->rhs, input, env);
    if (!func.isFunction()) throw JError("T2006").at(n->position).val(func);
    if (lhs.isFunction()) {
      auto c = std::make_shared<FunctionData>();
      c->kind = FunctionData::Kind::Partial;
      c->name = "compose";
      c->target = func;
      c->bound = {lhs};
      c->arity = 1;
      return Value::function(std::move(c));
    }
    return apply(func, {lhs}, Value(), env);
  }

 public:
  Value apply(const Value& proc, std::vector<Value> args, const Value& input, const Env& env) {
    Value result = applyInner(proc, std::move(args), input, env);
    while (result.isFunction() && result.fn()->kind == FunctionData::Kind::Lambda &&
           result.fn()->node->thunk) {
      FunctionData* t = result.fn();
      const Node* call = t->node->expr;
      Value tInput = t->input;
      Env tEnv = t->env;
      Value next = eval(call->expr, tInput, tEnv);
      std::vector<Value> a;
      a.reserve(call->items.size());
      for (const Node* arg : call->items) a.push_back(eval(arg, tInput, tEnv));
      try {
        result = applyInner(next, std::move(a), input, env);
      } catch (JError& e) {
        if (e.position < 0) e.position = call->position;
        if (!e.hasToken) e.tok(procName(call->expr));
        throw;
      }
    }
    return result;
  }

 private:
  Value applyInner(const Value& proc, std::vector<Value> args, const Value& input, const Env& env) {
    FunctionData* f = proc.fn();
    if (!f) throw JError("T1006");
    if (f->signature) args = f->signature->validate(args, input);
    switch (f->kind) {
      case FunctionData::Kind::Lambda: {
        auto frame = std::make_shared<Frame>(f->env);
        for (size_t i = 0; i < f->params.size(); ++i) {
          frame->bind(f->params[i], i < args.size() ? args[i] : Value());
        }
        return eval(f->node->expr, f->input, frame);
      }
      case FunctionData::Kind::Native: {
        CallInfo call{ctx_, input, env};
        return f->impl(call, args);
      }
      case FunctionData::Kind::External: {
        CallInfo call{ctx_, input, env};
        return f->external(call, args);
      }
      case FunctionData::Kind::Partial: {
        if (f->name == "compose") {
          Value mid = apply(f->bound[0], args, Value(), env);
          return apply(f->target, {mid}, Value(), env);
        }
        std::vector<Value> full = f->bound;
        size_t next = 0;
        for (size_t i = 0; i < full.size(); ++i) {
          if (f->placeholder[i]) full[i] = next < args.size() ? args[next++] : Value();
        }
        return applyInner(f->target, std::move(full), Value(), env);
      }
      case FunctionData::Kind::Regex: {
        if (args.empty() || !args[0].isString()) return Value();
        auto m = regexFind(*f->regex, args[0].str(), 0);
        if (!m) return Value();
        Value r = Value::object();
        std::string_view s = args[0].str();
        r.obj()->set("match", Value::string(std::string(s.substr(m->start, m->end - m->start))));
        r.obj()->set("start",
                     Value::number(static_cast<double>(codePointCount(s.substr(0, m->start)))));
        r.obj()->set("end",
                     Value::number(static_cast<double>(codePointCount(s.substr(0, m->end)))));
        Value groups = Value::array();
        for (auto& g : m->groups) {
          groups.arr()->items.push_back(g ? Value::string(*g) : Value::string(""));
        }
        r.obj()->set("groups", groups);
        return r;
      }
      case FunctionData::Kind::Transform:
        return applyTransform(f, args.empty() ? Value() : args[0]);
    }
    return Value();
  }

  Value applyTransform(FunctionData* f, const Value& obj) {
    if (obj.isUndefined()) return Value();
    const Node* n = f->node;
    Value result = deepClone(obj);
    Value matches = eval(n->expr, result, f->env);
    if (matches.isUndefined()) return result;
    std::vector<Value> list;
    if (matches.isArray()) {
      list = itemsOf(matches);
    } else {
      list.push_back(matches);
    }
    for (Value& match : list) {
      Value update = eval(n->then, match, f->env);
      if (update.isDefined()) {
        if (!update.isObject()) throw JError("T2011").at(n->then->position).val(update);
        if (auto* o = match.obj()) {
          update.forEachEntry([&](std::string_view k, const Value& v) { o->set(k, v); });
        }
      }
      if (n->otherwise) {
        Value deletions = eval(n->otherwise, match, f->env);
        if (deletions.isDefined()) {
          Value list2 = deletions.isArray() ? deletions : makeArray({deletions});
          if (!isArrayOfStrings(list2)) {
            throw JError("T2012").at(n->otherwise->position).val(deletions);
          }
          if (auto* o = match.obj()) {
            size_t m = list2.size();
            for (size_t i = 0; i < m; ++i) o->erase(list2.at(i).str());
          }
        }
      }
    }
    return result;
  }

  Context& ctx_;
};

}  // namespace

Value evaluate(const Node* node, const Value& input, const Env& env, Context& ctx) {
  Evaluator e(ctx);
  return e.eval(node, input, env);
}

Value applyFunction(Context& ctx, const Value& fn, std::vector<Value> args, const Value& input,
                    const Env& env) {
  Evaluator e(ctx);
  return e.apply(fn, std::move(args), input, env);
}

int functionArity(const Value& fn) {
  FunctionData* f = fn.fn();
  return f ? f->arity : 0;
}

Value callHof(CallInfo& call, const Value& fn, const Value& a1, const Value& a2, const Value& a3) {
  int arity = functionArity(fn);
  std::vector<Value> args{a1};
  if (arity >= 2) args.push_back(a2);
  if (arity >= 3) args.push_back(a3);
  return applyFunction(call.ctx, fn, std::move(args), Value(), call.env);
}

Value callHof4(CallInfo& call, const Value& fn, const Value& a1, const Value& a2, const Value& a3,
               const Value& a4) {
  int arity = functionArity(fn);
  std::vector<Value> args{a1, a2};
  if (arity >= 3) args.push_back(a3);
  if (arity >= 4) args.push_back(a4);
  return applyFunction(call.ctx, fn, std::move(args), Value(), call.env);
}

}  // namespace sluice::asl::jsonata
