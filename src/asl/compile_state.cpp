// One state: its type and query language, the fields every type shares
// (InputPath, OutputPath, ResultPath, Parameters, ResultSelector, Assign),
// then the type-specific compiler.
#include <algorithm>
#include <array>

#include "asl/compile_steps.hpp"

namespace sluice::asl::detail {

namespace {

constexpr std::array<std::pair<std::string_view, StateType>, 8> kTypes = {{
    {"Pass", StateType::Pass},
    {"Task", StateType::Task},
    {"Choice", StateType::Choice},
    {"Wait", StateType::Wait},
    {"Succeed", StateType::Succeed},
    {"Fail", StateType::Fail},
    {"Parallel", StateType::Parallel},
    {"Map", StateType::Map},
}};

std::optional<StateType> parseType(std::string_view name) {
  for (const auto& [n, t] : kTypes) {
    if (n == name) return t;
  }
  return std::nullopt;
}

StateSpec emptySpec(StateType t) {
  switch (t) {
    case StateType::Pass:
      return PassSpec{};
    case StateType::Task:
      return TaskSpec{};
    case StateType::Choice:
      return ChoiceSpec{};
    case StateType::Wait:
      return WaitSpec{};
    case StateType::Succeed:
      return std::monostate{};
    case StateType::Fail:
      return FailSpec{};
    case StateType::Parallel:
      return ParallelSpec{};
    case StateType::Map:
      return MapSpec{};
  }
  return PassSpec{};
}

// Unknown fields; a field of the other query language says so, as AWS does.
void checkStateFields(CompileContext& ctx, const JsonObject& obj, const State& st,
                      const std::string& loc) {
  const auto& allowed = allowedStateFields(st.type, st.queryLanguage);
  QueryLanguage other = st.isJsonata() ? QueryLanguage::JSONPath : QueryLanguage::JSONata;
  const auto& otherAllowed = allowedStateFields(st.type, other);
  auto contains = [](const std::vector<std::string_view>& v, std::string_view k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  for (const auto& kv : obj) {
    std::string_view key = kv.key();
    if (contains(allowed, key)) continue;
    if (contains(otherAllowed, key)) {
      ctx.schema(std::string("The QueryLanguage is set to '") +
                     (st.isJsonata() ? "JSONata" : "JSONPath") + "', but field '" +
                     std::string(key) + "' is only supported for the '" +
                     (st.isJsonata() ? "JSONPath" : "JSONata") + "' QueryLanguage",
                 loc);
    } else {
      ctx.schema("Field '" + std::string(key) + "' is not supported", loc);
    }
  }
}

// Fields with JSONPath semantics, compiled only for JSONPath states.
void compileCommonPaths(CompileContext& ctx, const JsonObject& obj, const std::string& loc,
                        State& st) {
  st.inputPath = readOptionalPath(ctx, obj, "InputPath", loc, false);
  st.outputPath = readOptionalPath(ctx, obj, "OutputPath", loc, false);
  st.resultPath = readOptionalPath(ctx, obj, "ResultPath", loc, true);
  if (st.type != StateType::Map) st.parameters = readTemplate(ctx, obj, "Parameters", loc);
  st.resultSelector = readTemplate(ctx, obj, "ResultSelector", loc);
  st.assign = readTemplate(ctx, obj, "Assign", loc);
}

// Fields with JSONata semantics, compiled only for JSONata states.
void compileCommonJsonata(CompileContext& ctx, const JsonObject& obj, const std::string& loc,
                          State& st) {
  if (st.type == StateType::Task || st.type == StateType::Parallel) {
    st.jsonata.arguments = readJsonata(ctx, obj, "Arguments", loc);
  }
  readJsonataOutputAssign(ctx, obj, loc, st.jsonata);
}

void compileSpec(CompileContext& ctx, const JsonObject& obj, const std::string& loc, State& st) {
  switch (st.type) {
    case StateType::Pass:
      compilePass(ctx, obj, loc, st);
      break;
    case StateType::Task:
      compileTask(ctx, obj, loc, st);
      break;
    case StateType::Choice:
      compileChoice(ctx, obj, loc, st);
      break;
    case StateType::Wait:
      compileWait(ctx, obj, loc, st);
      break;
    case StateType::Succeed:
      break;
    case StateType::Fail:
      compileFail(ctx, obj, loc, st);
      break;
    case StateType::Parallel:
      compileParallel(ctx, obj, loc, st);
      break;
    case StateType::Map:
      compileMap(ctx, obj, loc, st);
      break;
  }
}

// `$$` (JSONPath) or `$states` (JSONata's $states.context) anywhere in `v`.
bool mentionsContext(const Json& v) {
  switch (v.kind()) {
    case json::kind::string:
      return v.get_string().find("$$") != json::string::npos ||
             v.get_string().find("$states") != json::string::npos;
    case json::kind::array:
      for (const auto& e : v.get_array())
        if (mentionsContext(e)) return true;
      return false;
    case json::kind::object:
      for (const auto& kv : v.get_object())
        if (mentionsContext(kv.value())) return true;
      return false;
    default:
      return false;
  }
}

}  // namespace

State compileState(CompileContext& ctx, const std::string& name, const Json& definition,
                   const std::string& loc) {
  State st;
  st.name = name;
  st.raw = definition;
  st.mentionsContext = mentionsContext(definition);
  st.queryLanguage = ctx.machineLanguage;
  st.spec = PassSpec{};
  if (!definition.is_object()) {
    ctx.schema("Expected value of type: Object", loc);
    return st;
  }
  const auto& obj = definition.get_object();

  auto typeName = readString(ctx, obj, "Type", loc);
  if (!obj.contains("Type")) ctx.schema("These fields are required: [Type]", loc);
  if (!typeName) return st;
  auto type = parseType(*typeName);
  if (!type) {
    ctx.schema("Value is not a valid state type: " + *typeName, childLocation(loc, "Type"));
    return st;
  }
  st.type = *type;
  st.spec = emptySpec(st.type);

  if (auto ql = readString(ctx, obj, "QueryLanguage", loc)) {
    if (*ql == "JSONata") {
      st.queryLanguage = QueryLanguage::JSONata;
    } else if (*ql == "JSONPath") {
      if (ctx.machineLanguage == QueryLanguage::JSONata) {
        ctx.schema(
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            loc);
      }
      st.queryLanguage = QueryLanguage::JSONPath;
    } else {
      ctx.schema("Value is not one of [JSONPath, JSONata]", childLocation(loc, "QueryLanguage"));
    }
  }

  checkStateFields(ctx, obj, st, loc);
  readString(ctx, obj, "Comment", loc);
  if (st.isJsonata()) {
    compileCommonJsonata(ctx, obj, loc, st);
  } else {
    compileCommonPaths(ctx, obj, loc, st);
  }
  compileSpec(ctx, obj, loc, st);
  if (obj.contains("Retry")) compileRetry(ctx, obj, loc, st);
  if (obj.contains("Catch")) compileCatch(ctx, obj, loc, st);
  return st;
}

}  // namespace sluice::asl::detail
