// Running ONE state of a compiled machine, as Step Functions' TestState does:
// the execution runs the state through the very code paths of a normal
// execution (input/output processing, Task dispatch, Retry/Catch matching,
// Choice rules) and stops where the state would hand over: a transition, a
// retry, or the end. Along the way it records the inspection data TestState
// reports (the value after each processing step).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "asl/outcome.hpp"
#include "core/json.hpp"

namespace sluice::engine {

enum class SingleStateStatus { Succeeded, Failed, Retriable, CaughtError };
std::string_view singleStateStatusName(SingleStateStatus s);  // "SUCCEEDED", ...

struct SingleStateOptions {
  // Replaces the Task's call (or a Map/Parallel state's iterations/branches):
  // the state's raw result, or an error.
  std::optional<asl::Outcome<Json>> mock;
  // Attempts already made by the Retrier that matches the error.
  int retrierRetryCount = 0;
  // Map: iterations that failed; past the tolerated threshold the state
  // fails with States.ExceedToleratedFailureThreshold.
  std::optional<int64_t> mapIterationFailureCount;
  // Merged over the generated context object (`$$`, `$states.context`).
  std::optional<JsonObject> context;
  // Workflow variables in scope when the state starts.
  JsonObject variables;
};

// What the state did. The inspection values are set when the state reached
// that step (JSONPath: afterInputPath, afterParameters, afterResultSelector,
// afterResultPath; JSONata: afterArguments).
struct SingleStateReport {
  SingleStateStatus status = SingleStateStatus::Succeeded;
  std::optional<Json> output;
  std::string error, cause;
  std::string nextState;

  Json input;
  std::optional<Json> afterInputPath, afterParameters, afterArguments, result, afterResultSelector,
      afterResultPath;
  // Map.
  std::optional<Json> afterItemsPath, afterItemBatcher, afterItemSelector;
  std::optional<int64_t> maxConcurrency, toleratedFailureCount;
  std::optional<double> toleratedFailurePercentage;
  JsonObject variables;  // in scope after the state (its Assign included)
  std::optional<int> retryIndex, catchIndex;
  std::optional<int64_t> retryBackoffIntervalSeconds;
};

// The execution's single-state mode: options in, report out.
struct SingleState {
  SingleStateOptions options;
  SingleStateReport report;
  bool caught = false;  // a Catcher took the error: the transition is its Next
  bool retried = false;
  std::function<void(SingleStateReport)> done;
};

}  // namespace sluice::engine
