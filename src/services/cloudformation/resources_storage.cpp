// S3 buckets, SQS queues, SNS topics and subscriptions, SSM parameters and
// CloudWatch Logs groups.
#include "services/cloudformation/resource_types.hpp"

namespace sluice::services::cloudformation {

namespace {

// CloudFormation's S3 filter shape ({S3Key: {Rules: [{Name, Value}]}}) as
// the API's ({Key: {FilterRules: [...]}}).
void copyKeyFilter(const Json& from, JsonObject& to) {
  const Json* rules = jsonAt(from, {"Filter", "S3Key", "Rules"});
  if (rules) to["Filter"] = JsonObject{{"Key", JsonObject{{"FilterRules", *rules}}}};
}

Json notificationConfiguration(const Json& cfn) {
  JsonObject out;
  auto convert = [&](const char* from, const char* to, const char* target, const char* arn) {
    const Json* list = cfn.as_object().if_contains(from);
    if (!list || !list->is_array()) return;
    JsonArray items;
    for (const Json& c : list->as_array()) {
      JsonObject item{{arn, jsonString(jsonAt(c, {target}))},
                      {"Events", JsonArray{Json(jsonString(jsonAt(c, {"Event"})))}}};
      copyKeyFilter(c, item);
      items.push_back(std::move(item));
    }
    out[to] = std::move(items);
  };
  convert("LambdaConfigurations", "LambdaFunctionConfigurations", "Function", "LambdaFunctionArn");
  convert("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn");
  convert("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn");
  if (const Json* eb = jsonAt(cfn, {"EventBridgeConfiguration", "EventBridgeEnabled"});
      eb && scalarText(*eb) == "true") {
    out["EventBridgeConfiguration"] = JsonObject{};
  }
  return out;
}

// CloudFormation's lifecycle rule (ExpirationInDays, Transitions with
// TransitionInDays, Prefix) as the API's.
Json lifecycleRule(const Json& cfn) {
  const JsonObject& r = cfn.as_object();
  JsonObject out;
  copyMembers(r, {"ID", "Id", "Status", "AbortIncompleteMultipartUpload"}, out);
  if (out.contains("Id")) out["ID"] = out["Id"], out.erase("Id");
  JsonObject filter;
  if (const Json* p = r.if_contains("Prefix")) filter["Prefix"] = *p;
  out["Filter"] = filter;
  JsonObject expiration;
  if (const Json* d = r.if_contains("ExpirationInDays")) expiration["Days"] = *d;
  if (const Json* d = r.if_contains("ExpirationDate")) expiration["Date"] = *d;
  if (const Json* d = r.if_contains("ExpiredObjectDeleteMarker")) {
    expiration["ExpiredObjectDeleteMarker"] = *d;
  }
  if (!expiration.empty()) out["Expiration"] = expiration;
  if (const Json* n = r.if_contains("NoncurrentVersionExpiration")) {
    out["NoncurrentVersionExpiration"] = *n;
  } else if (const Json* days = r.if_contains("NoncurrentVersionExpirationInDays")) {
    out["NoncurrentVersionExpiration"] = JsonObject{{"NoncurrentDays", *days}};
  }
  if (const Json* ts = r.if_contains("Transitions"); ts && ts->is_array()) {
    JsonArray items;
    for (const Json& t : ts->as_array()) {
      JsonObject item{{"StorageClass", jsonString(jsonAt(t, {"StorageClass"}))}};
      if (const Json* d = jsonAt(t, {"TransitionInDays"})) item["Days"] = *d;
      if (const Json* d = jsonAt(t, {"TransitionDate"})) item["Date"] = *d;
      items.push_back(std::move(item));
    }
    out["Transitions"] = std::move(items);
  }
  if (const Json* ts = r.if_contains("NoncurrentVersionTransitions"); ts && ts->is_array()) {
    JsonArray items;
    for (const Json& t : ts->as_array()) {
      items.push_back(JsonObject{
          {"StorageClass", jsonString(jsonAt(t, {"StorageClass"}))},
          {"NoncurrentDays",
           jsonAt(t, {"TransitionInDays"}) ? *jsonAt(t, {"TransitionInDays"}) : Json(0)}});
    }
    out["NoncurrentVersionTransitions"] = std::move(items);
  }
  return out;
}

// Versioning, notifications, lifecycle rules and tags of bucket `name` as
// `p` gives them; `before` (an update) is what was applied until now, so a
// configuration dropped from the template is removed.
Result<void> configureBucket(const ResourceApi& api, const std::string& name, const JsonObject& p,
                             const JsonObject* before) {
  auto call = [&](const char* op, JsonObject input) -> Result<void> {
    input["Bucket"] = name;
    if (auto c = api.call("s3", op, input); !c) return c.takeError();
    return {};
  };
  auto dropped = [&](const char* member) {
    return before && before->contains(member) && !p.contains(member);
  };
  if (const Json* v = p.if_contains("VersioningConfiguration")) {
    if (auto r = call("PutBucketVersioning", JsonObject{{"VersioningConfiguration", *v}}); !r) {
      return r;
    }
  } else if (dropped("VersioningConfiguration")) {
    auto r = call("PutBucketVersioning",
                  JsonObject{{"VersioningConfiguration", JsonObject{{"Status", "Suspended"}}}});
    if (!r) return r;
  }
  if (const Json* n = p.if_contains("NotificationConfiguration"); n && n->is_object()) {
    auto r = call("PutBucketNotificationConfiguration",
                  JsonObject{{"NotificationConfiguration", notificationConfiguration(*n)}});
    if (!r) return r;
  } else if (dropped("NotificationConfiguration")) {
    auto r = call("PutBucketNotificationConfiguration",
                  JsonObject{{"NotificationConfiguration", JsonObject{}}});
    if (!r) return r;
  }
  if (const Json* l = memberAt(p, {"LifecycleConfiguration", "Rules"}); l && l->is_array()) {
    JsonArray rules;
    for (const Json& rule : l->as_array()) rules.push_back(lifecycleRule(rule));
    auto r = call("PutBucketLifecycleConfiguration",
                  JsonObject{{"LifecycleConfiguration", JsonObject{{"Rules", std::move(rules)}}}});
    if (!r) return r;
  } else if (dropped("LifecycleConfiguration")) {
    if (auto r = call("DeleteBucketLifecycle", JsonObject{}); !r) return r;
  }
  if (p.contains("Tags")) {
    JsonArray set;
    for (const auto& kv : tagMap(p)) {
      set.push_back(JsonObject{{"Key", kv.key()}, {"Value", kv.value()}});
    }
    auto r =
        call("PutBucketTagging", JsonObject{{"Tagging", JsonObject{{"TagSet", std::move(set)}}}});
    if (!r) return r;
  } else if (dropped("Tags")) {
    if (auto r = call("DeleteBucketTagging", JsonObject{}); !r) return r;
  }
  return {};
}

ResourceValues bucketValues(const ResourceApi& api, const std::string& name) {
  const std::string& region = api.scope().region;
  ResourceValues v;
  v.physicalId = name;
  v.attributes = {{"Arn", "arn:" + api.scope().partition + ":s3:::" + name},
                  {"DomainName", name + ".s3.amazonaws.com"},
                  {"DualStackDomainName", name + ".s3.dualstack." + region + ".amazonaws.com"},
                  {"RegionalDomainName", name + ".s3." + region + ".amazonaws.com"},
                  {"WebsiteURL", "http://" + name + ".s3-website-" + region + ".amazonaws.com"}};
  return v;
}

Result<ResourceValues> createBucket(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "BucketName");
  if (name.empty()) name = generatedName(api, r, 63, true);
  if (auto c = api.call("s3", "CreateBucket", JsonObject{{"Bucket", name}}); !c) {
    return c.takeError();
  }
  if (auto configured = configureBucket(api, name, p, nullptr); !configured) {
    (void)api.call("s3", "DeleteBucket", JsonObject{{"Bucket", name}});
    return configured.error();
  }
  return bucketValues(api, name);
}

// Queue attributes are strings on the API; CloudFormation takes numbers,
// booleans and (for the redrive policies) objects.
JsonObject queueAttributes(const JsonObject& p) {
  JsonObject attributes;
  for (const auto& kv : p) {
    if (kv.key() == "QueueName" || kv.key() == "Tags") continue;
    attributes[kv.key()] =
        kv.value().is_object() ? Json(toJsonText(kv.value())) : Json(scalarText(kv.value()));
  }
  return attributes;
}

Result<ResourceValues> createQueue(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  bool fifo = stringProperty(p, "FifoQueue") == "true";
  std::string name = stringProperty(p, "QueueName");
  if (name.empty()) name = generatedName(api, r, 80, false, fifo ? ".fifo" : "");
  JsonObject attributes;
  for (const auto& kv : p) {
    if (kv.key() == "QueueName" || kv.key() == "Tags") continue;
    attributes[kv.key()] =
        kv.value().is_object() ? Json(toJsonText(kv.value())) : Json(scalarText(kv.value()));
  }
  JsonObject input{{"QueueName", name}, {"Attributes", attributes}};
  if (p.contains("Tags")) input["tags"] = tagMap(p);
  auto created = api.call("sqs", "CreateQueue", input);
  if (!created) return created.takeError();
  std::string url = jsonString(jsonAt(*created, {"QueueUrl"}));
  ResourceValues v;
  v.physicalId = url;
  v.attributes = {
      {"Arn", arn::sqsQueue(api.scope(), name)}, {"QueueName", name}, {"QueueUrl", url}};
  return v;
}

JsonObject subscriptionAttributes(const JsonObject& p) {
  JsonObject attributes;
  for (const char* name : {"FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"}) {
    if (const Json* v = p.if_contains(name)) {
      attributes[name] = v->is_string() ? *v : Json(toJsonText(*v));
    }
  }
  for (const char* name : {"FilterPolicyScope", "RawMessageDelivery", "SubscriptionRoleArn"}) {
    if (const Json* v = p.if_contains(name)) attributes[name] = scalarText(*v);
  }
  return attributes;
}

Result<ResourceValues> createTopic(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  bool fifo = stringProperty(p, "FifoTopic") == "true";
  std::string name = stringProperty(p, "TopicName");
  if (name.empty()) name = generatedName(api, r, 256, false, fifo ? ".fifo" : "");
  JsonObject attributes;
  for (const char* a : {"DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId",
                        "SignatureVersion", "TracingConfig", "ArchivePolicy"}) {
    if (const Json* v = p.if_contains(a)) {
      attributes[a] = v->is_object() ? Json(toJsonText(*v)) : Json(scalarText(*v));
    }
  }
  JsonObject input{{"Name", name}, {"Attributes", attributes}};
  if (const Json* tags = p.if_contains("Tags")) input["Tags"] = *tags;
  auto created = api.call("sns", "CreateTopic", input);
  if (!created) return created.takeError();
  std::string topicArn = jsonString(jsonAt(*created, {"TopicArn"}));
  if (const Json* subs = p.if_contains("Subscription"); subs && subs->is_array()) {
    for (const Json& s : subs->as_array()) {
      JsonObject sub{{"TopicArn", topicArn},
                     {"Protocol", jsonString(jsonAt(s, {"Protocol"}))},
                     {"Endpoint", jsonString(jsonAt(s, {"Endpoint"}))}};
      if (auto done = api.call("sns", "Subscribe", sub); !done) {
        (void)api.call("sns", "DeleteTopic", JsonObject{{"TopicArn", topicArn}});
        return done.takeError();
      }
    }
  }
  ResourceValues v;
  v.physicalId = topicArn;
  v.attributes = {{"TopicArn", topicArn}, {"TopicName", name}};
  return v;
}

Result<ResourceValues> createSubscription(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  JsonObject input{{"TopicArn", stringProperty(p, "TopicArn")},
                   {"Protocol", stringProperty(p, "Protocol")},
                   {"ReturnSubscriptionArn", true}};
  if (p.contains("Endpoint")) input["Endpoint"] = stringProperty(p, "Endpoint");
  if (auto a = subscriptionAttributes(p); !a.empty()) input["Attributes"] = std::move(a);
  auto created = api.call("sns", "Subscribe", input);
  if (!created) return created.takeError();
  ResourceValues v;
  v.physicalId = jsonString(jsonAt(*created, {"SubscriptionArn"}));
  v.attributes = {{"Arn", v.physicalId}};
  return v;
}

JsonObject parameterInput(const std::string& name, const JsonObject& p) {
  JsonObject input{
      {"Name", name}, {"Value", stringProperty(p, "Value")}, {"Type", stringProperty(p, "Type")}};
  copyMembers(p, {"Description", "AllowedPattern", "Tier", "DataType", "Policies"}, input);
  return input;
}

Result<ResourceValues> createParameter(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = "CFN-" + r.logicalId + "-" + randomSuffix(api);
  JsonObject input{
      {"Name", name}, {"Value", stringProperty(p, "Value")}, {"Type", stringProperty(p, "Type")}};
  copyMembers(p, {"Description", "AllowedPattern", "Tier", "DataType", "Policies"}, input);
  if (const Json* tags = p.if_contains("Tags"); tags && tags->is_object()) {
    JsonArray list;
    for (const auto& kv : tags->as_object()) {
      list.push_back(JsonObject{{"Key", kv.key()}, {"Value", scalarText(kv.value())}});
    }
    input["Tags"] = std::move(list);
  }
  if (auto put = api.call("ssm", "PutParameter", input); !put) return put.takeError();
  ResourceValues v;
  v.physicalId = name;
  v.attributes = {{"Type", input["Type"]}, {"Value", input["Value"]}};
  return v;
}

Result<ResourceValues> createLogGroup(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "LogGroupName");
  if (name.empty()) name = generatedName(api, r, 512);
  JsonObject input{{"logGroupName", name}};
  if (p.contains("Tags")) input["tags"] = tagMap(p);
  if (auto c = api.call("logs", "CreateLogGroup", input); !c) return c.takeError();
  if (const Json* days = p.if_contains("RetentionInDays")) {
    auto put = api.call("logs", "PutRetentionPolicy",
                        JsonObject{{"logGroupName", name}, {"retentionInDays", *days}});
    if (!put) {
      (void)api.call("logs", "DeleteLogGroup", JsonObject{{"logGroupName", name}});
      return put.takeError();
    }
  }
  ResourceValues v;
  v.physicalId = name;
  v.attributes = {{"Arn", "arn:" + api.scope().partition + ":logs:" + api.scope().region + ":" +
                              api.scope().account + ":log-group:" + name + ":*"}};
  return v;
}

}  // namespace

void addStorageTypes(ResourceTypes& types) {
  types["AWS::S3::Bucket"] = {
      {"BucketName", "VersioningConfiguration", "NotificationConfiguration",
       "LifecycleConfiguration", "Tags"},
      {"BucketEncryption", "PublicAccessBlockConfiguration", "OwnershipControls", "AccessControl",
       "CorsConfiguration", "LoggingConfiguration", "ObjectLockEnabled"},
      createBucket,
      deleteWith("s3", "DeleteBucket", "Bucket", {"NoSuchBucket"})};
  // Kept and answered by S3 (PutBucketPolicy); Sluice does not enforce it.
  types["AWS::S3::BucketPolicy"] = {
      {"Bucket", "PolicyDocument"},
      {},
      [](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        std::string bucket = stringProperty(r.properties, "Bucket");
        const Json* doc = r.properties.if_contains("PolicyDocument");
        std::string text = !doc ? "" : doc->is_string() ? scalarText(*doc) : toJsonText(*doc);
        auto put =
            api.call("s3", "PutBucketPolicy", JsonObject{{"Bucket", bucket}, {"Policy", text}});
        if (!put) return put.takeError();
        return recordedResource(bucket);
      },
      deleteWith("s3", "DeleteBucketPolicy", "Bucket", {"NoSuchBucket"})};
  // The queues' Policy attribute (SetQueueAttributes); not enforced.
  auto setQueuePolicies = [](const ResourceApi& api, const JsonObject& p,
                             const std::string& text) -> Result<void> {
    const Json* queues = p.if_contains("Queues");
    if (!queues || !queues->is_array()) return {};
    for (const Json& url : queues->as_array()) {
      auto set = api.call(
          "sqs", "SetQueueAttributes",
          JsonObject{{"QueueUrl", scalarText(url)}, {"Attributes", JsonObject{{"Policy", text}}}});
      if (!set) return set.takeError();
    }
    return {};
  };
  auto policyText = [](const JsonObject& p) {
    const Json* doc = p.if_contains("PolicyDocument");
    return !doc ? std::string() : doc->is_string() ? scalarText(*doc) : toJsonText(*doc);
  };
  types["AWS::SQS::QueuePolicy"] = {
      {"PolicyDocument", "Queues"},
      {},
      [=](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        if (auto set = setQueuePolicies(api, r.properties, policyText(r.properties)); !set) {
          return set.error();
        }
        return recordedResource(generatedName(api, r, 128));
      },
      [=](const ResourceApi& api, const ResourceValues&, const JsonObject& p) {
        return ignoringMissing(
            [&]() -> Result<Json> {
              if (auto r = setQueuePolicies(api, p, ""); !r) return r.error();
              return Json();
            }(),
            {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"});
      },
      [=](const ResourceApi& api, const ResourceValues& current,
          const ResourceRequest& next) -> Result<ResourceValues> {
        if (auto set = setQueuePolicies(api, next.properties, policyText(next.properties)); !set) {
          return set.error();
        }
        return current;
      },
      {"Queues"}};
  types["AWS::SQS::Queue"] = {
      {"QueueName", "Tags", "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
       "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy",
       "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
       "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"},
      {},
      createQueue,
      deleteWith("sqs", "DeleteQueue", "QueueUrl",
                 {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"})};
  types["AWS::SNS::Topic"] = {
      {"TopicName", "DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId",
       "SignatureVersion", "TracingConfig", "ArchivePolicy", "Subscription", "Tags"},
      {"DataProtectionPolicy", "DeliveryStatusLogging"},
      createTopic,
      deleteWith("sns", "DeleteTopic", "TopicArn", {"NotFound"})};
  types["AWS::SNS::Subscription"] = {
      {"TopicArn", "Protocol", "Endpoint", "FilterPolicy", "FilterPolicyScope",
       "RawMessageDelivery", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy",
       "SubscriptionRoleArn"},
      {"Region"},
      createSubscription,
      deleteWith("sns", "Unsubscribe", "SubscriptionArn", {"NotFound", "InvalidParameter"})};
  types["AWS::SSM::Parameter"] = {
      {"Name", "Type", "Value", "Description", "AllowedPattern", "Tier", "DataType", "Policies",
       "Tags"},
      {},
      createParameter,
      deleteWith("ssm", "DeleteParameter", "Name", {"ParameterNotFound"})};
  types["AWS::Logs::LogGroup"] = {
      {"LogGroupName", "RetentionInDays", "Tags"},
      {"KmsKeyId", "DataProtectionPolicy", "LogGroupClass"},
      createLogGroup,
      deleteWith("logs", "DeleteLogGroup", "logGroupName", {"ResourceNotFoundException"})};

  // In-place updates.
  types["AWS::S3::BucketPolicy"].replaceOn = {"Bucket"};
  types["AWS::S3::BucketPolicy"].update =
      [](const ResourceApi& api, const ResourceValues& current,
         const ResourceRequest& next) -> Result<ResourceValues> {
    const Json* doc = next.properties.if_contains("PolicyDocument");
    std::string text = !doc ? "" : doc->is_string() ? scalarText(*doc) : toJsonText(*doc);
    auto put = api.call("s3", "PutBucketPolicy",
                        JsonObject{{"Bucket", current.physicalId}, {"Policy", text}});
    if (!put) return put.takeError();
    return current;
  };
  types["AWS::S3::Bucket"].replaceOn = {"BucketName"};
  types["AWS::S3::Bucket"].update = [](const ResourceApi& api, const ResourceValues& current,
                                       const ResourceRequest& next) -> Result<ResourceValues> {
    if (auto r = configureBucket(api, current.physicalId, next.properties, &next.previous); !r) {
      return r.error();
    }
    return current;
  };
  types["AWS::SQS::Queue"].replaceOn = {"QueueName", "FifoQueue"};
  types["AWS::SQS::Queue"].update = [](const ResourceApi& api, const ResourceValues& current,
                                       const ResourceRequest& next) -> Result<ResourceValues> {
    auto set = api.call("sqs", "SetQueueAttributes",
                        JsonObject{{"QueueUrl", current.physicalId},
                                   {"Attributes", queueAttributes(next.properties)}});
    if (!set) return set.takeError();
    return current;
  };
  types["AWS::SNS::Topic"].replaceOn = {"TopicName", "FifoTopic", "Subscription"};
  types["AWS::SNS::Topic"].update = [](const ResourceApi& api, const ResourceValues& current,
                                       const ResourceRequest& next) -> Result<ResourceValues> {
    for (const char* a : {"DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig"}) {
      if (!next.properties.contains(a) && !next.previous.contains(a)) continue;
      auto set = api.call("sns", "SetTopicAttributes",
                          JsonObject{{"TopicArn", current.physicalId},
                                     {"AttributeName", a},
                                     {"AttributeValue", stringProperty(next.properties, a)}});
      if (!set) return set.takeError();
    }
    return current;
  };
  types["AWS::SSM::Parameter"].replaceOn = {"Name"};
  types["AWS::SSM::Parameter"].update = [](const ResourceApi& api, const ResourceValues& current,
                                           const ResourceRequest& next) -> Result<ResourceValues> {
    JsonObject input = parameterInput(current.physicalId, next.properties);
    input["Overwrite"] = true;
    if (auto put = api.call("ssm", "PutParameter", input); !put) return put.takeError();
    ResourceValues v = current;
    v.attributes = {{"Type", input["Type"]}, {"Value", input["Value"]}};
    return v;
  };
  types["AWS::Logs::LogGroup"].replaceOn = {"LogGroupName"};
  types["AWS::Logs::LogGroup"].update = [](const ResourceApi& api, const ResourceValues& current,
                                           const ResourceRequest& next) -> Result<ResourceValues> {
    Result<Json> r = Json();
    if (const Json* days = next.properties.if_contains("RetentionInDays")) {
      r = api.call("logs", "PutRetentionPolicy",
                   JsonObject{{"logGroupName", current.physicalId}, {"retentionInDays", *days}});
    } else {
      r = api.call("logs", "DeleteRetentionPolicy",
                   JsonObject{{"logGroupName", current.physicalId}});
    }
    if (!r) return r.takeError();
    return current;
  };
}

}  // namespace sluice::services::cloudformation
