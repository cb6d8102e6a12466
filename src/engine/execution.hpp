// One execution of a compiled state machine, event-sourced: every step
// appends history events shaped like GetExecutionHistory's. Runs on an
// EventLoop; Wait/Retry/timeouts are timers, tasks complete asynchronously,
// Parallel branches and Map iterations run as concurrent frames.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "asl/machine.hpp"
#include "asl/outcome.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "engine/event_loop.hpp"
#include "engine/history.hpp"
#include "engine/integration.hpp"
#include "engine/single_state.hpp"
#include "engine/task_tokens.hpp"

namespace sluice::asl::jsonata {
class Bindings;
}

namespace sluice::engine {

struct ChildGroup;

enum class ExecutionStatus { Running, Succeeded, Failed, TimedOut, Aborted };
std::string_view statusName(ExecutionStatus s);

struct ExecutionConfig {
  Scope scope;
  std::string stateMachineName = "StateMachine";
  std::string executionName;  // a UUID when empty
  std::string roleArn;        // default: a role in the scope's account
  bool express = false;
  // Whether the events are kept (history()). Without, they are numbered and
  // shaped as ever but not stored: `sluice run` without --history.
  bool keepHistory = true;
  // Given (with keepHistory false): each event, complete, as it happens and
  // in order — `sluice run --history` prints them so instead of keeping them.
  std::function<void(const HistoryEvent&)> onEvent;
};

// What all executions of an engine share.
struct EngineContext {
  EventLoop& loop;
  IntegrationRegistry& integrations;
  IdGenerator& ids;
  TaskTokens* tokens = nullptr;  // callback tasks (.waitForTaskToken, activities)
};

class Execution : public std::enable_shared_from_this<Execution> {
 public:
  static std::shared_ptr<Execution> create(EngineContext ctx,
                                           std::shared_ptr<const asl::Machine> machine, Json input,
                                           ExecutionConfig config);
  ~Execution();

  // Starts running (loop thread). Completion is observable through done().
  void start();
  // StopExecution: aborts with the given error and cause (loop thread).
  void stop(const std::string& error, const std::string& cause);

  bool done() const { return status_ != ExecutionStatus::Running; }
  ExecutionStatus status() const { return status_; }
  const Json& output() const { return output_; }
  const std::string& error() const { return error_; }
  const std::string& cause() const { return cause_; }
  const std::vector<HistoryEvent>& history() const { return history_; }
  const std::string& arn() const { return executionArn_; }
  const std::string& name() const { return config_.executionName; }
  const std::string& stateMachineArn() const { return stateMachineArn_; }
  TimePoint startTime() const { return startTime_; }
  TimePoint stopTime() const { return stopTime_; }
  const Json& input() const { return input_; }
  const ExecutionConfig& config() const { return config_; }

  // Called on the loop thread when the execution finishes (each listener once).
  void onFinished(std::function<void()> callback) { finished_.push_back(std::move(callback)); }
  // Called on the loop thread after every history event: a durable owner
  // marks the execution for its next checkpoint.
  void onProgress(std::function<void()> callback) { progress_ = std::move(callback); }

  // --- Durability (checkpoint.cpp) ---
  // Everything a running execution needs to go on after a restart, beside its
  // history: the frame tree (current states, inputs, variables, retry
  // counters, timers' due times, task tokens, Map/Parallel progress).
  Json checkpoint() const;
  // What a store kept of an execution.
  struct Saved {
    Json input;
    ExecutionConfig config;
    TimePoint startTime;
    std::vector<HistoryEvent> history;
    ExecutionStatus status = ExecutionStatus::Running;
    TimePoint stopTime;
    Json output;  // SUCCEEDED
    std::string error, cause;
    Json checkpoint;  // RUNNING: from checkpoint()
  };
  // Rebuilds an execution; a running one is idle until resume().
  static Result<std::shared_ptr<Execution>> restore(EngineContext ctx,
                                                    std::shared_ptr<const asl::Machine> machine,
                                                    Saved saved);
  // Re-arms what a restored running execution waits for: Wait and Retry
  // timers at their recorded due times, task time-outs and heartbeats,
  // callback tokens, in-flight tasks (dispatched again: at-least-once, as a
  // worker failure on AWS), Map iterations not yet launched.
  void resume();

  // --- Redrive (redrive.cpp) ---
  // A FAILED, TIMED_OUT or ABORTED Standard execution keeps what failed: the
  // states that did not exit, with their inputs and variables, and the
  // results of the Parallel branches and Map iterations that succeeded.
  bool redrivable() const { return !redriveCheckpoint_.is_null(); }
  bool hasMachine() const { return machine_ != nullptr; }
  int redriveCount() const { return redriveCount_; }
  TimePoint redriveTime() const { return redriveTime_; }
  // Continues from the unsuccessful states (loop thread): records
  // ExecutionRedriven and re-enters each of them with its original input;
  // succeeded branches and iterations are not run again. `machine` is the
  // definition to run when the execution was restored without one.
  Result<void> redrive(std::shared_ptr<const asl::Machine> machine);

  // --- Single-state runs (single_state.cpp): TestState ---
  // Runs the state at `stateIndex` on the execution's input and reports once
  // it ends, fails, is caught, would retry or would move to another state
  // (loop thread). Nothing outlives this object: no store, no registry.
  void startSingleState(int stateIndex, SingleStateOptions options,
                        std::function<void(SingleStateReport)> onReport);

  struct Frame;
  using FramePtr = std::shared_ptr<Frame>;

 private:
  Execution(EngineContext ctx, std::shared_ptr<const asl::Machine> machine, Json input,
            ExecutionConfig config);

  // Frames and transitions (execution.cpp).
  FramePtr newFrame(const asl::Machine* machine, const asl::VarScope* parentVars,
                    const Frame* parent, bool recordEvents);
  void startFrame(const FramePtr& f, Json input);
  void transition(const FramePtr& f, int next, Json input);
  void enterState(const FramePtr& f, int index, Json input);
  void runState(const FramePtr& f);
  void completeState(const FramePtr& f, Json result);
  void exitState(const FramePtr& f, Json output, const JsonObject* assigned);
  // The <Type>StateExited event (assigned variables are set in scope here).
  void recordExit(Frame& f, std::shared_ptr<const std::string> outputText,
                  const JsonObject* assigned);
  // Retry, else Catch, else fail the frame. `finalEvents` (e.g.
  // "ParallelStateFailed") are recorded only when the error is not retried.
  void failState(const FramePtr& f, asl::StatesError error,
                 std::initializer_list<std::string_view> finalEvents = {});
  void finishFrame(const FramePtr& f, asl::Outcome<Json> outcome);
  void abortFrame(const FramePtr& f);
  void finishExecution(ExecutionStatus status, Json output, std::string error, std::string cause);
  int64_t emit(Frame& f, std::string_view type, JsonObject details = {});
  // Fills the typed fields of the event `emit` just appended (see HistoryEvent).
  int64_t emitState(Frame& f, std::string_view type, std::string_view payloadKey,
                    std::shared_ptr<const std::string> payload, JsonObject details = {});
  int64_t emitIteration(Frame& f, std::string_view type, int64_t index);

  // Input/output processing (io_processing.cpp).
  asl::EvalEnv envFor(Frame& f, const Json& input);
  const Json* contextFor(Frame& f);
  // The effective input: `input` itself for `$` (no copy), else the selected
  // value, kept in the frame. takeInput() turns it into an owned value.
  asl::Outcome<const Json*> applyInputPath(Frame& f, const asl::OptionalPath& path,
                                           const Json& input);
  // Owns the effective input; moves the raw input when the state no longer needs it.
  Json takeInput(Frame& f, const Json* effective, bool rawStillNeeded);
  asl::Outcome<Json> applyOutputPath(Frame& f, const asl::OptionalPath& path, Json output);
  asl::Outcome<Json> applyResultPath(Frame& f, const asl::OptionalPath& path, Json input,
                                     Json result);
  // The state's Parameters (JSONPath) or Arguments (JSONata) over `env`;
  // nullopt when it has none (the effective input is passed on).
  asl::Outcome<std::optional<Json>> stateArguments(Frame& f, const asl::EvalEnv& env);
  asl::Outcome<JsonObject> evaluateAssign(Frame& f, const asl::PayloadTemplate& assign,
                                          const Json& input);
  asl::StatesError runtimeError(const Frame& f, std::string message) const;
  asl::StatesError withStatePrefix(const Frame& f, asl::StatesError e) const;

  // Task attempts (state_task.cpp): what prepareTask resolves, dispatchTask sends.
  struct TaskCall {
    Json params;
    std::optional<double> timeout, heartbeat;
    bool callback = false;
  };
  asl::Outcome<TaskCall> prepareTask(const FramePtr& f);
  // `resumed`: a restored attempt; events are not recorded again, deadlines
  // (timeoutAt/heartbeatAt) are the frame's.
  void dispatchTask(const FramePtr& f, TaskCall call, bool resumed);
  void armWait(const FramePtr& f, TimePoint until, Json effectiveInput);
  void finishWait(const FramePtr& f, Json effectiveInput);
  void armRetry(const FramePtr& f, TimePoint at);
  // Retry, Catch or fail with the frame's recorded pending failure.
  void applyPendingFailure(const FramePtr& f);
  // The completion callbacks of a Parallel branch / Map iteration frame.
  void attachBranch(const FramePtr& f, size_t index);
  void attachIteration(const FramePtr& f, size_t index);
  // A Map iteration's input: the item, or ItemSelector's result for it.
  asl::Outcome<Json> mapItemInput(Frame& f, const ChildGroup& group, size_t index);
  void buildContext();
  void armExecutionTimeout();
  // checkpoint.cpp
  Json checkpointFrame(const Frame& f) const;
  Result<void> restoreFrame(Frame& f, const Json& saved);
  void resumeFrame(const FramePtr& f);
  // redrive.cpp
  Json redriveFrame(const Frame& f) const;
  Json enteredInput(const Frame& f) const;
  void resumeRedriven(const FramePtr& f);
  void keepForRedrive();
  // JSONata I/O processing (io_jsonata.cpp).
  struct JsonataExit {
    std::optional<Json> output;  // nullopt: the state's input
    std::optional<JsonObject> assigned;
  };
  asl::EvalEnv jsonataEnv(Frame& f, const Json& input, const Json* result = nullptr,
                          const Json* errorOutput = nullptr);
  asl::Outcome<Json> evaluateJsonata(Frame& f, const asl::JsonataTemplate& t,
                                     const asl::EvalEnv& env);
  // Assign, then Output (both see the variables as before Assign); without
  // Output the output is the error output, else the result (both moved from).
  asl::Outcome<JsonataExit> jsonataExit(Frame& f, const asl::JsonataIO& io, const Json& input,
                                        Json* result, Json* errorOutput);
  // Ends the state through `io` (the state's, or a Choice rule's).
  void completeJsonata(const FramePtr& f, const asl::JsonataIO& io, Json* result);
  void catchJsonata(const FramePtr& f, const asl::Catcher& c, Json errorOutput);
  // Records a failed JSONata evaluation as an EvaluationFailed event (once).
  void recordEvaluationFailure(Frame& f, asl::StatesError& e);

  // State types (state_*.cpp).
  void runPass(const FramePtr& f);
  void runChoice(const FramePtr& f);
  void runWait(const FramePtr& f);
  asl::Outcome<TimePoint> jsonataWaitUntil(Frame& f, const asl::WaitSpec& spec, TimePoint now);
  void runSucceed(const FramePtr& f);
  void runFail(const FramePtr& f);
  void failJsonata(const FramePtr& f);
  // A Choice rule: its JSONPath rule, or its JSONata Condition (a boolean).
  asl::Outcome<bool> matchChoice(Frame& f, const asl::ChoiceBranch& branch,
                                 const asl::EvalEnv& env);
  void runTask(const FramePtr& f);
  void runParallel(const FramePtr& f);
  // Starts the tasks a group's frames scheduled while it launched them.
  void runDeferredStarts(ChildGroup& group);
  void runMap(const FramePtr& f);
  void launchMapIterations(const FramePtr& f);
  asl::Outcome<Json> jsonataItems(Frame& f, const asl::EvalEnv& env, const Json& input);

  // Single-state mode hooks (single_state.cpp); each is a no-op unless
  // single_ is set. A transition out of the state ends the run.
  bool singleStateTransition(const FramePtr& f, int next, Json& input);
  void singleStateFailing(Frame& f);
  void singleStateRetry(const FramePtr& f, size_t retrier, double delay, asl::StatesError error);
  void singleStateCaught(size_t catcher, const asl::StatesError& error);
  // Task, Map, Parallel: completes the state with the mock; false without one.
  bool singleStateMocked(const FramePtr& f);
  // Map: records the item inspection values and applies the failure count;
  // false when that already ended the state.
  bool singleStateMap(const FramePtr& f);
  void singleStateContext(JsonObject& context) const;
  // Records an inspection value of the state under test.
  void inspect(const Frame& f, std::optional<Json> SingleStateReport::*field, const Json& value);

  EngineContext ctx_;
  std::shared_ptr<const asl::Machine> machine_;
  Json input_;
  ExecutionConfig config_;
  std::string executionArn_;
  std::string stateMachineArn_;
  TimePoint startTime_;
  TimePoint stopTime_;
  Json executionContext_;  // $$.Execution / $$.StateMachine, built once

  ExecutionStatus status_ = ExecutionStatus::Running;
  Json output_;
  std::string error_, cause_;
  std::vector<HistoryEvent> history_;
  int64_t eventCount_ = 0;  // events emitted (the last one's id), kept or not
  // The latest event for config_.onEvent, handed over once the next one
  // comes (or the execution ends): its typed fields are filled after emit.
  std::optional<HistoryEvent> streamed_;
  void handOver();
  // The event emit just made, to fill its typed fields; nullptr when events
  // are only counted.
  HistoryEvent* latestEvent();
  size_t lastPayloadSize_ = 0;  // the last state event's payload, a size hint
  // A Standard execution fails when its history reaches AWS's 25,000 events:
  // the failure is the 25,000th, and nothing is recorded after it.
  static constexpr size_t kMaxHistoryEvents = 25000;
  bool historyFull_ = false;
  FramePtr root_;
  EventLoop::TimerId executionTimer_ = 0;
  std::vector<std::function<void()>> finished_;
  std::function<void()> progress_;
  std::shared_ptr<const asl::jsonata::Bindings> jsonataFunctions_;  // built on first use
  Json redriveCheckpoint_;  // the root frame to redrive from; null when not redrivable
  int redriveCount_ = 0;
  TimePoint redriveTime_{};

  std::unique_ptr<SingleState> single_;  // TestState runs only
};

}  // namespace sluice::engine
