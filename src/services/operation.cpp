#include "services/operation.hpp"

#include "services/model/service_model.hpp"

namespace sluice::services {

void OperationRegistry::addService(std::string service, std::string targetPrefix,
                                   bool modelValidation) {
  auto& s = services_[std::move(service)];
  s.targetPrefix = std::move(targetPrefix);
  s.modelValidation = modelValidation;
}

void OperationRegistry::add(std::string_view service, std::string operation, OperationFn fn) {
  services_[std::string(service)].operations[std::move(operation)] = std::move(fn);
}

bool OperationRegistry::has(std::string_view service, std::string_view operation) const {
  auto s = services_.find(service);
  return s != services_.end() && s->second.operations.count(operation);
}

void OperationRegistry::call(std::string_view service, std::string_view operation,
                             const Json& input, const CallContext& ctx, Reply reply) const {
  auto s = services_.find(service);
  if (s == services_.end()) {
    return reply(AwsError{"UnknownOperationException",
                          "The service '" + std::string(service) + "' is not available.", 400});
  }
  auto op = s->second.operations.find(operation);
  if (op == s->second.operations.end()) {
    return reply(AwsError{"UnknownOperationException",
                          "Unknown operation " + std::string(operation) + ".", 400});
  }
  // The same model-driven checks for both doors (HTTP and workflow tasks).
  const auto* model = s->second.modelValidation ? model::ServiceModel::get(service) : nullptr;
  if (model) {
    if (auto valid = model::validateInput(*model, operation, input); !valid) {
      return reply(valid.error());
    }
  }
  op->second(input, ctx, std::move(reply));
}

std::string OperationRegistry::serviceForTarget(std::string_view prefix) const {
  for (const auto& [name, s] : services_) {
    if (s.targetPrefix == prefix) return name;
  }
  return {};
}

}  // namespace sluice::services
