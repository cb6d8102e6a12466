// Input and output processing of a state (InputPath, ResultPath, OutputPath,
// Assign) and the context object `$$`.
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

using asl::Outcome;
using asl::StatesError;

StatesError Execution::runtimeError(const Frame& f, std::string message) const {
  return withStatePrefix(f, {asl::errors::kRuntime, std::move(message)});
}

StatesError Execution::withStatePrefix(const Frame& f, StatesError e) const {
  if (e.error == asl::errors::kRuntime || e.error == asl::errors::kQueryEvaluationError) {
    e.cause = "An error occurred while executing the state '" + f.state().name +
              "' (entered at the event id #" + std::to_string(f.enteredEventId) + "). " + e.cause;
  }
  return e;
}

const Json* Execution::contextFor(Frame& f) {
  const asl::State& s = f.state();
  if (!s.mentionsContext) return nullptr;
  if (!f.context) {
    JsonObject c = executionContext_.as_object();
    JsonObject state;
    state["EnteredTime"] = formatIso8601(f.enteredTime);
    state["Name"] = s.name;
    // Only states that can retry report RetryCount.
    if (s.type == asl::StateType::Task || s.type == asl::StateType::Parallel ||
        s.type == asl::StateType::Map) {
      state["RetryCount"] = f.retryCount;
    }
    c["State"] = std::move(state);
    if (!f.taskToken.empty()) {
      JsonObject task;
      task["Token"] = f.taskToken;
      c["Task"] = std::move(task);
    }
    if (single_) singleStateContext(c);
    f.context = Json(std::move(c));
  }
  if (f.mapItem) {
    // ItemSelector's view: the cached context plus $$.Map.Item.
    auto& o = f.context->as_object();
    JsonObject map;
    map["Item"] = *f.mapItem;
    o["Map"] = std::move(map);
  }
  return &*f.context;
}

asl::EvalEnv Execution::envFor(Frame& f, const Json& input) {
  asl::EvalEnv env;
  env.input = &input;
  env.context = contextFor(f);
  env.vars = f.vars.get();
  env.ids = &ctx_.ids;
  return env;
}

Outcome<const Json*> Execution::applyInputPath(Frame& f, const asl::OptionalPath& path,
                                               const Json& input) {
  if (path.isNull) {
    f.effectiveInput = JsonObject{};
    inspect(f, &SingleStateReport::afterInputPath, f.effectiveInput);
    return &f.effectiveInput;
  }
  if (!path.path) {
    inspect(f, &SingleStateReport::afterInputPath, input);
    return &input;
  }
  auto v = path.path->select(envFor(f, input));
  if (!v) {
    return runtimeError(f, "Invalid path '" + path.path->text() +
                               "' : No results for path: " + path.path->normalized());
  }
  f.effectiveInput = std::move(*v);
  inspect(f, &SingleStateReport::afterInputPath, f.effectiveInput);
  return &f.effectiveInput;
}

Json Execution::takeInput(Frame& f, const Json* effective, bool rawStillNeeded) {
  if (effective == &f.effectiveInput) return std::move(f.effectiveInput);
  if (effective == &f.rawInput && !rawStillNeeded) return std::move(f.rawInput);
  return *effective;
}

Outcome<Json> Execution::applyOutputPath(Frame& f, const asl::OptionalPath& path, Json output) {
  if (path.isNull) return Json(JsonObject{});
  if (!path.path) return output;
  auto v = path.path->select(envFor(f, output));
  if (!v) {
    return runtimeError(f, "Invalid path '" + path.path->text() +
                               "' : No results for path: " + path.path->normalized());
  }
  return std::move(*v);
}

Outcome<Json> Execution::applyResultPath(Frame& f, const asl::OptionalPath& path, Json input,
                                         Json result) {
  if (path.isNull) return input;
  if (!path.path) return result;
  if (!path.path->assign(input, std::move(result))) {
    return runtimeError(f, "Invalid path '" + path.path->text() +
                               "' : Unable to set value at path " + path.path->normalized());
  }
  return input;
}

Outcome<JsonObject> Execution::evaluateAssign(Frame& f, const asl::PayloadTemplate& assign,
                                              const Json& input) {
  auto v = assign.evaluate(envFor(f, input));
  if (!v) return v.takeError();
  if (!v->is_object()) return JsonObject{};
  return std::move(v->as_object());
}

Outcome<std::optional<Json>> Execution::stateArguments(Frame& f, const asl::EvalEnv& env) {
  const asl::State& s = f.state();
  if (s.isJsonata()) {
    if (!s.jsonata.arguments) return std::optional<Json>();
    auto v = evaluateJsonata(f, *s.jsonata.arguments, env);
    if (!v) return v.takeError();
    inspect(f, &SingleStateReport::afterArguments, v.value());
    return std::optional<Json>(std::move(v.value()));
  }
  if (!s.parameters) return std::optional<Json>();
  auto v = s.parameters->evaluate(env);
  if (!v) return withStatePrefix(f, v.takeError());
  inspect(f, &SingleStateReport::afterParameters, v.value());
  return std::optional<Json>(std::move(v.value()));
}

}  // namespace sluice::engine
