#include "services/builtin.hpp"

#include "services/states/states_service.hpp"

namespace sluice::services {

BuiltinServices::~BuiltinServices() = default;

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         engine::EngineContext engine,
                                                         const Clock& clock) {
  auto s = std::make_unique<BuiltinServices>();
  s->states = std::make_unique<states::StatesService>(engine, clock);
  s->states->registerOperations(registry);
  return s;
}

}  // namespace sluice::services
