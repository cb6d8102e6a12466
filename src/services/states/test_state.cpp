// TestState: one state, run once by the engine's single-state mode, with
// inspection data. Nothing is stored: the execution it uses is never
// registered, persisted or listed.
#include <set>

#include "asl/compile.hpp"
#include "engine/single_state.hpp"
#include "services/common/input.hpp"
#include "services/states/states_service.hpp"
#include "services/states/test_state_mock.hpp"
#include "services/states/test_state_report.hpp"

namespace sluice::services::states {

namespace {

// A single state's definition is tested under this name (it has none of its own).
constexpr const char* kSingleStateName = "TestState";

AwsError invalidInput(const std::string& what, const std::string& detail) {
  return AwsError{"InvalidExecutionInput",
                  "Invalid State Machine Execution Input: '" + what + ": " + detail + "'", 400};
}

// Parses an optional JSON member; `fallback` when absent.
Result<std::optional<Json>> jsonMember(const Input& input, std::string_view name,
                                       bool executionInput) {
  auto text = input.optionalString(name);
  if (!text) return text.error();
  if (!*text) return std::optional<Json>();
  std::string error;
  auto v = parseJson(**text, &error);
  if (!v) {
    if (executionInput) return invalidInput(std::string(name), error);
    return AwsError::validation("Invalid " + std::string(name) + ": '" + error + "'");
  }
  return std::optional<Json>(std::move(*v));
}

// The states a single state's transitions name: each becomes a Succeed
// placeholder, so the state compiles as a machine and the run can name its
// nextState.
void addTargets(const JsonObject& state, std::set<std::string>& out) {
  auto add = [&](const Json* v) {
    if (v && v->is_string()) out.insert(std::string(v->get_string()));
  };
  add(state.if_contains("Next"));
  add(state.if_contains("Default"));
  for (const char* list : {"Choices", "Catch"}) {
    const Json* l = state.if_contains(list);
    if (!l || !l->is_array()) continue;
    for (const auto& e : l->as_array()) {
      if (e.is_object()) add(e.as_object().if_contains("Next"));
    }
  }
}

Json wrapSingleState(const JsonObject& state, const std::string& name) {
  std::set<std::string> targets;
  addTargets(state, targets);
  JsonObject states;
  states[name] = state;
  for (const auto& t : targets) {
    if (t == name) continue;
    JsonObject placeholder;
    placeholder["Type"] = "Succeed";
    states[t] = std::move(placeholder);
  }
  JsonObject machine;
  machine["StartAt"] = name;
  machine["States"] = std::move(states);
  return machine;
}

// What TestState refuses to run (ValidationException), before running it.
Result<void> checkRunnable(const asl::State& s, const Json* mock, bool hasContext) {
  bool mockable = s.type == asl::StateType::Task || s.type == asl::StateType::Map ||
                  s.type == asl::StateType::Parallel;
  if (mock && !mockable) {
    return AwsError::validation("A mock can only be specified for Task, Map and Parallel states.");
  }
  if (hasContext && !mock) {
    return AwsError::validation("The context field can only be specified together with a mock.");
  }
  if (mock) return {};
  if (s.type == asl::StateType::Map || s.type == asl::StateType::Parallel) {
    return AwsError::validation("TestState requires a mock to test " +
                                std::string(asl::stateTypeName(s.type)) + " states.");
  }
  if (s.type == asl::StateType::Task) {
    const auto& spec = s.as<asl::TaskSpec>();
    if (spec.resource.find(":activity:") != std::string::npos) {
      return AwsError::validation("TestState requires a mock to test Activity tasks.");
    }
    if (spec.pattern != asl::IntegrationPattern::RequestResponse) {
      return AwsError::validation(
          "TestState requires a mock to test the .sync or .waitForTaskToken integration "
          "patterns.");
    }
  }
  return {};
}

// The mocked outcome: mock.result (JSON) or mock.errorOutput, exactly one.
Result<asl::Outcome<Json>> parseMock(const Json& mock, const asl::State& s) {
  const JsonObject& m = mock.as_object();
  const Json* result = m.if_contains("result");
  const Json* error = m.if_contains("errorOutput");
  bool hasResult = result && !result->is_null();
  bool hasError = error && !error->is_null();
  if (hasResult == hasError) {
    return AwsError::validation("A mock must specify exactly one of result and errorOutput.");
  }
  if (hasError) {
    const JsonObject& e = error->as_object();
    auto text = [&](const char* k) {
      const Json* v = e.if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    return asl::Outcome<Json>(asl::StatesError{text("error"), text("cause")});
  }
  std::string parseError;
  auto value = result->is_string() ? parseJson(result->get_string(), &parseError) : std::nullopt;
  if (!value) {
    return AwsError::validation("The mock result is not valid JSON: '" + parseError + "'");
  }
  if (s.type == asl::StateType::Map && !value->is_array()) {
    return AwsError::validation("The mock result of a Map state must be a JSON array.");
  }
  return asl::Outcome<Json>(std::move(*value));
}

bool namesInnerState(const asl::Machine& m, const std::string& name) {
  for (const auto& s : m.states) {
    if (s.name == name) return true;
    if (s.type == asl::StateType::Map && namesInnerState(*s.as<asl::MapSpec>().processor, name))
      return true;
    if (s.type == asl::StateType::Parallel) {
      for (const auto& b : s.as<asl::ParallelSpec>().branches)
        if (namesInnerState(*b, name)) return true;
    }
  }
  return false;
}

// stateConfiguration: retrierRetryCount (any retrying state), and the Map and
// Parallel settings, which only make sense for those states and a mock.
Result<void> readStateConfiguration(const JsonObject& config, const asl::State& s, bool mocked,
                                    engine::SingleStateOptions& options) {
  if (const Json* n = config.if_contains("retrierRetryCount")) {
    if (auto count = toInteger(*n)) options.retrierRetryCount = static_cast<int>(*count);
  }
  if (const Json* n = config.if_contains("mapIterationFailureCount"); n && !n->is_null()) {
    if (s.type != asl::StateType::Map) {
      return AwsError::validation("mapIterationFailureCount can only be specified for Map states.");
    }
    options.mapIterationFailureCount = toInteger(*n);
  }
  if (const Json* n = config.if_contains("errorCausedByState"); n && n->is_string()) {
    std::string name(n->get_string());
    bool known = false;
    if (s.type == asl::StateType::Map) {
      known = namesInnerState(*s.as<asl::MapSpec>().processor, name);
    } else if (s.type == asl::StateType::Parallel) {
      for (const auto& b : s.as<asl::ParallelSpec>().branches) known |= namesInnerState(*b, name);
    } else {
      return AwsError::validation(
          "errorCausedByState can only be specified for Map and Parallel states.");
    }
    if (!mocked) {
      return AwsError::validation("errorCausedByState can only be specified together with a mock.");
    }
    if (!known) {
      return AwsError::validation("errorCausedByState '" + name +
                                  "' does not name a state inside the tested state.");
    }
  }
  if (const Json* n = config.if_contains("mapItemReaderData"); n && !n->is_null()) {
    return AwsError::validation(
        "mapItemReaderData is not supported: Sluice's Map states have no "
        "ItemReader yet.");
  }
  return {};
}

}  // namespace

void StatesService::testState(const Json& in, const CallContext& ctx, Reply reply) {
  // Everything up to the run is checked synchronously.
  struct Prepared {
    std::shared_ptr<const asl::Machine> machine;
    int index = 0;
    Json input;
    engine::SingleStateOptions options;
    std::string roleArn;
    bool inspect = false;
  };
  auto prepare = [&]() -> Result<Prepared> {
    Input input(in);
    auto definition = input.requiredString("definition");
    if (!definition) return definition.error();
    auto stateName = input.optionalString("stateName");
    if (!stateName) return stateName.error();
    auto role = input.optionalString("roleArn");
    if (!role) return role.error();
    if (*role && !(*role)->starts_with("arn:")) {
      return AwsError{"InvalidArn", "Invalid Arn: '" + **role + "'", 400};
    }
    auto level = input.optionalString("inspectionLevel");
    if (!level) return level.error();

    // The definition: one state, or a state machine and the state to test.
    std::string parseError;
    auto parsed = parseJson(*definition, &parseError);
    Prepared p;
    if (parsed && parsed->is_object() && parsed->as_object().contains("Type") &&
        !parsed->as_object().contains("States")) {
      std::string name = stateName->value_or(kSingleStateName);
      auto compiled = asl::compileDefinition(wrapSingleState(parsed->as_object(), name));
      if (!compiled.machine) {
        // Locations are the state's own, not the wrapper machine's.
        std::string prefix = "/States/" + name;
        for (auto& d : compiled.diagnostics) {
          if (d.location.starts_with(prefix)) d.location.erase(0, prefix.size());
          if (d.location.empty()) d.location = "/";
        }
        return asl::invalidDefinitionError(compiled.diagnostics);
      }
      p.machine = compiled.machine;
      p.index = p.machine->indexByName.at(name);
    } else {
      auto compiled = asl::compileDefinition(*definition);
      if (!compiled.machine) return asl::invalidDefinitionError(compiled.diagnostics);
      p.machine = compiled.machine;
      if (!*stateName) {
        p.index = p.machine->startAt;
      } else {
        auto it = p.machine->indexByName.find(**stateName);
        if (it == p.machine->indexByName.end()) {
          return AwsError::validation("State '" + **stateName +
                                      "' does not exist in the state machine definition.");
        }
        p.index = it->second;
      }
    }
    const asl::State& s = p.machine->states[static_cast<size_t>(p.index)];

    auto value = jsonMember(input, "input", true);
    if (!value) return value.error();
    p.input = *value ? std::move(**value) : Json(JsonObject{});
    auto variables = jsonMember(input, "variables", false);
    if (!variables) return variables.error();
    if (*variables) {
      if (!(*variables)->is_object()) {
        return AwsError::validation(
            "Invalid variables: a JSON object of variable names to "
            "values is required.");
      }
      p.options.variables = std::move((*variables)->as_object());
    }
    auto context = jsonMember(input, "context", false);
    if (!context) return context.error();
    if (*context && !(*context)->is_object()) {
      return AwsError::validation("Invalid context: a JSON object is required.");
    }
    const Json* mock = input.has("mock") ? input.get("mock") : nullptr;
    if (auto ok = checkRunnable(s, mock, context->has_value()); !ok) return ok.error();
    if (*context) p.options.context = std::move((*context)->as_object());
    if (mock) {
      auto outcome = parseMock(*mock, s);
      if (!outcome) return outcome.error();
      const Json* mode = mock->as_object().if_contains("fieldValidationMode");
      if (s.type == asl::StateType::Task && outcome->ok()) {
        const auto& spec = s.as<asl::TaskSpec>();
        if (auto res = engine::parseTaskResource(spec.resource, spec.pattern)) {
          auto ok = validateMockResult(*res, spec.pattern, outcome->value(),
                                       mode && mode->is_string() ? mode->get_string() : "STRICT");
          if (!ok) return ok.error();
        }
      }
      p.options.mock = std::move(*outcome);
    }
    if (const Json* config = input.get("stateConfiguration"); config && config->is_object()) {
      auto ok = readStateConfiguration(config->as_object(), s, mock != nullptr, p.options);
      if (!ok) return ok.error();
    }
    p.roleArn = role->value_or("");
    p.inspect = level->value_or("INFO") != "INFO";
    return p;
  };
  auto prepared = prepare();
  if (!prepared) return reply(prepared.error());

  engine::ExecutionConfig config;
  config.scope = ctx.scope;
  config.stateMachineName = "TestState";
  config.roleArn = prepared->roleArn;
  auto execution =
      engine::Execution::create(engine_, prepared->machine, std::move(prepared->input), config);
  const asl::State* state = &prepared->machine->states[static_cast<size_t>(prepared->index)];
  bool inspect = prepared->inspect;
  // The execution keeps the machine (and so `state`) alive until it reports.
  execution->startSingleState(
      prepared->index, std::move(prepared->options),
      [reply = std::move(reply), state, inspect, machine = prepared->machine](
          engine::SingleStateReport report) { reply(testStateResponse(report, *state, inspect)); });
}

}  // namespace sluice::services::states
