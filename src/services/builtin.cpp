#include "services/builtin.hpp"

#include "services/sqs/sqs_service.hpp"
#include "services/sqs/sqs_store.hpp"
#include "services/states/states_service.hpp"

#include <stdexcept>

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {{"sqs", sqs::sqsMigrations()}};
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
  return s;
}

}  // namespace sluice::services
