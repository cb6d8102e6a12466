// Optimised Step Functions integrations that are thin layers over one service
// operation (arn:aws:states:::sqs:sendMessage, :::sns:publish, with or
// without .waitForTaskToken — the engine handles the token): the task's
// Parameters are the operation's input, called through the registry like any
// client; the result is the operation's output plus the SdkHttpMetadata and
// SdkResponseMetadata AWS adds; a failure is the error "<prefix>.<code>" with
// the message as cause. `textMember` (MessageBody, Message, Entries[].Detail:
// '.' between members, "[]" for every element of an array) may be given as
// JSON in the Parameters: it is sent as its JSON text, as Step Functions does.
#pragma once

#include <string>

#include "engine/integration.hpp"
#include "services/operation.hpp"

namespace sluice::services {

void registerOperationIntegration(engine::IntegrationRegistry& integrations,
                                  const OperationRegistry& registry, IdGenerator& ids,
                                  std::string key, std::string service, std::string operation,
                                  std::string errorPrefix, std::string textMember);

}  // namespace sluice::services
