// State machine operations: Create, Describe, Update, Delete, List,
// ValidateStateMachineDefinition, DescribeStateMachineForExecution.
#include "asl/compile.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/states/arns.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::states {

namespace {

Json defaultLogging() {
  JsonObject o;
  o["level"] = "OFF";
  o["includeExecutionData"] = false;
  return o;
}

Json defaultTracing() {
  JsonObject o;
  o["enabled"] = false;
  return o;
}

// loggingConfiguration: level ALL|ERROR|FATAL|OFF; at most one destination,
// and one is required unless the level is OFF.
Result<Json> checkLogging(const Json* v) {
  if (!v || v->is_null()) return defaultLogging();
  if (!v->is_object()) return wrongType("loggingConfiguration", "a structure");
  JsonObject o = v->as_object();
  std::string level = "OFF";
  if (auto* l = o.if_contains("level"); l && l->is_string()) level = std::string(l->get_string());
  size_t destinations = 0;
  if (auto* d = o.if_contains("destinations"); d && d->is_array())
    destinations = d->as_array().size();
  if (destinations > 1 || (level != "OFF" && destinations == 0)) {
    return AwsError{"InvalidLoggingConfiguration",
                    "Invalid Logging Configuration: Must specify exactly one Log Destination.",
                    400};
  }
  if (!o.contains("level")) o["level"] = "OFF";
  if (!o.contains("includeExecutionData")) o["includeExecutionData"] = false;
  return Json(std::move(o));
}

Result<std::shared_ptr<const asl::Machine>> compile(const std::string& definition, bool express) {
  asl::CompileOptions options;
  options.express = express;
  auto compiled = asl::compileDefinition(definition, options);
  if (!compiled.machine) return asl::invalidDefinitionError(compiled.diagnostics);
  return compiled.machine;
}

}  // namespace

Result<StateMachineRecord*> StatesService::findMachine(const std::string& arn) {
  auto parsed = parseArn(arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  auto it = machines_.find(arn);
  if (it == machines_.end()) {
    return AwsError{"StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'", 400};
  }
  return &it->second;
}

Result<Json> StatesService::createStateMachine(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("name");
  if (!name) return name.error();
  auto definition = input.requiredString("definition");
  if (!definition) return definition.error();
  auto role = input.requiredString("roleArn");
  if (!role) return role.error();
  auto type = input.optionalString("type");
  if (!type) return type.error();
  std::string machineType = type->value_or("STANDARD");
  if (machineType != "STANDARD" && machineType != "EXPRESS") {
    return AwsError::validation("1 validation error detected: Value '" + machineType +
                                "' at 'type' failed to satisfy constraint: Member must satisfy "
                                "enum value set: [STANDARD, EXPRESS]");
  }
  if (auto ok = checkName(*name); !ok) return ok.error();
  auto logging = checkLogging(input.get("loggingConfiguration"));
  if (!logging) return logging.error();
  auto machine = compile(*definition, machineType == "EXPRESS");
  if (!machine) return machine.error();

  std::string arn = arn::stateMachine(ctx.scope, *name);
  if (auto it = machines_.find(arn); it != machines_.end()) {
    // Same name and configuration: idempotent; anything else conflicts.
    const auto& existing = it->second;
    if (existing.definition == *definition && existing.roleArn == *role &&
        existing.type == machineType) {
      JsonObject out;
      out["stateMachineArn"] = arn;
      out["creationDate"] = epochSeconds(existing.creationDate);
      return Json(std::move(out));
    }
    return AwsError{"StateMachineAlreadyExists", "State Machine Already Exists: '" + arn + "'",
                    400};
  }
  StateMachineRecord r;
  r.arn = arn;
  r.name = *name;
  r.type = machineType;
  r.definition = *definition;
  r.roleArn = *role;
  r.loggingConfiguration = std::move(*logging);
  if (const Json* t = input.get("tracingConfiguration"); t && t->is_object()) {
    r.tracingConfiguration = *t;
  } else {
    r.tracingConfiguration = defaultTracing();
  }
  if (const Json* e = input.get("encryptionConfiguration"); e && e->is_object()) {
    r.encryptionConfiguration = *e;
  }
  r.revisionId = engine_.ids.uuid();
  r.creationDate = clock_.now();
  r.machine = std::move(*machine);
  if (const Json* tags = input.get("tags"); tags && tags->is_array()) {
    for (const auto& t : tags->as_array()) {
      if (!t.is_object()) continue;
      const auto& o = t.as_object();
      const Json* k = o.if_contains("key");
      const Json* v = o.if_contains("value");
      if (k && k->is_string()) {
        tags_[arn][std::string(k->get_string())] =
            v && v->is_string() ? std::string(v->get_string()) : "";
      }
    }
  }
  JsonObject out;
  out["stateMachineArn"] = arn;
  out["creationDate"] = epochSeconds(r.creationDate);
  auto& stored = machines_.emplace(arn, std::move(r)).first->second;
  if (const Json* p = input.get("publish"); p && p->is_bool() && p->get_bool()) {
    const Json* d = input.get("versionDescription");
    out["stateMachineVersionArn"] =
        publish(stored, d && d->is_string() ? std::string(d->get_string()) : "").arn;
  }
  return Json(std::move(out));
}

Result<Json> StatesService::describeStateMachine(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineArn");
  if (!arn) return arn.error();
  if (auto parsed = parseArn(*arn, {ResourceKind::StateMachine});
      parsed && !parsed->qualifier.empty()) {
    // A version: its frozen definition and role.
    auto v = findVersion(*arn);
    if (!v) return v.error();
    const StateMachineRecord& m = *v->first;
    const VersionRecord& version = *v->second;
    JsonObject out;
    out["stateMachineArn"] = version.arn;
    out["name"] = m.name;
    out["status"] = "ACTIVE";
    out["definition"] = version.definition;
    out["roleArn"] = version.roleArn;
    out["type"] = m.type;
    out["creationDate"] = epochSeconds(version.creationDate);
    out["loggingConfiguration"] = m.loggingConfiguration;
    out["tracingConfiguration"] = m.tracingConfiguration;
    out["revisionId"] = version.revisionId;
    if (!version.description.empty()) out["description"] = version.description;
    return Json(std::move(out));
  }
  auto m = findMachine(*arn);
  if (!m) return m.error();
  const StateMachineRecord& r = **m;
  JsonObject out;
  out["stateMachineArn"] = r.arn;
  out["name"] = r.name;
  out["status"] = "ACTIVE";
  out["definition"] = r.definition;
  out["roleArn"] = r.roleArn;
  out["type"] = r.type;
  out["creationDate"] = epochSeconds(r.creationDate);
  out["loggingConfiguration"] = r.loggingConfiguration;
  out["tracingConfiguration"] = r.tracingConfiguration;
  out["revisionId"] = r.revisionId;
  if (!r.description.empty()) out["description"] = r.description;
  if (!r.encryptionConfiguration.is_null())
    out["encryptionConfiguration"] = r.encryptionConfiguration;
  return Json(std::move(out));
}

Result<Json> StatesService::updateStateMachine(const Json& in, const CallContext&) {
  Input input(in);
  auto arn = input.requiredString("stateMachineArn");
  if (!arn) return arn.error();
  auto m = findMachine(*arn);
  if (!m) return m.error();
  StateMachineRecord& r = **m;
  auto definition = input.optionalString("definition");
  if (!definition) return definition.error();
  auto role = input.optionalString("roleArn");
  if (!role) return role.error();
  const Json* logging = input.get("loggingConfiguration");
  const Json* tracing = input.get("tracingConfiguration");
  if (!*definition && !*role && !logging && !tracing) {
    return AwsError{"MissingRequiredParameter",
                    "Either the definition, the role ARN, the LoggingConfiguration, or the "
                    "TracingConfiguration must be specified",
                    400};
  }
  std::shared_ptr<const asl::Machine> machine;
  if (*definition) {
    auto compiled = compile(**definition, r.type == "EXPRESS");
    if (!compiled) return compiled.error();
    machine = std::move(*compiled);
  }
  Json newLogging = r.loggingConfiguration;
  if (logging) {
    auto checked = checkLogging(logging);
    if (!checked) return checked.error();
    newLogging = std::move(*checked);
  }
  // Validated everything: apply.
  if (machine) {
    r.machine = std::move(machine);
    r.definition = **definition;
  }
  if (*role) r.roleArn = **role;
  r.loggingConfiguration = std::move(newLogging);
  if (tracing && tracing->is_object()) r.tracingConfiguration = *tracing;
  r.revisionId = engine_.ids.uuid();
  JsonObject out;
  out["updateDate"] = epochSeconds(clock_.now());
  out["revisionId"] = r.revisionId;
  if (const Json* p = input.get("publish"); p && p->is_bool() && p->get_bool()) {
    const Json* d = input.get("versionDescription");
    out["stateMachineVersionArn"] =
        publish(r, d && d->is_string() ? std::string(d->get_string()) : "").arn;
  }
  return Json(std::move(out));
}

Result<Json> StatesService::deleteStateMachine(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("stateMachineArn");
  if (!arn) return arn.error();
  auto parsed = parseArn(*arn, {ResourceKind::StateMachine});
  if (!parsed) return parsed.error();
  // Deleting a state machine that does not exist succeeds, as on AWS.
  machines_.erase(*arn);
  tags_.erase(*arn);
  return Json(JsonObject{});
}

Result<Json> StatesService::listStateMachines(const Json& in, const CallContext& ctx) {
  auto page = Page::fromInput(in, 100, 1000);
  if (!page) return page.error();
  std::string prefix = arn::stateMachine(ctx.scope, "");
  JsonArray items;
  std::string next;
  for (auto it = machines_.lower_bound(std::max(prefix, page->after));
       it != machines_.end() && it->first.starts_with(prefix); ++it) {
    if (it->first == page->after) continue;
    if (items.size() == page->limit) {
      next = page->tokenAfter(std::prev(it)->first);
      break;
    }
    JsonObject o;
    o["stateMachineArn"] = it->second.arn;
    o["name"] = it->second.name;
    o["type"] = it->second.type;
    o["creationDate"] = epochSeconds(it->second.creationDate);
    items.push_back(std::move(o));
  }
  JsonObject out;
  out["stateMachines"] = std::move(items);
  if (!next.empty()) out["nextToken"] = next;
  return Json(std::move(out));
}

Result<Json> StatesService::validateStateMachineDefinition(const Json& in, const CallContext&) {
  Input input(in);
  auto definition = input.requiredString("definition");
  if (!definition) return definition.error();
  auto type = input.optionalString("type");
  if (!type) return type.error();
  asl::CompileOptions options;
  options.express = type->value_or("STANDARD") == "EXPRESS";
  return asl::validationResponse(asl::compileDefinition(*definition, options));
}

Result<Json> StatesService::describeStateMachineForExecution(const Json& in, const CallContext&) {
  auto arn = Input(in).requiredString("executionArn");
  if (!arn) return arn.error();
  auto e = findExecution(*arn);
  if (!e) return e.error();
  const ExecutionRecord& r = **e;
  JsonObject out;
  out["stateMachineArn"] = r.stateMachineArn;
  out["name"] =
      r.execution->stateMachineArn().substr(r.execution->stateMachineArn().rfind(':') + 1);
  out["definition"] = r.definition;
  out["roleArn"] = r.roleArn;
  out["updateDate"] = epochSeconds(r.execution->startTime());
  if (auto it = machines_.find(r.stateMachineArn); it != machines_.end()) {
    out["loggingConfiguration"] = it->second.loggingConfiguration;
    out["tracingConfiguration"] = it->second.tracingConfiguration;
    out["revisionId"] = it->second.revisionId;
  }
  return Json(std::move(out));
}

}  // namespace sluice::services::states
