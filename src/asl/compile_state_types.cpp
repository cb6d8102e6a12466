// Type-specific fields of Pass, Task, Choice, Wait and Fail states.
#include <tuple>

#include "asl/compile_steps.hpp"
#include "asl/timestamp.hpp"

namespace sluice::asl::detail {

namespace {

constexpr long long kMaxSeconds = 99999999;

bool isJsonata(const State& st) {
  return st.queryLanguage == QueryLanguage::JSONata;
}

// `XSeconds` / `XSecondsPath`: at most one, a positive integer or a reference path.
ValueOrPath<double> readSeconds(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                                const std::string& loc, bool jsonata) {
  ValueOrPath<double> out;
  std::string pathKey = std::string(key) + "Path";
  if (obj.contains(key) && obj.contains(pathKey)) {
    ctx.schema("Only one of '" + std::string(key) + "' or '" + pathKey + "' can be set", loc);
  }
  if (auto it = obj.find(key); it != obj.end()) {
    if (jsonata && isJsonataExpression(it->value())) {
      out.expression = compileJsonata(ctx, it->value(), std::string(key), childLocation(loc, key));
      return out;
    }
    if (auto v = readInteger(ctx, obj, key, loc, 1, kMaxSeconds)) out.value = double(*v);
  }
  if (!jsonata) out.path = readPath(ctx, obj, pathKey, loc, true);
  return out;
}

// ErrorPath / CausePath: a JSONPath or an intrinsic function call.
void readErrorSource(CompileContext& ctx, const JsonObject& obj, std::string_view key,
                     const std::string& loc, std::optional<Path>& path,
                     std::optional<IntrinsicCall>& call) {
  auto text = readString(ctx, obj, key, loc);
  if (!text) return;
  std::string message = "The value for the field '" + std::string(key) +
                        "' must be a valid JSONPath or a valid intrinsic function call";
  if (IntrinsicCall::looksLikeCall(*text)) {
    auto parsed = IntrinsicCall::parse(*text);
    if (parsed) {
      call = std::move(*parsed);
    } else {
      ctx.schema(message, childLocation(loc, key));
    }
    return;
  }
  auto parsed = Path::parse(*text);
  if (parsed) {
    path = std::move(*parsed);
  } else {
    ctx.schema(message, childLocation(loc, key));
  }
}

}  // namespace

void compilePass(CompileContext& /*ctx*/, const JsonObject& obj, const std::string& /*loc*/,
                 State& st) {
  auto& spec = std::get<PassSpec>(st.spec);
  if (auto it = obj.find("Result"); it != obj.end()) spec.result = it->value();
}

void compileTask(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  auto& spec = std::get<TaskSpec>(st.spec);
  if (!obj.contains("Resource")) ctx.schema("These fields are required: [Resource]", loc);
  if (auto resource = readString(ctx, obj, "Resource", loc)) {
    checkTaskResource(ctx, *resource, childLocation(loc, "Resource"), spec);
  }
  spec.timeoutSeconds = readSeconds(ctx, obj, "TimeoutSeconds", loc, isJsonata(st));
  spec.heartbeatSeconds = readSeconds(ctx, obj, "HeartbeatSeconds", loc, isJsonata(st));
  if (spec.timeoutSeconds.value && spec.heartbeatSeconds.value &&
      *spec.heartbeatSeconds.value >= *spec.timeoutSeconds.value) {
    ctx.schema("HeartbeatSeconds must be smaller than TimeoutSeconds",
               childLocation(loc, "HeartbeatSeconds"));
  }
  if (auto it = obj.find("Credentials"); it != obj.end()) {
    if (!it->value().is_object()) {
      ctx.schema("Expected value of type: Object", childLocation(loc, "Credentials"));
    } else {
      spec.credentials = it->value();
    }
  }
}

void compileChoice(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  auto& spec = std::get<ChoiceSpec>(st.spec);
  std::string choicesLoc = childLocation(loc, "Choices");
  auto it = obj.find("Choices");
  if (it == obj.end()) {
    ctx.schema("These fields are required: [Choices]", loc);
  } else if (!it->value().is_array()) {
    ctx.schema("Expected value of type: Array", choicesLoc);
  } else if (it->value().get_array().empty()) {
    ctx.schema("Array must contain at least 1 item", choicesLoc);
  } else {
    size_t i = 0;
    for (const auto& element : it->value().get_array()) {
      std::string elementLoc = childLocation(choicesLoc, i++);
      ChoiceBranch branch;
      branch.raw = element;
      if (!element.is_object()) {
        ctx.schema("Expected value of type: Object", elementLoc);
        continue;
      }
      const auto& ruleObj = element.get_object();
      if (!ruleObj.contains("Next")) ctx.schema("These fields are required: [Next]", elementLoc);
      readString(ctx, ruleObj, "Next", elementLoc);
      if (isJsonata(st)) {
        // Runtime causes name the rule's fields "Choices[0]/Condition".
        std::string prefix = "Choices[" + std::to_string(i - 1) + "]/";
        checkAllowedFields(ctx, ruleObj, {"Condition", "Next", "Assign", "Output", "Comment"},
                           elementLoc);
        if (auto cond = ruleObj.find("Condition"); cond == ruleObj.end()) {
          ctx.schema("These fields are required: [Condition]", elementLoc);
        } else if (!cond->value().is_bool() && !isJsonataExpression(cond->value())) {
          ctx.schema("The value for the field 'Condition' must be a valid JSONata expression",
                     childLocation(elementLoc, "Condition"));
        } else {
          branch.condition = readJsonata(ctx, ruleObj, "Condition", elementLoc, prefix);
        }
        readJsonataOutputAssign(ctx, ruleObj, elementLoc, branch.jsonata, prefix);
      } else {
        std::vector<ChoiceRuleProblem> problems;
        if (auto rule = ChoiceRule::compile(element, elementLoc, true, problems)) {
          branch.rule = std::move(*rule);
        }
        for (auto& p : problems) ctx.schema(std::move(p.message), std::move(p.location));
        branch.assign = readTemplate(ctx, ruleObj, "Assign", elementLoc);
      }
      spec.choices.push_back(std::move(branch));
    }
  }
  readString(ctx, obj, "Default", loc);
}

void compileWait(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  auto& spec = std::get<WaitSpec>(st.spec);
  int given = 0;
  for (std::string_view key : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}) {
    given += obj.contains(key) ? 1 : 0;
  }
  if (given != 1) {
    ctx.schema(
        "Exactly one of the fields [Seconds, Timestamp, SecondsPath, TimestampPath] "
        "must be set",
        loc);
  }
  if (auto it = obj.find("Seconds"); it != obj.end()) {
    if (isJsonata(st) && isJsonataExpression(it->value())) {
      spec.secondsExpression = readJsonata(ctx, obj, "Seconds", loc);
    } else if (auto v = readInteger(ctx, obj, "Seconds", loc, 0, kMaxSeconds)) {
      spec.seconds = *v;
    }
  }
  if (auto it = obj.find("Timestamp"); it != obj.end()) {
    if (isJsonata(st) && isJsonataExpression(it->value())) {
      spec.timestampExpression = readJsonata(ctx, obj, "Timestamp", loc);
    } else {
      if (auto text = readString(ctx, obj, "Timestamp", loc)) {
        spec.timestampValue = parseTimestamp(*text);
        if (spec.timestampValue) {
          spec.timestamp = *text;
        } else {
          ctx.schema("String does not match RFC3339 timestamp", childLocation(loc, "Timestamp"));
        }
      }
    }
  }
  if (!isJsonata(st)) {
    spec.secondsPath = readPath(ctx, obj, "SecondsPath", loc, true);
    spec.timestampPath = readPath(ctx, obj, "TimestampPath", loc, true);
  }
}

void compileFail(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  auto& spec = std::get<FailSpec>(st.spec);
  if (obj.contains("Error") && obj.contains("ErrorPath")) {
    ctx.schema("Only one of 'Error' or 'ErrorPath' can be set", loc);
  }
  if (obj.contains("Cause") && obj.contains("CausePath")) {
    ctx.schema("Only one of 'Cause' or 'CausePath' can be set", loc);
  }
  if (isJsonata(st)) {
    // Error / Cause: a literal string or a JSONata expression.
    for (auto [key, literal, expression] :
         {std::tuple{"Error", &spec.error, &spec.errorExpression},
          std::tuple{"Cause", &spec.cause, &spec.causeExpression}}) {
      auto it = obj.find(key);
      if (it != obj.end() && isJsonataExpression(it->value())) {
        *expression = readJsonata(ctx, obj, key, loc);
      } else {
        *literal = readString(ctx, obj, key, loc);
      }
    }
    return;
  }
  spec.error = readString(ctx, obj, "Error", loc);
  spec.cause = readString(ctx, obj, "Cause", loc);
  readErrorSource(ctx, obj, "ErrorPath", loc, spec.errorPath, spec.errorFunction);
  readErrorSource(ctx, obj, "CausePath", loc, spec.causePath, spec.causeFunction);
}

}  // namespace sluice::asl::detail
