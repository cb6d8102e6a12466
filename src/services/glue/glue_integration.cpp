// Glue's optimised Step Functions integration for jobs:
// arn:aws:states:::glue:startJobRun answers with the JobRunId; .sync waits
// for the run to end and answers with the JobRun (dates in epoch
// milliseconds, as optimised integrations give them), failing the task with
// States.TaskFailed (the cause: the JobRun) when it does not succeed. The
// execution moving on (timeout, abort) stops the run.
#include "engine/integration.hpp"
#include "services/common/sync_task_stop.hpp"
#include "services/glue/glue_service.hpp"

namespace sluice::services::glue {

namespace {

Json forTask(Json run) {
  JsonObject& o = run.as_object();
  for (const char* member : {"StartedOn", "LastModifiedOn", "CompletedOn"}) {
    if (Json* v = o.if_contains(member); v && v->is_number()) {
      *v = static_cast<int64_t>(v->to_number<double>() * 1000);
    }
  }
  return run;
}

class StartJobRunIntegration final : public engine::Integration {
 public:
  StartJobRunIntegration(GlueService& glue, const OperationRegistry& registry)
      : glue_(glue), registry_(registry) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request,
                                             engine::EventLoop& loop,
                                             engine::TaskDone done) override {
    Json in = request.parameters.is_object() ? request.parameters : Json(JsonObject{});
    std::string job = jsonString(jsonAt(in, {"JobName"}));
    CallContext ctx;
    ctx.scope = request.scope;
    auto state = std::make_shared<SyncTaskState>();
    bool sync = request.pattern != asl::IntegrationPattern::RequestResponse;
    registry_.call(
        "glue", "StartJobRun", in, ctx,
        [this, &loop, state, sync, done, job, scope = request.scope](Result<Json> r) {
          loop.post([this, state, sync, done, job, scope, r = std::move(r)] {
            if (state->cancelled) return;
            if (!r) return done(asl::StatesError{"Glue." + r.error().code, r.error().message});
            std::string id(r->as_object().at("JobRunId").as_string());
            state->stopRequest = JsonObject{{"JobName", job}, {"JobRunIds", JsonArray{Json(id)}}};
            if (!sync) return done(Json(JsonObject{{"JobRunId", id}}));
            glue_.whenRunFinished(scope, job, id, [state, done](Json run) {
              if (state->cancelled) return;
              if (run.is_null()) {
                return done(asl::StatesError{"States.TaskFailed", "The job run disappeared."});
              }
              std::string s(run.as_object().at("JobRunState").as_string());
              Json result = forTask(std::move(run));
              if (s == "SUCCEEDED") return done(result);
              done(asl::StatesError{"States.TaskFailed", toJsonText(result)});
            });
          });
        });
    return std::make_unique<SyncTaskStop>(state, registry_, request.scope, "glue",
                                          "BatchStopJobRun");
  }

 private:
  GlueService& glue_;
  const OperationRegistry& registry_;
};

}  // namespace

void GlueService::registerIntegrations(engine::IntegrationRegistry& integrations) {
  // The one optimised Glue integration; other Glue calls are aws-sdk:glue:*.
  integrations.add("glue:startJobRun", std::make_shared<StartJobRunIntegration>(*this, registry_));
}

}  // namespace sluice::services::glue
