// Lambda functions, versions, aliases and event source mappings; Step
// Functions state machines and activities; EventBridge rules and buses;
// Scheduler schedules and groups.
#include <cctype>

#include "asl/yaml_text.hpp"
#include "core/encoding.hpp"
#include "services/cloudformation/resource_types.hpp"
#include "services/lambda/zip_writer.hpp"

namespace sluice::services::cloudformation {

namespace {

// CloudFormation spells Step Functions' camelCase members in PascalCase.
Json camelCased(const Json& v) {
  if (v.is_array()) {
    JsonArray out;
    for (const Json& item : v.as_array()) out.push_back(camelCased(item));
    return out;
  }
  if (!v.is_object()) return v;
  JsonObject out;
  for (const auto& kv : v.as_object()) {
    std::string key(kv.key());
    if (!key.empty()) key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
    out[key] = camelCased(kv.value());
  }
  return out;
}

JsonArray lowerTagList(const JsonObject& props) {
  JsonArray out;
  for (const auto& kv : tagMap(props))
    out.push_back(JsonObject{{"key", kv.key()}, {"value", kv.value()}});
  return out;
}

// Code.ZipFile is the function's source: CloudFormation packs it as `index`
// with the runtime's extension.
Result<JsonObject> functionCode(const JsonObject& props) {
  const Json* code = props.if_contains("Code");
  if (!code || !code->is_object()) {
    return AwsError{"InvalidRequest", "Property Code cannot be empty.", 400};
  }
  const JsonObject& c = code->as_object();
  if (const Json* inline_ = c.if_contains("ZipFile")) {
    std::string runtime = stringProperty(props, "Runtime");
    std::string file = runtime.starts_with("nodejs") ? "index.js" : "index.py";
    auto zip = lambda::zipEntries({{file, scalarText(*inline_), false}});
    if (!zip) return zip.takeError();
    return JsonObject{{"ZipFile", base64Encode(*zip)}};
  }
  JsonObject out;
  copyMembers(c, {"S3Bucket", "S3Key", "S3ObjectVersion", "ImageUri"}, out);
  return out;
}

// The members CreateFunction and UpdateFunctionConfiguration share.
JsonObject functionConfiguration(const std::string& name, const JsonObject& p) {
  JsonObject input{{"FunctionName", name}};
  copyMembers(p,
              {"Handler", "Runtime", "Role", "Description", "Timeout", "MemorySize", "Environment",
               "Layers", "DeadLetterConfig", "TracingConfig", "EphemeralStorage", "LoggingConfig",
               "ImageConfig"},
              input);
  if (const Json* k = p.if_contains("KmsKeyArn")) input["KMSKeyArn"] = *k;
  return input;
}

Result<ResourceValues> updateFunction(const ResourceApi& api, const ResourceValues& current,
                                      const ResourceRequest& next) {
  const JsonObject& p = next.properties;
  JsonObject config = functionConfiguration(current.physicalId, p);
  // What the template no longer sets goes back to Lambda's default.
  if (!p.contains("Environment")) config["Environment"] = JsonObject{{"Variables", JsonObject{}}};
  if (!p.contains("Layers")) config["Layers"] = JsonArray{};
  if (!p.contains("Description")) config["Description"] = "";
  if (!p.contains("Timeout")) config["Timeout"] = 3;
  if (!p.contains("MemorySize")) config["MemorySize"] = 128;
  if (auto u = api.call("lambda", "UpdateFunctionConfiguration", config); !u) {
    return u.takeError();
  }
  if (const Json* before = next.previous.if_contains("Code");
      !before || !jsonEquals(*before, p.contains("Code") ? p.at("Code") : Json())) {
    auto code = functionCode(p);
    if (!code) return code.takeError();
    JsonObject input = std::move(*code);
    input["FunctionName"] = current.physicalId;
    if (auto u = api.call("lambda", "UpdateFunctionCode", input); !u) return u.takeError();
  }
  Result<Json> concurrency = Json();
  if (const Json* reserved = p.if_contains("ReservedConcurrentExecutions")) {
    concurrency = api.call("lambda", "PutFunctionConcurrency",
                           JsonObject{{"FunctionName", current.physicalId},
                                      {"ReservedConcurrentExecutions", *reserved}});
  } else if (next.previous.contains("ReservedConcurrentExecutions")) {
    concurrency = api.call("lambda", "DeleteFunctionConcurrency",
                           JsonObject{{"FunctionName", current.physicalId}});
  }
  if (!concurrency) return concurrency.takeError();
  return current;
}

Result<ResourceValues> createFunction(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "FunctionName");
  if (name.empty()) name = generatedName(api, r, 64);
  auto code = functionCode(p);
  if (!code) return code.takeError();
  JsonObject input{{"FunctionName", name}, {"Code", std::move(*code)}};
  copyMembers(p,
              {"Handler", "Runtime", "Role", "Description", "Timeout", "MemorySize", "Environment",
               "Layers", "DeadLetterConfig", "TracingConfig", "EphemeralStorage", "Architectures",
               "PackageType", "LoggingConfig", "ImageConfig"},
              input);
  if (const Json* k = p.if_contains("KmsKeyArn")) input["KMSKeyArn"] = *k;
  if (p.contains("Tags")) input["Tags"] = tagMap(p);
  auto created = api.call("lambda", "CreateFunction", input);
  if (!created) return created.takeError();
  if (const Json* reserved = p.if_contains("ReservedConcurrentExecutions")) {
    auto put =
        api.call("lambda", "PutFunctionConcurrency",
                 JsonObject{{"FunctionName", name}, {"ReservedConcurrentExecutions", *reserved}});
    if (!put) {
      (void)api.call("lambda", "DeleteFunction", JsonObject{{"FunctionName", name}});
      return put.takeError();
    }
  }
  ResourceValues v;
  v.physicalId = name;
  v.attributes = {{"Arn", jsonString(jsonAt(*created, {"FunctionArn"}))}};
  return v;
}

Result<ResourceValues> publishVersion(const ResourceApi& api, const ResourceRequest& r) {
  JsonObject input;
  copyMembers(r.properties, {"FunctionName", "Description", "CodeSha256"}, input);
  auto v = api.call("lambda", "PublishVersion", input);
  if (!v) return v.takeError();
  ResourceValues out;
  out.physicalId = jsonString(jsonAt(*v, {"FunctionArn"}));
  out.attributes = {{"Version", jsonString(jsonAt(*v, {"Version"}))},
                    {"FunctionArn", out.physicalId}};
  return out;
}

Result<ResourceValues> createAlias(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  JsonObject input;
  copyMembers(p, {"FunctionName", "Name", "FunctionVersion", "Description"}, input);
  if (const Json* weights = memberAt(p, {"RoutingConfig", "AdditionalVersionWeights"});
      weights && weights->is_array()) {
    JsonObject map;
    for (const Json& w : weights->as_array()) {
      map[jsonString(jsonAt(w, {"FunctionVersion"}))] = *jsonAt(w, {"FunctionWeight"});
    }
    input["RoutingConfig"] = JsonObject{{"AdditionalVersionWeights", std::move(map)}};
  }
  auto a = api.call("lambda", "CreateAlias", input);
  if (!a) return a.takeError();
  ResourceValues v;
  v.physicalId = jsonString(jsonAt(*a, {"AliasArn"}));
  v.attributes = {{"AliasArn", v.physicalId}};
  return v;
}

Result<ResourceValues> createMapping(const ResourceApi& api, const ResourceRequest& r) {
  JsonObject input;
  copyMembers(
      r.properties,
      {"FunctionName", "EventSourceArn", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
       "FilterCriteria", "FunctionResponseTypes", "ScalingConfig", "StartingPosition",
       "StartingPositionTimestamp", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
       "BisectBatchOnFunctionError", "DestinationConfig", "ParallelizationFactor"},
      input);
  auto m = api.call("lambda", "CreateEventSourceMapping", input);
  if (!m) return m.takeError();
  ResourceValues v;
  v.physicalId = jsonString(jsonAt(*m, {"UUID"}));
  v.attributes = {{"Id", v.physicalId}};
  return v;
}

// DefinitionSubstitutions replace ${Name} in the definition's text.
std::string substituted(std::string text, const Json* substitutions) {
  if (!substitutions || !substitutions->is_object()) return text;
  for (const auto& kv : substitutions->as_object()) {
    std::string placeholder = "${" + std::string(kv.key()) + "}";
    std::string value;
    if (kv.value().is_string()) {
      // Inside a JSON string the value must stay JSON-escaped.
      std::string quoted = toJsonText(kv.value());
      value = quoted.substr(1, quoted.size() - 2);
    } else {
      value = scalarText(kv.value());
    }
    for (size_t at = 0; (at = text.find(placeholder, at)) != std::string::npos;
         at += value.size()) {
      text.replace(at, placeholder.size(), value);
    }
  }
  return text;
}

void addMachineSettings(const JsonObject& p, JsonObject& input) {
  if (const Json* l = p.if_contains("LoggingConfiguration")) {
    input["loggingConfiguration"] = camelCased(*l);
  }
  if (const Json* t = p.if_contains("TracingConfiguration")) {
    input["tracingConfiguration"] = camelCased(*t);
  }
}

// The definition's text from Definition, DefinitionString or
// DefinitionS3Location, DefinitionSubstitutions applied.
Result<std::string> definitionText(const ResourceApi& api, const JsonObject& p) {
  std::string definition;
  if (const Json* d = p.if_contains("Definition")) {
    definition = toJsonText(*d);
  } else if (const Json* d = p.if_contains("DefinitionString")) {
    definition = scalarText(*d);
  } else if (const Json* loc = p.if_contains("DefinitionS3Location")) {
    JsonObject get{{"Bucket", jsonString(jsonAt(*loc, {"Bucket"}))},
                   {"Key", jsonString(jsonAt(*loc, {"Key"}))}};
    if (const Json* version = jsonAt(*loc, {"Version"})) get["VersionId"] = *version;
    auto object = api.call("s3", "GetObject", get);
    if (!object) return object.takeError();
    definition = jsonString(jsonAt(*object, {"Body"}));
  } else {
    return AwsError{"InvalidRequest",
                    "One of Definition, DefinitionString or DefinitionS3Location is required.",
                    400};
  }
  definition = substituted(std::move(definition), p.if_contains("DefinitionSubstitutions"));
  // A definition file may be YAML: Step Functions is handed JSON.
  if (p.contains("DefinitionS3Location") && !parseJson(definition)) {
    std::string error;
    auto yaml = asl::parseYamlMapping(definition, error);
    if (!yaml) {
      return AwsError{"InvalidRequest", "DefinitionS3Location is neither JSON nor YAML: " + error,
                      400};
    }
    definition = toJsonText(*yaml);
  }
  return definition;
}

Result<ResourceValues> createStateMachine(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "StateMachineName");
  // CloudFormation names a state machine "<LogicalId>-<SUFFIX>".
  if (name.empty()) name = r.logicalId.substr(0, 67) + "-" + randomSuffix(api);
  auto definition = definitionText(api, p);
  if (!definition) return definition.takeError();
  JsonObject input{
      {"name", name}, {"definition", *definition}, {"roleArn", stringProperty(p, "RoleArn")}};
  if (p.contains("StateMachineType")) input["type"] = stringProperty(p, "StateMachineType");
  addMachineSettings(p, input);
  if (p.contains("Tags")) input["tags"] = lowerTagList(p);
  auto created = api.call("states", "CreateStateMachine", input);
  if (!created) return created.takeError();
  std::string machineArn = jsonString(jsonAt(*created, {"stateMachineArn"}));
  ResourceValues v;
  v.physicalId = machineArn;
  v.attributes = {{"Arn", machineArn}, {"Name", name}, {"StateMachineRevisionId", machineArn}};
  return v;
}

Result<ResourceValues> createActivity(const ResourceApi& api, const ResourceRequest& r) {
  JsonObject input{{"name", stringProperty(r.properties, "Name")}};
  if (r.properties.contains("Tags")) input["tags"] = lowerTagList(r.properties);
  auto a = api.call("states", "CreateActivity", input);
  if (!a) return a.takeError();
  ResourceValues v;
  v.physicalId = jsonString(jsonAt(*a, {"activityArn"}));
  v.attributes = {{"Arn", v.physicalId}, {"Name", input["name"]}};
  return v;
}

Result<void> putTargets(const ResourceApi& api, const std::string& name, const std::string& bus,
                        const JsonObject& p) {
  const Json* targets = p.if_contains("Targets");
  if (!targets || !targets->is_array() || targets->as_array().empty()) return {};
  JsonObject t{{"Rule", name}, {"Targets", *targets}};
  if (!bus.empty()) t["EventBusName"] = bus;
  auto added = api.call("events", "PutTargets", t);
  if (!added) return added.takeError();
  if (const Json* failed = jsonAt(*added, {"FailedEntries"});
      failed && failed->is_array() && !failed->as_array().empty()) {
    return AwsError{"InvalidRequest", jsonString(jsonAt(failed->as_array()[0], {"ErrorMessage"})),
                    400};
  }
  return {};
}

Result<ResourceValues> createRule(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = generatedName(api, r, 64);
  std::string bus = stringProperty(p, "EventBusName");
  JsonObject input{
      {"Name", name},
      {"State", p.contains("State") ? stringProperty(p, "State") : std::string("ENABLED")}};
  copyMembers(p, {"ScheduleExpression", "Description", "RoleArn", "EventBusName"}, input);
  if (const Json* pattern = p.if_contains("EventPattern")) {
    input["EventPattern"] = pattern->is_string() ? *pattern : Json(toJsonText(*pattern));
  }
  auto put = api.call("events", "PutRule", input);
  if (!put) return put.takeError();
  if (auto added = putTargets(api, name, bus, p); !added) {
    JsonObject del{{"Name", name}};
    if (!bus.empty()) del["EventBusName"] = bus;
    (void)api.call("events", "DeleteRule", del);
    return added.error();
  }
  ResourceValues v;
  bool defaultBus = bus.empty() || bus == "default";
  v.physicalId = defaultBus ? name : bus + "|" + name;
  v.attributes = {{"Arn", jsonString(jsonAt(*put, {"RuleArn"}))}};
  return v;
}

Result<void> deleteRule(const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
  std::string bus = stringProperty(p, "EventBusName");
  std::string name = v.physicalId.substr(v.physicalId.find('|') + 1);
  JsonArray ids;
  if (const Json* targets = p.if_contains("Targets"); targets && targets->is_array()) {
    for (const Json& t : targets->as_array()) ids.emplace_back(jsonString(jsonAt(t, {"Id"})));
  }
  JsonObject base{{"Rule", name}};
  if (!bus.empty()) base["EventBusName"] = bus;
  if (!ids.empty()) {
    JsonObject remove = base;
    remove["Ids"] = ids;
    auto removed =
        ignoringMissing(api.call("events", "RemoveTargets", remove), {"ResourceNotFoundException"});
    if (!removed) return removed;
  }
  JsonObject del{{"Name", name}};
  if (!bus.empty()) del["EventBusName"] = bus;
  return ignoringMissing(api.call("events", "DeleteRule", del), {"ResourceNotFoundException"});
}

JsonObject scheduleInput(const std::string& name, const JsonObject& p) {
  JsonObject input{{"Name", name}};
  copyMembers(p,
              {"GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
               "FlexibleTimeWindow", "Target", "State", "Description", "StartDate", "EndDate",
               "KmsKeyArn", "ActionAfterCompletion"},
              input);
  return input;
}

Result<ResourceValues> createSchedule(const ResourceApi& api, const ResourceRequest& r) {
  const JsonObject& p = r.properties;
  std::string name = stringProperty(p, "Name");
  if (name.empty()) name = generatedName(api, r, 64);
  auto created = api.call("scheduler", "CreateSchedule", scheduleInput(name, p));
  if (!created) return created.takeError();
  ResourceValues v;
  v.physicalId = name;
  v.attributes = {{"Arn", jsonString(jsonAt(*created, {"ScheduleArn"}))}};
  return v;
}

}  // namespace

void addComputeTypes(ResourceTypes& types) {
  types["AWS::Lambda::Function"] = {
      {"FunctionName",
       "Code",
       "Handler",
       "Runtime",
       "Role",
       "Description",
       "Timeout",
       "MemorySize",
       "Environment",
       "Layers",
       "DeadLetterConfig",
       "TracingConfig",
       "EphemeralStorage",
       "Architectures",
       "PackageType",
       "LoggingConfig",
       "ImageConfig",
       "KmsKeyArn",
       "Tags",
       "ReservedConcurrentExecutions"},
      {"VpcConfig", "FileSystemConfigs", "CodeSigningConfigArn", "SnapStart",
       "RuntimeManagementConfig", "RecursiveLoop"},
      createFunction,
      deleteWith("lambda", "DeleteFunction", "FunctionName", {"ResourceNotFoundException"})};
  types["AWS::Lambda::Version"] = {
      {"FunctionName", "Description", "CodeSha256"},
      {"ProvisionedConcurrencyConfig", "RuntimePolicy"},
      publishVersion,
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
        return ignoringMissing(
            api.call("lambda", "DeleteFunction",
                     JsonObject{{"FunctionName", stringProperty(p, "FunctionName")},
                                {"Qualifier", jsonString(v.attributes.if_contains("Version"))}}),
            {"ResourceNotFoundException"});
      }};
  types["AWS::Lambda::LayerVersion"] = {
      {"LayerName", "Description", "Content", "CompatibleRuntimes", "CompatibleArchitectures",
       "LicenseInfo"},
      {},
      [](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        JsonObject input;
        copyMembers(r.properties,
                    {"LayerName", "Description", "Content", "CompatibleRuntimes",
                     "CompatibleArchitectures", "LicenseInfo"},
                    input);
        if (!input.contains("LayerName")) input["LayerName"] = r.logicalId;
        auto published = api.call("lambda", "PublishLayerVersion", input);
        if (!published) return published.takeError();
        ResourceValues v;
        v.physicalId = jsonString(jsonAt(*published, {"LayerVersionArn"}));
        v.attributes = {{"LayerVersionArn", v.physicalId}};
        return v;
      },
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject&) {
        // arn:aws:lambda:region:account:layer:NAME:VERSION
        size_t last = v.physicalId.rfind(':');
        size_t name = v.physicalId.rfind(':', last - 1);
        JsonObject input{{"LayerName", v.physicalId.substr(name + 1, last - name - 1)}};
        try {
          input["VersionNumber"] = std::stoll(v.physicalId.substr(last + 1));
        } catch (const std::exception&) {
          return Result<void>();
        }
        return ignoringMissing(api.call("lambda", "DeleteLayerVersion", input),
                               {"ResourceNotFoundException"});
      }};
  // A function's resource policy statement, through AddPermission (Lambda
  // keeps and answers it; Sluice does not authorise with it).
  types["AWS::Lambda::Permission"] = {
      {"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
       "FunctionUrlAuthType", "PrincipalOrgID"},
      {},
      [](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        JsonObject input{{"StatementId", generatedName(api, r, 100)}};
        copyMembers(r.properties,
                    {"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount",
                     "EventSourceToken", "FunctionUrlAuthType", "PrincipalOrgID"},
                    input);
        if (auto added = api.call("lambda", "AddPermission", input); !added) {
          return added.takeError();
        }
        return recordedResource(jsonString(input.if_contains("StatementId")));
      },
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
        return ignoringMissing(
            api.call("lambda", "RemovePermission",
                     JsonObject{{"FunctionName", stringProperty(p, "FunctionName")},
                                {"StatementId", v.physicalId}}),
            {"ResourceNotFoundException"});
      }};
  types["AWS::Lambda::Alias"] = {
      {"FunctionName", "Name", "FunctionVersion", "Description", "RoutingConfig"},
      {"ProvisionedConcurrencyConfig"},
      createAlias,
      [](const ResourceApi& api, const ResourceValues&, const JsonObject& p) {
        return ignoringMissing(
            api.call("lambda", "DeleteAlias",
                     JsonObject{{"FunctionName", stringProperty(p, "FunctionName")},
                                {"Name", stringProperty(p, "Name")}}),
            {"ResourceNotFoundException"});
      }};
  types["AWS::Lambda::EventSourceMapping"] = {
      {"FunctionName", "EventSourceArn", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
       "FilterCriteria", "FunctionResponseTypes", "ScalingConfig", "StartingPosition",
       "StartingPositionTimestamp", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
       "BisectBatchOnFunctionError", "DestinationConfig", "ParallelizationFactor"},
      {"Tags"},
      createMapping,
      deleteWith("lambda", "DeleteEventSourceMapping", "UUID", {"ResourceNotFoundException"})};
  types["AWS::StepFunctions::StateMachine"] = {
      {"StateMachineName", "Definition", "DefinitionString", "DefinitionS3Location",
       "DefinitionSubstitutions", "RoleArn", "StateMachineType", "LoggingConfiguration",
       "TracingConfiguration", "Tags"},
      {"EncryptionConfiguration"},
      createStateMachine,
      deleteWith("states", "DeleteStateMachine", "stateMachineArn", {"StateMachineDoesNotExist"})};
  types["AWS::StepFunctions::Activity"] = {
      {"Name", "Tags"},
      {"EncryptionConfiguration"},
      createActivity,
      deleteWith("states", "DeleteActivity", "activityArn", {"ActivityDoesNotExist"})};
  types["AWS::Events::Rule"] = {{"Name", "EventPattern", "ScheduleExpression", "State",
                                 "Description", "EventBusName", "RoleArn", "Targets"},
                                {},
                                createRule,
                                deleteRule};
  types["AWS::Events::EventBus"] = {
      {"Name"},
      {"Tags", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "Policy"},
      [](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        std::string name = stringProperty(r.properties, "Name");
        auto bus = api.call("events", "CreateEventBus", JsonObject{{"Name", name}});
        if (!bus) return bus.takeError();
        ResourceValues v;
        v.physicalId = name;
        v.attributes = {{"Arn", jsonString(jsonAt(*bus, {"EventBusArn"}))}, {"Name", name}};
        return v;
      },
      deleteWith("events", "DeleteEventBus", "Name", {"ResourceNotFoundException"})};
  types["AWS::Scheduler::Schedule"] = {
      {"Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone",
       "FlexibleTimeWindow", "Target", "State", "Description", "StartDate", "EndDate", "KmsKeyArn",
       "ActionAfterCompletion"},
      {},
      createSchedule,
      [](const ResourceApi& api, const ResourceValues& v, const JsonObject& p) {
        JsonObject input{{"Name", v.physicalId}};
        if (p.contains("GroupName")) input["GroupName"] = stringProperty(p, "GroupName");
        return ignoringMissing(api.call("scheduler", "DeleteSchedule", input),
                               {"ResourceNotFoundException"});
      }};
  types["AWS::Scheduler::ScheduleGroup"] = {
      {"Name"},
      {"Tags"},
      [](const ResourceApi& api, const ResourceRequest& r) -> Result<ResourceValues> {
        std::string name = stringProperty(r.properties, "Name");
        if (name.empty()) name = generatedName(api, r, 64);
        auto g = api.call("scheduler", "CreateScheduleGroup", JsonObject{{"Name", name}});
        if (!g) return g.takeError();
        ResourceValues v;
        v.physicalId = name;
        v.attributes = {{"Arn", jsonString(jsonAt(*g, {"ScheduleGroupArn"}))}};
        return v;
      },
      deleteWith("scheduler", "DeleteScheduleGroup", "Name", {"ResourceNotFoundException"})};

  // In-place updates.
  types["AWS::Lambda::Function"].replaceOn = {"FunctionName", "PackageType", "Architectures"};
  types["AWS::Lambda::Function"].update = updateFunction;
  types["AWS::StepFunctions::StateMachine"].replaceOn = {"StateMachineName", "StateMachineType"};
  types["AWS::StepFunctions::StateMachine"].update =
      [](const ResourceApi& api, const ResourceValues& current,
         const ResourceRequest& next) -> Result<ResourceValues> {
    auto definition = definitionText(api, next.properties);
    if (!definition) return definition.takeError();
    JsonObject input{{"stateMachineArn", current.physicalId},
                     {"definition", *definition},
                     {"roleArn", stringProperty(next.properties, "RoleArn")}};
    addMachineSettings(next.properties, input);
    if (auto u = api.call("states", "UpdateStateMachine", input); !u) return u.takeError();
    return current;
  };
  types["AWS::Events::Rule"].replaceOn = {"Name", "EventBusName"};
  types["AWS::Events::Rule"].update = [](const ResourceApi& api, const ResourceValues& current,
                                         const ResourceRequest& next) -> Result<ResourceValues> {
    const JsonObject& p = next.properties;
    std::string bus = stringProperty(p, "EventBusName");
    std::string name = current.physicalId.substr(current.physicalId.find('|') + 1);
    JsonObject input{
        {"Name", name},
        {"State", p.contains("State") ? stringProperty(p, "State") : std::string("ENABLED")}};
    copyMembers(p, {"ScheduleExpression", "Description", "RoleArn", "EventBusName"}, input);
    if (const Json* pattern = p.if_contains("EventPattern")) {
      input["EventPattern"] = pattern->is_string() ? *pattern : Json(toJsonText(*pattern));
    }
    if (auto put = api.call("events", "PutRule", input); !put) return put.takeError();
    std::set<std::string> kept;
    if (const Json* t = p.if_contains("Targets"); t && t->is_array()) {
      for (const Json& target : t->as_array()) kept.insert(jsonString(jsonAt(target, {"Id"})));
    }
    JsonArray gone;
    if (const Json* t = next.previous.if_contains("Targets"); t && t->is_array()) {
      for (const Json& target : t->as_array()) {
        std::string id = jsonString(jsonAt(target, {"Id"}));
        if (!kept.count(id)) gone.emplace_back(id);
      }
    }
    if (!gone.empty()) {
      JsonObject remove{{"Rule", name}, {"Ids", gone}};
      if (!bus.empty()) remove["EventBusName"] = bus;
      if (auto r = api.call("events", "RemoveTargets", remove); !r) return r.takeError();
    }
    if (auto added = putTargets(api, name, bus, p); !added) return added.error();
    return current;
  };
  types["AWS::Scheduler::Schedule"].replaceOn = {"Name", "GroupName"};
  types["AWS::Scheduler::Schedule"].update =
      [](const ResourceApi& api, const ResourceValues& current,
         const ResourceRequest& next) -> Result<ResourceValues> {
    auto u =
        api.call("scheduler", "UpdateSchedule", scheduleInput(current.physicalId, next.properties));
    if (!u) return u.takeError();
    return current;
  };
  types["AWS::Lambda::Alias"].replaceOn = {"FunctionName", "Name"};
  types["AWS::Lambda::Alias"].update = [](const ResourceApi& api, const ResourceValues& current,
                                          const ResourceRequest& next) -> Result<ResourceValues> {
    JsonObject input;
    copyMembers(next.properties, {"FunctionName", "Name", "FunctionVersion", "Description"}, input);
    if (auto u = api.call("lambda", "UpdateAlias", input); !u) return u.takeError();
    return current;
  };
  types["AWS::Lambda::EventSourceMapping"].replaceOn = {"EventSourceArn", "StartingPosition",
                                                        "StartingPositionTimestamp"};
  types["AWS::Lambda::EventSourceMapping"].update =
      [](const ResourceApi& api, const ResourceValues& current,
         const ResourceRequest& next) -> Result<ResourceValues> {
    JsonObject input{{"UUID", current.physicalId}};
    copyMembers(next.properties,
                {"FunctionName", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds",
                 "FilterCriteria", "FunctionResponseTypes", "ScalingConfig", "MaximumRetryAttempts",
                 "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "DestinationConfig",
                 "ParallelizationFactor"},
                input);
    if (auto u = api.call("lambda", "UpdateEventSourceMapping", input); !u) return u.takeError();
    return current;
  };
}

}  // namespace sluice::services::cloudformation
