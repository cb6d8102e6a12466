// A compiled, immutable state machine: states by index, every path, template
// and Choice rule parsed once. The engine only reads this structure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "asl/choice.hpp"
#include "asl/intrinsics.hpp"
#include "asl/jsonata_template.hpp"
#include "asl/path.hpp"
#include "asl/payload_template.hpp"
#include "core/clock.hpp"
#include "core/json.hpp"

namespace sluice::asl {

enum class QueryLanguage { JSONPath, JSONata };
enum class StateType { Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map };

std::string_view stateTypeName(StateType t);  // "Pass", "Task", ...

// InputPath / OutputPath / ResultPath: absent means `$`, JSON null means
// "nothing" (InputPath/OutputPath: `{}`; ResultPath: discard the result).
struct OptionalPath {
  bool isNull = false;       // the field was JSON null
  std::optional<Path> path;  // set when the field was a string other than "$"
  bool isIdentity() const { return !isNull && !path; }
};

// A value given literally, through a `...Path` field (JSONPath) or as a
// JSONata expression.
template <typename T>
struct ValueOrPath {
  std::optional<T> value;
  std::optional<Path> path;
  std::optional<JsonataTemplate> expression;
  bool present() const { return value.has_value() || path.has_value() || expression.has_value(); }
};

// The JSONata forms of the I/O fields of a state, a Catch entry or a Choice
// rule (QueryLanguage JSONata): Arguments replaces InputPath and Parameters,
// Output replaces ResultSelector, ResultPath and OutputPath.
struct JsonataIO {
  std::optional<JsonataTemplate> arguments;  // Task, Parallel
  std::optional<JsonataTemplate> output;
  std::optional<JsonataTemplate> assign;
};

struct Retrier {
  std::vector<std::string> errorEquals;
  double intervalSeconds = 1;
  int maxAttempts = 3;
  double backoffRate = 2.0;
  std::optional<double> maxDelaySeconds;
  bool fullJitter = false;  // JitterStrategy FULL
};

struct Catcher {
  std::vector<std::string> errorEquals;
  OptionalPath resultPath;                // default `$`
  std::optional<PayloadTemplate> assign;  // JSONPath Assign
  JsonataIO jsonata;                      // JSONata Output / Assign
  int next = -1;                          // state index
  Json raw;                               // the catcher as written
};

struct ChoiceBranch {
  ChoiceRule rule = ChoiceRule::constant(false);  // JSONPath
  std::optional<JsonataTemplate> condition;       // JSONata: replaces `rule`
  int next = -1;
  std::optional<PayloadTemplate> assign;  // JSONPath Assign
  JsonataIO jsonata;                      // JSONata Output / Assign
  Json raw;
};

enum class IntegrationPattern { RequestResponse, Sync, Sync2, WaitForTaskToken };

struct PassSpec {
  std::optional<Json> result;
};

struct TaskSpec {
  std::string resource;           // the Resource ARN as written (without pattern suffix)
  std::string resourceAsWritten;  // including `.sync` / `.waitForTaskToken`
  IntegrationPattern pattern = IntegrationPattern::RequestResponse;
  ValueOrPath<double> timeoutSeconds;  // default 99999999
  ValueOrPath<double> heartbeatSeconds;
  std::optional<Json> credentials;
};

struct ChoiceSpec {
  std::vector<ChoiceBranch> choices;
  int defaultNext = -1;  // -1: no Default
};

struct WaitSpec {
  std::optional<double> seconds;
  std::optional<std::string> timestamp;
  std::optional<TimePoint> timestampValue;  // `timestamp` parsed at compile time
  std::optional<Path> secondsPath;
  std::optional<Path> timestampPath;
  std::optional<JsonataTemplate> secondsExpression;  // JSONata
  std::optional<JsonataTemplate> timestampExpression;
};

struct FailSpec {
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<Path> errorPath;  // may also be an intrinsic call
  std::optional<Path> causePath;
  std::optional<IntrinsicCall> errorFunction;  // ErrorPath written as States.X(...)
  std::optional<IntrinsicCall> causeFunction;
  std::optional<JsonataTemplate> errorExpression;  // JSONata
  std::optional<JsonataTemplate> causeExpression;
};

struct Machine;

struct ParallelSpec {
  std::vector<std::shared_ptr<const Machine>> branches;
};

struct MapSpec {
  std::shared_ptr<const Machine> processor;     // ItemProcessor / Iterator
  bool distributed = false;                     // ProcessorConfig.Mode == DISTRIBUTED
  std::string executionType;                    // ProcessorConfig.ExecutionType
  std::optional<Path> itemsPath;                // default `$`
  std::optional<PayloadTemplate> itemSelector;  // ItemSelector or legacy Parameters
  std::optional<JsonataTemplate> items;         // JSONata Items (default: the input)
  std::optional<JsonataTemplate> jsonataItemSelector;
  ValueOrPath<long long> maxConcurrency;  // 0 = unlimited
  ValueOrPath<long long> toleratedFailureCount;
  ValueOrPath<double> toleratedFailurePercentage;
  std::optional<Json> itemBatcher;  // kept as written, evaluated by the engine
  std::optional<Json> itemReader;
  std::optional<Json> resultWriter;
  std::optional<std::string> label;
};

using StateSpec = std::variant<PassSpec, TaskSpec, ChoiceSpec, WaitSpec, std::monostate /*Succeed*/,
                               FailSpec, ParallelSpec, MapSpec>;

struct State {
  std::string name;
  StateType type = StateType::Pass;
  QueryLanguage queryLanguage = QueryLanguage::JSONPath;
  Json raw;  // the state's definition as written
  // Mentions `$$` or `$states` anywhere: only such states need a context
  // object built for them.
  bool mentionsContext = false;

  OptionalPath inputPath;
  std::optional<PayloadTemplate>
      parameters;  // Parameters (Pass/Task/Parallel; Map's is itemSelector)
  std::optional<PayloadTemplate> resultSelector;
  OptionalPath resultPath;
  OptionalPath outputPath;
  std::optional<PayloadTemplate> assign;
  JsonataIO jsonata;  // QueryLanguage JSONata: replaces the fields above

  int next = -1;  // state index; -1 when End (or for Choice/Succeed/Fail)
  bool end = false;

  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  StateSpec spec;

  bool isJsonata() const { return queryLanguage == QueryLanguage::JSONata; }

  template <typename T>
  const T& as() const {
    return std::get<T>(spec);
  }
};

struct Machine {
  std::string comment;
  std::string version;
  QueryLanguage queryLanguage = QueryLanguage::JSONPath;
  std::optional<long long> timeoutSeconds;
  int startAt = 0;
  std::vector<State> states;
  std::unordered_map<std::string, int> indexByName;
  Json raw;

  const State& start() const { return states[static_cast<size_t>(startAt)]; }
  const State* find(std::string_view name) const {
    auto it = indexByName.find(std::string(name));
    return it == indexByName.end() ? nullptr : &states[static_cast<size_t>(it->second)];
  }
};

}  // namespace sluice::asl
