#include "services/builtin.hpp"

#include "services/ssm/ssm_service.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {{"ssm", ssm::SsmService::migrations()}};
}

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock);
  s->states->registerOperations(registry);
  s->ssm = std::make_unique<ssm::SsmService>(env);
  s->ssm->registerOperations(registry);
  return s;
}

}  // namespace sluice::services
