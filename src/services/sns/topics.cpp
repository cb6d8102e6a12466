// Topics: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes and tags.
#include <set>

#include "core/encoding.hpp"
#include "services/common/input.hpp"
#include "services/sns/delivery_policy.hpp"
#include "services/sns/paging.hpp"
#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

AwsError invalidParameter(const std::string& what) {
  return {"InvalidParameter", "Invalid parameter: " + what, 400};
}

const std::set<std::string>& settableTopicAttributes() {
  static const std::set<std::string> names = {"DisplayName",
                                              "Policy",
                                              "DeliveryPolicy",
                                              "KmsMasterKeyId",
                                              "SignatureVersion",
                                              "TracingConfig",
                                              "ContentBasedDeduplication",
                                              "FifoTopic",
                                              "ArchivePolicy",
                                              "DataProtectionPolicy",
                                              "FifoThroughputScope",
                                              "HTTPSuccessFeedbackRoleArn",
                                              "HTTPFailureFeedbackRoleArn",
                                              "HTTPSuccessFeedbackSampleRate",
                                              "SQSSuccessFeedbackRoleArn",
                                              "SQSFailureFeedbackRoleArn",
                                              "SQSSuccessFeedbackSampleRate",
                                              "LambdaSuccessFeedbackRoleArn",
                                              "LambdaFailureFeedbackRoleArn",
                                              "LambdaSuccessFeedbackSampleRate"};
  return names;
}

Result<std::map<std::string, std::string>> checkTopicAttributes(const Json* given, bool fifo) {
  std::map<std::string, std::string> out;
  if (!given || !given->is_object()) return out;
  for (const auto& kv : given->as_object()) {
    std::string name(kv.key());
    std::string value = kv.value().is_string() ? std::string(kv.value().get_string()) : "";
    if (!settableTopicAttributes().count(name)) return invalidParameter("AttributeName");
    if ((name == "FifoTopic" || name == "ContentBasedDeduplication") && value != "true" &&
        value != "false") {
      return invalidParameter("Attributes Reason: " + name + " must be true or false");
    }
    if (name == "ContentBasedDeduplication" && !fifo) {
      return invalidParameter(
          "Attributes Reason: Content-based deduplication can only be set for FIFO topics");
    }
    if (name == "Policy" && !value.empty() && !parseJson(value)) {
      return invalidParameter("Attributes Reason: " + name + ": failed to parse JSON");
    }
    if (name == "DeliveryPolicy" && !value.empty()) {
      if (auto r = checkTopicDeliveryPolicy(value); !r) return r.error();
    }
    out[name] = value;
  }
  return out;
}

std::string defaultPolicy(const Topic& t) {
  JsonObject statement;
  statement["Sid"] = "__default_statement_ID";
  statement["Effect"] = "Allow";
  statement["Principal"] = JsonObject{{"AWS", "*"}};
  statement["Action"] = JsonArray{"SNS:GetTopicAttributes",
                                  "SNS:SetTopicAttributes",
                                  "SNS:AddPermission",
                                  "SNS:RemovePermission",
                                  "SNS:DeleteTopic",
                                  "SNS:Subscribe",
                                  "SNS:ListSubscriptionsByTopic",
                                  "SNS:Publish"};
  statement["Resource"] = t.arn;
  statement["Condition"] = JsonObject{{"StringEquals", JsonObject{{"AWS:SourceOwner", t.account}}}};
  JsonObject policy;
  policy["Version"] = "2008-10-17";
  policy["Id"] = "__default_policy_ID";
  policy["Statement"] = JsonArray{statement};
  return toJsonText(policy);
}

bool validTopicName(std::string_view name, bool fifo) {
  if (fifo) {
    if (!name.ends_with(".fifo")) return false;
    name.remove_suffix(5);
  }
  if (name.empty() || name.size() > 256 - (fifo ? 5 : 0)) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace

void SnsService::createTopic(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return reply(name.error());
  const Json* given = input.get("Attributes");
  bool fifo = false;
  if (given && given->is_object()) {
    if (const Json* f = given->as_object().if_contains("FifoTopic")) {
      fifo = f->is_string() && f->get_string() == "true";
    }
  }
  if (fifo && !name->ends_with(".fifo")) {
    return reply(invalidParameter(
        "Fifo Topic names must end with .fifo and must be made up of only uppercase and "
        "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and "
        "256 characters long."));
  }
  if (!validTopicName(*name, fifo)) return reply(invalidParameter("Topic Name"));
  auto attrs = checkTopicAttributes(given, fifo);
  if (!attrs) return reply(attrs.error());
  std::string arn = arn::snsTopic(ctx.scope, *name);
  JsonObject out;
  out["TopicArn"] = arn;
  if (auto it = topics_.find(arn); it != topics_.end()) {
    for (const auto& [k, v] : *attrs) {
      auto cur = it->second.attributes.find(k);
      if (cur == it->second.attributes.end() || cur->second != v) {
        return reply(
            invalidParameter("Attributes Reason: Topic already exists with different attributes"));
      }
    }
    return reply(Json(std::move(out)));
  }
  Topic t;
  t.arn = arn;
  t.account = ctx.scope.account;
  t.region = ctx.scope.region;
  t.name = *name;
  t.fifo = fifo;
  t.attributes = std::move(*attrs);
  if (fifo) t.attributes["FifoTopic"] = "true";
  if (const Json* tags = input.get("Tags"); tags && tags->is_array()) {
    for (const Json& tag : tags->as_array()) {
      Input ti(tag);
      auto k = ti.requiredString("Key");
      auto v = ti.requiredString("Value");
      if (k && v) t.tags[*k] = *v;
    }
  }
  auto& stored = topics_[arn] = std::move(t);
  store_.saveTopic(stored,
                   [reply = std::move(reply), out = Json(std::move(out))](Result<void> r) mutable {
                     if (!r) return reply(r.error());
                     reply(std::move(out));
                   });
}

void SnsService::deleteTopic(const Json& in, const CallContext&, Reply reply) {
  auto arn = Input(in).requiredString("TopicArn");
  if (!arn) return reply(arn.error());
  // Deleting a topic that does not exist succeeds, as on AWS.
  topics_.erase(*arn);
  std::erase_if(subscriptions_, [&](const auto& kv) { return kv.second.topicArn == *arn; });
  store_.deleteTopic(*arn, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

void SnsService::listTopics(const Json& in, const CallContext& ctx, Reply reply) {
  auto after = pageAfter(in);
  if (!after) return reply(after.error());
  JsonArray topics;
  std::string last;
  bool more = false;
  for (const auto& [arn, t] : topics_) {
    if (t.account != ctx.scope.account || t.region != ctx.scope.region) continue;
    if (!after->empty() && arn <= *after) continue;
    if (topics.size() == kPageSize) {
      more = true;
      break;
    }
    topics.push_back(JsonObject{{"TopicArn", arn}});
    last = arn;
  }
  JsonObject out;
  out["Topics"] = std::move(topics);
  if (more) out["NextToken"] = pageToken(last);
  reply(Json(std::move(out)));
}

void SnsService::getTopicAttributes(const Json& in, const CallContext&, Reply reply) {
  auto arn = Input(in).requiredString("TopicArn");
  if (!arn) return reply(arn.error());
  auto topic = findTopic(*arn);
  if (!topic) return reply(topic.error());
  const Topic& t = **topic;
  int pending = 0, confirmed = 0;
  for (const auto& [sarn, s] : subscriptions_) {
    if (s.topicArn != t.arn) continue;
    (s.confirmed ? confirmed : pending)++;
  }
  JsonObject attrs;
  attrs["TopicArn"] = t.arn;
  attrs["Owner"] = t.account;
  attrs["Policy"] = defaultPolicy(t);
  attrs["DisplayName"] = "";
  attrs["SubscriptionsPending"] = std::to_string(pending);
  attrs["SubscriptionsConfirmed"] = std::to_string(confirmed);
  attrs["SubscriptionsDeleted"] = "0";
  auto policy = t.attributes.find("DeliveryPolicy");
  attrs["EffectiveDeliveryPolicy"] =
      topicEffectiveDeliveryPolicy(policy == t.attributes.end() ? "" : policy->second);
  if (t.fifo) attrs["ContentBasedDeduplication"] = "false";
  for (const auto& [k, v] : t.attributes) attrs[k] = v;
  JsonObject out;
  out["Attributes"] = std::move(attrs);
  reply(Json(std::move(out)));
}

void SnsService::setTopicAttributes(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto arn = input.requiredString("TopicArn");
  if (!arn) return reply(arn.error());
  auto name = input.requiredString("AttributeName");
  if (!name) return reply(name.error());
  auto value = input.optionalString("AttributeValue");
  if (!value) return reply(value.error());
  auto topic = findTopic(*arn);
  if (!topic) return reply(topic.error());
  if (*name == "FifoTopic") return reply(invalidParameter("AttributeName"));
  JsonObject given;
  given[*name] = value->value_or("");
  Json givenJson(std::move(given));
  auto checked = checkTopicAttributes(&givenJson, (*topic)->fifo);
  if (!checked) return reply(checked.error());
  for (auto& [k, v] : *checked) (*topic)->attributes[k] = v;
  store_.saveTopic(**topic, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

static AwsError resourceNotFound() {
  return {"ResourceNotFound", "Resource does not exist", 404};
}

void SnsService::tagResource(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto arn = input.requiredString("ResourceArn");
  if (!arn) return reply(arn.error());
  auto it = topics_.find(*arn);
  if (it == topics_.end()) return reply(resourceNotFound());
  auto merged = it->second.tags;
  if (const Json* tags = input.get("Tags"); tags && tags->is_array()) {
    for (const Json& tag : tags->as_array()) {
      Input ti(tag);
      auto k = ti.requiredString("Key");
      auto v = ti.requiredString("Value");
      if (k && v) merged[*k] = *v;
    }
  }
  if (merged.size() > 50) {
    return reply(AwsError{"TagLimitExceeded",
                          "Could not complete request: tag quota of per resource exceeded", 400});
  }
  it->second.tags = std::move(merged);
  store_.saveTopic(it->second, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

void SnsService::untagResource(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto arn = input.requiredString("ResourceArn");
  if (!arn) return reply(arn.error());
  auto it = topics_.find(*arn);
  if (it == topics_.end()) return reply(resourceNotFound());
  if (const Json* keys = input.get("TagKeys"); keys && keys->is_array()) {
    for (const Json& k : keys->as_array()) {
      if (k.is_string()) it->second.tags.erase(std::string(k.get_string()));
    }
  }
  store_.saveTopic(it->second, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

void SnsService::listTagsForResource(const Json& in, const CallContext&, Reply reply) {
  auto arn = Input(in).requiredString("ResourceArn");
  if (!arn) return reply(arn.error());
  auto it = topics_.find(*arn);
  if (it == topics_.end()) return reply(resourceNotFound());
  JsonArray tags;
  for (const auto& [k, v] : it->second.tags) tags.push_back(JsonObject{{"Key", k}, {"Value", v}});
  JsonObject out;
  out["Tags"] = std::move(tags);
  reply(Json(std::move(out)));
}

}  // namespace sluice::services::sns
