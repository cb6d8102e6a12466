// Publish and PublishBatch: message checks, MessageStructure=json, FIFO
// groups and deduplication, then fan-out to the topic's subscriptions.
#include <set>

#include "services/common/input.hpp"
#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

constexpr size_t kMaxMessageBytes = 262144;

AwsError invalidParameter(const std::string& what) {
  return {"InvalidParameter", "Invalid parameter: " + what, 400};
}

Result<size_t> checkAttributes(const Json* attrs) {
  if (!attrs || !attrs->is_object()) return size_t{0};
  if (attrs->as_object().size() > 10) {
    return invalidParameter("MessageAttributes Reason: Number of message attributes [" +
                            std::to_string(attrs->as_object().size()) +
                            "] exceeds the allowed maximum [10].");
  }
  size_t bytes = 0;
  for (const auto& kv : attrs->as_object()) {
    std::string name(kv.key());
    const JsonObject* v = kv.value().is_object() ? &kv.value().as_object() : nullptr;
    const Json* type = v ? v->if_contains("DataType") : nullptr;
    std::string dataType = type && type->is_string() ? std::string(type->get_string()) : "";
    std::string_view base = std::string_view(dataType).substr(0, dataType.find('.'));
    if (dataType == "String.Array") base = "String.Array";
    if (base != "String" && base != "Number" && base != "Binary" && base != "String.Array") {
      return AwsError{"ParameterValueInvalid",
                      "The message attribute '" + name +
                          "' has an invalid message attribute type, the set of supported type "
                          "prefixes is Binary, Number, and String.",
                      400};
    }
    const Json* value = v->if_contains(base == "Binary" ? "BinaryValue" : "StringValue");
    if (!value || !value->is_string() || value->get_string().empty()) {
      return AwsError{"ParameterValueInvalid",
                      "The message attribute '" + name +
                          "' must contain non-empty message attribute value for message "
                          "attribute type '" +
                          std::string(base) + "'.",
                      400};
    }
    if (base == "String.Array") {
      auto parsed = parseJson(value->get_string());
      if (!parsed || !parsed->is_array()) {
        return AwsError{"ParameterValueInvalid",
                        "The message attribute '" + name +
                            "' has an invalid value for message attribute type 'String.Array'.",
                        400};
      }
    }
    bytes += name.size() + dataType.size() + value->get_string().size();
  }
  return bytes;
}

}  // namespace

Result<Notification> SnsService::prepare(Topic& topic, const Json& entry, const CallContext& ctx) {
  Input input(entry);
  auto message = input.optionalString("Message");
  if (!message) return message.error();
  if (!*message || (*message)->empty()) return invalidParameter("Empty message");
  auto subject = input.optionalString("Subject");
  if (!subject) return subject.error();
  if (*subject && ((*subject)->empty() || (*subject)->size() > 100 ||
                   (*subject)->find_first_of("\r\n") != std::string::npos)) {
    return invalidParameter("Subject");
  }
  auto structure = input.optionalString("MessageStructure");
  if (!structure) return structure.error();
  Notification n;
  n.message = **message;
  if (*structure) {
    if (**structure != "json") return invalidParameter("MessageStructure");
    auto parsed = parseJson(n.message);
    if (!parsed || !parsed->is_object()) {
      return invalidParameter("Message Structure - JSON message body failed to parse");
    }
    const Json* def = parsed->as_object().if_contains("default");
    if (!def || !def->is_string()) {
      return invalidParameter("Message Structure - No default entry in JSON message body");
    }
    n.message = std::string(def->get_string());
    n.perProtocol = std::move(*parsed);
  }
  const Json* attrs = input.get("MessageAttributes");
  auto attrBytes = checkAttributes(attrs);
  if (!attrBytes) return attrBytes.error();
  if ((*message)->size() + *attrBytes > kMaxMessageBytes) {
    return invalidParameter("Message too long");
  }
  auto groupId = input.optionalString("MessageGroupId");
  if (!groupId) return groupId.error();
  auto dedupId = input.optionalString("MessageDeduplicationId");
  if (!dedupId) return dedupId.error();
  if (topic.fifo) {
    if (!*groupId || (*groupId)->empty()) {
      return invalidParameter("The MessageGroupId parameter is required for FIFO topics");
    }
    n.groupId = **groupId;
    if (*dedupId && !(*dedupId)->empty()) {
      n.deduplicationId = **dedupId;
    } else if (topic.attributes["ContentBasedDeduplication"] == "true") {
      n.deduplicationId = sqs::contentDeduplicationId(n.message);
    } else {
      return invalidParameter(
          "The topic should either have ContentBasedDeduplication enabled or "
          "MessageDeduplicationId provided explicitly");
    }
  } else if (*dedupId) {
    return invalidParameter(
        "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
        "that is not valid for this topic type");
  }
  if (*subject) n.subject = **subject;
  if (attrs && attrs->is_object()) n.attributes = *attrs;
  n.topicArn = topic.arn;
  n.messageId = engine_.ids.uuid();
  n.timestamp = clock_.now();
  n.host = ctx.host.empty() ? "localhost:4566" : ctx.host;
  return n;
}

Json SnsService::accept(Topic& topic, Notification& n, std::vector<Notification>& toSend) {
  JsonObject out;
  if (topic.fifo) {
    TimePoint now = clock_.now();
    std::string key = sqs::deduplicationKey("queue", "", n.deduplicationId);
    if (auto first = topic.deduplication.find(key, now)) {
      out["MessageId"] = first->messageId;
      out["SequenceNumber"] = first->sequenceNumber;
      return Json(std::move(out));
    }
    n.sequenceNumber = sqs::sequenceNumber(topic.nextSequence++);
    topic.deduplication.prune(now);
    topic.deduplication.remember(
        key, {n.messageId, n.sequenceNumber, now + sqs::kDeduplicationInterval});
  }
  out["MessageId"] = n.messageId;
  if (!n.sequenceNumber.empty()) out["SequenceNumber"] = n.sequenceNumber;
  toSend.push_back(n);
  return Json(std::move(out));
}

void SnsService::publish(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto topicArn = input.optionalString("TopicArn");
  if (!topicArn) return reply(topicArn.error());
  auto targetArn = input.optionalString("TargetArn");
  if (!targetArn) return reply(targetArn.error());
  auto phone = input.optionalString("PhoneNumber");
  if (!phone) return reply(phone.error());
  std::string arn = topicArn->value_or(targetArn->value_or(""));
  if (arn.empty()) {
    if (*phone) {
      // SMS is not delivered anywhere; the message is accepted.
      return reply(Json(JsonObject{{"MessageId", engine_.ids.uuid()}}));
    }
    return reply(invalidParameter("TopicArn or TargetArn Reason: no value for required parameter"));
  }
  auto topic = findTopic(arn);
  if (!topic) return reply(topic.error());
  auto n = prepare(**topic, in, ctx);
  if (!n) return reply(n.error());
  std::vector<Notification> toSend;
  Json out = accept(**topic, *n, toSend);
  sendAfterCommit(std::move(toSend), std::move(out), std::move(reply));
}

void SnsService::publishBatch(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto topicArn = input.requiredString("TopicArn");
  if (!topicArn) return reply(topicArn.error());
  auto topic = findTopic(*topicArn);
  if (!topic) return reply(topic.error());
  const Json* entries = input.get("PublishBatchRequestEntries");
  if (!entries || !entries->is_array() || entries->as_array().empty()) {
    return reply(
        AwsError{"EmptyBatchRequest", "The batch request doesn't contain any entries.", 400});
  }
  const JsonArray& list = entries->as_array();
  if (list.size() > 10) {
    return reply(AwsError{"TooManyEntriesInBatchRequest",
                          "The batch request contains more entries than permissible.", 400});
  }
  std::set<std::string> ids;
  size_t total = 0;
  for (const Json& e : list) {
    auto id = Input(e).optionalString("Id");
    std::string text = id && *id ? **id : "";
    bool valid = !text.empty() && text.size() <= 80;
    for (char c : text) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') valid = false;
    }
    if (!valid) {
      return reply(AwsError{"InvalidBatchEntryId",
                            "The Id of a batch entry in a batch request doesn't abide by the "
                            "specification.",
                            400});
    }
    if (!ids.insert(text).second) {
      return reply(AwsError{"BatchEntryIdsNotDistinct",
                            "Two or more batch entries in the request have the same Id.", 400});
    }
    if (auto m = Input(e).optionalString("Message"); m && *m) total += (*m)->size();
  }
  if (total > kMaxMessageBytes) {
    return reply(AwsError{"BatchRequestTooLong",
                          "The length of all the messages put together is more than the limit.",
                          400});
  }
  JsonArray ok, failed;
  std::vector<Notification> toSend;
  for (const Json& e : list) {
    const Json& id = e.as_object().at("Id");
    auto n = prepare(**topic, e, ctx);
    if (!n) {
      JsonObject f;
      f["Id"] = id;
      f["Code"] = n.error().code;
      f["Message"] = n.error().message;
      f["SenderFault"] = true;
      failed.push_back(std::move(f));
      continue;
    }
    Json out = accept(**topic, *n, toSend);
    out.as_object()["Id"] = id;
    ok.push_back(std::move(out));
  }
  JsonObject result;
  result["Successful"] = std::move(ok);
  result["Failed"] = std::move(failed);
  sendAfterCommit(std::move(toSend), Json(std::move(result)), std::move(reply));
}

}  // namespace sluice::services::sns
