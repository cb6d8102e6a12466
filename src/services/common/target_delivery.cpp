#include "services/common/target_delivery.hpp"

namespace sluice::services {

std::string arnPart(const std::string& arn, int index) {
  size_t start = 0;
  for (int i = 0; i < index; ++i) {
    start = arn.find(':', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  return arn.substr(start, arn.find(':', start) - start);
}

bool sendToResource(const OperationRegistry& registry, const CallContext& ctx,
                    const std::string& arn, const std::string& input, const Json& sqsParameters,
                    Reply done) {
  std::string service = arnPart(arn, 2);
  JsonObject in;
  if (service == "states") {
    in["stateMachineArn"] = arn;
    in["input"] = input;
    registry.call("states", "StartExecution", in, ctx, std::move(done));
    return true;
  }
  if (service == "sns") {
    in["TopicArn"] = arn;
    in["Message"] = input;
    registry.call("sns", "Publish", in, ctx, std::move(done));
    return true;
  }
  if (service == "lambda") {
    in["FunctionName"] = arn;
    in["InvocationType"] = "Event";
    in["Payload"] = input;
    registry.call("lambda", "Invoke", in, ctx, std::move(done));
    return true;
  }
  if (service == "sqs") {
    // The queue URL comes from the queue service itself (GetQueueUrl), so the
    // message goes wherever that service says the queue lives.
    in["QueueName"] = arnPart(arn, 5);
    in["QueueOwnerAWSAccountId"] = arnPart(arn, 4);
    Json groupId = sqsParameters.is_object() && sqsParameters.as_object().contains("MessageGroupId")
                       ? sqsParameters.at("MessageGroupId")
                       : Json(nullptr);
    registry.call("sqs", "GetQueueUrl", in, ctx,
                  [&registry, ctx, input, groupId, done = std::move(done)](Result<Json> url) {
                    if (!url) return done(url.takeError());
                    JsonObject send;
                    send["QueueUrl"] = url->at("QueueUrl");
                    send["MessageBody"] = input;
                    if (!groupId.is_null()) send["MessageGroupId"] = groupId;
                    registry.call("sqs", "SendMessage", send, ctx, done);
                  });
    return true;
  }
  return false;
}

}  // namespace sluice::services
