#include "services/builtin.hpp"

#include "lake/lake_engine.hpp"
#include "services/athena/athena_service.hpp"
#include "services/cloudformation/cloudformation_service.hpp"
#include "services/common/aws_sdk_integration.hpp"
#include "services/common/operation_integration.hpp"
#include "services/events/events_service.hpp"
#include "services/events/execution_status_events.hpp"
#include "services/glue/glue_service.hpp"
#include "services/lambda/lambda_service.hpp"
#include "services/lambda/registry_functions.hpp"
#include "services/logs/execution_logs.hpp"
#include "services/logs/logs_service.hpp"
#include "services/s3/s3_service.hpp"
#include "services/s3/s3_store.hpp"
#include "services/scheduler/scheduler_service.hpp"
#include "services/sns/sns_service.hpp"
#include "services/sns/sns_store.hpp"
#include "services/sqs/sqs_service.hpp"
#include "services/sqs/sqs_store.hpp"
#include "services/ssm/ssm_service.hpp"
#include "services/states/persistence.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {states::storeComponent(),
          {"ssm", ssm::SsmService::migrations()},
          {"logs", logs::LogsService::migrations()},
          {"events", events::EventsService::migrations()},
          {"s3", s3::S3Store::migrations()},
          {"sqs", sqs::sqsMigrations()},
          {"sns", sns::snsMigrations()},
          {"scheduler", scheduler::SchedulerService::migrations()},
          {"lambda", lambda::LambdaService::migrations()},
          {"glue", glue::GlueService::migrations()},
          {"athena", athena::AthenaService::migrations()},
          {"cloudformation", cloudformation::CloudFormationService::migrations()}};
}

Result<std::unique_ptr<BuiltinServices>> registerBuiltinServices(OperationRegistry& registry,
                                                                 const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock, env.store);
  s->states->registerOperations(registry);
  s->states->keepClosedExecutionsFor(env.executionRetention);
  s->sqs = std::make_unique<sqs::SqsService>(env.engine, env.clock, env.store);
  if (auto loaded = s->sqs->load(); !loaded) return loaded.error();
  s->sqs->registerOperations(registry);
  s->sns = std::make_unique<sns::SnsService>(env.engine, env.clock, env.store, env.dataDir,
                                             env.outbound);
  if (auto loaded = s->sns->load(); !loaded) return loaded.error();
  s->sns->registerOperations(registry);
  // Optimised task integrations over those operations.
  registerOperationIntegration(env.engine.integrations, registry, env.engine.ids, "sqs:sendMessage",
                               "sqs", "SendMessage", "SQS", "MessageBody");
  registerOperationIntegration(env.engine.integrations, registry, env.engine.ids, "sns:publish",
                               "sns", "Publish", "SNS", "Message");
  registerOperationIntegration(env.engine.integrations, registry, env.engine.ids,
                               "events:putEvents", "events", "PutEvents", "EventBridge",
                               "Entries[].Detail");
  // arn:aws:states:::aws-sdk:<service>:<action> for every operation above.
  registerAwsSdkIntegration(env.engine.integrations, registry, env.engine.ids);
  s->s3 = std::make_unique<s3::S3Service>(env);
  s->s3->registerOperations(registry);
  s->ssm = std::make_unique<ssm::SsmService>(env);
  s->ssm->registerOperations(registry);
  s->logs = std::make_unique<logs::LogsService>(env);
  s->logs->registerOperations(registry);
  logs::attachExecutionLogging(*s->states, registry);
  s->events = std::make_unique<events::EventsService>(env, registry);
  s->events->registerOperations(registry);
  events::attachExecutionStatusEvents(*s->states, registry);
  s->scheduler = std::make_unique<scheduler::SchedulerService>(env, registry);
  s->scheduler->registerOperations(registry);
  s->lambda = std::make_unique<lambda::LambdaService>(env, registry);
  s->lambda->registerOperations(registry);
  // Task states on function ARNs and lambda:invoke call the Invoke operation.
  engine::registerLambdaIntegrations(env.engine.integrations, lambda::registryFunctions(registry),
                                     env.engine.ids);
  s->lakeObjects = s->s3->lakeSource();
  lake::LakeOptions lakeOptions;
  lakeOptions.workDir = s->s3->lakeWorkDir();
  s->lake = std::make_unique<lake::LakeEngine>(*s->lakeObjects, lakeOptions);
  s->glue = std::make_unique<glue::GlueService>(env, registry, *s->lake);
  s->glue->registerOperations(registry);
  s->athena = std::make_unique<athena::AthenaService>(env, registry, *s->lake);
  s->athena->registerOperations(registry);
  s->athena->registerIntegrations(env.engine.integrations, env.engine.ids);
  s->glue->registerIntegrations(env.engine.integrations);
  s->cloudformation = std::make_unique<cloudformation::CloudFormationService>(env, registry);
  s->cloudformation->registerOperations(registry);
  if (auto r = s->states->load(); !r) return r.error();
  s->cloudformation->recover();
  return s;
}

}  // namespace sluice::services
