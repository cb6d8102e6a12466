// Subscriptions: Subscribe (SQS and Lambda confirmed at once; HTTP(S) and
// email get a confirmation message with a token), ConfirmSubscription,
// Unsubscribe, listing, and Get/SetSubscriptionAttributes (RawMessageDelivery,
// FilterPolicy, FilterPolicyScope, ...).
#include <set>

#include "services/common/input.hpp"
#include "services/common/target_delivery.hpp"
#include "services/sns/delivery_policy.hpp"
#include "services/sns/filter_policy.hpp"
#include "services/sns/paging.hpp"
#include "services/sns/sns_service.hpp"

namespace sluice::services::sns {

namespace {

AwsError invalidParameter(const std::string& what) {
  return {"InvalidParameter", "Invalid parameter: " + what, 400};
}

const std::set<std::string>& protocols() {
  static const std::set<std::string> names = {"http", "https",       "email",  "email-json", "sms",
                                              "sqs",  "application", "lambda", "firehose"};
  return names;
}

Result<void> checkEndpoint(const std::string& protocol, const std::string& endpoint) {
  auto fail = [] {
    return invalidParameter("Endpoint Reason: Endpoint must match the specified protocol");
  };
  if (protocol == "sqs" && !endpoint.starts_with("arn:aws:sqs:")) {
    return invalidParameter("SQS endpoint ARN");
  }
  if (protocol == "lambda" && !endpoint.starts_with("arn:aws:lambda:")) {
    return invalidParameter("Lambda endpoint ARN");
  }
  if (protocol == "http" && !endpoint.starts_with("http://")) return fail();
  if (protocol == "https" && !endpoint.starts_with("https://")) return fail();
  if ((protocol == "email" || protocol == "email-json") &&
      endpoint.find('@') == std::string::npos) {
    return invalidParameter("Email address");
  }
  return {};
}

// Checks one subscription attribute; a FilterPolicy is parsed into `policy`.
Result<void> checkSubscriptionAttribute(const std::string& name, const std::string& value,
                                        Json* policy) {
  if (name == "RawMessageDelivery") {
    if (value != "true" && value != "false") {
      return invalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value +
                              "]. Must be true or false.");
    }
    return {};
  }
  if (name == "FilterPolicy") {
    if (value.empty()) {
      *policy = nullptr;
      return {};
    }
    auto p = parseFilterPolicy(value);
    if (!p) return p.error();
    *policy = std::move(*p);
    return {};
  }
  if (name == "FilterPolicyScope") {
    if (value != "MessageAttributes" && value != "MessageBody") {
      return invalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value +
                              "]. Please use either MessageBody or MessageAttributes");
    }
    return {};
  }
  if (name == "RedrivePolicy" && !value.empty()) {
    auto parsed = parseJson(value);
    if (!parsed || !parsed->is_object()) {
      return invalidParameter("Attributes Reason: RedrivePolicy: failed to parse JSON");
    }
    const Json* target = parsed->as_object().if_contains("deadLetterTargetArn");
    if (!target || !target->is_string()) {
      return invalidParameter(
          "Attributes Reason: RedrivePolicy: deadLetterTargetArn is missing from the policy");
    }
    std::string arn(target->get_string());
    if (!arn.starts_with("arn:aws:sqs:") || arnPart(arn, 5).empty()) {
      return invalidParameter("Attributes Reason: RedrivePolicy: deadLetterTargetArn [" + arn +
                              "] is not the ARN of an SQS queue");
    }
    return {};
  }
  if (name == "DeliveryPolicy") {
    return value.empty() ? Result<void>{} : checkSubscriptionDeliveryPolicy(value);
  }
  if (name == "RedrivePolicy") return {};
  if (name == "SubscriptionRoleArn" || name == "ReplayPolicy") return {};
  return invalidParameter("Attributes Reason: Unknown attribute " + name);
}

JsonObject listEntry(const Subscription& s) {
  JsonObject e;
  e["SubscriptionArn"] = s.confirmed ? s.arn : "PendingConfirmation";
  e["Owner"] = s.owner;
  e["Protocol"] = s.protocol;
  e["Endpoint"] = s.endpoint;
  e["TopicArn"] = s.topicArn;
  return e;
}

}  // namespace

void SnsService::subscribe(const Json& in, const CallContext& ctx, Reply reply) {
  Input input(in);
  auto topicArn = input.requiredString("TopicArn");
  if (!topicArn) return reply(topicArn.error());
  auto protocol = input.requiredString("Protocol");
  if (!protocol) return reply(protocol.error());
  auto endpoint = input.optionalString("Endpoint");
  if (!endpoint) return reply(endpoint.error());
  auto returnArn = input.optionalBool("ReturnSubscriptionArn");
  if (!returnArn) return reply(returnArn.error());
  auto topic = findTopic(*topicArn);
  if (!topic) return reply(topic.error());
  if (!protocols().count(*protocol)) {
    return reply(
        invalidParameter("Amazon SNS does not support this protocol string: " + *protocol));
  }
  std::string target = endpoint->value_or("");
  if (auto ok = checkEndpoint(*protocol, target); !ok) return reply(ok.error());
  if ((*topic)->fifo && *protocol != "sqs" && *protocol != "firehose") {
    return reply(invalidParameter("Invalid protocol type: " + *protocol));
  }
  Subscription s;
  s.topicArn = *topicArn;
  s.protocol = *protocol;
  s.endpoint = target;
  s.owner = ctx.scope.account;
  if (const Json* attrs = input.get("Attributes"); attrs && attrs->is_object()) {
    for (const auto& kv : attrs->as_object()) {
      std::string value = kv.value().is_string() ? std::string(kv.value().get_string()) : "";
      if (auto ok = checkSubscriptionAttribute(std::string(kv.key()), value, &s.filterPolicy);
          !ok) {
        return reply(ok.error());
      }
      s.attributes[std::string(kv.key())] = value;
    }
  }
  // The same endpoint subscribed twice is the same subscription.
  for (const auto& [arn, existing] : subscriptions_) {
    if (existing.topicArn != s.topicArn || existing.protocol != s.protocol ||
        existing.endpoint != s.endpoint) {
      continue;
    }
    if (!s.attributes.empty() && existing.attributes != s.attributes) {
      return reply(invalidParameter(
          "Attributes Reason: Subscription already exists with different attributes"));
    }
    JsonObject out;
    out["SubscriptionArn"] =
        existing.confirmed || returnArn->value_or(false) ? arn : "pending confirmation";
    return reply(Json(std::move(out)));
  }
  s.arn = *topicArn + ":" + engine_.ids.uuid();
  s.confirmed = s.protocol == "sqs" || s.protocol == "lambda" || s.protocol == "firehose" ||
                s.protocol == "sms" || s.protocol == "application";
  if (!s.confirmed) {
    std::string token;
    for (int i = 0; i < 4; ++i) {
      std::string id = engine_.ids.uuid();
      std::erase(id, '-');
      token += id;
    }
    s.token = token;
  }
  JsonObject out;
  out["SubscriptionArn"] =
      s.confirmed || returnArn->value_or(false) ? s.arn : "pending confirmation";
  auto& stored = subscriptions_[s.arn] = std::move(s);
  std::string arn = stored.arn;
  std::string host = ctx.host;
  store_.saveSubscription(stored, [this, reply = std::move(reply), out = Json(std::move(out)), arn,
                                   host](Result<void> r) mutable {
    if (!r) return reply(r.error());
    reply(std::move(out));
    // After the commit: the endpoint learns its token.
    engine_.loop.post([this, arn, host] {
      auto it = subscriptions_.find(arn);
      if (it != subscriptions_.end() && !it->second.confirmed) sendConfirmation(it->second, host);
    });
  });
}

void SnsService::confirmSubscription(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto topicArn = input.requiredString("TopicArn");
  if (!topicArn) return reply(topicArn.error());
  auto token = input.requiredString("Token");
  if (!token) return reply(token.error());
  auto topic = findTopic(*topicArn);
  if (!topic) return reply(topic.error());
  for (auto& [arn, s] : subscriptions_) {
    if (s.topicArn != *topicArn || s.token.empty() || s.token != *token) continue;
    s.confirmed = true;
    JsonObject out;
    out["SubscriptionArn"] = arn;
    return store_.saveSubscription(
        s, [reply = std::move(reply), out = Json(std::move(out))](Result<void> r) mutable {
          if (!r) return reply(r.error());
          reply(std::move(out));
        });
  }
  reply(invalidParameter("Token"));
}

void SnsService::unsubscribe(const Json& in, const CallContext&, Reply reply) {
  auto arn = Input(in).requiredString("SubscriptionArn");
  if (!arn) return reply(arn.error());
  auto s = findSubscription(*arn);
  if (!s) return reply(s.error());
  subscriptions_.erase(*arn);
  store_.deleteSubscription(*arn, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

static void listPage(const std::map<std::string, Subscription>& all, const std::string& after,
                     const std::string& topicArn, const CallContext& ctx, Reply& reply) {
  JsonArray subs;
  std::string last;
  bool more = false;
  for (const auto& [arn, s] : all) {
    if (!topicArn.empty() && s.topicArn != topicArn) continue;
    if (topicArn.empty() && s.owner != ctx.scope.account) continue;
    if (!after.empty() && arn <= after) continue;
    if (subs.size() == kPageSize) {
      more = true;
      break;
    }
    subs.push_back(listEntry(s));
    last = arn;
  }
  JsonObject out;
  out["Subscriptions"] = std::move(subs);
  if (more) out["NextToken"] = pageToken(last);
  reply(Json(std::move(out)));
}

void SnsService::listSubscriptions(const Json& in, const CallContext& ctx, Reply reply) {
  auto after = pageAfter(in);
  if (!after) return reply(after.error());
  listPage(subscriptions_, *after, "", ctx, reply);
}

void SnsService::listSubscriptionsByTopic(const Json& in, const CallContext& ctx, Reply reply) {
  auto topicArn = Input(in).requiredString("TopicArn");
  if (!topicArn) return reply(topicArn.error());
  if (auto t = findTopic(*topicArn); !t) return reply(t.error());
  auto after = pageAfter(in);
  if (!after) return reply(after.error());
  listPage(subscriptions_, *after, *topicArn, ctx, reply);
}

void SnsService::getSubscriptionAttributes(const Json& in, const CallContext&, Reply reply) {
  auto arn = Input(in).requiredString("SubscriptionArn");
  if (!arn) return reply(arn.error());
  auto sub = findSubscription(*arn);
  if (!sub) return reply(sub.error());
  const Subscription& s = **sub;
  JsonObject attrs;
  attrs["SubscriptionArn"] = s.arn;
  attrs["TopicArn"] = s.topicArn;
  attrs["Owner"] = s.owner;
  attrs["Protocol"] = s.protocol;
  attrs["Endpoint"] = s.endpoint;
  attrs["ConfirmationWasAuthenticated"] = s.confirmed ? "true" : "false";
  attrs["PendingConfirmation"] = s.confirmed ? "false" : "true";
  attrs["RawMessageDelivery"] = "false";
  for (const auto& [k, v] : s.attributes) attrs[k] = v;
  if (s.attributes.count("FilterPolicy") && !s.attributes.count("FilterPolicyScope")) {
    attrs["FilterPolicyScope"] = "MessageAttributes";
  }
  if (s.protocol == "http" || s.protocol == "https") {
    attrs["EffectiveDeliveryPolicy"] = subscriptionEffectiveDeliveryPolicy(httpPolicyOf(s));
  }
  JsonObject out;
  out["Attributes"] = std::move(attrs);
  reply(Json(std::move(out)));
}

void SnsService::setSubscriptionAttributes(const Json& in, const CallContext&, Reply reply) {
  Input input(in);
  auto arn = input.requiredString("SubscriptionArn");
  if (!arn) return reply(arn.error());
  auto name = input.requiredString("AttributeName");
  if (!name) return reply(name.error());
  auto value = input.optionalString("AttributeValue");
  if (!value) return reply(value.error());
  auto sub = findSubscription(*arn);
  if (!sub) return reply(sub.error());
  Json policy = (*sub)->filterPolicy;
  std::string v = value->value_or("");
  if (auto ok = checkSubscriptionAttribute(*name, v, &policy); !ok) return reply(ok.error());
  if (*name == "RawMessageDelivery" && (*sub)->protocol != "sqs" &&
      !(*sub)->protocol.starts_with("http") && (*sub)->protocol != "firehose") {
    return reply(invalidParameter("AttributeName Reason: Delivery protocol [" + (*sub)->protocol +
                                  "] does not support raw message delivery."));
  }
  (*sub)->filterPolicy = std::move(policy);
  if (v.empty() && *name == "FilterPolicy") {
    (*sub)->attributes.erase(*name);
  } else {
    (*sub)->attributes[*name] = v;
  }
  store_.saveSubscription(**sub, [reply = std::move(reply)](Result<void> r) {
    if (!r) return reply(r.error());
    reply(Json(JsonObject{}));
  });
}

}  // namespace sluice::services::sns
