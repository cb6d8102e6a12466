// The engine's functions (Task states on function ARNs and lambda:invoke)
// served by the Lambda service's Invoke operation, through the registry: the
// same path an Invoke over HTTP takes.
#pragma once

#include <memory>

#include "engine/functions.hpp"
#include "services/operation.hpp"

namespace sluice::services::lambda {

std::shared_ptr<engine::FunctionInvoker> registryFunctions(const OperationRegistry& registry);

}  // namespace sluice::services::lambda
