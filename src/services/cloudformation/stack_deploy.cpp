// CreateStack and DeleteStack, and the deployments behind them: resources
// created one at a time in dependency order through resource_types.hpp,
// rolled back (deleted newest first) when one fails, every step recorded as
// stack events and written through before the next.
#include <future>
#include <regex>

#include "core/encoding.hpp"
#include "engine/event_loop.hpp"
#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/resource_types.hpp"
#include "services/common/input.hpp"

namespace sluice::services::cloudformation {

namespace {

constexpr const char* kTable = "cfn_stacks";
// How long CreateStack / DeleteStack wait for their deployment before
// answering anyway (the deployment goes on).
constexpr auto kSettleWait = std::chrono::seconds(20);

JsonObject stackEvent(const char* status, std::string reason = {}) {
  JsonObject e{{"ResourceStatus", status}};
  if (!reason.empty()) e["ResourceStatusReason"] = std::move(reason);
  return e;
}

JsonObject resourceEvent(const std::string& logicalId, const std::string& type,
                         const std::string& physicalId, const char* status,
                         std::string reason = {}) {
  JsonObject e{{"LogicalResourceId", logicalId},
               {"ResourceType", type},
               {"PhysicalResourceId", physicalId},
               {"ResourceStatus", status}};
  if (!reason.empty()) e["ResourceStatusReason"] = std::move(reason);
  return e;
}

bool inProgress(const std::string& status) {
  return status.ends_with("_IN_PROGRESS");
}

// The capability a template's IAM resources need, if any.
std::string neededCapability(const Json& body) {
  std::string needed;
  for (const auto& kv : body.as_object().at("Resources").as_object()) {
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    if (!type.starts_with("AWS::IAM::")) continue;
    if (needed.empty()) needed = "CAPABILITY_IAM";
    for (const char* n :
         {"RoleName", "ManagedPolicyName", "InstanceProfileName", "UserName", "GroupName"}) {
      if (jsonAt(kv.value(), {"Properties", n})) needed = "CAPABILITY_NAMED_IAM";
    }
  }
  return needed;
}

// Why a resource failed, worded as CloudFormation's resource handlers word it.
std::string handlerReason(const AwsError& e) {
  return "Resource handler returned message: \"" + e.message + "\" (HandlerErrorCode: " +
         (e.code == "InvalidRequest" ? std::string("InvalidRequest")
                                     : "GeneralServiceException, ErrorCode: " + e.code) +
         ")";
}

}  // namespace

Result<std::map<std::string, Json>> CloudFormationService::resolveParameters(const Json& body,
                                                                             const Json& given,
                                                                             JsonArray& shown) {
  std::map<std::string, std::string> values;
  std::vector<std::string> unknown;
  const Json* declared = body.as_object().if_contains("Parameters");
  if (given.is_array()) {
    for (const Json& p : given.as_array()) {
      std::string key = jsonString(jsonAt(p, {"ParameterKey"}));
      if (!declared || !declared->as_object().contains(key)) {
        unknown.push_back(key);
        continue;
      }
      values[key] = jsonString(jsonAt(p, {"ParameterValue"}));
    }
  }
  if (!unknown.empty()) {
    std::string names;
    for (const auto& n : unknown) names += (names.empty() ? "" : ", ") + n;
    return validationError("Parameters: [" + names + "] do not exist in the template");
  }
  std::map<std::string, Json> resolved;
  std::string missing;
  if (!declared) return resolved;
  for (const auto& kv : declared->as_object()) {
    std::string key(kv.key());
    const JsonObject& spec = kv.value().as_object();
    std::string type = jsonString(spec.if_contains("Type"));
    std::string value;
    if (auto v = values.find(key); v != values.end()) {
      value = v->second;
    } else if (const Json* d = spec.if_contains("Default")) {
      value = scalarText(*d);
    } else {
      missing += (missing.empty() ? "" : ", ") + key;
      continue;
    }
    std::string quoted = "Parameter '" + key + "'";
    if (const Json* allowed = spec.if_contains("AllowedValues"); allowed && allowed->is_array()) {
      bool ok = false;
      for (const Json& a : allowed->as_array()) ok = ok || scalarText(a) == value;
      if (!ok) return validationError(quoted + " must be one of AllowedValues");
    }
    if (const Json* pattern = spec.if_contains("AllowedPattern"); pattern && pattern->is_string()) {
      try {
        if (!std::regex_match(value, std::regex(std::string(pattern->as_string())))) {
          return validationError(quoted + " must match pattern " +
                                 std::string(pattern->as_string()));
        }
      } catch (const std::regex_error&) {
        return validationError(quoted + " has an invalid AllowedPattern");
      }
    }
    if (const Json* m = spec.if_contains("MinLength")) {
      if (auto n = toInteger(*m); n && static_cast<long long>(value.size()) < *n) {
        return validationError(quoted + " must contain at least " + std::to_string(*n) +
                               " characters");
      }
    }
    if (const Json* m = spec.if_contains("MaxLength")) {
      if (auto n = toInteger(*m); n && static_cast<long long>(value.size()) > *n) {
        return validationError(quoted + " must contain at most " + std::to_string(*n) +
                               " characters");
      }
    }
    if (type == "Number") {
      char* end = nullptr;
      double d = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0') return validationError(quoted + " must be a number.");
      if (const Json* m = spec.if_contains("MinValue"); m && d < std::stod(scalarText(*m))) {
        return validationError(quoted + " must be a number not less than " + scalarText(*m));
      }
      if (const Json* m = spec.if_contains("MaxValue"); m && d > std::stod(scalarText(*m))) {
        return validationError(quoted + " must be a number not greater than " + scalarText(*m));
      }
    }
    if (type == "CommaDelimitedList" || type.starts_with("List<")) {
      JsonArray items;
      size_t start = 0;
      for (size_t at; (at = value.find(',', start)) != std::string::npos; start = at + 1) {
        items.emplace_back(value.substr(start, at - start));
      }
      items.emplace_back(value.substr(start));
      resolved[key] = std::move(items);
    } else {
      resolved[key] = value;
    }
    bool noEcho = spec.contains("NoEcho") && scalarText(spec.at("NoEcho")) == "true";
    shown.push_back(JsonObject{{"ParameterKey", key},
                               {"ParameterValue", noEcho ? std::string("****") : value}});
  }
  if (!missing.empty()) return validationError("Parameters: [" + missing + "] must have values");
  return resolved;
}

void CloudFormationService::createStack(const Json& in, const CallContext& ctx, Reply reply) {
  std::string stackId;
  Json response;
  std::unique_lock lock(mu_);
  auto prepared = [&]() -> Result<DocumentBatch> {
    std::string name = jsonString(jsonAt(in, {"StackName"}));
    static const std::regex kName("[a-zA-Z][-a-zA-Z0-9]*");
    if (name.size() > 128 || !std::regex_match(name, kName)) {
      return validationError("1 validation error detected: Value '" + name +
                             "' at 'stackName' failed to satisfy constraint: Member must "
                             "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*");
    }
    if (liveStack(ctx.scope, name)) {
      return AwsError{"AlreadyExistsException", "Stack [" + name + "] already exists", 400};
    }
    const Json* text = jsonAt(in, {"TemplateBody"});
    if (!text || !text->is_string()) {
      if (jsonAt(in, {"TemplateURL"})) {
        return validationError("TemplateURL is not supported by Sluice yet: pass TemplateBody");
      }
      return validationError("Either Template URL or Template Body must be specified.");
    }
    auto body = parseTemplateText(text->as_string());
    if (!body) return body.takeError();
    auto checked = checkTemplate(std::move(*body));
    if (!checked) return checked.takeError();
    JsonArray shown;
    const Json* given = jsonAt(in, {"Parameters"});
    auto values = resolveParameters(checked->body, given ? *given : Json(), shown);
    if (!values) return values.takeError();
    JsonArray capabilities;
    std::set<std::string> granted;
    if (const Json* c = jsonAt(in, {"Capabilities"}); c && c->is_array()) {
      capabilities = c->as_array();
      for (const Json& item : capabilities) granted.insert(jsonString(&item));
    }
    std::string needed = neededCapability(checked->body);
    if (!needed.empty() && !granted.count(needed) &&
        !(needed == "CAPABILITY_IAM" && granted.count("CAPABILITY_NAMED_IAM"))) {
      return AwsError{"InsufficientCapabilitiesException",
                      "Requires capabilities : [" + needed + "]", 400};
    }
    std::string onFailure = jsonString(jsonAt(in, {"OnFailure"}));
    if (const Json* d = jsonAt(in, {"DisableRollback"}); d && d->is_bool() && d->as_bool()) {
      if (!onFailure.empty()) {
        return validationError("You cannot specify both DisableRollback and OnFailure.");
      }
      onFailure = "DO_NOTHING";
    }
    if (onFailure.empty()) onFailure = "ROLLBACK";
    stackId = "arn:" + ctx.scope.partition + ":cloudformation:" + ctx.scope.region + ":" +
              ctx.scope.account + ":stack/" + name + "/" + ids_.uuid();
    JsonObject params;
    for (auto& [k, v] : *values) params[k] = v;
    JsonObject doc{{"StackId", stackId},
                   {"StackName", name},
                   {"Parameters", std::move(shown)},
                   {"CreationTime", epochSeconds(clock_.now())},
                   {"StackStatus", "CREATE_IN_PROGRESS"},
                   {"StackStatusReason", "User Initiated"},
                   {"DisableRollback", onFailure == "DO_NOTHING"},
                   {"NotificationARNs", JsonArray{}},
                   {"Capabilities", std::move(capabilities)},
                   {"Tags", jsonAt(in, {"Tags"}) ? *jsonAt(in, {"Tags"}) : Json(JsonArray{})},
                   {"EnableTerminationProtection", false},
                   {"RollbackConfiguration", JsonObject{}},
                   {"DriftInformation", JsonObject{{"StackDriftStatus", "NOT_CHECKED"}}},
                   {"TemplateBody", *text},
                   {"_template", checked->body},
                   {"_values", std::move(params)},
                   {"_onFailure", onFailure},
                   {"_resources", JsonObject{}},
                   {"_created", JsonArray{}}};
    if (const Json* d = checked->body.as_object().if_contains("Description")) {
      doc["Description"] = *d;
    }
    if (const Json* p = jsonAt(in, {"EnableTerminationProtection"}); p && p->is_bool()) {
      doc["EnableTerminationProtection"] = p->as_bool();
    }
    Json& stored = stacks_[scopeKey(ctx.scope)][stackId] = std::move(doc);
    DocumentBatch batch;
    appendEvents(batch, ctx.scope, stored.as_object(),
                 {stackEvent("CREATE_IN_PROGRESS", "User Initiated")});
    batch.put(kTable, ctx.scope, stackId, stored);
    return batch;
  }();
  if (!prepared) {
    lock.unlock();
    reply(prepared.takeError());
    return;
  }
  response = JsonObject{{"StackId", stackId}};
  Scope scope = ctx.scope;
  // Launched from the loop: without a store the commit completes at once,
  // here, under the lock launch() takes.
  docs_.commit(std::move(*prepared),
               [this, scope, stackId, response, reply = std::move(reply)](Result<void> r) mutable {
                 if (!r) return reply(r.error());
                 loop_.post([this, scope, stackId, response, reply = std::move(reply)]() mutable {
                   launch(scope, stackId, Deploy::Create, std::move(reply), std::move(response));
                 });
               });
}

void CloudFormationService::deleteStack(const Json& in, const CallContext& ctx, Reply reply) {
  std::unique_lock lock(mu_);
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  auto found = stack(ctx.scope, name);
  // Deleting a stack that does not exist (or no longer does) succeeds.
  if (!found) {
    lock.unlock();
    reply(Json(JsonObject{}));
    return;
  }
  JsonObject& doc = (*found)->as_object();
  std::string stackId = jsonString(doc.if_contains("StackId"));
  std::string status = jsonString(doc.if_contains("StackStatus"));
  if (status == "DELETE_COMPLETE") {
    lock.unlock();
    reply(Json(JsonObject{}));
    return;
  }
  if (const Json* p = doc.if_contains("EnableTerminationProtection"); p && p->as_bool()) {
    lock.unlock();
    reply(validationError("Stack [" + name +
                          "] cannot be deleted while TerminationProtection is enabled"));
    return;
  }
  if (inProgress(status)) {
    lock.unlock();
    reply(validationError("Stack [" + jsonString(doc.if_contains("StackName")) +
                          "] cannot be deleted while in status " + status));
    return;
  }
  JsonArray retain;
  if (const Json* r = jsonAt(in, {"RetainResources"});
      r && r->is_array() && !r->as_array().empty()) {
    if (status != "DELETE_FAILED") {
      lock.unlock();
      reply(validationError("Invalid operation on stack [" + stackId +
                            "]. RetainResources can only be specified when the stack is in "
                            "the DELETE_FAILED state."));
      return;
    }
    retain = r->as_array();
  }
  doc["StackStatus"] = "DELETE_IN_PROGRESS";
  doc["StackStatusReason"] = "User Initiated";
  doc["_retain"] = std::move(retain);
  DocumentBatch batch;
  appendEvents(batch, ctx.scope, doc, {stackEvent("DELETE_IN_PROGRESS", "User Initiated")});
  batch.put(kTable, ctx.scope, stackId, doc);
  Scope scope = ctx.scope;
  docs_.commit(std::move(batch),
               [this, scope, stackId, reply = std::move(reply)](Result<void> r) mutable {
                 if (!r) return reply(r.error());
                 loop_.post([this, scope, stackId, reply = std::move(reply)]() mutable {
                   launch(scope, stackId, Deploy::Delete, std::move(reply), Json(JsonObject{}));
                 });
               });
}

void CloudFormationService::launch(const Scope& scope, const std::string& stackId, Deploy kind,
                                   Reply reply, Json response) {
  auto answered = std::make_shared<std::atomic<bool>>(false);
  std::function<void()> answer;
  if (reply) {
    answer = [reply = std::move(reply), response = std::move(response), answered] {
      if (!answered->exchange(true)) reply(response);
    };
  }
  {
    std::lock_guard lock(mu_);
    ++running_;
    if (answer) waiting_[stackId].push_back(answer);
  }
  if (answer) loop_.scheduleReal(kSettleWait, answer);
  loop_.runBlocking([this, scope, stackId, kind] { runDeployment(scope, stackId, kind); }, [] {});
}

void CloudFormationService::settled(const std::string& stackId) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mu_);
    if (auto it = waiting_.find(stackId); it != waiting_.end()) {
      wake = std::move(it->second);
      waiting_.erase(it);
    }
  }
  for (auto& w : wake) w();
}

void CloudFormationService::appendEvents(DocumentBatch& batch, const Scope& scope,
                                         const JsonObject& stack, std::vector<JsonObject> events) {
  std::string stackId = jsonString(stack.if_contains("StackId"));
  std::string name = jsonString(stack.if_contains("StackName"));
  for (JsonObject& e : events) {
    e["StackId"] = stackId;
    e["EventId"] = ids_.uuid();
    e["StackName"] = name;
    if (!e.contains("LogicalResourceId")) {
      e["LogicalResourceId"] = name;
      e["PhysicalResourceId"] = stackId;
      e["ResourceType"] = "AWS::CloudFormation::Stack";
    }
    e["Timestamp"] = epochSeconds(clock_.now());
    int64_t seq = nextEventSeq_++;
    if (!docs_.durable()) {
      Json& kept = stacks_[scopeKey(scope)][stackId].as_object()["_events"];
      if (!kept.is_array()) kept = JsonArray{};
      kept.as_array().push_back(e);
      continue;
    }
    std::string text = toJsonText(e);
    batch.sql([scope, stackId, seq, text](store::sqlite::Database& db) -> Result<void> {
      auto st = db.prepare(
          "INSERT INTO cfn_stack_events(account, region, stack_id, seq, doc) VALUES (?, ?, ?, ?, "
          "?)");
      if (!st) return st.takeError();
      return st->bindAll(scope.account, scope.region, stackId, seq, text).run();
    });
  }
}

void CloudFormationService::record(const Scope& scope, const std::string& stackId,
                                   const std::function<void(JsonObject&)>& edit,
                                   std::vector<JsonObject> events) {
  std::promise<void> done;
  {
    std::lock_guard lock(mu_);
    Json& doc = stacks_[scopeKey(scope)][stackId];
    edit(doc.as_object());
    DocumentBatch batch;
    appendEvents(batch, scope, doc.as_object(), std::move(events));
    batch.put(kTable, scope, stackId, doc);
    docs_.commit(std::move(batch), [&done](Result<void>) { done.set_value(); });
  }
  done.get_future().wait();
}

void CloudFormationService::runDeployment(const Scope& scope, const std::string& stackId,
                                          Deploy kind) {
  auto setStatus = [&](const char* status, std::string reason) {
    record(scope, stackId,
           [&](JsonObject& doc) {
             doc["StackStatus"] = status;
             if (reason.empty()) {
               doc.erase("StackStatusReason");
             } else {
               doc["StackStatusReason"] = reason;
             }
             if (std::string_view(status) == "DELETE_COMPLETE") {
               doc["DeletionTime"] = epochSeconds(clock_.now());
             }
           },
           {stackEvent(status, reason)});
  };
  auto rollback = [&](std::string reason) {
    setStatus("ROLLBACK_IN_PROGRESS", std::move(reason));
    bool ok =
        deleteResources(scope, stackId, "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED");
    if (!stopping_) setStatus(ok ? "ROLLBACK_COMPLETE" : "ROLLBACK_FAILED", "");
  };
  std::string onFailure;
  {
    std::lock_guard lock(mu_);
    onFailure = jsonString(stacks_[scopeKey(scope)][stackId].as_object().if_contains("_onFailure"));
  }
  switch (kind) {
    case Deploy::Create: {
      bool ok = createResources(scope, stackId);
      if (stopping_) break;
      if (ok) {
        setStatus("CREATE_COMPLETE", "");
        break;
      }
      std::string failed;
      {
        std::lock_guard lock(mu_);
        failed = jsonString(
            stacks_[scopeKey(scope)][stackId].as_object().if_contains("StackStatusReason"));
      }
      if (onFailure == "DO_NOTHING") {
        setStatus("CREATE_FAILED", failed);
      } else if (onFailure == "DELETE") {
        setStatus("DELETE_IN_PROGRESS", failed);
        bool deletedAll = deleteResources(scope, stackId, "DELETE_IN_PROGRESS", "DELETE_COMPLETE",
                                          "DELETE_FAILED");
        if (!stopping_) setStatus(deletedAll ? "DELETE_COMPLETE" : "DELETE_FAILED", "");
      } else {
        rollback(failed + " Rollback requested by user.");
      }
      break;
    }
    case Deploy::Delete: {
      bool ok =
          deleteResources(scope, stackId, "DELETE_IN_PROGRESS", "DELETE_COMPLETE", "DELETE_FAILED");
      if (stopping_) break;
      std::string reason;
      if (!ok) {
        std::lock_guard lock(mu_);
        reason = jsonString(
            stacks_[scopeKey(scope)][stackId].as_object().if_contains("StackStatusReason"));
      }
      setStatus(ok ? "DELETE_COMPLETE" : "DELETE_FAILED", reason);
      break;
    }
    case Deploy::Rollback:
      rollback("Sluice stopped while the stack was being deployed.");
      break;
  }
  settled(stackId);
  std::lock_guard lock(mu_);
  --running_;
  idle_.notify_all();
}

bool CloudFormationService::createResources(const Scope& scope, const std::string& stackId) {
  Json body;
  std::map<std::string, Json> params;
  StackIdentity identity{scope, "", stackId};
  {
    std::lock_guard lock(mu_);
    const JsonObject& doc = stacks_[scopeKey(scope)][stackId].as_object();
    body = doc.at("_template");
    for (const auto& kv : doc.at("_values").as_object()) params[kv.key()] = kv.value();
    identity.stackName = jsonString(doc.if_contains("StackName"));
  }
  auto fail = [&](std::string reason, std::vector<JsonObject> events) {
    record(
        scope, stackId, [&](JsonObject& doc) { doc["StackStatusReason"] = reason; },
        std::move(events));
    return false;
  };
  auto checked = checkTemplate(body);
  if (!checked) return fail(checked.error().message, {});
  ResourceApi api(registry_, scope, ids_);
  // Parameters of type AWS::SSM::Parameter::Value<...> name a parameter
  // whose value the stack uses.
  for (const auto& kv : body.as_object().if_contains("Parameters")
                            ? body.as_object().at("Parameters").as_object()
                            : JsonObject{}) {
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    if (!type.starts_with("AWS::SSM::Parameter::Value<")) continue;
    std::string key(kv.key());
    auto got = api.call("ssm", "GetParameter",
                        JsonObject{{"Name", scalarText(params[key])}, {"WithDecryption", true}});
    if (!got) return fail("Parameter " + key + ": " + got.error().message, {});
    std::string value = jsonString(jsonAt(*got, {"Parameter", "Value"}));
    params[key] = type.find("List<") != std::string::npos ? Json(JsonArray{}) : Json(value);
    if (type.find("List<") != std::string::npos) {
      size_t start = 0;
      for (size_t at; (at = value.find(',', start)) != std::string::npos; start = at + 1) {
        params[key].as_array().emplace_back(value.substr(start, at - start));
      }
      params[key].as_array().emplace_back(value.substr(start));
    }
  }
  TemplateValues values(body, identity, std::move(params), [this, scope](const std::string& name) {
    return exportValue(scope, name);
  });
  const JsonObject& resources = body.as_object().at("Resources").as_object();
  for (const std::string& id : checked->creationOrder) {
    if (stopping_) return false;
    const JsonObject& r = resources.at(id).as_object();
    if (const Json* c = r.if_contains("Condition")) {
      auto on = values.condition(jsonString(c));
      if (!on) return fail(on.error().message, {});
      if (!*on) continue;
    }
    std::string type = jsonString(r.if_contains("Type"));
    record(scope, stackId,
           [&](JsonObject& doc) {
             doc["_resources"].as_object()[id] =
                 JsonObject{{"ResourceType", type},
                            {"ResourceStatus", "CREATE_IN_PROGRESS"},
                            {"Timestamp", epochSeconds(clock_.now())}};
           },
           {resourceEvent(id, type, "", "CREATE_IN_PROGRESS")});
    Result<ResourceValues> created = AwsError{};
    JsonObject properties;
    auto t = resourceTypes().find(type);
    if (t == resourceTypes().end()) {
      created =
          AwsError{"InvalidRequest", "Resource type " + type + " is not supported by Sluice", 400};
    } else if (auto p = values.resolve(r.contains("Properties") ? r.at("Properties")
                                                                : Json(JsonObject{}));
               !p) {
      created = p.takeError();
    } else {
      if (*p && (*p)->is_object()) properties = (*p)->as_object();
      std::string unsupported;
      for (const auto& kv : properties) {
        std::string name(kv.key());
        if (!t->second.applied.count(name) && !t->second.recorded.count(name)) {
          unsupported += (unsupported.empty() ? "" : ", ") + name;
        }
      }
      if (!unsupported.empty()) {
        created =
            AwsError{"InvalidRequest",
                     "Sluice does not support properties [" + unsupported + "] of " + type, 400};
      } else {
        created = t->second.create(api, {identity.stackName, id, type, properties});
      }
    }
    if (!created) {
      std::string reason = handlerReason(created.error());
      record(scope, stackId,
             [&](JsonObject& doc) {
               JsonObject& res = doc["_resources"].as_object()[id].as_object();
               res["ResourceStatus"] = "CREATE_FAILED";
               res["ResourceStatusReason"] = reason;
               res["Timestamp"] = epochSeconds(clock_.now());
             },
             {resourceEvent(id, type, "", "CREATE_FAILED", reason)});
      return fail("The following resource(s) failed to create: [" + id + "].", {});
    }
    record(scope, stackId,
           [&](JsonObject& doc) {
             JsonObject& res = doc["_resources"].as_object()[id].as_object();
             res["ResourceStatus"] = "CREATE_COMPLETE";
             res["PhysicalResourceId"] = created->physicalId;
             res["Timestamp"] = epochSeconds(clock_.now());
             res["Properties"] = properties;
             res["Attributes"] = created->attributes;
             if (created->ref) res["Ref"] = *created->ref;
             doc["_created"].as_array().emplace_back(id);
           },
           {resourceEvent(id, type, created->physicalId, "CREATE_IN_PROGRESS",
                          "Resource creation Initiated"),
            resourceEvent(id, type, created->physicalId, "CREATE_COMPLETE")});
    values.setResource(id, std::move(*created));
  }
  JsonArray outputs;
  if (const Json* o = body.as_object().if_contains("Outputs")) {
    for (const auto& kv : o->as_object()) {
      const JsonObject& spec = kv.value().as_object();
      if (const Json* c = spec.if_contains("Condition")) {
        auto on = values.condition(jsonString(c));
        if (!on) return fail(on.error().message, {});
        if (!*on) continue;
      }
      auto v = values.resolve(spec.at("Value"));
      if (!v) return fail(v.error().message, {});
      JsonObject item{
          {"OutputKey", kv.key()},
          {"OutputValue", *v && (*v)->is_array() ? Json([&] {
             std::string s;
             for (const Json& e : (*v)->as_array()) {
               s += (s.empty() ? "" : ",") + scalarText(e);
             }
             return s;
           }())
                                                 : Json(*v ? scalarText(**v) : std::string())}};
      if (const Json* d = spec.if_contains("Description")) item["Description"] = *d;
      if (const Json* e = spec.if_contains("Export")) {
        auto name =
            values.resolve(e->as_object().contains("Name") ? e->as_object().at("Name") : Json());
        if (!name) return fail(name.error().message, {});
        std::string exportName = *name ? scalarText(**name) : std::string();
        if (exportValue(scope, exportName)) {
          return fail("Export with name " + exportName + " is already exported by another stack",
                      {});
        }
        item["ExportName"] = exportName;
      }
      outputs.push_back(std::move(item));
    }
  }
  record(scope, stackId, [&](JsonObject& doc) { doc["Outputs"] = outputs; }, {});
  return true;
}

bool CloudFormationService::deleteResources(const Scope& scope, const std::string& stackId,
                                            const char* inProgressStatus, const char* complete,
                                            const char* failed) {
  JsonObject doc;
  {
    std::lock_guard lock(mu_);
    doc = stacks_[scopeKey(scope)][stackId].as_object();
  }
  std::set<std::string> retain;
  if (const Json* r = doc.if_contains("_retain"); r && r->is_array()) {
    for (const Json& id : r->as_array()) retain.insert(jsonString(&id));
  }
  const JsonObject& template_ = doc.at("_template").as_object().at("Resources").as_object();
  ResourceApi api(registry_, scope, ids_);
  std::vector<std::string> failures;
  const JsonArray& created = doc.at("_created").as_array();
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    if (stopping_) return false;
    std::string id = jsonString(&*it);
    const Json* res = doc.at("_resources").as_object().if_contains(id);
    if (!res) continue;
    const JsonObject& r = res->as_object();
    std::string status = jsonString(r.if_contains("ResourceStatus"));
    if (status == complete || status == "DELETE_SKIPPED") continue;
    std::string type = jsonString(r.if_contains("ResourceType"));
    std::string physical = jsonString(r.if_contains("PhysicalResourceId"));
    std::string policy =
        jsonString(jsonAt(template_.contains(id) ? template_.at(id) : Json(), {"DeletionPolicy"}));
    auto setResource = [&](const char* s, const std::string& reason) {
      record(scope, stackId,
             [&](JsonObject& d) {
               JsonObject& entry = d["_resources"].as_object()[id].as_object();
               entry["ResourceStatus"] = s;
               entry["Timestamp"] = epochSeconds(clock_.now());
               if (reason.empty()) {
                 entry.erase("ResourceStatusReason");
               } else {
                 entry["ResourceStatusReason"] = reason;
               }
             },
             {resourceEvent(id, type, physical, s, reason)});
    };
    if (policy == "Retain" || policy == "RetainExceptOnCreate" || retain.count(id)) {
      setResource("DELETE_SKIPPED", "");
      continue;
    }
    setResource(inProgressStatus, "");
    auto t = resourceTypes().find(type);
    Result<void> removed;
    if (t != resourceTypes().end()) {
      ResourceValues values;
      values.physicalId = physical;
      if (const Json* a = r.if_contains("Attributes"); a && a->is_object()) {
        values.attributes = a->as_object();
      }
      const Json* p = r.if_contains("Properties");
      removed = t->second.remove(api, values, p && p->is_object() ? p->as_object() : JsonObject{});
    }
    if (!removed) {
      setResource(failed, handlerReason(removed.error()));
      failures.push_back(id);
      continue;
    }
    setResource(complete, "");
  }
  if (failures.empty()) return true;
  std::string names;
  for (const auto& f : failures) names += (names.empty() ? "" : ", ") + f;
  record(scope, stackId,
         [&](JsonObject& d) {
           d["StackStatusReason"] = "The following resource(s) failed to delete: [" + names + "]. ";
         },
         {});
  return false;
}

void CloudFormationService::recover() {
  std::vector<std::pair<Scope, std::string>> cut;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, stacks] : stacks_) {
      for (auto& [id, doc] : stacks) {
        std::string status = jsonString(doc.as_object().if_contains("StackStatus"));
        if (!inProgress(status)) continue;
        // The scope is in the StackId: arn:<partition>:cloudformation:<region>:<account>:stack/..
        std::vector<std::string> parts;
        size_t start = 0;
        for (size_t at; parts.size() < 5 && (at = id.find(':', start)) != std::string::npos;
             start = at + 1) {
          parts.push_back(id.substr(start, at - start));
        }
        if (parts.size() < 5) continue;
        Scope scope;
        scope.partition = parts[1];
        scope.region = parts[3];
        scope.account = parts[4];
        cut.emplace_back(scope, id);
      }
    }
  }
  for (auto& [scope, id] : cut) {
    std::string status;
    {
      std::lock_guard lock(mu_);
      status = jsonString(stacks_[scopeKey(scope)][id].as_object().if_contains("StackStatus"));
    }
    loop_.post([this, scope, id, status] {
      launch(scope, id, status == "DELETE_IN_PROGRESS" ? Deploy::Delete : Deploy::Rollback, {}, {});
    });
  }
}

}  // namespace sluice::services::cloudformation
