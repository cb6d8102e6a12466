#include "services/cloudformation/serverless_transform.hpp"

#include <set>

#include "services/cloudformation/template.hpp"

namespace sluice::services::cloudformation {

namespace {

AwsError transformError(const std::string& id, const std::string& message) {
  return validationError(std::string("Transform ") + kServerlessTransform +
                         " failed with: Invalid Serverless Application Specification document. "
                         "Number of errors found: 1. Resource with id [" +
                         id + "] is invalid. " + message);
}

Json ref(const std::string& id) {
  return JsonObject{{"Ref", id}};
}
Json getAtt(const std::string& id, const char* attribute) {
  return JsonObject{{"Fn::GetAtt", JsonArray{Json(id), Json(attribute)}}};
}

// SAM's Tags are a map; CloudFormation's a list of {Key, Value}.
Json tagList(const Json& tags) {
  JsonArray out;
  if (tags.is_object()) {
    for (const auto& kv : tags.as_object()) {
      out.push_back(JsonObject{{"Key", kv.key()}, {"Value", kv.value()}});
    }
  }
  return out;
}

// Globals under resource properties: maps merged (the resource's entries
// win), anything else replaced by the resource's.
Json merged(const Json& global, const Json& local) {
  if (!global.is_object() || !local.is_object()) return local;
  JsonObject out = global.as_object();
  for (const auto& kv : local.as_object()) {
    out[kv.key()] = out.contains(kv.key()) ? merged(out[kv.key()], kv.value()) : kv.value();
  }
  return out;
}

// The role SAM generates when a resource names none.
JsonObject generatedRole(const char* service, const Json& managedPolicies) {
  JsonObject props{
      {"AssumeRolePolicyDocument",
       JsonObject{
           {"Version", "2012-10-17"},
           {"Statement", JsonArray{JsonObject{
                             {"Effect", "Allow"},
                             {"Action", JsonArray{"sts:AssumeRole"}},
                             {"Principal", JsonObject{{"Service", JsonArray{Json(service)}}}}}}}}}};
  if (managedPolicies.is_array()) props["ManagedPolicyArns"] = managedPolicies;
  return JsonObject{{"Type", "AWS::IAM::Role"}, {"Properties", std::move(props)}};
}

// An S3 location given as "s3://bucket/key" or {Bucket, Key, Version}.
bool s3Location(const Json& v, std::string& bucket, std::string& key, Json& version) {
  if (v.is_string()) {
    std::string s(v.as_string());
    if (!s.starts_with("s3://")) return false;
    size_t slash = s.find('/', 5);
    if (slash == std::string::npos) return false;
    bucket = s.substr(5, slash - 5);
    key = s.substr(slash + 1);
    return true;
  }
  if (!v.is_object()) return false;
  bucket = jsonString(jsonAt(v, {"Bucket"}));
  key = jsonString(jsonAt(v, {"Key"}));
  if (const Json* ver = jsonAt(v, {"Version"})) version = *ver;
  return !bucket.empty() && !key.empty();
}

// The Events::Rule of a Schedule, EventBridgeRule or CloudWatchEvent event.
JsonObject eventRule(const std::string& type, const JsonObject& p, JsonObject target) {
  if (const Json* i = p.if_contains("Input")) target["Input"] = *i;
  if (const Json* i = p.if_contains("InputPath")) target["InputPath"] = *i;
  JsonObject r{{"Targets", JsonArray{Json(std::move(target))}}};
  if (type == "Schedule") {
    r["ScheduleExpression"] = p.contains("Schedule") ? p.at("Schedule") : Json();
  } else {
    r["EventPattern"] = p.contains("Pattern") ? p.at("Pattern") : Json();
    if (const Json* bus = p.if_contains("EventBusName")) r["EventBusName"] = *bus;
  }
  if (const Json* s = p.if_contains("State")) r["State"] = *s;
  if (const Json* e = p.if_contains("Enabled"); e && e->is_bool()) {
    r["State"] = e->as_bool() ? "ENABLED" : "DISABLED";
  }
  if (const Json* n = p.if_contains("Name")) r["Name"] = *n;
  if (const Json* d = p.if_contains("Description")) r["Description"] = *d;
  return JsonObject{{"Type", "AWS::Events::Rule"}, {"Properties", std::move(r)}};
}

// The Scheduler::Schedule of a ScheduleV2 event.
JsonObject schedule(const JsonObject& p, JsonObject target) {
  if (const Json* i = p.if_contains("Input")) target["Input"] = *i;
  JsonObject s{{"ScheduleExpression",
                p.contains("ScheduleExpression") ? p.at("ScheduleExpression") : Json()},
               {"FlexibleTimeWindow", JsonObject{{"Mode", "OFF"}}},
               {"Target", std::move(target)}};
  for (const char* name : {"Name", "GroupName", "ScheduleExpressionTimezone", "State",
                           "Description", "StartDate", "EndDate"}) {
    if (const Json* v = p.if_contains(name)) s[name] = *v;
  }
  return JsonObject{{"Type", "AWS::Scheduler::Schedule"}, {"Properties", std::move(s)}};
}

class Expander {
 public:
  explicit Expander(JsonObject& resources) : resources_(resources) {}

  Result<void> function(const std::string& id, JsonObject p) {
    static const std::set<std::string> kKnown = {"Handler",
                                                 "Runtime",
                                                 "CodeUri",
                                                 "InlineCode",
                                                 "FunctionName",
                                                 "Description",
                                                 "MemorySize",
                                                 "Timeout",
                                                 "Role",
                                                 "Policies",
                                                 "PermissionsBoundary",
                                                 "Environment",
                                                 "Layers",
                                                 "Architectures",
                                                 "EphemeralStorage",
                                                 "KmsKeyArn",
                                                 "DeadLetterQueue",
                                                 "ReservedConcurrentExecutions",
                                                 "Tags",
                                                 "Tracing",
                                                 "Events",
                                                 "PackageType",
                                                 "ImageUri",
                                                 "LoggingConfig",
                                                 "VpcConfig",
                                                 "RuntimeManagementConfig",
                                                 "SnapStart",
                                                 "EventInvokeConfig"};
    if (auto bad = unknown(id, p, kKnown, "AWS::Serverless::Function"); !bad) return bad;
    JsonObject out;
    for (const char* name :
         {"Handler", "Runtime", "FunctionName", "Description", "MemorySize", "Timeout",
          "Environment", "Layers", "Architectures", "EphemeralStorage", "KmsKeyArn",
          "ReservedConcurrentExecutions", "PackageType", "LoggingConfig", "VpcConfig",
          "RuntimeManagementConfig", "SnapStart"}) {
      if (const Json* v = p.if_contains(name)) out[name] = *v;
    }
    if (const Json* inline_ = p.if_contains("InlineCode")) {
      out["Code"] = JsonObject{{"ZipFile", *inline_}};
    } else if (const Json* image = p.if_contains("ImageUri")) {
      out["Code"] = JsonObject{{"ImageUri", *image}};
    } else if (const Json* uri = p.if_contains("CodeUri")) {
      std::string bucket, key;
      Json version;
      if (!s3Location(*uri, bucket, key, version)) {
        return transformError(id,
                              "'CodeUri' is not a location in S3: package it first "
                              "(`sluice deploy` and `sam deploy` do).");
      }
      JsonObject code{{"S3Bucket", bucket}, {"S3Key", key}};
      if (!version.is_null()) code["S3ObjectVersion"] = version;
      out["Code"] = std::move(code);
    } else {
      return transformError(id, "Either 'InlineCode' or 'CodeUri' must be set.");
    }
    if (const Json* dlq = p.if_contains("DeadLetterQueue")) {
      out["DeadLetterConfig"] = JsonObject{
          {"TargetArn", jsonAt(*dlq, {"TargetArn"}) ? *jsonAt(*dlq, {"TargetArn"}) : Json()}};
    }
    if (const Json* t = p.if_contains("Tracing"); t && t->is_string()) {
      out["TracingConfig"] = JsonObject{{"Mode", *t}};
    }
    if (const Json* tags = p.if_contains("Tags")) out["Tags"] = tagList(*tags);
    if (const Json* role = p.if_contains("Role")) {
      out["Role"] = *role;
    } else {
      add(id + "Role",
          generatedRole("lambda.amazonaws.com", JsonArray{"arn:aws:iam::aws:policy/service-role/"
                                                          "AWSLambdaBasicExecutionRole"}));
      out["Role"] = getAtt(id + "Role", "Arn");
    }
    resources_[id] = JsonObject{{"Type", "AWS::Lambda::Function"}, {"Properties", out}};
    if (const Json* events = p.if_contains("Events"); events && events->is_object()) {
      for (const auto& kv : events->as_object()) {
        if (auto r = functionEvent(id, std::string(kv.key()), kv.value()); !r) return r;
      }
    }
    return {};
  }

  Result<void> stateMachine(const std::string& id, JsonObject p) {
    static const std::set<std::string> kKnown = {"Definition",
                                                 "DefinitionUri",
                                                 "DefinitionSubstitutions",
                                                 "Name",
                                                 "Role",
                                                 "Policies",
                                                 "PermissionsBoundary",
                                                 "Type",
                                                 "Logging",
                                                 "Tracing",
                                                 "Tags",
                                                 "Events",
                                                 "RolePath"};
    if (auto bad = unknown(id, p, kKnown, "AWS::Serverless::StateMachine"); !bad) return bad;
    JsonObject out;
    if (const Json* d = p.if_contains("Definition")) out["Definition"] = *d;
    if (const Json* uri = p.if_contains("DefinitionUri")) {
      std::string bucket, key;
      Json version;
      if (!s3Location(*uri, bucket, key, version)) {
        return transformError(id,
                              "'DefinitionUri' is not a location in S3: package it first "
                              "(`sluice deploy` and `sam deploy` do).");
      }
      JsonObject location{{"Bucket", bucket}, {"Key", key}};
      if (!version.is_null()) location["Version"] = version;
      out["DefinitionS3Location"] = std::move(location);
    }
    if (!out.contains("Definition") && !out.contains("DefinitionS3Location")) {
      return transformError(id, "Either 'Definition' or 'DefinitionUri' must be set.");
    }
    if (const Json* s = p.if_contains("DefinitionSubstitutions")) {
      out["DefinitionSubstitutions"] = *s;
    }
    if (const Json* n = p.if_contains("Name")) out["StateMachineName"] = *n;
    if (const Json* t = p.if_contains("Type")) out["StateMachineType"] = *t;
    if (const Json* l = p.if_contains("Logging")) out["LoggingConfiguration"] = *l;
    if (const Json* t = p.if_contains("Tracing")) out["TracingConfiguration"] = *t;
    if (const Json* tags = p.if_contains("Tags")) out["Tags"] = tagList(*tags);
    if (const Json* role = p.if_contains("Role")) {
      out["RoleArn"] = *role;
    } else {
      add(id + "Role", generatedRole("states.amazonaws.com", Json()));
      out["RoleArn"] = getAtt(id + "Role", "Arn");
    }
    resources_[id] = JsonObject{{"Type", "AWS::StepFunctions::StateMachine"}, {"Properties", out}};
    if (const Json* events = p.if_contains("Events"); events && events->is_object()) {
      for (const auto& kv : events->as_object()) {
        if (auto r = machineEvent(id, std::string(kv.key()), kv.value()); !r) return r;
      }
    }
    return {};
  }

  Result<void> layer(const std::string& id, JsonObject p) {
    JsonObject out;
    for (const char* name : {"LayerName", "Description", "CompatibleRuntimes",
                             "CompatibleArchitectures", "LicenseInfo"}) {
      if (const Json* v = p.if_contains(name)) out[name] = *v;
    }
    std::string bucket, key;
    Json version;
    const Json* uri = p.if_contains("ContentUri");
    if (!uri || !s3Location(*uri, bucket, key, version)) {
      return transformError(id, "'ContentUri' is not a location in S3: package it first.");
    }
    out["Content"] = JsonObject{{"S3Bucket", bucket}, {"S3Key", key}};
    resources_[id] = JsonObject{{"Type", "AWS::Lambda::LayerVersion"}, {"Properties", out}};
    return {};
  }

 private:
  Result<void> unknown(const std::string& id, const JsonObject& p,
                       const std::set<std::string>& known, const char* type) {
    for (const auto& kv : p) {
      if (!known.count(std::string(kv.key()))) {
        return transformError(
            id, "property " + std::string(kv.key()) + " not defined for resource of type " + type);
      }
    }
    return {};
  }

  void add(const std::string& id, JsonObject resource) { resources_[id] = std::move(resource); }

  void permission(const std::string& fn, const std::string& event, const char* principal,
                  const Json* source) {
    JsonObject p{
        {"Action", "lambda:InvokeFunction"}, {"FunctionName", ref(fn)}, {"Principal", principal}};
    if (source) p["SourceArn"] = *source;
    add(fn + event + "Permission",
        JsonObject{{"Type", "AWS::Lambda::Permission"}, {"Properties", std::move(p)}});
  }

  Result<void> functionEvent(const std::string& fn, const std::string& event, const Json& spec) {
    std::string type = jsonString(jsonAt(spec, {"Type"}));
    const Json* props = jsonAt(spec, {"Properties"});
    JsonObject p = props && props->is_object() ? props->as_object() : JsonObject{};
    std::string rule = fn + event;
    if (type == "Schedule" || type == "EventBridgeRule" || type == "CloudWatchEvent") {
      add(rule, eventRule(type, p, {{"Id", rule + "LambdaTarget"}, {"Arn", getAtt(fn, "Arn")}}));
      Json source = getAtt(rule, "Arn");
      permission(fn, event, "events.amazonaws.com", &source);
      return {};
    }
    if (type == "ScheduleV2") {
      add(rule + "Role", generatedRole("scheduler.amazonaws.com", Json()));
      add(rule,
          schedule(p, {{"Arn", getAtt(fn, "Arn")}, {"RoleArn", getAtt(rule + "Role", "Arn")}}));
      return {};
    }
    if (type == "SQS") {
      JsonObject m{{"FunctionName", ref(fn)},
                   {"EventSourceArn", p.contains("Queue") ? p.at("Queue") : Json()}};
      for (const char* name : {"BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
                               "FilterCriteria", "FunctionResponseTypes", "ScalingConfig"}) {
        if (const Json* v = p.if_contains(name)) m[name] = *v;
      }
      add(rule,
          JsonObject{{"Type", "AWS::Lambda::EventSourceMapping"}, {"Properties", std::move(m)}});
      return {};
    }
    if (type == "SNS") {
      Json topic = p.contains("Topic") ? p.at("Topic") : Json();
      JsonObject s{{"Protocol", "lambda"}, {"Endpoint", getAtt(fn, "Arn")}, {"TopicArn", topic}};
      for (const char* name : {"FilterPolicy", "FilterPolicyScope", "Region"}) {
        if (const Json* v = p.if_contains(name)) s[name] = *v;
      }
      add(rule, JsonObject{{"Type", "AWS::SNS::Subscription"}, {"Properties", std::move(s)}});
      permission(fn, event, "sns.amazonaws.com", &topic);
      return {};
    }
    if (type == "S3") {
      const Json* bucket = p.if_contains("Bucket");
      const Json* bucketRef = bucket ? jsonAt(*bucket, {"Ref"}) : nullptr;
      if (!bucketRef || !bucketRef->is_string() || !resources_.contains(bucketRef->as_string())) {
        return transformError(fn, "Event with id [" + event +
                                      "] is invalid. S3 events must reference an "
                                      "AWS::S3::Bucket from the same template.");
      }
      std::string bucketId(bucketRef->as_string());
      JsonArray events;
      if (const Json* e = p.if_contains("Events"); e && e->is_array()) {
        events = e->as_array();
      } else if (e) {
        events.push_back(*e);
      }
      JsonObject& b = resources_[bucketId].as_object();
      if (!b.contains("Properties")) b["Properties"] = JsonObject{};
      JsonObject& bp = b["Properties"].as_object();
      if (!bp.contains("NotificationConfiguration")) bp["NotificationConfiguration"] = JsonObject{};
      JsonObject& nc = bp["NotificationConfiguration"].as_object();
      if (!nc.contains("LambdaConfigurations")) nc["LambdaConfigurations"] = JsonArray{};
      for (const Json& e : events) {
        JsonObject c{{"Event", e}, {"Function", getAtt(fn, "Arn")}};
        if (const Json* f = p.if_contains("Filter")) c["Filter"] = *f;
        nc["LambdaConfigurations"].as_array().push_back(std::move(c));
      }
      permission(fn, event, "s3.amazonaws.com", nullptr);
      // The bucket notifies the function only once it may.
      JsonArray deps;
      if (const Json* d = b.if_contains("DependsOn")) {
        deps = d->is_array() ? d->as_array() : JsonArray{*d};
      }
      deps.emplace_back(fn + event + "Permission");
      b["DependsOn"] = std::move(deps);
      return {};
    }
    return transformError(fn, "Event with id [" + event +
                                  "] is invalid. Sluice does not expand "
                                  "events of type " +
                                  type + ".");
  }

  Result<void> machineEvent(const std::string& sm, const std::string& event, const Json& spec) {
    std::string type = jsonString(jsonAt(spec, {"Type"}));
    const Json* props = jsonAt(spec, {"Properties"});
    JsonObject p = props && props->is_object() ? props->as_object() : JsonObject{};
    std::string id = sm + event;
    add(id + "Role",
        generatedRole(type == "ScheduleV2" ? "scheduler.amazonaws.com" : "events.amazonaws.com",
                      Json()));
    if (type == "ScheduleV2") {
      add(id, schedule(p, {{"Arn", ref(sm)}, {"RoleArn", getAtt(id + "Role", "Arn")}}));
      return {};
    }
    if (type != "Schedule" && type != "EventBridgeRule" && type != "CloudWatchEvent") {
      return transformError(sm, "Event with id [" + event +
                                    "] is invalid. Sluice does not expand events of type " + type +
                                    ".");
    }
    add(id, eventRule(type, p,
                      {{"Id", id + "StepFunctionsTarget"},
                       {"Arn", ref(sm)},
                       {"RoleArn", getAtt(id + "Role", "Arn")}}));
    return {};
  }

  JsonObject& resources_;
};

}  // namespace

bool usesServerlessTransform(const Json& body) {
  const Json* t = body.is_object() ? body.as_object().if_contains("Transform") : nullptr;
  if (!t) return false;
  if (t->is_string()) return t->as_string() == kServerlessTransform;
  if (t->is_array()) {
    for (const Json& item : t->as_array()) {
      if (item.is_string() && item.as_string() == kServerlessTransform) return true;
    }
  }
  return false;
}

Result<Json> expandServerless(const Json& body) {
  JsonObject out = body.as_object();
  out.erase("Transform");
  JsonObject globals;
  if (const Json* g = out.if_contains("Globals"); g && g->is_object()) globals = g->as_object();
  out.erase("Globals");
  const Json* resources = out.if_contains("Resources");
  if (!resources || !resources->is_object()) return Json(out);
  JsonObject expanded = resources->as_object();
  Expander expander(expanded);
  for (const auto& kv : resources->as_object()) {
    std::string id(kv.key());
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    if (!type.starts_with("AWS::Serverless::")) continue;
    const Json* props = jsonAt(kv.value(), {"Properties"});
    JsonObject p = props && props->is_object() ? props->as_object() : JsonObject{};
    auto withGlobals = [&](const char* section) {
      if (const Json* g = globals.if_contains(section)) p = merged(*g, Json(p)).as_object();
    };
    Result<void> done;
    if (type == "AWS::Serverless::Function") {
      withGlobals("Function");
      done = expander.function(id, std::move(p));
    } else if (type == "AWS::Serverless::StateMachine") {
      withGlobals("StateMachine");
      done = expander.stateMachine(id, std::move(p));
    } else if (type == "AWS::Serverless::LayerVersion") {
      done = expander.layer(id, std::move(p));
    } else {
      done = transformError(id, "Sluice does not expand resources of type " + type + ".");
    }
    if (!done) return done.error();
    // DependsOn and Condition carry over to what a resource became.
    for (const char* member : {"DependsOn", "Condition", "DeletionPolicy"}) {
      if (const Json* v = jsonAt(kv.value(), {member})) {
        expanded[id].as_object()[member] = *v;
      }
    }
  }
  out["Resources"] = std::move(expanded);
  return Json(std::move(out));
}

}  // namespace sluice::services::cloudformation
