// The one explicit list of services Sluice serves. Each service registers
// its operations with the registry and its task integrations with the engine.
#pragma once

#include <memory>

#include "core/clock.hpp"
#include "engine/execution.hpp"
#include "services/operation.hpp"

namespace sluice::services {

namespace states {
class StatesService;
}

struct BuiltinServices {
  std::unique_ptr<states::StatesService> states;
  ~BuiltinServices();
};

std::unique_ptr<BuiltinServices> registerBuiltinServices(OperationRegistry& registry,
                                                         engine::EngineContext engine,
                                                         const Clock& clock);

}  // namespace sluice::services
