#include "services/builtin.hpp"

#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::vector<store::sqlite::Component> builtinStoreComponents() {
  return {};
}

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         const ServiceEnvironment& env) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(env.engine, env.clock);
  s->states->registerOperations(registry);
  return s;
}

}  // namespace sluice::services
