// Subscription dead-letter queues (RedrivePolicy {"deadLetterTargetArn":
// "arn:aws:sqs:..."}). SNS moves a message there when its delivery failed
// for good: at once for a destination that is gone (a deleted queue or
// function), after the retry policy for an endpoint that keeps failing. The
// queue gets the body the subscription would have received, with the
// failure in the ErrorCode, ErrorMessage and RequestID message attributes.
#include <iostream>

#include "services/common/target_delivery.hpp"
#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

std::optional<std::string> deadLetterTarget(const Subscription& s) {
  auto it = s.attributes.find("RedrivePolicy");
  if (it == s.attributes.end() || it->second.empty()) return std::nullopt;
  auto policy = parseJson(it->second);
  if (!policy || !policy->is_object()) return std::nullopt;
  const Json* arn = policy->as_object().if_contains("deadLetterTargetArn");
  if (!arn || !arn->is_string()) return std::nullopt;
  return std::string(arn->get_string());
}

JsonObject stringAttribute(std::string value) {
  return JsonObject{{"DataType", "String"}, {"StringValue", std::move(value)}};
}

}  // namespace

void SnsService::deadLetter(const Subscription& s, const Notification& n, std::string body,
                            std::string errorCode, std::string errorMessage, Finished done) {
  auto target = deadLetterTarget(s);
  std::cerr << "sns: delivery to " << s.arn << " failed: " << errorCode << ": " << errorMessage
            << (target ? ", moved to " + *target : std::string(", dropped")) << "\n";
  if (!target || !registry_) return done();
  JsonObject req;
  req["QueueUrl"] = "http://" + n.host + "/" + arnPart(*target, 4) + "/" + arnPart(*target, 5);
  req["MessageBody"] = std::move(body);
  req["MessageAttributes"] = JsonObject{{"ErrorCode", stringAttribute(std::move(errorCode))},
                                        {"ErrorMessage", stringAttribute(std::move(errorMessage))},
                                        {"RequestID", stringAttribute(engine_.ids.uuid())}};
  if (!n.groupId.empty()) {
    req["MessageGroupId"] = n.groupId;
    req["MessageDeduplicationId"] = n.deduplicationId.empty() ? n.messageId : n.deduplicationId;
  }
  CallContext ctx;
  ctx.scope.account = arnPart(*target, 4);
  ctx.scope.region = arnPart(*target, 3);
  ctx.requestId = engine_.ids.uuid();
  ctx.host = n.host;
  registry_->call("sqs", "SendMessage", Json(std::move(req)), ctx,
                  [target = *target, done = std::move(done)](Result<Json> r) {
                    if (!r) {
                      std::cerr << "sns: moving a message to dead-letter queue " << target
                                << " failed: " << r.error().code << ": " << r.error().message
                                << "\n";
                    }
                    done();
                  });
}

}  // namespace sluice::services::sns
