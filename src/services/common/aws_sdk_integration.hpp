// arn:aws:states:::aws-sdk:<service>:<action>: a Task state calling any
// operation Sluice serves, through the same operation registry as the HTTP
// gateway. As on AWS, the task's parameters and result use PascalCase member
// names (the model's names with the first letter upper-cased; map keys are
// data and stay as they are), and an error becomes "<Service>.<Code>" with
// an "Exception" suffix (e.g. "Ssm.ParameterNotFoundException",
// "S3.NoSuchKeyException"), its cause naming the service, status and request.
#pragma once

#include "engine/integration.hpp"
#include "services/model/service_model.hpp"
#include "services/operation.hpp"

namespace sluice::services {

// The model operation a Task resource stands for: "aws-sdk:ssm" + "getParameter",
// or an optimised integration such as "sqs" + "sendMessage"; null when no
// embedded model has it.
const model::Operation* integrationOperation(std::string_view resourceType,
                                             std::string_view action);

void registerAwsSdkIntegration(engine::IntegrationRegistry& integrations,
                               const OperationRegistry& registry, IdGenerator& ids);

}  // namespace sluice::services
