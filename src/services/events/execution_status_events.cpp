#include "services/events/execution_status_events.hpp"

#include "services/states/states_service.hpp"

namespace sluice::services::events {

namespace {

using Phase = states::StatesService::ExecutionPhase;

Json epochMillis(TimePoint t) {
  return static_cast<int64_t>(toEpochMicros(t) / 1000);
}

// The detail as DescribeExecution would answer at this moment; `running`
// describes a start or redrive that is about to happen.
Json statusDetail(const engine::Execution& e, bool running, int redriveCount) {
  JsonObject d;
  d["executionArn"] = e.arn();
  d["stateMachineArn"] = e.stateMachineArn();
  d["name"] = e.name();
  d["status"] = running ? std::string("RUNNING") : std::string(engine::statusName(e.status()));
  d["startDate"] = epochMillis(e.startTime());
  d["stopDate"] = running ? Json(nullptr) : epochMillis(e.stopTime());
  d["input"] = toJsonText(e.input());
  d["output"] = !running && e.status() == engine::ExecutionStatus::Succeeded
                    ? Json(toJsonText(e.output()))
                    : Json(nullptr);
  d["inputDetails"] = JsonObject{{"included", true}};
  d["outputDetails"] = d["output"].is_null() ? Json(nullptr) : Json(JsonObject{{"included", true}});
  d["error"] = running || e.error().empty() ? Json(nullptr) : Json(e.error());
  d["cause"] = running || e.cause().empty() ? Json(nullptr) : Json(e.cause());
  d["redriveCount"] = redriveCount;
  if (redriveCount > 0) {
    d["redriveDate"] = running ? Json(nullptr) : epochMillis(e.redriveTime());
  }
  return d;
}

void put(const OperationRegistry& registry, const CallContext& ctx, const engine::Execution& e,
         Json detail) {
  JsonObject entry;
  entry["Source"] = "aws.states";
  entry["DetailType"] = "Step Functions Execution Status Change";
  entry["Detail"] = toJsonText(detail);
  entry["Resources"] = JsonArray{Json(e.arn())};
  JsonObject in;
  in["Entries"] = JsonArray{std::move(entry)};
  registry.call("events", "PutEvents", in, ctx, [](Result<Json>) {});
}

}  // namespace

void attachExecutionStatusEvents(states::StatesService& states, const OperationRegistry& registry) {
  states.addExecutionObserver([&registry](Phase phase, const Json&,
                                          const std::shared_ptr<engine::Execution>& execution,
                                          const CallContext& ctx) {
    if (execution->config().express) return;
    // The execution runs this callback itself, so a plain pointer is safe.
    engine::Execution* e = execution.get();
    if (phase != Phase::Resumed) {
      int count = e->redriveCount() + (phase == Phase::Redriven ? 1 : 0);
      put(registry, ctx, *e, statusDetail(*e, true, count));
    }
    e->onFinished([&registry, e, ctx] {
      put(registry, ctx, *e, statusDetail(*e, false, e->redriveCount()));
    });
  });
}

}  // namespace sluice::services::events
