// The states that need no outside work: Pass, Choice, Succeed, Fail.
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

using asl::StatesError;

asl::Outcome<bool> Execution::matchChoice(Frame& f, const asl::ChoiceBranch& branch,
                                          const asl::EvalEnv& env) {
  if (!branch.condition) {
    auto matched = branch.rule.evaluate(env);
    if (!matched) return withStatePrefix(f, matched.takeError());
    return *matched;
  }
  auto v = evaluateJsonata(f, *branch.condition, env);
  if (!v) return v.takeError();
  if (!v->is_bool()) return withStatePrefix(f, branch.condition->unexpectedType(*v, "boolean"));
  return v->get_bool();
}

void Execution::runPass(const FramePtr& f) {
  const asl::State& s = f->state();
  if (s.isJsonata()) return completeJsonata(f, s.jsonata, nullptr);
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  const auto& spec = s.as<asl::PassSpec>();
  if (spec.result) return completeState(f, *spec.result);
  if (s.parameters) {
    auto params = s.parameters->evaluate(envFor(*f, **input));
    if (!params) return failState(f, withStatePrefix(*f, params.takeError()));
    inspect(*f, &SingleStateReport::afterParameters, params.value());
    return completeState(f, std::move(params.value()));
  }
  // ResultPath merges into the raw input, which therefore stays.
  completeState(f, takeInput(*f, *input, true));
}

void Execution::runChoice(const FramePtr& f) {
  const asl::State& s = f->state();
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  const auto& spec = s.as<asl::ChoiceSpec>();
  auto env = s.isJsonata() ? jsonataEnv(*f, **input) : envFor(*f, **input);
  const asl::ChoiceBranch* chosen = nullptr;
  for (const auto& branch : spec.choices) {
    auto matched = matchChoice(*f, branch, env);
    if (!matched) return failState(f, matched.takeError());
    if (*matched) {
      chosen = &branch;
      break;
    }
  }
  if (chosen) {
    f->choiceNext = chosen->next;
  } else if (spec.defaultNext >= 0) {
    f->choiceNext = spec.defaultNext;
  } else {
    return failState(f, {asl::errors::kNoChoiceMatched, "No Matches!"});
  }
  // JSONata: the matched rule's Output and Assign, or the state's with Default.
  if (s.isJsonata()) return completeJsonata(f, chosen ? chosen->jsonata : s.jsonata, nullptr);
  std::optional<JsonObject> assigned;
  for (const asl::PayloadTemplate* t :
       {s.assign ? &*s.assign : nullptr, chosen && chosen->assign ? &*chosen->assign : nullptr}) {
    if (!t) continue;
    auto a = evaluateAssign(*f, *t, **input);
    if (!a) return failState(f, withStatePrefix(*f, a.takeError()));
    if (!assigned) assigned.emplace();
    for (auto& kv : a.value()) (*assigned)[kv.key()] = std::move(kv.value());
  }
  auto output = applyOutputPath(*f, s.outputPath, takeInput(*f, *input, false));
  if (!output) return failState(f, output.takeError());
  exitState(f, std::move(output.value()), assigned ? &*assigned : nullptr);
}

void Execution::runSucceed(const FramePtr& f) {
  const asl::State& s = f->state();
  if (s.isJsonata()) return completeJsonata(f, s.jsonata, nullptr);
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  auto output = applyOutputPath(*f, s.outputPath, takeInput(*f, *input, false));
  if (!output) return failState(f, output.takeError());
  exitState(f, std::move(output.value()), nullptr);
}

void Execution::runFail(const FramePtr& f) {
  const asl::State& s = f->state();
  const auto& spec = s.as<asl::FailSpec>();
  // Error and Cause: literal, a path, or an intrinsic function call.
  auto resolve = [&](const std::optional<std::string>& literal,
                     const std::optional<asl::Path>& path,
                     const std::optional<asl::IntrinsicCall>& fn,
                     const char* field) -> asl::Outcome<std::string> {
    if (literal) return *literal;
    auto env = envFor(*f, f->rawInput);
    Json v;
    if (fn) {
      auto r = fn->evaluate(env);
      if (!r) return withStatePrefix(*f, r.takeError());
      v = std::move(r.value());
    } else if (path) {
      auto r = path->select(env);
      if (!r) {
        return runtimeError(*f, "The JSONPath '" + path->text() + "' specified for the field '" +
                                    field + "' could not be found in the input '" +
                                    toJsonText(f->rawInput) + "'");
      }
      v = std::move(*r);
    } else {
      return std::string();
    }
    if (v.is_string()) return std::string(v.get_string());
    return toJsonText(v);
  };
  if (s.isJsonata()) return failJsonata(f);
  auto error = resolve(spec.error, spec.errorPath, spec.errorFunction, "ErrorPath");
  if (!error) return finishFrame(f, error.takeError());
  auto cause = resolve(spec.cause, spec.causePath, spec.causeFunction, "CausePath");
  if (!cause) return finishFrame(f, cause.takeError());
  finishFrame(f, StatesError{std::move(error.value()), std::move(cause.value())});
}

// Fail with JSONata: Error and Cause are literals or expressions giving strings.
void Execution::failJsonata(const FramePtr& f) {
  const auto& spec = f->state().as<asl::FailSpec>();
  auto env = jsonataEnv(*f, f->rawInput);
  auto resolve =
      [&](const std::optional<std::string>& literal,
          const std::optional<asl::JsonataTemplate>& expression) -> asl::Outcome<std::string> {
    if (!expression) return literal.value_or(std::string());
    auto v = evaluateJsonata(*f, *expression, env);
    if (!v) return v.takeError();
    if (!v->is_string()) return withStatePrefix(*f, expression->unexpectedType(*v, "string"));
    return std::string(v->get_string());
  };
  auto error = resolve(spec.error, spec.errorExpression);
  auto cause = error ? resolve(spec.cause, spec.causeExpression) : asl::Outcome<std::string>("");
  StatesError result = !error   ? error.takeError()
                       : !cause ? cause.takeError()
                                : StatesError{std::move(error.value()), std::move(cause.value())};
  recordEvaluationFailure(*f, result);
  finishFrame(f, std::move(result));
}

}  // namespace sluice::engine
