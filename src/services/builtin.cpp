#include "services/builtin.hpp"

#include "services/common/operation_integration.hpp"
#include "services/sns/sns_service.hpp"
#include "services/sns/sns_store.hpp"
#include "services/sqs/sqs_service.hpp"
#include "services/sqs/sqs_store.hpp"
#include "services/states/states_service.hpp"

#include <stdexcept>

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {{"sqs", sqs::sqsMigrations()}, {"sns", sns::snsMigrations()}};
}

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock);
  s->states->registerOperations(registry);
  s->sqs = std::make_unique<sqs::SqsService>(env.engine, env.clock, env.store);
  if (auto loaded = s->sqs->load(); !loaded) {
    throw std::runtime_error("sqs: cannot load the stored queues: " + loaded.error().message);
  }
  s->sqs->registerOperations(registry);
  s->sns = std::make_unique<sns::SnsService>(env.engine, env.clock, env.store, env.dataDir);
  if (auto loaded = s->sns->load(); !loaded) {
    throw std::runtime_error("sns: cannot load the stored topics: " + loaded.error().message);
  }
  s->sns->registerOperations(registry);
  // Optimised task integrations over those operations.
  registerOperationIntegration(env.engine.integrations, registry, env.engine.ids, "sqs:sendMessage",
                               "sqs", "SendMessage", "SQS", "MessageBody");
  registerOperationIntegration(env.engine.integrations, registry, env.engine.ids, "sns:publish",
                               "sns", "Publish", "SNS", "Message");
  return s;
}

}  // namespace sluice::services
