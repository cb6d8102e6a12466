// Activities and callbacks: CreateActivity, DeleteActivity, DescribeActivity,
// ListActivities, GetActivityTask (long poll), SendTaskSuccess / Failure /
// Heartbeat, and the engine integration that hands activity tasks to workers.
#include <chrono>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

// GetActivityTask waits this long (wall time) for a task before answering empty.
constexpr auto kPollWait = std::chrono::seconds(60);

Json taskFor(const ActivityTask& t) {
  JsonObject o;
  o["taskToken"] = t.token;
  o["input"] = t.input;
  return o;
}

Result<engine::TaskTokens*> tokensOf(engine::EngineContext& e) {
  if (!e.tokens) return AwsError::internal("task tokens are not available");
  return e.tokens;
}

}  // namespace

// Queues the task on its activity; a waiting worker gets it at once.
class ActivityIntegration final : public engine::Integration {
 public:
  explicit ActivityIntegration(StatesService& s) : s_(s) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request, engine::EventLoop&,
                                             engine::TaskDone done) override {
    auto it = s_.activities_.find(request.resourceArn);
    if (it == s_.activities_.end()) {
      done(asl::StatesError{"States.Runtime",
                            "Activity Does Not Exist: '" + request.resourceArn + "'"});
      return nullptr;
    }
    ActivityRecord& a = it->second;
    ActivityTask task{request.taskToken, toJsonText(request.parameters), request.started};
    if (!a.pollers.empty()) {
      ActivityPoller p = std::move(a.pollers.front());
      a.pollers.pop_front();
      if (p.timeout) s_.engine_.loop.cancel(p.timeout);
      if (task.started) task.started(p.workerName);
      p.reply(taskFor(task));
      return nullptr;
    }
    a.pending.push_back(std::move(task));
    return std::make_unique<Pending>(s_, a.arn, request.taskToken);
  }

 private:
  // Cancelling (timeout, abort) takes a task nobody picked up off the queue.
  class Pending final : public engine::RunningTask {
   public:
    Pending(StatesService& s, std::string arn, std::string token)
        : s_(s), arn_(std::move(arn)), token_(std::move(token)) {}
    void cancel() override {
      auto it = s_.activities_.find(arn_);
      if (it == s_.activities_.end()) return;
      auto& q = it->second.pending;
      for (auto t = q.begin(); t != q.end(); ++t) {
        if (t->token == token_) {
          q.erase(t);
          return;
        }
      }
    }

   private:
    StatesService& s_;
    std::string arn_, token_;
  };

  StatesService& s_;
};

void StatesService::registerActivityIntegration() {
  engine_.integrations.add("activity", std::make_shared<ActivityIntegration>(*this));
}

Result<ActivityRecord*> StatesService::findActivity(const std::string& arn) {
  auto parsed = parseArn(arn, {ResourceKind::Activity});
  if (!parsed) return parsed.error();
  auto it = activities_.find(arn);
  if (it == activities_.end()) {
    return AwsError{"ActivityDoesNotExist", "Activity Does Not Exist: '" + arn + "'", 400};
  }
  return &it->second;
}

Result<Json> StatesService::createActivity(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("name");
  if (!name) return name.error();
  if (auto ok = checkName(*name); !ok) return ok.error();
  std::string arn = "arn:" + ctx.scope.partition + ":states:" + ctx.scope.region + ":" +
                    ctx.scope.account + ":activity:" + *name;
  auto [it, created] = activities_.try_emplace(arn);
  if (created) {
    it->second.arn = arn;
    it->second.name = *name;
    it->second.creationDate = clock_.now();
  }
  JsonObject out;
  out["activityArn"] = arn;
  out["creationDate"] = epochSeconds(it->second.creationDate);
  return Json(std::move(out));
}

Result<Json> StatesService::deleteActivity(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("activityArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::Activity});
  if (!parsed) return parsed.error();
  if (auto it = activities_.find(*arn); it != activities_.end()) {
    for (auto& p : it->second.pollers) {
      if (p.timeout) engine_.loop.cancel(p.timeout);
      p.reply(Json(JsonObject{}));
    }
    activities_.erase(it);
  }
  tags_.erase(*arn);
  return Json(JsonObject{});
}

Result<Json> StatesService::describeActivity(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("activityArn");
  if (!arn) return arn.error();
  auto a = findActivity(*arn);
  if (!a) return a.error();
  JsonObject out;
  out["activityArn"] = (*a)->arn;
  out["name"] = (*a)->name;
  out["creationDate"] = epochSeconds((*a)->creationDate);
  return Json(std::move(out));
}

Result<Json> StatesService::listActivities(const Json& in, const CallContext&) {
  auto page = Page::fromInput(in, 100, 1000);
  if (!page) return page.error();
  JsonArray items;
  JsonObject out;
  for (auto it = activities_.upper_bound(page->after); it != activities_.end(); ++it) {
    if (items.size() == page->limit) {
      out["nextToken"] = page->tokenAfter(std::prev(it)->first);
      break;
    }
    JsonObject o;
    o["activityArn"] = it->second.arn;
    o["name"] = it->second.name;
    o["creationDate"] = epochSeconds(it->second.creationDate);
    items.push_back(std::move(o));
  }
  out["activities"] = std::move(items);
  return Json(std::move(out));
}

void StatesService::getActivityTask(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto arn = input.requiredString("activityArn");
  if (!arn) return reply(arn.error());
  auto worker = input.optionalString("workerName");
  if (!worker) return reply(worker.error());
  auto a = findActivity(*arn);
  if (!a) return reply(a.error());
  ActivityRecord& activity = **a;
  if (!activity.pending.empty()) {
    ActivityTask task = std::move(activity.pending.front());
    activity.pending.pop_front();
    if (task.started) task.started(worker->value_or(""));
    return reply(taskFor(task));
  }
  // Long poll: answer when a task arrives, or empty after 60 s of wall time.
  uint64_t id = nextPoller_++;
  std::string activityArn = activity.arn;
  auto timer = engine_.loop.scheduleReal(kPollWait, [this, activityArn, id] {
    auto it = activities_.find(activityArn);
    if (it == activities_.end()) return;
    auto& pollers = it->second.pollers;
    for (auto p = pollers.begin(); p != pollers.end(); ++p) {
      if (p->id != id) continue;
      Reply r = std::move(p->reply);
      pollers.erase(p);
      r(Json(JsonObject{}));
      return;
    }
  });
  activity.pollers.push_back({id, worker->value_or(""), std::move(reply), timer});
}

Result<Json> StatesService::sendTaskSuccess(const Json& in, const CallContext&) {
  Input input(in);
  auto token = input.requiredString("taskToken");
  if (!token) return token.error();
  auto output = input.requiredString("output");
  if (!output) return output.error();
  std::string err;
  auto value = parseJson(*output, &err);
  if (!value) {
    return AwsError{"InvalidOutput", "Invalid State Machine Execution Output: '" + err + "'", 400};
  }
  auto tokens = tokensOf(engine_);
  if (!tokens) return tokens.error();
  if (auto r = (*tokens)->succeed(*token, std::move(*value)); !r) return r.error();
  return Json(JsonObject{});
}

Result<Json> StatesService::sendTaskFailure(const Json& in, const CallContext&) {
  Input input(in);
  auto token = input.requiredString("taskToken");
  if (!token) return token.error();
  auto error = input.optionalString("error");
  if (!error) return error.error();
  auto cause = input.optionalString("cause");
  if (!cause) return cause.error();
  auto tokens = tokensOf(engine_);
  if (!tokens) return tokens.error();
  if (auto r = (*tokens)->fail(*token, error->value_or(""), cause->value_or("")); !r) {
    return r.error();
  }
  return Json(JsonObject{});
}

Result<Json> StatesService::sendTaskHeartbeat(const Json& in, const CallContext&) {
  auto token = Input(in).requiredString("taskToken");
  if (!token) return token.error();
  auto tokens = tokensOf(engine_);
  if (!tokens) return tokens.error();
  if (auto r = (*tokens)->heartbeat(*token); !r) return r.error();
  return Json(JsonObject{});
}

}  // namespace sluice::services::states
