// CreateStack and DeleteStack, and the deployments behind them: resources
// created one at a time in dependency order through resource_types.hpp,
// rolled back (deleted newest first) when one fails, every step recorded as
// stack events and written through before the next.
#include <future>
#include <regex>

#include "core/encoding.hpp"
#include "engine/event_loop.hpp"
#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/deploy_support.hpp"
#include "services/cloudformation/resource_types.hpp"
#include "services/common/input.hpp"

namespace sluice::services::cloudformation {

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
    batch.put(kStacksTable, scope, stackId, doc);
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
    case Deploy::Update: {
      bool ok = updateResources(scope, stackId);
      if (stopping_) break;
      if (ok) {
        setStatus("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "");
        cleanUpUpdate(scope, stackId);
        if (!stopping_) setStatus("UPDATE_COMPLETE", "");
        break;
      }
      std::string failed;
      {
        std::lock_guard lock(mu_);
        failed = jsonString(
            stacks_[scopeKey(scope)][stackId].as_object().if_contains("StackStatusReason"));
      }
      setStatus("UPDATE_ROLLBACK_IN_PROGRESS", failed);
      rollBackUpdate(scope, stackId);
      if (stopping_) break;
      setStatus("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "");
      setStatus("UPDATE_ROLLBACK_COMPLETE", "");
      break;
    }
    case Deploy::Rollback:
      rollback("Sluice stopped while the stack was being deployed.");
      break;
    case Deploy::Cleanup:
      cleanUpUpdate(scope, stackId);
      if (!stopping_) setStatus("UPDATE_COMPLETE", "");
      break;
    case Deploy::UpdateRollback:
      setStatus("UPDATE_ROLLBACK_IN_PROGRESS", "Sluice stopped while the stack was being updated.");
      rollBackUpdate(scope, stackId);
      if (stopping_) break;
      setStatus("UPDATE_ROLLBACK_COMPLETE", "");
      break;
  }
  settled(stackId);
  std::lock_guard lock(mu_);
  --running_;
  idle_.notify_all();
}

bool CloudFormationService::failStack(const Scope& scope, const std::string& stackId,
                                      std::string reason) {
  record(scope, stackId, [&](JsonObject& doc) { doc["StackStatusReason"] = reason; }, {});
  return false;
}

// Parameters of type AWS::SSM::Parameter::Value<...> name a Parameter Store
// parameter whose value the stack uses: read when the deployment starts.
Result<void> readSsmParameters(const ResourceApi& api, const Json& body,
                               std::map<std::string, Json>& params) {
  const Json* declared = body.as_object().if_contains("Parameters");
  if (!declared) return {};
  for (const auto& kv : declared->as_object()) {
    std::string type = jsonString(jsonAt(kv.value(), {"Type"}));
    if (!type.starts_with("AWS::SSM::Parameter::Value<")) continue;
    std::string key(kv.key());
    auto got = api.call("ssm", "GetParameter",
                        JsonObject{{"Name", scalarText(params[key])}, {"WithDecryption", true}});
    if (!got) return validationError("Parameter " + key + ": " + got.error().message);
    std::string value = jsonString(jsonAt(*got, {"Parameter", "Value"}));
    if (type.find("List<") == std::string::npos) {
      params[key] = value;
      continue;
    }
    JsonArray items;
    size_t start = 0;
    for (size_t at; (at = value.find(',', start)) != std::string::npos; start = at + 1) {
      items.emplace_back(value.substr(start, at - start));
    }
    items.emplace_back(value.substr(start));
    params[key] = std::move(items);
  }
  return {};
}

// A resource's properties resolved and checked against what its type
// supports.
Result<JsonObject> resolvedProperties(TemplateValues& values, const std::string& type,
                                      const JsonObject& resource) {
  auto t = resourceTypes().find(type);
  if (t == resourceTypes().end()) {
    return AwsError{"InvalidRequest", "Resource type " + type + " is not supported by Sluice", 400};
  }
  auto p = values.resolve(resource.contains("Properties") ? resource.at("Properties")
                                                          : Json(JsonObject{}));
  if (!p) return p.takeError();
  JsonObject properties;
  if (*p && (*p)->is_object()) properties = (*p)->as_object();
  std::string unsupported;
  for (const auto& kv : properties) {
    std::string name(kv.key());
    if (!t->second.applied.count(name) && !t->second.recorded.count(name)) {
      unsupported += (unsupported.empty() ? "" : ", ") + name;
    }
  }
  if (!unsupported.empty()) {
    return AwsError{"InvalidRequest",
                    "Sluice does not support properties [" + unsupported + "] of " + type, 400};
  }
  return properties;
}

bool CloudFormationService::createResource(const Scope& scope, const std::string& stackId,
                                           const std::string& stackName, TemplateValues& values,
                                           const std::string& id, const JsonObject& resource,
                                           const char* failedStatus) {
  std::string type = jsonString(resource.if_contains("Type"));
  record(scope, stackId,
         [&](JsonObject& doc) {
           doc["_resources"].as_object()[id] =
               JsonObject{{"ResourceType", type},
                          {"ResourceStatus", "CREATE_IN_PROGRESS"},
                          {"Timestamp", epochSeconds(clock_.now())}};
         },
         {resourceEvent(id, type, "", "CREATE_IN_PROGRESS")});
  ResourceApi api(registry_, scope, ids_);
  auto properties = resolvedProperties(values, type, resource);
  Result<ResourceValues> created =
      properties ? resourceTypes().at(type).create(api, {stackName, id, type, *properties})
                 : Result<ResourceValues>(properties.error());
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
    return failStack(scope, stackId,
                     std::string("The following resource(s) failed to ") +
                         (std::string_view(failedStatus) == "CREATE_FAILED" ? "create" : "update") +
                         ": [" + id + "].");
  }
  record(scope, stackId,
         [&](JsonObject& doc) {
           JsonObject& res = doc["_resources"].as_object()[id].as_object();
           res["ResourceStatus"] = "CREATE_COMPLETE";
           res["PhysicalResourceId"] = created->physicalId;
           res["Timestamp"] = epochSeconds(clock_.now());
           res["Properties"] = *properties;
           res["Attributes"] = created->attributes;
           if (created->ref) res["Ref"] = *created->ref;
           doc["_created"].as_array().emplace_back(id);
         },
         {resourceEvent(id, type, created->physicalId, "CREATE_IN_PROGRESS",
                        "Resource creation Initiated"),
          resourceEvent(id, type, created->physicalId, "CREATE_COMPLETE")});
  values.setResource(id, std::move(*created));
  return true;
}

bool CloudFormationService::resolveOutputs(const Scope& scope, const std::string& stackId,
                                           const Json& body, TemplateValues& values,
                                           JsonArray& outputs) {
  const Json* o = body.as_object().if_contains("Outputs");
  if (!o) return true;
  for (const auto& kv : o->as_object()) {
    const JsonObject& spec = kv.value().as_object();
    if (const Json* c = spec.if_contains("Condition")) {
      auto on = values.condition(jsonString(c));
      if (!on) return failStack(scope, stackId, on.error().message);
      if (!*on) continue;
    }
    auto v = values.resolve(spec.at("Value"));
    if (!v) return failStack(scope, stackId, v.error().message);
    std::string text;
    if (*v && (*v)->is_array()) {
      for (const Json& e : (*v)->as_array()) text += (text.empty() ? "" : ",") + scalarText(e);
    } else if (*v) {
      text = scalarText(**v);
    }
    JsonObject item{{"OutputKey", kv.key()}, {"OutputValue", text}};
    if (const Json* d = spec.if_contains("Description")) item["Description"] = *d;
    if (const Json* e = spec.if_contains("Export")) {
      auto name =
          values.resolve(e->as_object().contains("Name") ? e->as_object().at("Name") : Json());
      if (!name) return failStack(scope, stackId, name.error().message);
      std::string exportName = *name ? scalarText(**name) : std::string();
      if (exportValue(scope, exportName, stackId)) {
        return failStack(
            scope, stackId,
            "Export with name " + exportName + " is already exported by another stack");
      }
      item["ExportName"] = exportName;
    }
    outputs.push_back(std::move(item));
  }
  return true;
}

Result<TemplateValues> CloudFormationService::deploymentValues(const StackIdentity& stack,
                                                               const Json& body,
                                                               std::map<std::string, Json> params) {
  ResourceApi api(registry_, stack.scope, ids_);
  if (auto read = readSsmParameters(api, body, params); !read) return read.error();
  return TemplateValues(body, stack, std::move(params),
                        [this, scope = stack.scope, id = stack.stackId](const std::string& name) {
                          return exportValue(scope, name, id);
                        });
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
  auto checked = checkTemplate(body);
  if (!checked) return failStack(scope, stackId, checked.error().message);
  auto made = deploymentValues(identity, body, std::move(params));
  if (!made) return failStack(scope, stackId, made.error().message);
  TemplateValues& values = *made;
  const JsonObject& resources = body.as_object().at("Resources").as_object();
  for (const std::string& id : checked->creationOrder) {
    if (stopping_) return false;
    const JsonObject& r = resources.at(id).as_object();
    if (const Json* c = r.if_contains("Condition")) {
      auto on = values.condition(jsonString(c));
      if (!on) return failStack(scope, stackId, on.error().message);
      if (!*on) continue;
    }
    if (!createResource(scope, stackId, identity.stackName, values, id, r, "CREATE_FAILED")) {
      return false;
    }
  }
  JsonArray outputs;
  if (!resolveOutputs(scope, stackId, body, values, outputs)) return false;
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
  const JsonObject template_ = doc.contains("_template")
                                   ? doc.at("_template").as_object().at("Resources").as_object()
                                   : JsonObject{};
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
        if (!deploying(status)) continue;
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
    Deploy kind = Deploy::Rollback;
    if (status == "DELETE_IN_PROGRESS") kind = Deploy::Delete;
    if (status == "UPDATE_IN_PROGRESS" || status.starts_with("UPDATE_ROLLBACK")) {
      kind = Deploy::UpdateRollback;
    }
    if (status == "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS") kind = Deploy::Cleanup;
    loop_.post([this, scope, id, kind] { launch(scope, id, kind, {}, {}); });
  }
}

}  // namespace sluice::services::cloudformation
