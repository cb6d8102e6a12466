// Publishing a service's own events on EventBridge (the "aws.<service>"
// events rules match, as AWS publishes them), through PutEvents on the
// registry. Without the events service nothing is sent; the answer is not
// waited for.
#pragma once

#include <string>

#include "core/json.hpp"
#include "services/operation.hpp"

namespace sluice::services {

void publishEvent(const OperationRegistry& registry, const Scope& scope, const std::string& source,
                  const std::string& detailType, const JsonObject& detail,
                  JsonArray resources = {});

}  // namespace sluice::services
