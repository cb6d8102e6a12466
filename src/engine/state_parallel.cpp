// The Parallel state: every branch runs as its own frame with the same input;
// the first failing branch aborts the others.
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

void Execution::runParallel(const FramePtr& f) {
  const asl::State& s = f->state();
  auto input = applyInputPath(*f, s.inputPath, f->rawInput);
  if (!input) return failState(f, input.takeError());
  auto env = s.isJsonata() ? jsonataEnv(*f, **input) : envFor(*f, **input);
  auto args = stateArguments(*f, env);
  if (!args) return failState(f, args.takeError());
  if (single_ && singleStateMocked(f)) return;
  Json branchInput = args->has_value() ? std::move(**args) : takeInput(*f, *input, true);
  const auto& spec = s.as<asl::ParallelSpec>();
  auto group = std::make_shared<ChildGroup>();
  f->group = group;
  group->results.resize(spec.branches.size());
  group->startedEventId = emit(*f, "ParallelStateStarted");

  size_t n = spec.branches.size();
  group->frames.resize(n);
  for (size_t i = 0; i < n; ++i) {
    group->frames[i] = newFrame(spec.branches[i].get(), f->vars.get(), f.get(), f->recordEvents);
  }
  group->running = n;
  for (size_t i = 0; i < n; ++i) attachBranch(f, i);
  group->launching = true;
  for (size_t i = 0; i < n && !group->closed; ++i) startFrame(group->frames[i], branchInput);
  runDeferredStarts(*group);
  group->launching = false;
  if (n == 0) {
    group->closed = true;
    emit(*f, "ParallelStateSucceeded");
    completeState(f, Json(JsonArray{}));
  }
}

void Execution::attachBranch(const FramePtr& f, size_t i) {
  auto self = shared_from_this();
  uint64_t gen = f->generation;
  auto group = f->group;
  group->frames[i]->onDone = [this, self, f, gen, group, i](asl::Outcome<Json> outcome) {
    if (group->closed || f->generation != gen || f->finished || done()) return;
    --group->running;
    if (!outcome) {
      group->closed = true;
      for (auto& other : group->frames) {
        if (other && !other->finished) abortFrame(other);
      }
      f->lastEventId = eventCount_ == 0 ? f->lastEventId : eventCount_;
      // AWS records ParallelStateFailed for a branch ended by a Fail state,
      // not for one ended by a failed (then aborted) Task.
      if (group->frames[i]->state().type == asl::StateType::Task) {
        return failState(f, outcome.takeError());
      }
      return failState(f, outcome.takeError(), {"ParallelStateFailed"});
    }
    group->results[i] = std::move(outcome.value());
    if (++group->completed == group->frames.size()) {
      group->closed = true;
      f->lastEventId = eventCount_ == 0 ? f->lastEventId : eventCount_;
      emit(*f, "ParallelStateSucceeded");
      Json results = std::move(group->results);
      completeState(f, std::move(results));
    }
  };
}

}  // namespace sluice::engine
