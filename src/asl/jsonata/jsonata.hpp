// JSONata 2.0.6 expressions, as AWS Step Functions evaluates `{% ... %}`.
//
//   auto compiled = jsonata::Expression::compile("$sum(Account.Order.Product.Price)");
//   if (auto* err = std::get_if<jsonata::Error>(&compiled)) ...;
//   auto& expr = std::get<jsonata::Expression>(compiled);
//   jsonata::Bindings b;
//   b.set("rate", 1.2);
//   b.setFunction("double", [](jsonata::FunctionArgs args) -> std::optional<Json> {
//     return args[0] ? std::optional<Json>(args[0]->to_number<double>() * 2) : std::nullopt;
//   }, "<n:n>");
//   auto r = expr.evaluate(&input, b, {.maxDepth = 500, .timeLimit = 1000ms});
//   // r: std::optional<Json> (nullopt = undefined) or jsonata::Error
//
// An Expression is immutable after compile and may be evaluated concurrently
// from several threads. Evaluation never throws.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/json.hpp"

namespace sluice::asl::jsonata {

struct Ast;
struct FunctionData;

struct Error {
  std::string code;  // S0xxx syntax, T0xxx/T1xxx/T2xxx type, D1xxx-D3xxx dynamic, U1001 limits
  int position = -1;
  std::string token;
  std::string message;
};

struct Limits {
  int maxDepth = 0;                        // nested evaluation depth; 0 = unlimited
  std::chrono::milliseconds timeLimit{0};  // 0 = unlimited
  size_t stackBytes = size_t{4} << 20;     // native stack budget before U1001
};

// Arguments of a native function: nullopt for an undefined argument.
using FunctionArgs = std::span<const std::optional<Json>>;
// A native function: returns nullopt for undefined; may throw jsonata::Error.
using NativeFunction = std::function<std::optional<Json>(FunctionArgs args)>;

class Bindings {
 public:
  Bindings();
  ~Bindings();
  Bindings(const Bindings&);
  Bindings& operator=(const Bindings&);
  // Binds $name to a JSON value.
  void set(std::string name, Json value);
  // Binds $name to a native function. `signature` is a JSONata signature
  // such as "<n-n?:n>" (empty: no validation, arguments passed as given).
  void setFunction(std::string name, NativeFunction fn, std::string_view signature = {});
  // Binds $name to `value` without copying it: the caller keeps `value` alive
  // until evaluate() returns (per-evaluation context such as variables).
  void setRef(std::string name, const Json& value);
  // Binds $name to an object whose members borrow the given values, in this
  // order; null pointers leave the member out (undefined).
  void setObjectRef(std::string name, std::vector<std::pair<std::string, const Json*>> members);

  struct Entry;
  const std::vector<Entry>& entries() const { return *entries_; }

 private:
  void put(Entry entry);
  std::shared_ptr<std::vector<Entry>> entries_;
};

class Expression {
 public:
  static std::variant<Expression, Error> compile(std::string_view text);

  // `input` nullptr = undefined input. Result nullopt = undefined.
  std::variant<std::optional<Json>, Error> evaluate(const Json* input,
                                                    const Bindings& bindings = Bindings(),
                                                    const Limits& limits = Limits()) const;

  const std::string& text() const { return text_; }

  // Field names read from the input document itself at the top level
  // (`phone` in "phone", "a.b" or "{'k': phone}"), each once, in order.
  // Step Functions evaluates expressions without an input document and
  // rejects such references.
  std::vector<std::string> topLevelReferences() const;

 private:
  std::string text_;
  std::shared_ptr<const Ast> ast_;
};

// Compact JSON text as JSONata/JavaScript prints it (numbers as JS does:
// 1, 1.5, 1e+21).
std::string toJsText(const Json& value);
// Error as the CLI prints it: {"code":..,"position":..,"token":..,"message":..}
Json errorToJson(const Error& e);

}  // namespace sluice::asl::jsonata
