// RedriveExecution: a FAILED, TIMED_OUT or ABORTED Standard execution goes
// on from the states that did not exit, with the input each was entered with;
// a Parallel or Map state re-runs only its branches and iterations that
// failed or were aborted, and keeps the results of those that succeeded.
//
// When the execution ends unsuccessfully, keepForRedrive() writes that frame
// tree in the checkpoint format (checkpoint.cpp), marking the frames to re-run
// with "redrive"; redrive() restores it and resumeFrame() re-enters them.
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

Json Execution::enteredInput(const Frame& f) const {
  // The Entered event holds the input as the state received it; the frame's
  // copy may have been consumed by the state (a Wait, a Task without Retry).
  if (f.enteredEventId > 0 && static_cast<size_t>(f.enteredEventId) <= history_.size()) {
    const HistoryEvent& e = history_[static_cast<size_t>(f.enteredEventId - 1)];
    if (e.payload) {
      if (auto parsed = parseJson(*e.payload)) return std::move(*parsed);
    }
  }
  return f.rawInput;
}

Json Execution::redriveFrame(const Frame& f) const {
  if (f.end == Frame::End::Succeeded || f.stateIndex < 0) return nullptr;
  JsonObject o;
  o["state"] = f.stateIndex;
  o["finished"] = false;
  o["recordEvents"] = f.recordEvents;
  o["lastEventId"] = f.lastEventId;
  o["redrive"] = true;
  o["rawInput"] = enteredInput(f);
  o["vars"] = f.vars->local();
  o["enteredEventId"] = f.enteredEventId;
  o["enteredTime"] = toEpochMicros(f.enteredTime);

  // Children are re-run one by one only when they are what failed: some
  // ended unsuccessfully, and every launched Map iteration has a frame (an
  // ItemSelector failure leaves one without). Otherwise the state re-runs.
  const auto& g = f.endedGroup;
  if (!g) return o;
  bool childFailed = false;
  for (size_t i = 0; i < g->frames.size(); ++i) {
    const auto& child = g->frames[i];
    if (!child) {
      if (i < g->launched) return o;
      continue;
    }
    if (child->end != Frame::End::Succeeded) childFailed = true;
  }
  if (!childFailed) return o;

  JsonObject go = groupCheckpoint(*g);
  JsonArray results = g->results;
  results.resize(g->frames.size());
  JsonArray frames;
  size_t rerun = 0, succeeded = 0;
  for (size_t i = 0; i < g->frames.size(); ++i) {
    const auto& child = g->frames[i];
    Json saved = child ? redriveFrame(*child) : Json(nullptr);
    if (!saved.is_null()) {
      ++rerun;
      results[i] = nullptr;
    } else if (child) {
      ++succeeded;
    }
    frames.push_back(std::move(saved));
  }
  go["results"] = std::move(results);
  go["running"] = rerun;
  go["completed"] = succeeded;
  go["failures"] = 0;
  go["frames"] = std::move(frames);
  o["group"] = std::move(go);
  return o;
}

void Execution::keepForRedrive() {
  redriveCheckpoint_ = root_ ? redriveFrame(*root_) : Json(nullptr);
  // The frame tree is no longer needed: the checkpoint holds what a redrive
  // uses, and dropping the tree frees the Parallel/Map children it kept.
  root_ = newFrame(machine_.get(), nullptr, nullptr, true);
  root_->finished = true;
}

Result<void> Execution::redrive(std::shared_ptr<const asl::Machine> machine) {
  if (!done() || !redrivable()) {
    return AwsError{"ExecutionNotRedrivable",
                    "Execution is " + std::string(statusName(status_)) + " and cannot be redriven",
                    400};
  }
  if (!machine_) machine_ = std::move(machine);
  if (!machine_) return AwsError::internal("no definition to redrive the execution with");
  auto root = newFrame(machine_.get(), nullptr, nullptr, true);
  if (auto r = restoreFrame(*root, redriveCheckpoint_); !r) return r;

  status_ = ExecutionStatus::Running;
  output_ = nullptr;
  error_.clear();
  cause_.clear();
  stopTime_ = {};
  ++redriveCount_;
  redriveTime_ = ctx_.loop.now();
  redriveCheckpoint_ = nullptr;
  buildContext();
  root_ = std::move(root);
  root_->lastEventId = static_cast<int64_t>(history_.size());
  JsonObject d;
  d["redriveCount"] = redriveCount_;
  emit(*root_, "ExecutionRedriven", std::move(d));
  armExecutionTimeout();
  resumeFrame(root_);
  return {};
}

void Execution::resumeRedriven(const FramePtr& f) {
  f->redrive = false;
  auto group = f->group;
  if (!group) {
    // The state that failed (or was aborted) is entered again, afresh.
    Json input = std::move(f->rawInput);
    return transition(f, f->stateIndex, std::move(input));
  }
  ++f->generation;
  bool isMap = f->state().type == asl::StateType::Map;
  bool inlineMap = isMap && !group->distributed;
  for (size_t i = 0; i < group->frames.size(); ++i) {
    if (!group->frames[i]) continue;
    if (isMap) {
      attachIteration(f, i);
    } else {
      attachBranch(f, i);
    }
  }
  group->launching = true;
  for (size_t i = 0; i < group->frames.size() && !group->closed; ++i) {
    const auto& child = group->frames[i];
    if (!child) continue;
    if (inlineMap) emitIteration(*f, "MapIterationStarted", static_cast<int64_t>(i));
    child->lastEventId = f->lastEventId;
    resumeFrame(child);
  }
  runDeferredStarts(*group);
  group->launching = false;
  if (isMap) launchMapIterations(f);
}

}  // namespace sluice::engine
