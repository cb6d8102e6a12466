// What an ASL expression can see while it is evaluated: the state's input
// (`$`, JSONata `$states.input`), the context object (`$$`, `$states.context`),
// the variables in scope (`$name`) and the execution's source of randomness
// (States.UUID, States.MathRandom, $uuid, $random). JSONata expressions also
// see the task result and the error output (`$states.result`,
// `$states.errorOutput`) where the state has them.
#pragma once

#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "core/json.hpp"

namespace sluice::asl {

namespace jsonata {
class Bindings;
}

// Variables assigned with `Assign`, chained so that a Parallel branch or a Map
// iteration sees its parent's variables and keeps its own writes local.
class VarScope {
 public:
  explicit VarScope(const VarScope* parent = nullptr) : parent_(parent) {}
  const Json* lookup(std::string_view name) const {
    for (const VarScope* s = this; s; s = s->parent_) {
      if (auto it = s->vars_.find(name); it != s->vars_.end()) return &it->value();
    }
    return nullptr;
  }
  void set(std::string_view name, Json value) { vars_[name] = std::move(value); }
  const JsonObject& local() const { return vars_; }
  const VarScope* parent() const { return parent_; }

 private:
  const VarScope* parent_;
  JsonObject vars_;
};

struct EvalEnv {
  const Json* input = nullptr;     // `$`
  const Json* context = nullptr;   // `$$`
  const VarScope* vars = nullptr;  // `$name`
  IdGenerator* ids = nullptr;      // randomness for intrinsics
  // JSONata only.
  const Json* result = nullptr;       // `$states.result`
  const Json* errorOutput = nullptr;  // `$states.errorOutput`
  // $partition, $range, $hash, $random, $uuid, $parse, bound once per execution.
  const jsonata::Bindings* functions = nullptr;
};

}  // namespace sluice::asl
