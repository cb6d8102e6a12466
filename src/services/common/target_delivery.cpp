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
                    const std::string& arn, const std::string& input, const Json& extra,
                    Reply done) {
  std::string service = arnPart(arn, 2);
  JsonObject in;
  auto addExtra = [&extra](JsonObject& request) {
    if (!extra.is_object()) return;
    for (const auto& kv : extra.as_object()) request[kv.key()] = kv.value();
  };
  if (service == "states") {
    in["stateMachineArn"] = arn;
    in["input"] = input;
    registry.call("states", "StartExecution", in, ctx, std::move(done));
    return true;
  }
  if (service == "sns") {
    in["TopicArn"] = arn;
    in["Message"] = input;
    addExtra(in);
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
    JsonObject send;
    send["MessageBody"] = input;
    addExtra(send);
    registry.call(
        "sqs", "GetQueueUrl", in, ctx,
        [&registry, ctx, send = std::move(send), done = std::move(done)](Result<Json> url) mutable {
          if (!url) return done(url.takeError());
          send["QueueUrl"] = url->at("QueueUrl");
          registry.call("sqs", "SendMessage", send, ctx, done);
        });
    return true;
  }
  return false;
}

}  // namespace sluice::services
