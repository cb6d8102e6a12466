#include "engine/execution.hpp"

#include <cmath>
#include <stdexcept>

#include "engine/frame.hpp"

namespace sluice::engine {

using asl::StatesError;
using asl::StateType;

std::string_view statusName(ExecutionStatus s) {
  switch (s) {
    case ExecutionStatus::Running:
      return "RUNNING";
    case ExecutionStatus::Succeeded:
      return "SUCCEEDED";
    case ExecutionStatus::Failed:
      return "FAILED";
    case ExecutionStatus::TimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::Aborted:
      return "ABORTED";
  }
  return "UNKNOWN";
}

namespace {

constexpr size_t kMaxPayloadBytes = 256 * 1024;

// "<Type>StateEntered" / "<Type>StateExited" / "<Type>StateAborted", without
// building strings per event.
std::string_view stateEventName(StateType t, int phase) {
  static constexpr std::string_view kNames[][3] = {
      {"PassStateEntered", "PassStateExited", "PassStateAborted"},
      {"TaskStateEntered", "TaskStateExited", "TaskStateAborted"},
      {"ChoiceStateEntered", "ChoiceStateExited", "ChoiceStateAborted"},
      {"WaitStateEntered", "WaitStateExited", "WaitStateAborted"},
      {"SucceedStateEntered", "SucceedStateExited", "SucceedStateAborted"},
      {"FailStateEntered", "FailStateExited", "FailStateAborted"},
      {"ParallelStateEntered", "ParallelStateExited", "ParallelStateAborted"},
      {"MapStateEntered", "MapStateExited", "MapStateAborted"},
  };
  return kNames[static_cast<int>(t)][phase];
}
constexpr int kEntered = 0, kExited = 1, kAborted = 2;

// The member a JSONPath state's output text can be spliced at: `ResultPath:
// $.name` with no OutputPath (see Frame::inputText). nullptr otherwise.
const std::string* splicedField(const asl::State& s) {
  if (s.isJsonata() || !s.resultPath.path || s.outputPath.isNull || s.outputPath.path) {
    return nullptr;
  }
  return s.resultPath.path->topLevelField();
}

bool errorMatches(const std::vector<std::string>& names, const std::string& error) {
  // Runtime errors are terminal: no Retry or Catch sees them.
  if (error == asl::errors::kRuntime) return false;
  for (const auto& n : names) {
    if (n == error) return true;
    if (n == asl::errors::kAll) return true;
    if (n == asl::errors::kTaskFailed && error != asl::errors::kTimeout &&
        error != asl::errors::kDataLimitExceeded && !error.starts_with("States.")) {
      return true;
    }
  }
  return false;
}

}  // namespace

Execution::Execution(EngineContext ctx, std::shared_ptr<const asl::Machine> machine, Json input,
                     ExecutionConfig config)
    : ctx_(ctx),
      machine_(std::move(machine)),
      input_(std::move(input)),
      config_(std::move(config)) {
  if (config_.executionName.empty()) config_.executionName = ctx_.ids.uuid();
  startTime_ = ctx_.loop.now();  // start() sets it again; observers read it before
  if (config_.roleArn.empty()) {
    config_.roleArn = arn::role(config_.scope, "sluice-" + config_.stateMachineName);
  }
  stateMachineArn_ = arn::stateMachine(config_.scope, config_.stateMachineName);
  executionArn_ = config_.express ? arn::expressExecution(config_.scope, config_.stateMachineName,
                                                          config_.executionName, ctx_.ids.uuid())
                                  : arn::execution(config_.scope, config_.stateMachineName,
                                                   config_.executionName);
}

Execution::~Execution() = default;

std::shared_ptr<Execution> Execution::create(EngineContext ctx,
                                             std::shared_ptr<const asl::Machine> machine,
                                             Json input, ExecutionConfig config) {
  return std::shared_ptr<Execution>(
      new Execution(ctx, std::move(machine), std::move(input), std::move(config)));
}

void Execution::buildContext() {
  JsonObject exec;
  exec["Id"] = executionArn_;
  exec["Input"] = input_;
  exec["StartTime"] = formatIso8601(startTime_);
  exec["Name"] = config_.executionName;
  exec["RoleArn"] = config_.roleArn;
  if (!config_.express) exec["RedriveCount"] = redriveCount_;  // Express: never redriven
  if (redriveCount_ > 0) exec["RedriveTime"] = formatIso8601(redriveTime_);
  JsonObject sm;
  sm["Id"] = stateMachineArn_;
  sm["Name"] = config_.stateMachineName;
  JsonObject c;
  c["Execution"] = std::move(exec);
  c["StateMachine"] = std::move(sm);
  executionContext_ = std::move(c);
}

void Execution::start() {
  startTime_ = ctx_.loop.now();
  buildContext();
  root_ = newFrame(machine_.get(), nullptr, nullptr, true);
  {
    JsonObject d;
    d["input"] = toJsonText(input_);
    d["roleArn"] = config_.roleArn;
    emit(*root_, "ExecutionStarted", std::move(d));
    // AWS's first state event names no previous event (previousEventId 0).
    root_->lastEventId = 0;
  }
  armExecutionTimeout();
  startFrame(root_, input_);
}

void Execution::armExecutionTimeout() {
  // Captures `this` only: the execution owns the root frame, so capturing
  // `self` here would keep every execution alive forever.
  root_->onDone = [this](asl::Outcome<Json> outcome) {
    if (done()) return;
    if (outcome) {
      finishExecution(ExecutionStatus::Succeeded, std::move(outcome.value()), {}, {});
    } else {
      auto err = outcome.takeError();
      finishExecution(ExecutionStatus::Failed, nullptr, std::move(err.error), std::move(err.cause));
    }
  };
  if (machine_->timeoutSeconds) {
    auto self = shared_from_this();
    // A redriven execution has the whole TimeoutSeconds again.
    TimePoint from = redriveCount_ > 0 ? redriveTime_ : startTime_;
    executionTimer_ =
        ctx_.loop.schedule(from + Duration(*machine_->timeoutSeconds * 1000000LL), [this, self] {
          executionTimer_ = 0;
          if (done()) return;
          abortFrame(root_);
          finishExecution(ExecutionStatus::TimedOut, nullptr, asl::errors::kTimeout, "");
        });
  }
}

void Execution::stop(const std::string& error, const std::string& cause) {
  if (done()) return;
  abortFrame(root_);
  finishExecution(ExecutionStatus::Aborted, nullptr, error, cause);
}

void Execution::finishExecution(ExecutionStatus status, Json output, std::string error,
                                std::string cause) {
  if (done()) return;
  if (executionTimer_) ctx_.loop.cancel(executionTimer_);
  status_ = status;
  stopTime_ = ctx_.loop.now();
  JsonObject d;
  switch (status) {
    case ExecutionStatus::Succeeded:
      d["output"] = toJsonText(output);
      emit(*root_, "ExecutionSucceeded", std::move(d));
      output_ = std::move(output);
      break;
    case ExecutionStatus::Failed:
    case ExecutionStatus::TimedOut:
    case ExecutionStatus::Aborted:
      if (!error.empty() || status == ExecutionStatus::TimedOut) d["error"] = error;
      // AWS leaves out an empty cause (a Fail state without Cause, a task timeout).
      if (!cause.empty() || status == ExecutionStatus::TimedOut) d["cause"] = cause;
      emit(*root_,
           status == ExecutionStatus::Failed     ? "ExecutionFailed"
           : status == ExecutionStatus::TimedOut ? "ExecutionTimedOut"
                                                 : "ExecutionAborted",
           std::move(d));
      error_ = std::move(error);
      cause_ = std::move(cause);
      break;
    case ExecutionStatus::Running:
      break;
  }
  handOver();  // the final event
  if (status != ExecutionStatus::Succeeded && !config_.express) keepForRedrive();
  auto listeners = std::move(finished_);
  finished_.clear();
  for (auto& l : listeners) l();
}

int64_t Execution::emit(Frame& f, std::string_view type, JsonObject details) {
  if (!f.recordEvents) return 0;
  bool ends = type == "ExecutionSucceeded" || type == "ExecutionFailed" ||
              type == "ExecutionTimedOut" || type == "ExecutionAborted";
  if (historyFull_ && !ends) return 0;
  if (!config_.express && !ends && static_cast<size_t>(eventCount_) + 1 >= kMaxHistoryEvents) {
    // No room but for the end: the execution fails with the next event, as
    // AWS ends it, and what it was doing stops unrecorded.
    historyFull_ = true;
    root_->lastEventId = eventCount_;
    abortFrame(root_);
    finishExecution(ExecutionStatus::Failed, nullptr, std::string(asl::errors::kRuntime),
                    "The execution reached the maximum number of history events (25000).");
    return 0;
  }
  EventTypeInfo info = eventTypeInfo(type);
  if (info.name.empty()) throw std::logic_error("unknown history event type " + std::string(type));
  if (!config_.keepHistory && !config_.onEvent) {
    f.lastEventId = ++eventCount_;
    if (progress_) progress_();
    return f.lastEventId;
  }
  HistoryEvent e;
  e.id = ++eventCount_;
  e.previousEventId = f.lastEventId;
  e.timestamp = ctx_.loop.now();
  e.type = info.name;
  if (!details.empty() || type == "ExecutionSucceeded") e.detailsKey = info.detailsKey;
  e.details = std::move(details);
  f.lastEventId = e.id;
  if (config_.keepHistory) {
    history_.push_back(std::move(e));
  } else {
    handOver();
    streamed_ = std::move(e);
  }
  if (progress_) progress_();
  return f.lastEventId;
}

void Execution::handOver() {
  if (!streamed_) return;
  config_.onEvent(*streamed_);
  streamed_.reset();
}

HistoryEvent* Execution::latestEvent() {
  if (config_.keepHistory) return history_.empty() ? nullptr : &history_.back();
  return streamed_ ? &*streamed_ : nullptr;
}

int64_t Execution::emitState(Frame& f, std::string_view type, std::string_view payloadKey,
                             std::shared_ptr<const std::string> payload, JsonObject details) {
  int64_t id = emit(f, type, std::move(details));
  if (id == 0) return 0;
  lastPayloadSize_ = payload ? payload->size() : 0;
  HistoryEvent* e = latestEvent();
  if (!e) return id;  // counted only
  e->detailsKey = eventTypeInfo(type).detailsKey;
  e->name = f.state().name;
  e->payloadKey = payloadKey;
  e->payload = std::move(payload);
  return id;
}

int64_t Execution::emitIteration(Frame& f, std::string_view type, int64_t index) {
  int64_t id = emit(f, type);
  HistoryEvent* e = id == 0 ? nullptr : latestEvent();
  if (!e) return id;
  e->detailsKey = eventTypeInfo(type).detailsKey;
  e->name = f.state().name;
  e->index = index;
  return id;
}

Execution::FramePtr Execution::newFrame(const asl::Machine* machine,
                                        const asl::VarScope* parentVars, const Frame* parent,
                                        bool recordEvents) {
  auto f = std::make_shared<Frame>();
  f->machine = machine;
  f->vars = std::make_unique<asl::VarScope>(parentVars);
  f->parent = parent;
  f->recordEvents = recordEvents;
  if (parent) f->lastEventId = parent->lastEventId;
  return f;
}

void Execution::startFrame(const FramePtr& f, Json input) {
  transition(f, f->machine->startAt, std::move(input));
}

void Execution::transition(const FramePtr& f, int next, Json input) {
  if (single_ && singleStateTransition(f, next, input)) return;
  f->pendingNext = next;
  f->pendingInput = std::move(input);
  f->hasPending = true;
  if (f->driving) return;
  f->driving = true;
  while (f->hasPending && !f->finished && !done()) {
    f->hasPending = false;
    enterState(f, f->pendingNext, std::move(f->pendingInput));
  }
  f->driving = false;
}

void Execution::enterState(const FramePtr& f, int index, Json input) {
  f->stateIndex = index;
  f->rawInput = std::move(input);
  f->retryCount = 0;
  f->retrierAttempts.assign(f->state().retry.size(), 0);
  f->enteredTime = ctx_.loop.now();
  f->context.reset();
  f->taskResource.reset();
  f->taskToken.clear();
  f->group.reset();
  f->endedGroup.reset();
  const asl::State& s = f->state();
  // The previous state already serialised this document as its output.
  std::shared_ptr<const std::string> text;
  bool splices = splicedField(s) != nullptr;
  f->inputMembers.clear();
  if (f->pendingInputText) {
    text = std::move(f->pendingInputText);
    f->inputMembers = std::move(f->pendingInputMembers);
  } else if (splices) {
    text = std::make_shared<const std::string>(toJsonText(f->rawInput, 256, f->inputMembers));
  } else {
    text = std::make_shared<const std::string>(toJsonText(f->rawInput));
  }
  f->pendingInputText.reset();
  f->pendingInputMembers.clear();
  f->outputText.reset();
  std::shared_ptr<const std::string> inputText =
      splices && !f->inputMembers.empty() ? text : nullptr;
  f->enteredAfterEventId = f->lastEventId;
  f->enteredEventId = emitState(*f, stateEventName(s.type, kEntered), "input", std::move(text));
  if (done()) return;  // its history is full: the state does not run
  // Not recorded (a branch's event the history leaves out): no splicing.
  f->inputText = f->enteredEventId > 0 ? std::move(inputText) : nullptr;
  runState(f);
}

void Execution::runState(const FramePtr& f) {
  ++f->generation;
  f->pendingFailure.reset();
  f->context.reset();
  f->waitUntil = {};
  f->retryAt = {};
  f->taskInFlight = false;
  switch (f->state().type) {
    case StateType::Pass:
      return runPass(f);
    case StateType::Task:
      return runTask(f);
    case StateType::Choice:
      return runChoice(f);
    case StateType::Wait:
      return runWait(f);
    case StateType::Succeed:
      return runSucceed(f);
    case StateType::Fail:
      return runFail(f);
    case StateType::Parallel:
      return runParallel(f);
    case StateType::Map:
      return runMap(f);
  }
}

void Execution::completeState(const FramePtr& f, Json result) {
  const asl::State& s = f->state();
  if (s.isJsonata()) return completeJsonata(f, s.jsonata, &result);
  inspect(*f, &SingleStateReport::result, result);
  if (s.resultSelector) {
    auto selected = s.resultSelector->evaluate(envFor(*f, result));
    if (!selected) return failState(f, withStatePrefix(*f, selected.takeError()));
    result = std::move(selected.value());
    inspect(*f, &SingleStateReport::afterResultSelector, result);
  }
  std::optional<JsonObject> assigned;
  if (s.assign) {
    auto a = evaluateAssign(*f, *s.assign, result);
    if (!a) return failState(f, withStatePrefix(*f, a.takeError()));
    assigned = std::move(a.value());
  }
  // Retry and Catch need the raw input again; otherwise it is merged in place.
  bool rawStillNeeded = !s.retry.empty() || !s.catchers.empty();
  // `ResultPath: $.name` and no OutputPath: the output's text is the input's
  // with that member's value replaced (or appended), without serialising the
  // rest of the document again. A retry splices again from the same input.
  if (const std::string* field =
          f->inputText && f->rawInput.is_object() ? splicedField(s) : nullptr) {
    f->outputMembers = rawStillNeeded ? f->inputMembers : std::move(f->inputMembers);
    f->outputText = std::make_shared<const std::string>(
        withMemberText(*f->inputText, f->outputMembers, *field, result));
  }
  auto merged =
      applyResultPath(*f, s.resultPath, rawStillNeeded ? Json(f->rawInput) : std::move(f->rawInput),
                      std::move(result));
  if (!merged) return failState(f, merged.takeError());
  inspect(*f, &SingleStateReport::afterResultPath, merged.value());
  auto output = applyOutputPath(*f, s.outputPath, std::move(merged.value()));
  if (!output) return failState(f, output.takeError());
  exitState(f, std::move(output.value()), assigned ? &*assigned : nullptr);
}

void Execution::exitState(const FramePtr& f, Json output, const JsonObject* assigned) {
  const asl::State& s = f->state();
  // The state's input text is a good size estimate for its output text.
  size_t hint = lastPayloadSize_ == 0 ? 256 : lastPayloadSize_ + 64;
  std::shared_ptr<const std::string> outputText = std::move(f->outputText);
  std::vector<MemberSpan> members = std::move(f->outputMembers);
  f->outputText.reset();
  f->outputMembers.clear();
  int next = s.type == StateType::Choice ? f->choiceNext : s.next;
  if (!outputText) {
    // Member positions only for a next state that splices its output.
    bool splicing =
        next >= 0 && !s.end && splicedField(f->machine->states[static_cast<size_t>(next)]);
    outputText = std::make_shared<const std::string>(splicing ? toJsonText(output, hint, members)
                                                              : toJsonText(output, hint));
  }
  if (outputText->size() > kMaxPayloadBytes) {
    return failState(f, {asl::errors::kDataLimitExceeded,
                         "The state/task '" + s.name +
                             "' returned a result with a size exceeding the maximum number of "
                             "bytes service limit."});
  }
  bool terminal = s.end || s.type == StateType::Succeed;
  if (!terminal) {
    f->pendingInputText = outputText;
    f->pendingInputMembers = std::move(members);
  }
  recordExit(*f, std::move(outputText), assigned);

  if (terminal || next < 0) {
    f->pendingInputText.reset();
    return finishFrame(f, std::move(output));
  }
  transition(f, next, std::move(output));
}

void Execution::recordExit(Frame& f, std::shared_ptr<const std::string> outputText,
                           const JsonObject* assigned) {
  JsonObject d;
  // An empty Assign records nothing, as on AWS.
  if (assigned && !assigned->empty()) {
    JsonObject vars(assigned->size());
    for (const auto& kv : *assigned) {
      vars.emplace(kv.key(), toJsonText(kv.value()));
      f.vars->set(kv.key(), kv.value());
    }
    d.emplace("assignedVariables", std::move(vars));
  }
  emitState(f, stateEventName(f.state().type, kExited), "output", std::move(outputText),
            std::move(d));
}

void Execution::failState(const FramePtr& f, StatesError error,
                          std::initializer_list<std::string_view> finalEvents) {
  if (f->finished || done()) return;
  const asl::State& s = f->state();
  recordEvaluationFailure(*f, error);
  ++f->generation;
  if (single_) singleStateFailing(*f);
  bool retriable =
      s.type == StateType::Task || s.type == StateType::Parallel || s.type == StateType::Map;
  if (retriable) {
    for (size_t i = 0; i < s.retry.size(); ++i) {
      const asl::Retrier& r = s.retry[i];
      if (!errorMatches(r.errorEquals, error.error)) continue;
      if (f->retrierAttempts[i] >= r.maxAttempts) break;
      double delay = r.intervalSeconds * std::pow(r.backoffRate, f->retrierAttempts[i]);
      if (r.maxDelaySeconds) delay = std::min(delay, *r.maxDelaySeconds);
      if (r.fullJitter) delay = ctx_.ids.unit() * delay;
      if (single_) return singleStateRetry(f, i, delay, std::move(error));
      ++f->retrierAttempts[i];
      ++f->retryCount;
      return armRetry(f, ctx_.loop.now() + Duration(static_cast<int64_t>(delay * 1e6)));
    }
  }
  for (std::string_view e : finalEvents) emit(*f, e);
  for (const asl::Catcher& c : s.catchers) {
    if (!errorMatches(c.errorEquals, error.error)) continue;
    if (single_) singleStateCaught(static_cast<size_t>(&c - s.catchers.data()), error);
    JsonObject errObj;
    errObj["Error"] = error.error;
    errObj["Cause"] = error.cause;
    Json errorOutput = std::move(errObj);
    if (s.isJsonata()) return catchJsonata(f, c, std::move(errorOutput));
    std::optional<JsonObject> assigned;
    if (c.assign) {
      auto a = evaluateAssign(*f, *c.assign, errorOutput);
      if (!a) return finishFrame(f, withStatePrefix(*f, a.takeError()));
      assigned = std::move(a.value());
    }
    auto out = applyResultPath(*f, c.resultPath, f->rawInput, std::move(errorOutput));
    if (!out) return finishFrame(f, out.takeError());
    inspect(*f, &SingleStateReport::afterResultPath, out.value());
    recordExit(*f, std::make_shared<const std::string>(toJsonText(out.value())),
               assigned ? &*assigned : nullptr);
    return transition(f, c.next, std::move(out.value()));
  }
  // A Task whose error ends a Parallel branch or Map iteration is recorded
  // as aborted, as AWS records it.
  if (f->parent && s.type == StateType::Task) {
    if (f->parent->state().type == StateType::Map) {
      f->abortedTask = true;  // recorded after the MapIterationFailed
    } else {
      emit(*f, stateEventName(s.type, kAborted));
    }
  }
  finishFrame(f, std::move(error));
}

void Execution::applyPendingFailure(const FramePtr& f) {
  StatesError error = std::move(*f->pendingFailure);
  f->pendingFailure.reset();
  failState(f, std::move(error));
}

void Execution::armRetry(const FramePtr& f, TimePoint at) {
  auto self = shared_from_this();
  uint64_t gen = f->generation;
  f->retryAt = at;
  f->timer = ctx_.loop.schedule(at, [this, self, f, gen] {
    f->timer = 0;
    f->retryAt = {};
    if (f->generation != gen || f->finished || done()) return;
    runState(f);
  });
}

void Execution::finishFrame(const FramePtr& f, asl::Outcome<Json> outcome) {
  if (f->finished) return;
  f->finished = true;
  f->end = outcome ? Frame::End::Succeeded : Frame::End::Failed;
  if (f->timer) ctx_.loop.cancel(f->timer), f->timer = 0;
  if (f->timeoutTimer) ctx_.loop.cancel(f->timeoutTimer), f->timeoutTimer = 0;
  if (f->heartbeatTimer) ctx_.loop.cancel(f->heartbeatTimer), f->heartbeatTimer = 0;
  if (!f->taskToken.empty() && ctx_.tokens) ctx_.tokens->retire(f->taskToken);
  f->task.reset();
  if (!outcome) f->endedGroup = f->group;
  f->group.reset();
  // Child frames' callbacks hold their parent frame; dropping them here breaks
  // the parent -> group -> child -> callback -> parent cycle.
  auto onDone = std::move(f->onDone);
  f->onDone = nullptr;
  if (onDone) onDone(std::move(outcome));
}

void Execution::abortFrame(const FramePtr& f) {
  if (f->finished) return;
  f->finished = true;
  f->end = Frame::End::Aborted;
  ++f->generation;
  if (f->timer) ctx_.loop.cancel(f->timer), f->timer = 0;
  if (f->timeoutTimer) ctx_.loop.cancel(f->timeoutTimer), f->timeoutTimer = 0;
  if (f->heartbeatTimer) ctx_.loop.cancel(f->heartbeatTimer), f->heartbeatTimer = 0;
  if (!f->taskToken.empty() && ctx_.tokens) ctx_.tokens->retire(f->taskToken);
  if (f->task) {
    f->task->cancel();
    f->task.reset();
  }
  if (f->stateIndex < 0) return;
  const asl::State& s = f->state();
  if (auto g = f->group) {
    g->closed = true;
    for (size_t i = 0; i < g->frames.size(); ++i) {
      const auto& child = g->frames[i];
      if (!child || child->finished) continue;
      // An iteration's abort is recorded before its states' (as on AWS).
      if (s.type == StateType::Map && !g->distributed) {
        emitIteration(*f, "MapIterationAborted", static_cast<int64_t>(i));
      }
      abortFrame(child);
    }
  }
  if (s.type == StateType::Task || s.type == StateType::Wait || s.type == StateType::Map ||
      s.type == StateType::Parallel) {
    emit(*f, stateEventName(s.type, kAborted));
  }
  f->endedGroup = std::move(f->group);
  f->onDone = nullptr;
}

}  // namespace sluice::engine
