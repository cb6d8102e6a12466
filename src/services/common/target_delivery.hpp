// Delivering a payload to the resource an ARN names, as EventBridge rule
// targets and EventBridge Scheduler templated targets both do: through the
// operation registry, so each kind works as soon as its service is registered.
//
//   states   StartExecution(stateMachineArn, input)
//   sns      Publish(TopicArn, Message)
//   lambda   Invoke(FunctionName, InvocationType=Event, Payload)
//   sqs      GetQueueUrl, then SendMessage (SqsParameters.MessageGroupId)
#pragma once

#include <string>

#include "core/json.hpp"
#include "services/operation.hpp"

namespace sluice::services {

// The index-th ':'-separated field of an ARN (2 = service, 4 = account).
std::string arnPart(const std::string& arn, int index);

// Sends `input` to `arn`; false (and `done` not called) when the ARN's
// service is none of the above. `extra` (may be null) holds members added to
// the SendMessage (sqs) or Publish (sns) request: an EventBridge target's
// SqsParameters (MessageGroupId), a dead-letter message's MessageAttributes.
bool sendToResource(const OperationRegistry& registry, const CallContext& ctx,
                    const std::string& arn, const std::string& input, const Json& extra,
                    Reply done);

}  // namespace sluice::services
