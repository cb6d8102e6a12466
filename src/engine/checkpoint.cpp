// Durable executions: the checkpoint of a running execution's frame tree,
// and the restore/resume that continues it after a restart. A checkpoint is
// taken between loop turns, when every frame is waiting on something
// (a timer, a task, its children); that something is what it records.
#include "engine/execution.hpp"
#include "engine/frame.hpp"

namespace sluice::engine {

namespace {

TimePoint fromMicros(const Json* v) {
  auto n = v ? toInteger(*v) : std::nullopt;
  return fromEpochMicros(n.value_or(0));
}
int64_t intOf(const JsonObject& o, std::string_view key, int64_t fallback = 0) {
  const Json* v = o.if_contains(key);
  auto n = v ? toInteger(*v) : std::nullopt;
  return n ? *n : fallback;
}
double doubleOf(const JsonObject& o, std::string_view key, double fallback) {
  const Json* v = o.if_contains(key);
  return v && isNumber(*v) ? toDouble(*v) : fallback;
}
bool boolOf(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
AwsError corrupt(std::string what) {
  return AwsError{"InternalFailure", "Unreadable execution checkpoint: " + std::move(what), 500};
}

}  // namespace

JsonObject groupCheckpoint(const ChildGroup& g) {
  JsonObject go;
  go["items"] = JsonArray(g.items.begin(), g.items.end());
  go["results"] = g.results;
  go["launched"] = g.launched;
  go["running"] = g.running;
  go["completed"] = g.completed;
  go["failures"] = g.failures;
  go["maxConcurrency"] = g.maxConcurrency;
  go["toleratedCount"] = g.toleratedCount;
  go["toleratedPercentage"] = g.toleratedPercentage;
  go["distributed"] = g.distributed;
  go["mapInput"] = g.mapInput;
  go["startedEventId"] = g.startedEventId;
  return go;
}

Json Execution::checkpoint() const {
  JsonObject c;
  c["version"] = 1;
  if (redriveCount_ > 0) {
    c["redriveCount"] = redriveCount_;
    c["redriveTime"] = toEpochMicros(redriveTime_);
  }
  if (!done() && root_) c["root"] = checkpointFrame(*root_);
  if (done() && redrivable()) c["redriveRoot"] = redriveCheckpoint_;
  return c;
}

Json Execution::checkpointFrame(const Frame& f) const {
  JsonObject o;
  o["state"] = f.stateIndex;
  o["finished"] = f.finished;
  o["recordEvents"] = f.recordEvents;
  o["lastEventId"] = f.lastEventId;
  if (f.finished || f.stateIndex < 0) return o;
  o["rawInput"] = f.rawInput;
  o["vars"] = f.vars->local();
  o["enteredEventId"] = f.enteredEventId;
  o["enteredTime"] = toEpochMicros(f.enteredTime);
  o["retryCount"] = f.retryCount;
  JsonArray attempts;
  for (int a : f.retrierAttempts) attempts.push_back(a);
  o["retrierAttempts"] = std::move(attempts);
  if (f.timer && f.retryAt != TimePoint{}) o["retryAt"] = toEpochMicros(f.retryAt);
  if (f.timer && f.waitUntil != TimePoint{}) {
    o["waitUntil"] = toEpochMicros(f.waitUntil);
    o["waitInput"] = f.waitInput;
  }
  if (f.pendingFailure) {
    JsonObject e;
    e["error"] = f.pendingFailure->error;
    e["cause"] = f.pendingFailure->cause;
    o["pendingFailure"] = std::move(e);
  }
  if (f.taskInFlight) {
    JsonObject t;
    t["token"] = f.taskToken;
    if (f.timeoutTimer) t["timeoutAt"] = toEpochMicros(f.timeoutAt);
    if (f.heartbeatTimer) t["heartbeatAt"] = toEpochMicros(f.heartbeatAt);
    t["started"] = f.taskStarted;
    o["task"] = std::move(t);
  }
  if (const auto& g = f.group; g && !g->closed) {
    JsonObject go = groupCheckpoint(*g);
    JsonArray frames;
    for (const auto& child : g->frames) {
      frames.push_back(child && !child->finished ? checkpointFrame(*child) : Json(nullptr));
    }
    go["frames"] = std::move(frames);
    o["group"] = std::move(go);
  }
  return o;
}

Result<std::shared_ptr<Execution>> Execution::restore(EngineContext ctx,
                                                      std::shared_ptr<const asl::Machine> machine,
                                                      Saved saved) {
  auto e = std::shared_ptr<Execution>(
      new Execution(ctx, std::move(machine), std::move(saved.input), std::move(saved.config)));
  e->startTime_ = saved.startTime;
  e->history_ = std::move(saved.history);
  e->eventCount_ = static_cast<int64_t>(e->history_.size());
  e->status_ = saved.status;
  e->stopTime_ = saved.stopTime;
  e->output_ = std::move(saved.output);
  e->error_ = std::move(saved.error);
  e->cause_ = std::move(saved.cause);
  const JsonObject* c = saved.checkpoint.if_object();
  if (c) {
    e->redriveCount_ = static_cast<int>(intOf(*c, "redriveCount"));
    e->redriveTime_ = fromMicros(c->if_contains("redriveTime"));
  }
  e->buildContext();
  e->root_ = e->newFrame(e->machine_.get(), nullptr, nullptr, true);
  if (e->status_ != ExecutionStatus::Running) {
    e->root_->finished = true;
    if (const Json* r = c ? c->if_contains("redriveRoot") : nullptr; r && r->is_object()) {
      e->redriveCheckpoint_ = *r;
    }
    return e;
  }
  const Json* root = c ? c->if_contains("root") : nullptr;
  if (!root || !root->is_object()) return corrupt("no root frame");
  if (auto r = e->restoreFrame(*e->root_, *root); !r) return r.error();
  return e;
}

Result<void> Execution::restoreFrame(Frame& f, const Json& saved) {
  if (!saved.is_object()) return corrupt("a frame is not an object");
  const JsonObject& o = saved.as_object();
  f.stateIndex = static_cast<int>(intOf(o, "state", -1));
  f.finished = boolOf(o, "finished");
  f.recordEvents = boolOf(o, "recordEvents");
  f.lastEventId = intOf(o, "lastEventId");
  f.redrive = boolOf(o, "redrive");
  if (f.finished || f.stateIndex < 0) return {};
  if (static_cast<size_t>(f.stateIndex) >= f.machine->states.size()) {
    return corrupt("state index out of range");
  }
  if (const Json* v = o.if_contains("rawInput")) f.rawInput = *v;
  if (const Json* v = o.if_contains("vars"); v && v->is_object()) {
    for (const auto& kv : v->as_object()) f.vars->set(kv.key(), kv.value());
  }
  f.enteredEventId = intOf(o, "enteredEventId");
  f.enteredTime = fromMicros(o.if_contains("enteredTime"));
  f.retryCount = static_cast<int>(intOf(o, "retryCount"));
  f.retrierAttempts.assign(f.state().retry.size(), 0);
  if (const Json* a = o.if_contains("retrierAttempts"); a && a->is_array()) {
    for (size_t i = 0; i < a->as_array().size() && i < f.retrierAttempts.size(); ++i) {
      f.retrierAttempts[i] = static_cast<int>(toInteger(a->as_array()[i]).value_or(0));
    }
  }
  if (const Json* v = o.if_contains("retryAt")) f.retryAt = fromMicros(v);
  if (const Json* v = o.if_contains("waitUntil")) f.waitUntil = fromMicros(v);
  if (const Json* v = o.if_contains("waitInput")) f.waitInput = *v;
  if (const Json* p = o.if_contains("pendingFailure"); p && p->is_object()) {
    auto text = [&](std::string_view k) {
      const Json* v = p->as_object().if_contains(k);
      return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    f.pendingFailure = asl::StatesError{text("error"), text("cause")};
  }
  if (const Json* t = o.if_contains("task"); t && t->is_object()) {
    const JsonObject& to = t->as_object();
    f.taskInFlight = true;
    if (const Json* tok = to.if_contains("token"); tok && tok->is_string()) {
      f.taskToken = std::string(tok->get_string());
    }
    f.timeoutAt = fromMicros(to.if_contains("timeoutAt"));
    f.heartbeatAt = fromMicros(to.if_contains("heartbeatAt"));
    f.taskStarted = boolOf(to, "started");
  }
  const Json* g = o.if_contains("group");
  if (!g || !g->is_object()) return {};
  const JsonObject& go = g->as_object();
  const asl::State& s = f.state();
  auto group = std::make_shared<ChildGroup>();
  if (const Json* items = go.if_contains("items"); items && items->is_array()) {
    group->items.assign(items->as_array().begin(), items->as_array().end());
  }
  if (const Json* results = go.if_contains("results"); results && results->is_array()) {
    group->results = results->as_array();
  }
  group->launched = static_cast<size_t>(intOf(go, "launched"));
  group->running = static_cast<size_t>(intOf(go, "running"));
  group->completed = static_cast<size_t>(intOf(go, "completed"));
  group->failures = static_cast<size_t>(intOf(go, "failures"));
  group->maxConcurrency = static_cast<size_t>(intOf(go, "maxConcurrency"));
  group->toleratedCount = doubleOf(go, "toleratedCount", -1);
  group->toleratedPercentage = doubleOf(go, "toleratedPercentage", -1);
  group->distributed = boolOf(go, "distributed");
  if (const Json* v = go.if_contains("mapInput")) group->mapInput = *v;
  group->startedEventId = intOf(go, "startedEventId");
  const Json* frames = go.if_contains("frames");
  if (!frames || !frames->is_array()) return corrupt("a group has no frames");
  const auto& savedFrames = frames->as_array();
  group->frames.resize(savedFrames.size());
  for (size_t i = 0; i < savedFrames.size(); ++i) {
    if (savedFrames[i].is_null()) continue;
    const asl::Machine* child = nullptr;
    if (s.type == asl::StateType::Parallel) {
      const auto& branches = s.as<asl::ParallelSpec>().branches;
      if (i < branches.size()) child = branches[i].get();
    } else if (s.type == asl::StateType::Map) {
      child = s.as<asl::MapSpec>().processor.get();
    }
    if (!child) return corrupt("a child frame of a state without children");
    auto cf = newFrame(child, f.vars.get(), &f, true);
    if (auto r = restoreFrame(*cf, savedFrames[i]); !r) return r;
    group->frames[i] = std::move(cf);
  }
  if (group->results.size() < group->frames.size()) group->results.resize(group->frames.size());
  f.group = std::move(group);
  return {};
}

void Execution::resume() {
  if (done() || !root_) return;
  armExecutionTimeout();
  resumeFrame(root_);
}

void Execution::resumeFrame(const FramePtr& f) {
  if (f->finished || done() || f->stateIndex < 0) return;
  if (f->redrive) return resumeRedriven(f);
  const asl::State& s = f->state();
  if (f->pendingFailure) return applyPendingFailure(f);
  if (f->retryAt != TimePoint{}) return armRetry(f, f->retryAt);
  if (f->waitUntil != TimePoint{}) return armWait(f, f->waitUntil, std::move(f->waitInput));
  if (f->taskInFlight) {
    auto call = prepareTask(f);
    if (!call) return failState(f, call.takeError());
    return dispatchTask(f, std::move(call.value()), true);
  }
  if (auto group = f->group) {
    for (size_t i = 0; i < group->frames.size(); ++i) {
      if (!group->frames[i] || group->frames[i]->finished) continue;
      if (s.type == asl::StateType::Parallel) {
        attachBranch(f, i);
      } else {
        attachIteration(f, i);
      }
    }
    group->launching = true;
    for (size_t i = 0; i < group->frames.size() && !group->closed; ++i) {
      if (group->frames[i]) resumeFrame(group->frames[i]);
    }
    runDeferredStarts(*group);
    group->launching = false;
    if (s.type == asl::StateType::Map) launchMapIterations(f);
    return;
  }
  // Nothing recorded to wait on (the checkpoint was taken as the state began):
  // run it.
  runState(f);
}

}  // namespace sluice::engine
