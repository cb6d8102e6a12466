#include "services/builtin.hpp"

#include "services/states/persistence.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {states::storeComponent()};
}

Result<std::unique_ptr<BuiltinServices>> registerBuiltinServices(OperationRegistry& registry,
                                                                 const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock, env.store);
  s->states->registerOperations(registry);
  if (auto r = s->states->load(); !r) return r.error();
  return s;
}

}  // namespace sluice::services
