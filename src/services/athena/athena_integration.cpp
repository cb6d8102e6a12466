// Athena's optimised Step Functions integrations. startQueryExecution
// answers with the QueryExecutionId; .sync waits for the query and answers
// with its GetQueryExecution (dates in epoch milliseconds, as optimised
// integrations give them), failing the task with States.TaskFailed when the
// query does not succeed. A task dispatched again after a restart passes the
// same ClientRequestToken (derived from the attempt), so it finds its query
// instead of starting another. getQueryExecution, getQueryResults and
// stopQueryExecution are request-response calls of those operations.
#include "core/digest.hpp"
#include "services/athena/athena_service.hpp"
#include "services/common/operation_integration.hpp"
#include "services/common/sync_task_stop.hpp"

namespace sluice::services::athena {

namespace {

// Epoch seconds (the API's dates) as epoch milliseconds.
void millis(JsonObject& o, const char* member) {
  if (Json* v = o.if_contains(member); v && v->is_number()) {
    *v = static_cast<int64_t>(v->to_number<double>() * 1000);
  }
}

Json forTask(Json execution) {
  if (Json* s = execution.as_object().if_contains("Status"); s && s->is_object()) {
    millis(s->as_object(), "SubmissionDateTime");
    millis(s->as_object(), "CompletionDateTime");
  }
  return JsonObject{{"QueryExecution", std::move(execution)}};
}

class StartQueryIntegration final : public engine::Integration {
 public:
  StartQueryIntegration(AthenaService& athena, const OperationRegistry& registry)
      : athena_(athena), registry_(registry) {}

  std::unique_ptr<engine::RunningTask> start(const engine::TaskRequest& request,
                                             engine::EventLoop& loop,
                                             engine::TaskDone done) override {
    Json in = request.parameters.is_object() ? request.parameters : Json(JsonObject{});
    if (!in.as_object().contains("ClientRequestToken")) {
      std::string token =
          hexDigest("SHA-256", request.executionArn + "/" + request.attemptId).value_or("");
      in.as_object()["ClientRequestToken"] = token.substr(0, 64);
    }
    CallContext ctx;
    ctx.scope = request.scope;
    auto state = std::make_shared<SyncTaskState>();
    bool sync = request.pattern != asl::IntegrationPattern::RequestResponse;
    registry_.call(
        "athena", "StartQueryExecution", in, ctx,
        [this, &loop, state, sync, done, scope = request.scope](Result<Json> r) {
          loop.post([this, state, sync, done, scope, r = std::move(r)] {
            if (state->cancelled) return;
            if (!r) {
              return done(asl::StatesError{"Athena." + r.error().code, r.error().message});
            }
            std::string id(r->as_object().at("QueryExecutionId").as_string());
            state->stopRequest = JsonObject{{"QueryExecutionId", id}};
            if (!sync) return done(Json(JsonObject{{"QueryExecutionId", id}}));
            athena_.whenFinished(scope, id, [state, done](Json execution) {
              if (state->cancelled) return;
              if (execution.is_null()) {
                return done(asl::StatesError{"States.TaskFailed", "The query disappeared."});
              }
              std::string s(execution.as_object().at("Status").as_object().at("State").as_string());
              Json result = forTask(std::move(execution));
              if (s == "SUCCEEDED") return done(result);
              done(asl::StatesError{"States.TaskFailed", toJsonText(result)});
            });
          });
        });
    return std::make_unique<SyncTaskStop>(state, registry_, request.scope, "athena",
                                          "StopQueryExecution");
  }

 private:
  AthenaService& athena_;
  const OperationRegistry& registry_;
};

}  // namespace

void AthenaService::registerIntegrations(engine::IntegrationRegistry& integrations,
                                         IdGenerator& ids) {
  integrations.add("athena:startQueryExecution",
                   std::make_shared<StartQueryIntegration>(*this, registry_));
  for (auto [key, op] : {std::pair{"athena:getQueryExecution", "GetQueryExecution"},
                         std::pair{"athena:getQueryResults", "GetQueryResults"},
                         std::pair{"athena:stopQueryExecution", "StopQueryExecution"}}) {
    registerOperationIntegration(integrations, registry_, ids, key, "athena", op, "Athena", "");
  }
}

}  // namespace sluice::services::athena
