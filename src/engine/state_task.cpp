// The Task state: resolve parameters and timeouts, dispatch through the
// integration registry, record the task's history events, and handle the
// result, failure or timeout.
#include <cmath>

#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

using asl::StatesError;

namespace {

constexpr size_t kMaxPayloadBytes = 256 * 1024;

// TimeoutSeconds / HeartbeatSeconds, literal or from a path (positive integer).
asl::Outcome<std::optional<double>> resolveSeconds(const asl::ValueOrPath<double>& field,
                                                   const asl::EvalEnv& env, const char* name) {
  if (field.value) return std::optional<double>(*field.value);
  if (field.expression) {
    auto v = field.expression->evaluate(env);
    if (!v) return v.takeError();
    auto n = isNumber(*v) ? toInteger(*v) : std::nullopt;
    if (!n || *n <= 0) return field.expression->unexpectedType(*v, "positive integer");
    return std::optional<double>(static_cast<double>(*n));
  }
  if (!field.path) return std::optional<double>();
  auto v = field.path->select(env);
  auto n = v && isNumber(*v) ? toInteger(*v) : std::nullopt;
  if (!n || *n <= 0) {
    return StatesError{asl::errors::kRuntime, std::string("The ") + name +
                                                  " field refers to value \"" +
                                                  (v ? toJsonText(*v) : std::string("null")) +
                                                  "\" which is not a valid positive integer."};
  }
  return std::optional<double>(static_cast<double>(*n));
}

std::string familyPrefix(TaskFamily family) {
  return family == TaskFamily::LambdaFunction ? "LambdaFunction"
         : family == TaskFamily::Activity     ? "Activity"
                                              : "Task";
}

}  // namespace

// resourceType/resource of the Task* events (Lambda and activity events have none).
void addResource(JsonObject& d, const ParsedResource& res) {
  if (res.family == TaskFamily::Task) {
    d["resourceType"] = res.resourceType;
    d["resource"] = res.resource;
  }
}

asl::Outcome<Execution::TaskCall> Execution::prepareTask(const FramePtr& f) {
  const asl::State& s = f->state();
  const auto& spec = s.as<asl::TaskSpec>();
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return input.takeError();

  if (!f->taskResource) {
    auto parsed = parseTaskResource(spec.resource, spec.pattern);
    if (!parsed) {
      return runtimeError(
          *f, "The resource '" + spec.resourceAsWritten + "' is not a valid task resource.");
    }
    f->taskResource = std::move(*parsed);
  }
  const ParsedResource& res = *f->taskResource;
  TaskCall call;
  // Callback tasks get their token before Parameters run: `$$.Task.Token`.
  // A restored attempt keeps the token its worker already holds.
  call.callback = spec.pattern == asl::IntegrationPattern::WaitForTaskToken ||
                  res.family == TaskFamily::Activity;
  if (call.callback) {
    if (!ctx_.tokens) {
      return runtimeError(*f, "Callback tasks are not available in this engine.");
    }
    if (f->taskToken.empty()) f->taskToken = ctx_.tokens->newToken();
    f->context.reset();
  }

  auto env = s.isJsonata() ? jsonataEnv(*f, **input) : envFor(*f, **input);
  auto args = stateArguments(*f, env);
  if (!args) return args.takeError();
  call.params = args->has_value() ? std::move(**args) : takeInput(*f, *input, true);
  auto timeout = resolveSeconds(spec.timeoutSeconds, env, "TimeoutSecondsPath");
  if (!timeout) return withStatePrefix(*f, timeout.takeError());
  auto heartbeat = resolveSeconds(spec.heartbeatSeconds, env, "HeartbeatSecondsPath");
  if (!heartbeat) return withStatePrefix(*f, heartbeat.takeError());
  call.timeout = *timeout;
  call.heartbeat = *heartbeat;
  return call;
}

void Execution::runTask(const FramePtr& f) {
  auto call = prepareTask(f);
  if (!call) return failState(f, call.takeError());
  const ParsedResource& res = *f->taskResource;
  std::string prefix = familyPrefix(res.family);
  {
    JsonObject d;
    if (res.family == TaskFamily::Task) {
      d["resourceType"] = res.resourceType;
      d["resource"] = res.resource;
      d["region"] = res.region.empty() ? config_.scope.region : res.region;
      d["parameters"] = toJsonText(call->params);
    } else {
      d["resource"] = res.resource;
      d["input"] = toJsonText(call->params);
    }
    if (call->timeout) d["timeoutInSeconds"] = static_cast<int64_t>(*call->timeout);
    if (call->heartbeat) d["heartbeatInSeconds"] = static_cast<int64_t>(*call->heartbeat);
    emit(*f, prefix + "Scheduled", std::move(d));
  }
  auto start = [this, f, prefix](TaskCall call) {
    const ParsedResource& res = *f->taskResource;
    // Activities start when a worker takes them (GetActivityTask).
    if (res.family != TaskFamily::Activity) {
      JsonObject d;
      addResource(d, res);
      emit(*f, prefix + "Started", std::move(d));
    }
    if (single_ && singleStateMocked(f)) return;
    TimePoint now = ctx_.loop.now();
    if (call.timeout) f->timeoutAt = now + Duration(static_cast<int64_t>(*call.timeout * 1e6));
    if (call.heartbeat)
      f->heartbeatAt = now + Duration(static_cast<int64_t>(*call.heartbeat * 1e6));
    f->taskStarted = false;
    dispatchTask(f, std::move(call), false);
  };
  // Branches and iterations started together: every task is scheduled
  // before any starts, as AWS records them.
  if (f->parent && f->parent->group && f->parent->group->launching) {
    auto self = shared_from_this();
    auto held = std::make_shared<TaskCall>(std::move(call.value()));
    uint64_t gen = f->generation;
    f->parent->group->deferredStarts.push_back([this, self, f, gen, held, start] {
      if (f->generation != gen || f->finished || done()) return;
      start(std::move(*held));
    });
    return;
  }
  start(std::move(call.value()));
}

void Execution::dispatchTask(const FramePtr& f, TaskCall call, bool resumed) {
  const asl::State& s = f->state();
  const auto& spec = s.as<asl::TaskSpec>();
  const ParsedResource& res = *f->taskResource;
  std::string prefix = familyPrefix(res.family);
  bool callback = call.callback;
  Integration* integration = ctx_.integrations.find(res);
  if (!integration) {
    StatesError err{asl::errors::kTaskFailed,
                    "No integration is available for resource '" + spec.resourceAsWritten + "'."};
    JsonObject d;
    addResource(d, res);
    d["error"] = err.error;
    d["cause"] = err.cause;
    emit(*f, prefix + "Failed", std::move(d));
    return failState(f, std::move(err));
  }

  auto self = shared_from_this();
  uint64_t gen = f->generation;
  f->taskInFlight = true;
  // Ends this attempt's waiting: timers and the callback token.
  auto settle = [this, f] {
    f->taskInFlight = false;
    if (f->timeoutTimer) ctx_.loop.cancel(f->timeoutTimer), f->timeoutTimer = 0;
    if (f->heartbeatTimer) ctx_.loop.cancel(f->heartbeatTimer), f->heartbeatTimer = 0;
    if (!f->taskToken.empty() && ctx_.tokens) ctx_.tokens->retire(f->taskToken);
  };
  auto onDone = [this, self, f, gen, prefix, settle](asl::Outcome<Json> outcome) {
    if (f->generation != gen || f->finished || done()) return;
    settle();
    const ParsedResource& res = *f->taskResource;
    if (!outcome) {
      StatesError err = outcome.takeError();
      JsonObject d;
      addResource(d, res);
      d["error"] = err.error;
      d["cause"] = err.cause;
      emit(*f, prefix + "Failed", std::move(d));
      return failState(f, std::move(err));
    }
    std::string text = toJsonText(*outcome);
    if (text.size() > kMaxPayloadBytes) {
      StatesError err{asl::errors::kDataLimitExceeded,
                      "The state/task '" +
                          (res.family == TaskFamily::Task ? res.resourceType : res.resource) +
                          "' returned a result with a size exceeding the maximum number of bytes "
                          "service limit."};
      JsonObject d;
      addResource(d, res);
      d["error"] = err.error;
      d["cause"] = err.cause;
      emit(*f, prefix + "Failed", std::move(d));
      return failState(f, std::move(err));
    }
    JsonObject d;
    addResource(d, res);
    d["output"] = std::move(text);
    emit(*f, prefix + "Succeeded", std::move(d));
    completeState(f, std::move(outcome.value()));
  };
  // TimeoutSeconds and HeartbeatSeconds both end the attempt as a time-out.
  auto timedOut = [this, self, f, gen, prefix, settle](const char* error) {
    if (f->generation != gen || f->finished || done()) return;
    settle();
    if (f->task) f->task->cancel(), f->task.reset();
    JsonObject d;
    addResource(d, *f->taskResource);
    d["error"] = error;
    emit(*f, prefix + "TimedOut", std::move(d));
    // The failure takes effect once every timer due at this instant has
    // fired: tasks of sibling branches timing out at the same moment record
    // their TaskTimedOut too before the first failure aborts them, as on AWS.
    f->pendingFailure = StatesError{error, ""};
    f->timer = ctx_.loop.schedule(ctx_.loop.now(), [this, self, f, gen] {
      f->timer = 0;
      if (f->generation != gen || f->finished || done() || !f->pendingFailure) return;
      applyPendingFailure(f);
    });
  };
  if (call.timeout) {
    f->timeoutTimer = ctx_.loop.schedule(f->timeoutAt, [f, timedOut] {
      f->timeoutTimer = 0;
      timedOut(asl::errors::kTimeout);
    });
  }
  std::function<void()> beat;
  if (call.heartbeat && callback) {
    Duration period(static_cast<int64_t>(*call.heartbeat * 1e6));
    auto arm = std::make_shared<std::function<void()>>();
    *arm = [this, f, gen, timedOut] {
      if (f->generation != gen || f->finished) return;
      if (f->heartbeatTimer) ctx_.loop.cancel(f->heartbeatTimer);
      f->heartbeatTimer = ctx_.loop.schedule(f->heartbeatAt, [f, timedOut] {
        f->heartbeatTimer = 0;
        timedOut(asl::errors::kHeartbeatTimeout);
      });
    };
    (*arm)();
    beat = [this, f, period, arm] {
      f->heartbeatAt = ctx_.loop.now() + period;
      (*arm)();
    };
  }

  TaskRequest request;
  request.resource = &res;
  request.resourceArn = spec.resource;
  request.pattern = spec.pattern;
  request.parameters = std::move(call.params);
  request.taskToken = f->taskToken;
  request.timeoutSeconds = call.timeout;
  request.heartbeatSeconds = call.heartbeat;
  request.scope = config_.scope;
  request.executionArn = executionArn_;
  request.stateMachineArn = stateMachineArn_;
  request.stateName = s.name;
  request.attemptId = std::to_string(f->enteredEventId) + "." + std::to_string(f->retryCount);
  request.started = [this, self, f, gen](const std::string& workerName) {
    if (f->generation != gen || f->finished || done()) return;
    f->taskStarted = true;
    JsonObject d;
    if (!workerName.empty()) d["workerName"] = workerName;
    emit(*f, "ActivityStarted", std::move(d));
  };

  if (callback) {
    // The task ends when its token is answered; the integration's own
    // success only means the token was handed on (a failure still fails).
    ctx_.tokens->await(f->taskToken, {onDone, beat});
    // A restored attempt does not hand its token on twice: the message that
    // carries it was sent before the crash. Only an activity task no worker
    // took yet is queued again.
    if (resumed && (res.family != TaskFamily::Activity || f->taskStarted)) return;
    auto handle = integration->start(request, ctx_.loop, [onDone](asl::Outcome<Json> o) {
      if (!o) onDone(std::move(o));
    });
    if (f->generation == gen && !f->finished) f->task = std::move(handle);
    return;
  }
  // The integration may complete synchronously; keep its handle only while
  // this attempt is still the one in flight.
  auto handle = integration->start(request, ctx_.loop, std::move(onDone));
  if (f->generation == gen && !f->finished) f->task = std::move(handle);
}

}  // namespace sluice::engine
