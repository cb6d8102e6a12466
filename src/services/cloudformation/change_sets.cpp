// Change sets: CreateChangeSet (CREATE makes a REVIEW_IN_PROGRESS stack,
// UPDATE describes what an update would do), DescribeChangeSet,
// ExecuteChangeSet (the same deployment as CreateStack / UpdateStack),
// DeleteChangeSet, ListChangeSets. This is what `aws cloudformation deploy`
// and `sam deploy` call. A change set is computed when it is created, so it
// is CREATE_COMPLETE (or FAILED, with CloudFormation's "didn't contain
// changes" reason) by the first DescribeChangeSet.
#include <regex>

#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/deploy_support.hpp"
#include "services/common/input.hpp"

namespace sluice::services::cloudformation {

namespace {

constexpr const char* kNoChanges =
    "The submitted information didn't contain changes. Submit different information to create "
    "a change set.";

AwsError changeSetNotFound(const std::string& name) {
  return {"ChangeSetNotFoundException", "ChangeSet [" + name + "] does not exist", 404};
}

JsonObject resourceChange(const char* action, const std::string& id, const std::string& type,
                          const std::string& physical) {
  JsonObject c{{"Action", action},
               {"LogicalResourceId", id},
               {"ResourceType", type},
               {"Scope", JsonArray{}},
               {"Details", JsonArray{}}};
  if (!physical.empty()) c["PhysicalResourceId"] = physical;
  return c;
}

}  // namespace

Result<Change> CloudFormationService::createChangeSet(const Json& in, const CallContext& ctx) {
  std::string stackName = jsonString(jsonAt(in, {"StackName"}));
  std::string name = jsonString(jsonAt(in, {"ChangeSetName"}));
  static const std::regex kName("[a-zA-Z][-a-zA-Z0-9]*");
  if (name.size() > 128 || !std::regex_match(name, kName)) {
    return validationError("1 validation error detected: Value '" + name +
                           "' at 'changeSetName' failed to satisfy constraint: Member must "
                           "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*");
  }
  std::string type = jsonString(jsonAt(in, {"ChangeSetType"}));
  if (type.empty()) type = "UPDATE";
  if (type == "IMPORT") return validationError("Sluice does not import resources into stacks.");
  Json* existing = liveStack(ctx.scope, stackName);
  std::string status = existing ? jsonString(existing->as_object().if_contains("StackStatus")) : "";
  if (type == "CREATE" && existing && status != "REVIEW_IN_PROGRESS") {
    return validationError("Stack [" + stackName +
                           "] already exists and cannot be created again with the changeSet [" +
                           name + "].");
  }
  if (type == "UPDATE") {
    if (!existing) return validationError("Stack [" + stackName + "] does not exist");
    if (status == "REVIEW_IN_PROGRESS" || deploying(status)) {
      return validationError("Stack:" + jsonString(existing->as_object().if_contains("StackId")) +
                             " is in " + status + " state and can not be updated.");
    }
  }
  if (existing) {
    const Json* sets = existing->as_object().if_contains("_changeSets");
    if (sets && sets->as_object().contains(name)) {
      return AwsError{"AlreadyExistsException", "ChangeSet [" + name + "] already exists", 400};
    }
  }
  const JsonObject* current = type == "UPDATE" ? &existing->as_object() : nullptr;
  auto prepared = prepareTemplate(in, current);
  if (!prepared) return prepared.takeError();

  // What would change, resource by resource.
  JsonArray changes;
  const JsonObject& next = prepared->checked.body.as_object().at("Resources").as_object();
  std::map<std::string, Json> params;
  for (const auto& kv : prepared->values) params[kv.key()] = kv.value();
  TemplateValues conditions(prepared->checked.body, {ctx.scope, stackName, ""}, params, {});
  std::set<std::string> active, replaced;
  for (const std::string& id : prepared->checked.creationOrder) {
    const JsonObject& r = next.at(id).as_object();
    if (const Json* c = r.if_contains("Condition")) {
      auto on = conditions.condition(jsonString(c));
      if (!on) return on.error();
      if (!*on) continue;
    }
    active.insert(id);
  }
  JsonObject oldResources, oldTemplate, oldRaw;
  if (current) {
    oldResources = current->at("_resources").as_object();
    oldTemplate = current->at("_template").as_object().at("Resources").as_object();
    if (const Json* raw = current->if_contains("_raw")) oldRaw = raw->as_object();
  }
  for (const std::string& id : prepared->checked.creationOrder) {
    if (!active.count(id)) continue;
    const JsonObject& r = next.at(id).as_object();
    std::string resourceType = jsonString(r.if_contains("Type"));
    const Json* was = oldResources.if_contains(id);
    if (!was || !was->as_object().contains("PhysicalResourceId")) {
      changes.push_back(JsonObject{
          {"Type", "Resource"}, {"ResourceChange", resourceChange("Add", id, resourceType, "")}});
      continue;
    }
    const Json& oldDef = oldTemplate.contains(id) ? oldTemplate.at(id) : Json();
    bool paramsChanged = false, dependsOnReplaced = false;
    for (const auto& ref : referencedNames(r)) {
      if (prepared->raw.contains(ref) &&
          (!oldRaw.contains(ref) || !jsonEquals(oldRaw.at(ref), prepared->raw.at(ref)))) {
        paramsChanged = true;
      }
      if (replaced.count(ref)) dependsOnReplaced = true;
    }
    bool textChanged = !jsonEquals(oldDef, Json(r));
    if (!textChanged && !paramsChanged && !dependsOnReplaced) continue;
    std::string oldType = jsonString(was->as_object().if_contains("ResourceType"));
    std::string replacement = "False";
    if (oldType != resourceType) {
      replacement = "True";
    } else if (auto t = resourceTypes().find(resourceType); t != resourceTypes().end()) {
      const Json* oldProps = jsonAt(oldDef, {"Properties"});
      const Json* newProps = r.if_contains("Properties");
      JsonObject a = oldProps && oldProps->is_object() ? oldProps->as_object() : JsonObject{};
      JsonObject b = newProps && newProps->is_object() ? newProps->as_object() : JsonObject{};
      if (textChanged && needsReplacement(t->second, a, b)) {
        replacement = "True";
      } else if (paramsChanged || dependsOnReplaced) {
        replacement = t->second.update ? "Conditional" : "True";
      }
    }
    if (replacement != "False") replaced.insert(id);
    JsonObject c = resourceChange("Modify", id, resourceType,
                                  jsonString(jsonAt(*was, {"PhysicalResourceId"})));
    c["Replacement"] = replacement;
    c["Scope"] = JsonArray{"Properties"};
    changes.push_back(JsonObject{{"Type", "Resource"}, {"ResourceChange", std::move(c)}});
  }
  for (const auto& kv : oldResources) {
    std::string id(kv.key());
    if (active.count(id) || !kv.value().as_object().contains("PhysicalResourceId")) continue;
    JsonObject c = resourceChange("Remove", id, jsonString(jsonAt(kv.value(), {"ResourceType"})),
                                  jsonString(jsonAt(kv.value(), {"PhysicalResourceId"})));
    std::string policy =
        oldTemplate.contains(id) ? jsonString(jsonAt(oldTemplate.at(id), {"DeletionPolicy"})) : "";
    c["PolicyAction"] = policy == "Retain" ? "Retain" : "Delete";
    changes.push_back(JsonObject{{"Type", "Resource"}, {"ResourceChange", std::move(c)}});
  }
  bool nothing = current && jsonEquals(prepared->checked.body, current->at("_template")) &&
                 jsonEquals(prepared->raw, oldRaw);

  Change change;
  Json* stackDoc = existing;
  if (!stackDoc) {
    JsonObject fresh = newStack(ctx.scope, stackName, in);
    std::string stackId = jsonString(fresh.if_contains("StackId"));
    stackDoc = &stacks_[scopeKey(ctx.scope)][stackId];
    *stackDoc = std::move(fresh);
    appendEvents(change.batch, ctx.scope, stackDoc->as_object(),
                 {stackEvent("REVIEW_IN_PROGRESS", "User Initiated")});
  }
  JsonObject& doc = stackDoc->as_object();
  std::string stackId = jsonString(doc.if_contains("StackId"));
  std::string changeSetId = "arn:" + ctx.scope.partition + ":cloudformation:" + ctx.scope.region +
                            ":" + ctx.scope.account + ":changeSet/" + name + "/" + ids_.uuid();
  JsonObject cs{{"ChangeSetId", changeSetId},
                {"ChangeSetName", name},
                {"StackId", stackId},
                {"StackName", stackName},
                {"Parameters", prepared->shown},
                {"CreationTime", epochSeconds(clock_.now())},
                {"ExecutionStatus", nothing ? "UNAVAILABLE" : "AVAILABLE"},
                {"Status", nothing ? "FAILED" : "CREATE_COMPLETE"},
                {"Capabilities", prepared->capabilities},
                {"Changes", std::move(changes)},
                {"NotificationARNs", JsonArray{}},
                {"Tags", jsonAt(in, {"Tags"}) ? *jsonAt(in, {"Tags"}) : Json(JsonArray{})},
                {"RollbackConfiguration", JsonObject{}},
                {"IncludeNestedStacks", false},
                {"_type", type},
                {"_prepared", JsonObject{{"text", prepared->text},
                                         {"values", prepared->values},
                                         {"raw", prepared->raw},
                                         {"shown", prepared->shown},
                                         {"capabilities", prepared->capabilities}}}};
  if (nothing) cs["StatusReason"] = kNoChanges;
  if (const Json* d = jsonAt(in, {"Description"})) cs["Description"] = *d;
  if (!doc.contains("_changeSets")) doc["_changeSets"] = JsonObject{};
  doc["_changeSets"].as_object()[name] = std::move(cs);
  change.batch.put(kStacksTable, ctx.scope, stackId, *stackDoc);
  change.response = JsonObject{{"Id", changeSetId}, {"StackId", stackId}};
  return change;
}

namespace {

// The change set named `name` (a name with its stack, or an ARN).
JsonObject* findChangeSet(std::map<std::string, Json>& stacks, const std::string& name,
                          const std::string& stackName, Json** owner) {
  for (auto& [id, doc] : stacks) {
    JsonObject& d = doc.as_object();
    if (jsonString(d.if_contains("StackStatus")) == "DELETE_COMPLETE") continue;
    Json* sets = d.if_contains("_changeSets");
    if (!sets) continue;
    for (auto& kv : sets->as_object()) {
      JsonObject& cs = kv.value().as_object();
      bool match = name.starts_with("arn:")
                       ? jsonString(cs.if_contains("ChangeSetId")) == name
                       : kv.key() == name && (jsonString(d.if_contains("StackName")) == stackName ||
                                              id == stackName);
      if (match) {
        *owner = &doc;
        return &cs;
      }
    }
  }
  return nullptr;
}

Json changeSetView(const JsonObject& cs) {
  JsonObject v;
  for (const auto& kv : cs) {
    if (!kv.key().starts_with("_")) v[kv.key()] = kv.value();
  }
  return v;
}

}  // namespace

Result<Change> CloudFormationService::describeChangeSet(const Json& in, const CallContext& ctx) {
  std::string name = jsonString(jsonAt(in, {"ChangeSetName"}));
  std::string stackName = jsonString(jsonAt(in, {"StackName"}));
  if (!name.starts_with("arn:") && stackName.empty()) {
    return validationError(
        "StackName must be specified if ChangeSetName is not specified as "
        "an ARN.");
  }
  Json* owner = nullptr;
  JsonObject* cs = findChangeSet(stacks_[scopeKey(ctx.scope)], name, stackName, &owner);
  if (!cs) return changeSetNotFound(name);
  return Change(changeSetView(*cs));
}

Result<Change> CloudFormationService::listChangeSets(const Json& in, const CallContext& ctx) {
  auto s = stack(ctx.scope, jsonString(jsonAt(in, {"StackName"})));
  if (!s) return s.takeError();
  JsonArray out;
  if (const Json* sets = (*s)->as_object().if_contains("_changeSets")) {
    for (const auto& kv : sets->as_object()) {
      JsonObject summary;
      copyMembers(kv.value().as_object(),
                  {"StackId", "StackName", "ChangeSetId", "ChangeSetName", "ExecutionStatus",
                   "Status", "StatusReason", "CreationTime", "Description", "IncludeNestedStacks"},
                  summary);
      out.push_back(std::move(summary));
    }
  }
  return Change(JsonObject{{"Summaries", std::move(out)}});
}

Result<Change> CloudFormationService::deleteChangeSet(const Json& in, const CallContext& ctx) {
  std::string name = jsonString(jsonAt(in, {"ChangeSetName"}));
  std::string stackName = jsonString(jsonAt(in, {"StackName"}));
  Json* owner = nullptr;
  JsonObject* cs = findChangeSet(stacks_[scopeKey(ctx.scope)], name, stackName, &owner);
  if (!cs) return changeSetNotFound(name);
  JsonObject& doc = owner->as_object();
  if (deploying(jsonString(doc.if_contains("StackStatus")))) {
    return AwsError{"InvalidChangeSetStatusException",
                    "Cannot delete ChangeSet in status EXECUTE_IN_PROGRESS", 400};
  }
  std::string key = jsonString(cs->if_contains("ChangeSetName"));
  doc["_changeSets"].as_object().erase(key);
  Change change;
  change.batch.put(kStacksTable, ctx.scope, jsonString(doc.if_contains("StackId")), *owner);
  return change;
}

void CloudFormationService::executeChangeSet(const Json& in, const CallContext& ctx, Reply reply) {
  std::unique_lock lock(mu_);
  auto refuse = [&](AwsError e) {
    lock.unlock();
    reply(std::move(e));
  };
  std::string name = jsonString(jsonAt(in, {"ChangeSetName"}));
  std::string stackName = jsonString(jsonAt(in, {"StackName"}));
  Json* owner = nullptr;
  JsonObject* cs = findChangeSet(stacks_[scopeKey(ctx.scope)], name, stackName, &owner);
  if (!cs) return refuse(changeSetNotFound(name));
  if (jsonString(cs->if_contains("ExecutionStatus")) != "AVAILABLE") {
    return refuse({"InvalidChangeSetStatusException",
                   "ChangeSet [" + jsonString(cs->if_contains("ChangeSetId")) +
                       "] cannot be executed in its current execution status of [" +
                       jsonString(cs->if_contains("ExecutionStatus")) + "]",
                   400});
  }
  JsonObject& doc = owner->as_object();
  std::string status = jsonString(doc.if_contains("StackStatus"));
  bool update = jsonString(cs->if_contains("_type")) == "UPDATE";
  if (update && deploying(status)) {
    return refuse(validationError("Stack:" + jsonString(doc.if_contains("StackId")) + " is in " +
                                  status + " state and can not be updated."));
  }
  const JsonObject& p = cs->at("_prepared").as_object();
  PreparedTemplate prepared;
  prepared.text = jsonString(p.if_contains("text"));
  auto checked = loadTemplate(prepared.text);
  if (!checked) return refuse(checked.takeError());
  prepared.checked = std::move(*checked);
  prepared.values = p.at("values").as_object();
  prepared.raw = p.at("raw").as_object();
  prepared.shown = p.at("shown").as_array();
  prepared.capabilities = p.at("capabilities").as_array();
  if (const Json* d = jsonAt(in, {"DisableRollback"}); d && d->is_bool()) {
    doc["DisableRollback"] = d->as_bool();
    doc["_onFailure"] = d->as_bool() ? "DO_NOTHING" : "ROLLBACK";
  }
  // Executing a change set consumes every change set of the stack.
  doc.erase("_changeSets");
  startDeployment(ctx.scope, doc, std::move(prepared), update, lock, std::move(reply),
                  JsonObject{});
}

}  // namespace sluice::services::cloudformation
