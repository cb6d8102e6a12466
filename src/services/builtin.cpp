#include "services/builtin.hpp"

#include "services/events/events_service.hpp"
#include "services/logs/execution_logs.hpp"
#include "services/logs/logs_service.hpp"
#include "services/scheduler/scheduler_service.hpp"
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
          {"scheduler", scheduler::SchedulerService::migrations()}};
}

Result<std::unique_ptr<BuiltinServices>> registerBuiltinServices(OperationRegistry& registry,
                                                                 const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock, env.store);
  s->states->registerOperations(registry);
  s->ssm = std::make_unique<ssm::SsmService>(env);
  s->ssm->registerOperations(registry);
  s->logs = std::make_unique<logs::LogsService>(env);
  s->logs->registerOperations(registry);
  logs::attachExecutionLogging(*s->states, registry);
  s->events = std::make_unique<events::EventsService>(env, registry);
  s->events->registerOperations(registry);
  s->scheduler = std::make_unique<scheduler::SchedulerService>(env, registry);
  s->scheduler->registerOperations(registry);
  if (auto r = s->states->load(); !r) return r.error();
  return s;
}

}  // namespace sluice::services
