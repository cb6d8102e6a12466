// Single-state mode of an execution (TestState): the hooks the state code
// calls when single_ is set, and the report they fill.
#include "engine/single_state.hpp"

#include <algorithm>

#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

std::string_view singleStateStatusName(SingleStateStatus s) {
  switch (s) {
    case SingleStateStatus::Succeeded:
      return "SUCCEEDED";
    case SingleStateStatus::Failed:
      return "FAILED";
    case SingleStateStatus::Retriable:
      return "RETRIABLE";
    case SingleStateStatus::CaughtError:
      return "CAUGHT_ERROR";
  }
  return "FAILED";
}

namespace {

constexpr Duration kSingleStateLimit = std::chrono::minutes(5);

// Objects merge member by member; anything else replaces.
void mergeInto(JsonObject& target, const JsonObject& overrides) {
  for (const auto& kv : overrides) {
    Json* existing = target.if_contains(kv.key());
    if (existing && existing->is_object() && kv.value().is_object()) {
      mergeInto(existing->as_object(), kv.value().as_object());
    } else {
      target[kv.key()] = kv.value();
    }
  }
}

}  // namespace

void Execution::startSingleState(int stateIndex, SingleStateOptions options,
                                 std::function<void(SingleStateReport)> onReport) {
  single_ = std::make_unique<SingleState>();
  single_->options = std::move(options);
  single_->done = std::move(onReport);
  single_->report.input = input_;
  startTime_ = ctx_.loop.now();
  buildContext();
  root_ = newFrame(machine_.get(), nullptr, nullptr, true);
  for (const auto& kv : single_->options.variables) root_->vars->set(kv.key(), kv.value());
  {
    JsonObject d;
    d["input"] = toJsonText(input_);
    d["roleArn"] = config_.roleArn;
    emit(*root_, "ExecutionStarted", std::move(d));
    root_->lastEventId = 0;
  }
  armExecutionTimeout();
  if (!executionTimer_) {
    // TestState runs for at most five minutes, then fails with States.Timeout.
    executionTimer_ = ctx_.loop.schedule(startTime_ + kSingleStateLimit, [this] {
      executionTimer_ = 0;
      if (done()) return;
      abortFrame(root_);
      finishExecution(ExecutionStatus::TimedOut, nullptr, asl::errors::kTimeout, "");
    });
  }
  // The report is delivered from a fresh loop turn: its receiver may drop
  // the last reference to this execution.
  onFinished([this, self = shared_from_this()] {
    SingleStateReport& r = single_->report;
    if (r.status != SingleStateStatus::Retriable) {
      if (status_ == ExecutionStatus::Succeeded) {
        r.status = single_->caught ? SingleStateStatus::CaughtError : SingleStateStatus::Succeeded;
        r.output = output_;
      } else {
        r.status = SingleStateStatus::Failed;
        r.error = error_;
        r.cause = cause_;
      }
    }
    r.variables = root_->vars->local();
    ctx_.loop.post([self] { self->single_->done(std::move(self->single_->report)); });
  });
  transition(root_, stateIndex, input_);
}

bool Execution::singleStateTransition(const FramePtr& f, int next, Json& input) {
  // The first transition enters the state under test; the next one leaves it.
  if (f->parent || f->stateIndex < 0) return false;
  single_->report.nextState = f->machine->states[static_cast<size_t>(next)].name;
  finishFrame(f, std::move(input));
  return true;
}

void Execution::singleStateFailing(Frame& f) {
  // The attempts the caller says were already made, for whichever Retrier
  // matches the error.
  if (f.parent) return;
  f.retrierAttempts.assign(f.state().retry.size(), single_->options.retrierRetryCount);
}

void Execution::singleStateRetry(const FramePtr& f, size_t retrier, double delay,
                                 asl::StatesError error) {
  SingleStateReport& r = single_->report;
  r.status = SingleStateStatus::Retriable;
  r.retryIndex = static_cast<int>(retrier);
  r.retryBackoffIntervalSeconds = static_cast<int64_t>(delay);
  r.error = error.error;
  r.cause = error.cause;
  finishFrame(f, std::move(error));
}

void Execution::singleStateCaught(size_t catcher, const asl::StatesError& error) {
  single_->caught = true;
  single_->report.catchIndex = static_cast<int>(catcher);
  single_->report.error = error.error;
  single_->report.cause = error.cause;
}

bool Execution::singleStateMocked(const FramePtr& f) {
  if (f->parent || !single_->options.mock) return false;
  if (f->group && f->state().type == asl::StateType::Map && !singleStateMap(f)) return true;
  const asl::Outcome<Json>& mock = *single_->options.mock;
  if (!mock) {
    failState(f, mock.error());
  } else {
    completeState(f, mock.value());
  }
  return true;
}

bool Execution::singleStateMap(const FramePtr& f) {
  const ChildGroup& g = *f->group;
  const auto& spec = f->state().as<asl::MapSpec>();
  SingleStateReport& r = single_->report;
  if (spec.itemBatcher) r.afterItemBatcher = Json(JsonArray(g.items.begin(), g.items.end()));
  if (spec.itemSelector || spec.jsonataItemSelector) {
    JsonArray selected;
    for (size_t i = 0; i < g.items.size(); ++i) {
      auto v = mapItemInput(*f, g, i);
      if (!v) {
        failState(f, v.takeError(), {"MapStateFailed"});
        return false;
      }
      selected.push_back(std::move(v.value()));
    }
    r.afterItemSelector = Json(std::move(selected));
  }
  r.maxConcurrency = static_cast<int64_t>(g.maxConcurrency);
  if (g.toleratedCount >= 0) r.toleratedFailureCount = static_cast<int64_t>(g.toleratedCount);
  if (g.toleratedPercentage >= 0) r.toleratedFailurePercentage = g.toleratedPercentage;
  // The same threshold test as a running Map's (state_map.cpp).
  auto failures = single_->options.mapIterationFailureCount;
  bool tolerant = g.toleratedCount >= 0 || g.toleratedPercentage >= 0;
  if (failures && *failures > 0 && tolerant) {
    double n = static_cast<double>(*failures);
    double total = static_cast<double>(std::max<size_t>(g.items.size(), 1));
    if ((g.toleratedCount >= 0 && n > g.toleratedCount) ||
        (g.toleratedPercentage >= 0 && n * 100.0 / total > g.toleratedPercentage)) {
      failState(f,
                {asl::errors::kExceedToleratedFailureThreshold,
                 "The specified tolerated failure threshold was exceeded"},
                {"MapStateFailed"});
      return false;
    }
  }
  return true;
}

void Execution::singleStateContext(JsonObject& context) const {
  if (single_->options.context) mergeInto(context, *single_->options.context);
}

void Execution::inspect(const Frame& f, std::optional<Json> SingleStateReport::*field,
                        const Json& value) {
  if (single_ && !f.parent) single_->report.*field = value;
}

}  // namespace sluice::engine
