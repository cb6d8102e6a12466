// The HistoryEventType values of the Step Functions API, each with the name
// of its `...EventDetails` member, sorted by name.
#include "engine/history.hpp"

#include <iterator>
#include <unordered_map>
#include <utility>

namespace sluice::engine {

namespace {
constexpr std::pair<std::string_view, std::string_view> kEventTypes[] = {
    {"ActivityFailed", "activityFailedEventDetails"},
    {"ActivityScheduleFailed", "activityScheduleFailedEventDetails"},
    {"ActivityScheduled", "activityScheduledEventDetails"},
    {"ActivityStarted", "activityStartedEventDetails"},
    {"ActivitySucceeded", "activitySucceededEventDetails"},
    {"ActivityTimedOut", "activityTimedOutEventDetails"},
    {"ChoiceStateEntered", "stateEnteredEventDetails"},
    {"ChoiceStateExited", "stateExitedEventDetails"},
    {"EvaluationFailed", "evaluationFailedEventDetails"},
    {"ExecutionAborted", "executionAbortedEventDetails"},
    {"ExecutionFailed", "executionFailedEventDetails"},
    {"ExecutionRedriven", "executionRedrivenEventDetails"},
    {"ExecutionStarted", "executionStartedEventDetails"},
    {"ExecutionSucceeded", "executionSucceededEventDetails"},
    {"ExecutionTimedOut", "executionTimedOutEventDetails"},
    {"FailStateEntered", "stateEnteredEventDetails"},
    {"LambdaFunctionFailed", "lambdaFunctionFailedEventDetails"},
    {"LambdaFunctionScheduleFailed", "lambdaFunctionScheduleFailedEventDetails"},
    {"LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails"},
    {"LambdaFunctionStartFailed", "lambdaFunctionStartFailedEventDetails"},
    {"LambdaFunctionStarted", "lambdaFunctionStartedEventDetails"},
    {"LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails"},
    {"LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails"},
    {"MapIterationAborted", "mapIterationAbortedEventDetails"},
    {"MapIterationFailed", "mapIterationFailedEventDetails"},
    {"MapIterationStarted", "mapIterationStartedEventDetails"},
    {"MapIterationSucceeded", "mapIterationSucceededEventDetails"},
    {"MapRunAborted", "mapRunAbortedEventDetails"},
    {"MapRunFailed", "mapRunFailedEventDetails"},
    {"MapRunRedriven", "mapRunRedrivenEventDetails"},
    {"MapRunStarted", "mapRunStartedEventDetails"},
    {"MapRunSucceeded", "mapRunSucceededEventDetails"},
    {"MapStateAborted", "mapStateAbortedEventDetails"},
    {"MapStateEntered", "stateEnteredEventDetails"},
    {"MapStateExited", "stateExitedEventDetails"},
    {"MapStateFailed", "mapStateFailedEventDetails"},
    {"MapStateStarted", "mapStateStartedEventDetails"},
    {"MapStateSucceeded", "mapStateSucceededEventDetails"},
    {"ParallelStateAborted", "parallelStateAbortedEventDetails"},
    {"ParallelStateEntered", "stateEnteredEventDetails"},
    {"ParallelStateExited", "stateExitedEventDetails"},
    {"ParallelStateFailed", "parallelStateFailedEventDetails"},
    {"ParallelStateStarted", "parallelStateStartedEventDetails"},
    {"ParallelStateSucceeded", "parallelStateSucceededEventDetails"},
    {"PassStateEntered", "stateEnteredEventDetails"},
    {"PassStateExited", "stateExitedEventDetails"},
    {"SucceedStateEntered", "stateEnteredEventDetails"},
    {"SucceedStateExited", "stateExitedEventDetails"},
    {"TaskFailed", "taskFailedEventDetails"},
    {"TaskScheduled", "taskScheduledEventDetails"},
    {"TaskStartFailed", "taskStartFailedEventDetails"},
    {"TaskStarted", "taskStartedEventDetails"},
    {"TaskStateAborted", "taskStateAbortedEventDetails"},
    {"TaskStateEntered", "stateEnteredEventDetails"},
    {"TaskStateExited", "stateExitedEventDetails"},
    {"TaskSubmitFailed", "taskSubmitFailedEventDetails"},
    {"TaskSubmitted", "taskSubmittedEventDetails"},
    {"TaskSucceeded", "taskSucceededEventDetails"},
    {"TaskTimedOut", "taskTimedOutEventDetails"},
    {"WaitStateAborted", "waitStateAbortedEventDetails"},
    {"WaitStateEntered", "stateEnteredEventDetails"},
    {"WaitStateExited", "stateExitedEventDetails"},
};
}  // namespace

EventTypeInfo eventTypeInfo(std::string_view type) {
  // Looked up for every event an execution records: hashed, built once,
  // never changed.
  static const std::unordered_map<std::string_view, std::string_view> kByName(
      std::begin(kEventTypes), std::end(kEventTypes));
  auto it = kByName.find(type);
  if (it == kByName.end()) return {};
  return {it->first, it->second};
}

}  // namespace sluice::engine
