// UpdateStack's deployment: each resource of the new template added,
// updated in place (its type's update, the same physical resource) or
// replaced (a new physical resource; the old one deleted in the cleanup
// phase), resources the template dropped deleted in cleanup; a failure puts
// every resource back as it was. What the update did so far is kept in the
// stack document (_added, _before, _replaced), so a rollback — also one run
// at start-up after a crash — knows what to undo.
#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/deploy_support.hpp"
#include "services/common/input.hpp"

namespace sluice::services::cloudformation {

namespace {

ResourceValues valuesOf(const JsonObject& entry) {
  ResourceValues v;
  v.physicalId = jsonString(entry.if_contains("PhysicalResourceId"));
  if (const Json* ref = entry.if_contains("Ref")) v.ref = *ref;
  if (const Json* a = entry.if_contains("Attributes"); a && a->is_object()) {
    v.attributes = a->as_object();
  }
  return v;
}

const JsonObject& propertiesOf(const JsonObject& entry) {
  static const JsonObject none;
  const Json* p = entry.if_contains("Properties");
  return p && p->is_object() ? p->as_object() : none;
}

bool created(const JsonObject& entry) {
  return entry.contains("PhysicalResourceId") && entry.contains("Properties");
}

}  // namespace

bool CloudFormationService::updateResources(const Scope& scope, const std::string& stackId) {
  JsonObject doc;
  {
    std::lock_guard lock(mu_);
    doc = stacks_[scopeKey(scope)][stackId].as_object();
  }
  const JsonObject& next = doc.at("_next").as_object();
  const Json& body = next.at("_template");
  std::map<std::string, Json> params;
  for (const auto& kv : next.at("_values").as_object()) params[kv.key()] = kv.value();
  StackIdentity identity{scope, jsonString(doc.if_contains("StackName")), stackId};
  auto checked = checkTemplate(body);
  if (!checked) return failStack(scope, stackId, checked.error().message);
  auto made = deploymentValues(identity, body, std::move(params));
  if (!made) return failStack(scope, stackId, made.error().message);
  TemplateValues& values = *made;
  ResourceApi api(registry_, scope, ids_);
  const JsonObject old = doc.at("_resources").as_object();
  for (const auto& kv : old) {
    if (created(kv.value().as_object())) {
      values.setResource(std::string(kv.key()), valuesOf(kv.value().as_object()));
    }
  }
  record(scope, stackId,
         [&](JsonObject& d) {
           d["_before"] = JsonObject{};
           d["_added"] = JsonArray{};
           d["_replaced"] = JsonArray{};
         },
         {});
  auto failResource = [&](const std::string& id, const std::string& type,
                          const std::string& physical, const AwsError& error) {
    std::string reason = handlerReason(error);
    record(scope, stackId,
           [&](JsonObject& d) {
             JsonObject& res = d["_resources"].as_object()[id].as_object();
             res["ResourceStatus"] = "UPDATE_FAILED";
             res["ResourceStatusReason"] = reason;
           },
           {resourceEvent(id, type, physical, "UPDATE_FAILED", reason)});
    return failStack(scope, stackId, "The following resource(s) failed to update: [" + id + "].");
  };
  const JsonObject& resources = body.as_object().at("Resources").as_object();
  std::set<std::string> active;
  for (const std::string& id : checked->creationOrder) {
    if (stopping_) return false;
    const JsonObject& r = resources.at(id).as_object();
    if (const Json* c = r.if_contains("Condition")) {
      auto on = values.condition(jsonString(c));
      if (!on) return failStack(scope, stackId, on.error().message);
      if (!*on) continue;
    }
    active.insert(id);
    const Json* was = old.if_contains(id);
    if (!was || !created(was->as_object())) {
      if (!createResource(scope, stackId, identity.stackName, values, id, r, "UPDATE_FAILED")) {
        return false;
      }
      record(scope, stackId, [&](JsonObject& d) { d["_added"].as_array().emplace_back(id); }, {});
      continue;
    }
    const JsonObject& before = was->as_object();
    std::string type = jsonString(r.if_contains("Type"));
    std::string oldType = jsonString(before.if_contains("ResourceType"));
    std::string physical = jsonString(before.if_contains("PhysicalResourceId"));
    auto props = resolvedProperties(values, type, r);
    if (!props) return failResource(id, type, physical, props.error());
    const JsonObject& oldProps = propertiesOf(before);
    if (type == oldType && jsonEquals(*props, oldProps)) continue;
    const ResourceType& t = resourceTypes().at(type);
    bool replace = type != oldType || needsReplacement(t, oldProps, *props);
    if (replace && type == oldType) {
      if (std::string name = fixedName(t, oldProps, *props); !name.empty()) {
        return failResource(id, type, physical,
                            {"InvalidRequest",
                             "CloudFormation cannot update a stack when a custom-named resource "
                             "requires replacing. Rename " +
                                 name + " and update the stack again.",
                             400});
      }
    }
    record(scope, stackId,
           [&](JsonObject& d) {
             d["_resources"].as_object()[id].as_object()["ResourceStatus"] = "UPDATE_IN_PROGRESS";
           },
           {resourceEvent(id, type, physical, "UPDATE_IN_PROGRESS",
                          replace ? "Requested update requires the creation of a new physical "
                                    "resource; hence creating one."
                                  : "")});
    Result<ResourceValues> done =
        replace ? t.create(api, {identity.stackName, id, type, *props})
                : t.update(api, valuesOf(before), {identity.stackName, id, type, *props, oldProps});
    if (!done) return failResource(id, type, physical, done.error());
    record(scope, stackId,
           [&](JsonObject& d) {
             if (!d["_before"].as_object().contains(id)) d["_before"].as_object()[id] = before;
             if (replace) {
               d["_replaced"].as_array().push_back(JsonObject{{"id", id}, {"entry", before}});
             }
             JsonObject entry{{"ResourceType", type},
                              {"ResourceStatus", "UPDATE_COMPLETE"},
                              {"PhysicalResourceId", done->physicalId},
                              {"Timestamp", epochSeconds(clock_.now())},
                              {"Properties", *props},
                              {"Attributes", done->attributes}};
             if (done->ref) entry["Ref"] = *done->ref;
             d["_resources"].as_object()[id] = std::move(entry);
           },
           {resourceEvent(id, type, done->physicalId, "UPDATE_COMPLETE")});
    values.setResource(id, std::move(*done));
  }
  JsonArray outputs;
  if (!resolveOutputs(scope, stackId, body, values, outputs)) return false;
  // Resources the new template no longer has (or whose condition is now
  // false) go in the cleanup, unless their old DeletionPolicy keeps them.
  JsonArray removed;
  const JsonObject& oldTemplate = doc.at("_template").as_object().at("Resources").as_object();
  for (const auto& kv : old) {
    std::string id(kv.key());
    if (active.count(id) || !created(kv.value().as_object())) continue;
    std::string policy =
        oldTemplate.contains(id) ? jsonString(jsonAt(oldTemplate.at(id), {"DeletionPolicy"})) : "";
    removed.push_back(JsonObject{{"id", id}, {"retain", policy == "Retain"}});
  }
  record(scope, stackId,
         [&](JsonObject& d) {
           JsonObject pending = d.at("_next").as_object();
           for (auto& kv : pending) d[kv.key()] = kv.value();
           if (!pending.contains("Description")) d.erase("Description");
           d.erase("_next");
           d["Outputs"] = outputs;
           d["_removed"] = removed;
         },
         {});
  return true;
}

void CloudFormationService::cleanUpUpdate(const Scope& scope, const std::string& stackId) {
  JsonObject doc;
  {
    std::lock_guard lock(mu_);
    doc = stacks_[scopeKey(scope)][stackId].as_object();
  }
  ResourceApi api(registry_, scope, ids_);
  auto remove = [&](const std::string& id, const JsonObject& entry) {
    std::string type = jsonString(entry.if_contains("ResourceType"));
    std::string physical = jsonString(entry.if_contains("PhysicalResourceId"));
    record(scope, stackId, [](JsonObject&) {},
           {resourceEvent(id, type, physical, "DELETE_IN_PROGRESS")});
    auto t = resourceTypes().find(type);
    Result<void> gone = t == resourceTypes().end()
                            ? Result<void>()
                            : t->second.remove(api, valuesOf(entry), propertiesOf(entry));
    // A resource that cannot be deleted does not fail the update, as on AWS.
    record(
        scope, stackId, [](JsonObject&) {},
        {gone ? resourceEvent(id, type, physical, "DELETE_COMPLETE")
              : resourceEvent(id, type, physical, "DELETE_FAILED", handlerReason(gone.error()))});
  };
  if (const Json* replaced = doc.if_contains("_replaced"); replaced && replaced->is_array()) {
    for (auto it = replaced->as_array().rbegin(); it != replaced->as_array().rend(); ++it) {
      if (stopping_) return;
      remove(jsonString(jsonAt(*it, {"id"})), it->at("entry").as_object());
    }
  }
  std::set<std::string> removed, retained;
  if (const Json* r = doc.if_contains("_removed"); r && r->is_array()) {
    for (const Json& item : r->as_array()) {
      std::string id = jsonString(jsonAt(item, {"id"}));
      removed.insert(id);
      if (const Json* keep = jsonAt(item, {"retain"}); keep && keep->as_bool()) retained.insert(id);
    }
  }
  const JsonArray& order = doc.at("_created").as_array();
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    std::string id = jsonString(&*it);
    if (!removed.count(id)) continue;
    if (stopping_) return;
    const JsonObject& entry = doc.at("_resources").as_object().at(id).as_object();
    if (retained.count(id)) {
      record(
          scope, stackId, [](JsonObject&) {},
          {resourceEvent(id, jsonString(entry.if_contains("ResourceType")),
                         jsonString(entry.if_contains("PhysicalResourceId")), "DELETE_SKIPPED")});
    } else {
      remove(id, entry);
    }
    record(scope, stackId,
           [&](JsonObject& d) {
             d["_resources"].as_object().erase(id);
             JsonArray kept;
             for (const Json& c : d["_created"].as_array()) {
               if (jsonString(&c) != id) kept.push_back(c);
             }
             d["_created"] = std::move(kept);
           },
           {});
  }
  record(scope, stackId,
         [](JsonObject& d) {
           for (const char* k : {"_replaced", "_removed", "_before", "_added"}) d.erase(k);
         },
         {});
}

void CloudFormationService::rollBackUpdate(const Scope& scope, const std::string& stackId) {
  JsonObject doc;
  {
    std::lock_guard lock(mu_);
    doc = stacks_[scopeKey(scope)][stackId].as_object();
  }
  ResourceApi api(registry_, scope, ids_);
  std::string stackName = jsonString(doc.if_contains("StackName"));
  const JsonObject resources = doc.at("_resources").as_object();
  // Created by this update: deleted, newest first.
  std::vector<std::string> added;
  if (const Json* a = doc.if_contains("_added"); a && a->is_array()) {
    for (const Json& id : a->as_array()) added.push_back(jsonString(&id));
  }
  for (auto it = added.rbegin(); it != added.rend(); ++it) {
    if (stopping_) return;
    const std::string& id = *it;
    const JsonObject& entry = resources.at(id).as_object();
    std::string type = jsonString(entry.if_contains("ResourceType"));
    std::string physical = jsonString(entry.if_contains("PhysicalResourceId"));
    record(scope, stackId, [](JsonObject&) {},
           {resourceEvent(id, type, physical, "DELETE_IN_PROGRESS")});
    auto gone = resourceTypes().at(type).remove(api, valuesOf(entry), propertiesOf(entry));
    record(
        scope, stackId,
        [&](JsonObject& d) {
          d["_resources"].as_object().erase(id);
          JsonArray kept;
          for (const Json& c : d["_created"].as_array()) {
            if (jsonString(&c) != id) kept.push_back(c);
          }
          d["_created"] = std::move(kept);
        },
        {gone ? resourceEvent(id, type, physical, "DELETE_COMPLETE")
              : resourceEvent(id, type, physical, "DELETE_FAILED", handlerReason(gone.error()))});
  }
  // Changed by it: replacements deleted and the old resource restored;
  // in-place updates applied back.
  const JsonObject before = doc.contains("_before") ? doc.at("_before").as_object() : JsonObject{};
  for (const auto& kv : before) {
    if (stopping_) return;
    std::string id(kv.key());
    const JsonObject& was = kv.value().as_object();
    const JsonObject& now = resources.at(id).as_object();
    std::string type = jsonString(now.if_contains("ResourceType"));
    std::string physical = jsonString(now.if_contains("PhysicalResourceId"));
    std::string oldPhysical = jsonString(was.if_contains("PhysicalResourceId"));
    record(scope, stackId, [](JsonObject&) {},
           {resourceEvent(id, type, physical, "UPDATE_IN_PROGRESS")});
    Result<void> undone;
    if (physical != oldPhysical) {
      undone = resourceTypes().at(type).remove(api, valuesOf(now), propertiesOf(now));
    } else {
      auto back = resourceTypes().at(type).update(
          api, valuesOf(now), {stackName, id, type, propertiesOf(was), propertiesOf(now)});
      if (!back) undone = back.error();
    }
    record(scope, stackId,
           [&](JsonObject& d) {
             JsonObject restored = was;
             restored["ResourceStatus"] = undone ? "UPDATE_COMPLETE" : "UPDATE_FAILED";
             restored["Timestamp"] = epochSeconds(clock_.now());
             d["_resources"].as_object()[id] = std::move(restored);
           },
           {undone ? resourceEvent(id, type, oldPhysical, "UPDATE_COMPLETE")
                   : resourceEvent(id, type, oldPhysical, "UPDATE_FAILED",
                                   handlerReason(undone.error()))});
  }
  // A resource whose own update failed is as it was.
  record(scope, stackId,
         [&](JsonObject& d) {
           JsonObject& res = d["_resources"].as_object();
           std::vector<std::string> failedCreates;
           for (auto& kv : res) {
             JsonObject& entry = kv.value().as_object();
             std::string status = jsonString(entry.if_contains("ResourceStatus"));
             if (!created(entry)) {
               failedCreates.emplace_back(kv.key());
             } else if (status == "UPDATE_FAILED" || status == "UPDATE_IN_PROGRESS") {
               if (!before.contains(kv.key())) entry["ResourceStatus"] = "UPDATE_COMPLETE";
               entry.erase("ResourceStatusReason");
             }
           }
           for (const auto& id : failedCreates) res.erase(id);
           for (const char* k : {"_next", "_before", "_added", "_replaced", "_removed"}) d.erase(k);
         },
         {});
}

}  // namespace sluice::services::cloudformation
