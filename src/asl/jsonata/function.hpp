// Functions as values, environments and the evaluation context shared by the
// evaluator and the function library.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "asl/jsonata/ast.hpp"
#include "asl/jsonata/value.hpp"

namespace sluice::asl::jsonata {

struct Error;

// A parsed function signature such as `<s-nn?:s>`.
struct Signature {
  struct Param {
    std::string symbols;  // accepted type symbols, including 'm' (missing)
    char quant = 0;       // 0, '?' or '+'
    bool context = false;
    char type = 0;  // a, f, s, ...
    std::string subtype;
  };
  std::vector<Param> params;
  // Validates and adjusts arguments (context substitution, array wrapping);
  // throws T0410/T0411/T0412.
  std::vector<Value> validate(const std::vector<Value>& args, const Value& context) const;
};
// Throws JError S0401/S0402 with `index` = offset in the text.
std::shared_ptr<const Signature> parseSignature(std::string_view text);
// Type symbol of a value: s n b l a o f m.
char typeSymbol(const Value& v);

struct Frame;
using Env = std::shared_ptr<Frame>;

struct Frame {
  Env parent;
  std::vector<std::pair<std::string, Value>> vars;
  explicit Frame(Env p) : parent(std::move(p)) {}
  void bind(std::string_view name, Value v) {
    for (auto& [k, val] : vars) {
      if (k == name) {
        val = std::move(v);
        return;
      }
    }
    vars.emplace_back(std::string(name), std::move(v));
  }
  const Value* find(std::string_view name) const {
    for (const Frame* f = this; f; f = f->parent.get()) {
      for (const auto& [k, val] : f->vars) {
        if (k == name) return &val;
      }
    }
    return nullptr;
  }
};

struct Context {
  int depth = 0;
  int maxDepth = 0;  // 0: none
  bool hasDeadline = false;
  std::chrono::steady_clock::time_point deadline;
  uint32_t tick = 0;
  const char* stackBase = nullptr;
  size_t stackBytes = 0;
  double nowMillis = 0;                     // $now/$millis: fixed for one evaluation
  std::optional<std::mt19937_64> rngState;  // seeded on first use
  std::mt19937_64& rng() {
    if (!rngState) rngState.emplace(std::random_device{}());
    return *rngState;
  }
  std::vector<std::shared_ptr<const Ast>> keep;  // trees compiled by $eval
  std::deque<Json> keepJson;                     // results of external functions
  // Frames that received `:=` bindings: a closure bound into the frame it
  // captures is a reference cycle, broken when the evaluation ends.
  std::vector<std::weak_ptr<Frame>> boundFrames;
  ~Context() {
    for (auto& w : boundFrames) {
      if (auto f = w.lock()) {
        f->vars.clear();
        f->parent.reset();
      }
    }
  }
};

struct CallInfo {
  Context& ctx;
  const Value& input;  // the focus (context) value of the call
  const Env& env;
};

using NativeImpl = Value (*)(CallInfo& call, std::vector<Value>& args);
// A function supplied through the public bindings; args/results are JSON.
using ExternalImpl = std::function<Value(CallInfo& call, std::vector<Value>& args)>;

struct RegexData;

struct FunctionData : Heap {
  enum class Kind : uint8_t { Lambda, Native, Partial, Regex, Transform, External };
  Kind kind = Kind::Native;
  std::shared_ptr<const Signature> signature;
  int arity = 0;
  // Lambda / Transform
  const Node* node = nullptr;
  Value input;
  Env env;
  std::vector<std::string> params;  // lambda parameters still to be supplied
  std::shared_ptr<const Ast> keepAst;
  // Native
  NativeImpl impl = nullptr;
  std::string_view name;
  // Partial application of a native or external function
  Value target;
  std::vector<Value> bound;
  std::vector<bool> placeholder;
  // Regex
  std::shared_ptr<const RegexData> regex;
  // External
  ExternalImpl external;
};

// A built-in function by name ("string", "map", ...), or nullptr.
const Value* lookupBuiltin(std::string_view name);

struct NativeDef {
  const char* name;
  const char* signature;
  int arity;
  NativeImpl impl;
};
void addStringFunctions(std::vector<NativeDef>& out);
void addNumericFunctions(std::vector<NativeDef>& out);
void addArrayFunctions(std::vector<NativeDef>& out);
void addObjectFunctions(std::vector<NativeDef>& out);
void addHigherOrderFunctions(std::vector<NativeDef>& out);
void addDateTimeFunctions(std::vector<NativeDef>& out);
void addFormatFunctions(std::vector<NativeDef>& out);

// Evaluator entry points used by the library.
Value evaluate(const Node* node, const Value& input, const Env& env, Context& ctx);
Value applyFunction(Context& ctx, const Value& fn, std::vector<Value> args, const Value& input,
                    const Env& env);
// Calls a function value from a higher-order built-in with (value, index,
// array) trimmed to its arity.
Value callHof(CallInfo& call, const Value& fn, const Value& a1, const Value& a2, const Value& a3);
Value callHof4(CallInfo& call, const Value& fn, const Value& a1, const Value& a2, const Value& a3,
               const Value& a4);
int functionArity(const Value& fn);

// Shared helpers of the library.
bool isTruthy(const Value& v);    // $boolean, undefined -> false
Value booleanOf(const Value& v);  // $boolean: undefined stays undefined
bool isArrayOfStrings(const Value& v);
bool isArrayOfNumbers(const Value& v);
// Checks for a finite number; throws D1001 on infinities, false on NaN/non-numbers.
bool isNumeric(const Value& v);
std::string toStringValue(const Value& v, bool prettify);  // $string
// Adds `v` (flattening one level when it is an array) to `out`.
void appendFlatten(std::vector<Value>& out, const Value& v);
// fn.append semantics.
Value appendValues(const Value& a, const Value& b);
// UTF-8 helpers (JSONata indexes strings by code point).
std::vector<std::string_view> codePoints(std::string_view s);
size_t codePointCount(std::string_view s);

}  // namespace sluice::asl::jsonata
