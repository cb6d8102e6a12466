#include "services/states/states_service.hpp"

namespace sluice::services::states {

StatesService::StatesService(engine::EngineContext engine, const Clock& clock,
                             store::sqlite::SqliteStore* store)
    : engine_(engine), clock_(clock), store_(store) {
  registerActivityIntegration();
  registerNestedIntegration();
}

StatesService::~StatesService() = default;

void StatesService::registerOperations(OperationRegistry& registry) {
  registry.addService("states", "AWSStepFunctions");
  using Sync = Result<Json> (StatesService::*)(const Json&, const CallContext&);
  // Every operation runs on the engine loop, where all of this service's
  // state lives. A call that changed something answers once the change is
  // durable.
  auto add = [&](std::string_view name, Sync fn) {
    bool reads = name.starts_with("Describe") || name.starts_with("List") ||
                 name.starts_with("Get") || name.starts_with("Validate");
    registry.add("states", std::string(name),
                 [this, fn, reads](const Json& in, const CallContext& ctx, Reply reply) {
                   engine_.loop.post([this, fn, reads, in, ctx, reply = std::move(reply)] {
                     auto result = (this->*fn)(in, ctx);
                     if (reads || !result) return reply(std::move(result));
                     touch(in, *result);
                     afterCommit([reply, result = std::move(result)](Result<void> committed) {
                       if (!committed) return reply(committed.error());
                       reply(result);
                     });
                   });
                 });
  };
  add("CreateStateMachine", &StatesService::createStateMachine);
  add("DescribeStateMachine", &StatesService::describeStateMachine);
  add("UpdateStateMachine", &StatesService::updateStateMachine);
  add("DeleteStateMachine", &StatesService::deleteStateMachine);
  add("ListStateMachines", &StatesService::listStateMachines);
  add("ValidateStateMachineDefinition", &StatesService::validateStateMachineDefinition);
  add("DescribeStateMachineForExecution", &StatesService::describeStateMachineForExecution);
  add("StartExecution", &StatesService::startExecution);
  add("DescribeExecution", &StatesService::describeExecution);
  add("ListExecutions", &StatesService::listExecutions);
  add("GetExecutionHistory", &StatesService::getExecutionHistory);
  add("StopExecution", &StatesService::stopExecution);
  add("RedriveExecution", &StatesService::redriveExecution);
  add("CreateActivity", &StatesService::createActivity);
  add("DeleteActivity", &StatesService::deleteActivity);
  add("DescribeActivity", &StatesService::describeActivity);
  add("ListActivities", &StatesService::listActivities);
  add("SendTaskSuccess", &StatesService::sendTaskSuccess);
  add("SendTaskFailure", &StatesService::sendTaskFailure);
  add("SendTaskHeartbeat", &StatesService::sendTaskHeartbeat);
  add("PublishStateMachineVersion", &StatesService::publishStateMachineVersion);
  add("ListStateMachineVersions", &StatesService::listStateMachineVersions);
  add("DeleteStateMachineVersion", &StatesService::deleteStateMachineVersion);
  add("CreateStateMachineAlias", &StatesService::createStateMachineAlias);
  add("DescribeStateMachineAlias", &StatesService::describeStateMachineAlias);
  add("UpdateStateMachineAlias", &StatesService::updateStateMachineAlias);
  add("DeleteStateMachineAlias", &StatesService::deleteStateMachineAlias);
  add("ListStateMachineAliases", &StatesService::listStateMachineAliases);
  add("TagResource", &StatesService::tagResource);
  add("UntagResource", &StatesService::untagResource);
  add("ListTagsForResource", &StatesService::listTagsForResource);
  registry.add("states", "GetActivityTask",
               [this](const Json& in, const CallContext& ctx, Reply reply) {
                 engine_.loop.post([this, in, ctx, reply = std::move(reply)]() mutable {
                   getActivityTask(in, ctx, std::move(reply));
                 });
               });
  registry.add("states", "TestState", [this](const Json& in, const CallContext& ctx, Reply reply) {
    engine_.loop.post([this, in, ctx, reply = std::move(reply)]() mutable {
      testState(in, ctx, std::move(reply));
    });
  });
  registry.add("states", "StartSyncExecution",
               [this](const Json& in, const CallContext& ctx, Reply reply) {
                 engine_.loop.post([this, in, ctx, reply = std::move(reply)]() mutable {
                   startSyncExecution(in, ctx, std::move(reply));
                 });
               });
}

}  // namespace sluice::services::states
