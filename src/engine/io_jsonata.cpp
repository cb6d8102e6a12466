// Input and output processing of JSONata states: Arguments, Output and
// Assign over `$states` (input, result, errorOutput, context) and the
// variables in scope, and the EvaluationFailed event of a failed evaluation.
// The state logic itself is shared with JSONPath states (state_*.cpp).
#include "asl/jsonata/jsonata.hpp"
#include "asl/jsonata_stepfunctions.hpp"
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

using asl::Outcome;
using asl::StatesError;

asl::EvalEnv Execution::jsonataEnv(Frame& f, const Json& input, const Json* result,
                                   const Json* errorOutput) {
  if (!jsonataFunctions_) {
    auto functions = std::make_shared<asl::jsonata::Bindings>();
    asl::addStepFunctionsFunctions(*functions, ctx_.ids);
    jsonataFunctions_ = std::move(functions);
  }
  asl::EvalEnv env = envFor(f, input);
  env.result = result;
  env.errorOutput = errorOutput;
  env.functions = jsonataFunctions_.get();
  return env;
}

Outcome<Json> Execution::evaluateJsonata(Frame& f, const asl::JsonataTemplate& t,
                                         const asl::EvalEnv& env) {
  auto v = t.evaluate(env);
  if (!v) return withStatePrefix(f, v.takeError());
  return v;
}

Outcome<Execution::JsonataExit> Execution::jsonataExit(Frame& f, const asl::JsonataIO& io,
                                                       const Json& input, Json* result,
                                                       Json* errorOutput) {
  JsonataExit out;
  if (!io.assign && !io.output) {
    if (errorOutput) {
      out.output = std::move(*errorOutput);
    } else if (result) {
      out.output = std::move(*result);
    }
    return out;
  }
  // Assign and Output both see the variables as they were before Assign.
  auto env = jsonataEnv(f, input, result, errorOutput);
  if (io.assign) {
    auto a = evaluateJsonata(f, *io.assign, env);
    if (!a) return a.takeError();
    out.assigned = std::move(a->as_object());
  }
  if (io.output) {
    auto o = evaluateJsonata(f, *io.output, env);
    if (!o) return o.takeError();
    out.output = std::move(o.value());
  } else if (errorOutput) {
    out.output = std::move(*errorOutput);
  } else if (result) {
    out.output = std::move(*result);
  }
  return out;
}

void Execution::completeJsonata(const FramePtr& f, const asl::JsonataIO& io, Json* result) {
  const asl::State& s = f->state();
  if (result) inspect(*f, &SingleStateReport::result, *result);
  auto exit = jsonataExit(*f, io, f->rawInput, result, nullptr);
  if (!exit) return failState(f, exit.takeError());
  // Retry and Catch (a too large output) need the raw input again.
  bool rawStillNeeded = !s.retry.empty() || !s.catchers.empty();
  Json output = exit->output     ? std::move(*exit->output)
                : rawStillNeeded ? Json(f->rawInput)
                                 : std::move(f->rawInput);
  exitState(f, std::move(output), exit->assigned ? &*exit->assigned : nullptr);
}

void Execution::catchJsonata(const FramePtr& f, const asl::Catcher& c, Json errorOutput) {
  auto exit = jsonataExit(*f, c.jsonata, f->rawInput, nullptr, &errorOutput);
  if (!exit) {
    StatesError err = exit.takeError();
    recordEvaluationFailure(*f, err);
    return finishFrame(f, std::move(err));
  }
  Json output = exit->output ? std::move(*exit->output) : std::move(f->rawInput);
  recordExit(*f, std::make_shared<const std::string>(toJsonText(output)),
             exit->assigned ? &*exit->assigned : nullptr);
  transition(f, c.next, std::move(output));
}

void Execution::recordEvaluationFailure(Frame& f, StatesError& e) {
  if (!e.evaluationLocation) return;
  JsonObject d;
  d["error"] = e.error;
  d["cause"] = e.cause;
  if (!e.evaluationLocation->empty()) d["location"] = *e.evaluationLocation;
  d["state"] = f.state().name;
  // As AWS records it: a failure while the state starts (nothing recorded
  // since it was entered) follows the event before the state was entered;
  // a Wait state's evaluation, and anything later, follows the latest event.
  if (f.recordEvents && f.lastEventId == f.enteredEventId && f.enteredEventId > 0 &&
      f.state().type != asl::StateType::Wait) {
    // (A frame restored from a checkpoint has no enteredAfterEventId: the
    // kept history has it.)
    f.lastEventId = config_.keepHistory
                        ? history_[static_cast<size_t>(f.enteredEventId - 1)].previousEventId
                        : f.enteredAfterEventId;
  }
  emit(f, "EvaluationFailed", std::move(d));
  e.evaluationLocation.reset();
}

}  // namespace sluice::engine
