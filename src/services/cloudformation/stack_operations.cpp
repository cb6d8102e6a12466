// CreateStack, UpdateStack and DeleteStack: the template an operation
// submits prepared (checked, parameters resolved, capabilities granted), the
// stack document written, and the deployment launched.
#include <regex>

#include "services/cloudformation/cloudformation_service.hpp"
#include "services/cloudformation/deploy_support.hpp"
#include "services/common/input.hpp"

namespace sluice::services::cloudformation {

Result<std::map<std::string, Json>> CloudFormationService::resolveParameters(
    const Json& body, const Json& given, const JsonObject* previous, JsonArray& shown,
    JsonObject& raw) {
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
      if (const Json* use = jsonAt(p, {"UsePreviousValue"});
          use && use->is_bool() && use->as_bool()) {
        const Json* before = previous ? previous->if_contains(key) : nullptr;
        if (!before) {
          return validationError("Invalid input for parameter key " + key +
                                 ". Cannot specify usePreviousValue as true for a parameter key "
                                 "not in the previous template");
        }
        values[key] = jsonString(before);
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
    raw[key] = value;
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

Result<CloudFormationService::PreparedTemplate> CloudFormationService::prepareTemplate(
    const Json& in, const JsonObject* current) {
  PreparedTemplate prepared;
  const Json* text = jsonAt(in, {"TemplateBody"});
  const Json* usePrevious = jsonAt(in, {"UsePreviousTemplate"});
  bool previous = usePrevious && usePrevious->is_bool() && usePrevious->as_bool();
  if (previous && text) {
    return validationError(
        "You cannot specify both usePreviousTemplate and Template Body/Template "
        "Url");
  }
  if (previous) {
    if (!current) return validationError("UsePreviousTemplate needs an existing stack");
    prepared.text = jsonString(current->if_contains("TemplateBody"));
  } else if (text && text->is_string()) {
    prepared.text = std::string(text->as_string());
  } else {
    return validationError("Either Template URL or Template Body must be specified.");
  }
  auto checked = loadTemplate(prepared.text);
  if (!checked) return checked.takeError();
  const Json* given = jsonAt(in, {"Parameters"});
  const JsonObject* before = nullptr;
  if (current) {
    if (const Json* raw = current->if_contains("_raw"); raw && raw->is_object()) {
      before = &raw->as_object();
    }
  }
  auto values = resolveParameters(checked->body, given ? *given : Json(), before, prepared.shown,
                                  prepared.raw);
  if (!values) return values.takeError();
  for (auto& [k, v] : *values) prepared.values[k] = v;
  std::set<std::string> granted;
  if (const Json* c = jsonAt(in, {"Capabilities"}); c && c->is_array()) {
    prepared.capabilities = c->as_array();
    for (const Json& item : prepared.capabilities) granted.insert(jsonString(&item));
  }
  std::string needed = neededCapability(checked->body);
  if (!needed.empty() && !granted.count(needed) &&
      !(needed == "CAPABILITY_IAM" && granted.count("CAPABILITY_NAMED_IAM"))) {
    return AwsError{"InsufficientCapabilitiesException", "Requires capabilities : [" + needed + "]",
                    400};
  }
  prepared.checked = std::move(*checked);
  return prepared;
}

JsonObject CloudFormationService::newStack(const Scope& scope, const std::string& name,
                                           const Json& in) {
  std::string stackId = "arn:" + scope.partition + ":cloudformation:" + scope.region + ":" +
                        scope.account + ":stack/" + name + "/" + ids_.uuid();
  JsonObject doc{{"StackId", stackId},
                 {"StackName", name},
                 {"Parameters", JsonArray{}},
                 {"CreationTime", epochSeconds(clock_.now())},
                 {"StackStatus", "REVIEW_IN_PROGRESS"},
                 {"DisableRollback", false},
                 {"NotificationARNs", JsonArray{}},
                 {"Capabilities", JsonArray{}},
                 {"Tags", jsonAt(in, {"Tags"}) ? *jsonAt(in, {"Tags"}) : Json(JsonArray{})},
                 {"EnableTerminationProtection", false},
                 {"RollbackConfiguration", JsonObject{}},
                 {"DriftInformation", JsonObject{{"StackDriftStatus", "NOT_CHECKED"}}},
                 {"_onFailure", "ROLLBACK"},
                 {"_resources", JsonObject{}},
                 {"_created", JsonArray{}}};
  if (const Json* p = jsonAt(in, {"EnableTerminationProtection"}); p && p->is_bool()) {
    doc["EnableTerminationProtection"] = p->as_bool();
  }
  return doc;
}

void CloudFormationService::startDeployment(const Scope& scope, JsonObject& doc,
                                            PreparedTemplate prepared, bool update,
                                            std::unique_lock<std::mutex>& lock, Reply reply,
                                            Json response) {
  JsonObject pending{{"TemplateBody", prepared.text}, {"_template", prepared.checked.body},
                     {"_values", prepared.values},    {"_raw", prepared.raw},
                     {"Parameters", prepared.shown},  {"Capabilities", prepared.capabilities}};
  if (const Json* d = prepared.checked.body.as_object().if_contains("Description")) {
    pending["Description"] = *d;
  }
  const char* status = update ? "UPDATE_IN_PROGRESS" : "CREATE_IN_PROGRESS";
  if (update) {
    doc["_next"] = std::move(pending);
    doc["LastUpdatedTime"] = epochSeconds(clock_.now());
  } else {
    for (auto& kv : pending) doc[kv.key()] = kv.value();
  }
  doc["StackStatus"] = status;
  doc["StackStatusReason"] = "User Initiated";
  std::string stackId = jsonString(doc.if_contains("StackId"));
  DocumentBatch batch;
  appendEvents(batch, scope, doc, {stackEvent(status, "User Initiated")});
  batch.put(kStacksTable, scope, stackId, doc);
  Deploy kind = update ? Deploy::Update : Deploy::Create;
  // Launched from the loop: without a store the commit completes at once,
  // here, under the lock launch() takes.
  docs_.commit(std::move(batch), [this, scope, stackId, kind, response = std::move(response),
                                  reply = std::move(reply)](Result<void> r) mutable {
    if (!r) return reply(r.error());
    loop_.post([this, scope, stackId, kind, response = std::move(response),
                reply = std::move(reply)]() mutable {
      launch(scope, stackId, kind, std::move(reply), std::move(response));
    });
  });
  lock.unlock();
}

void CloudFormationService::createStack(const Json& in, const CallContext& ctx, Reply reply) {
  std::unique_lock lock(mu_);
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  static const std::regex kName("[a-zA-Z][-a-zA-Z0-9]*");
  auto refuse = [&](AwsError e) {
    lock.unlock();
    reply(std::move(e));
  };
  if (name.size() > 128 || !std::regex_match(name, kName)) {
    return refuse(validationError("1 validation error detected: Value '" + name +
                                  "' at 'stackName' failed to satisfy constraint: Member must "
                                  "satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"));
  }
  if (liveStack(ctx.scope, name)) {
    return refuse({"AlreadyExistsException", "Stack [" + name + "] already exists", 400});
  }
  auto prepared = prepareTemplate(in, nullptr);
  if (!prepared) return refuse(prepared.takeError());
  std::string onFailure = jsonString(jsonAt(in, {"OnFailure"}));
  if (const Json* d = jsonAt(in, {"DisableRollback"}); d && d->is_bool() && d->as_bool()) {
    if (!onFailure.empty()) {
      return refuse(validationError("You cannot specify both DisableRollback and OnFailure."));
    }
    onFailure = "DO_NOTHING";
  }
  if (onFailure.empty()) onFailure = "ROLLBACK";
  JsonObject fresh = newStack(ctx.scope, name, in);
  fresh["_onFailure"] = onFailure;
  fresh["DisableRollback"] = onFailure == "DO_NOTHING";
  std::string stackId = jsonString(fresh.if_contains("StackId"));
  JsonObject& doc = stacks_[scopeKey(ctx.scope)][stackId].emplace_object();
  doc = std::move(fresh);
  startDeployment(ctx.scope, doc, std::move(*prepared), false, lock, std::move(reply),
                  JsonObject{{"StackId", stackId}});
}

void CloudFormationService::updateStack(const Json& in, const CallContext& ctx, Reply reply) {
  std::unique_lock lock(mu_);
  auto refuse = [&](AwsError e) {
    lock.unlock();
    reply(std::move(e));
  };
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  auto found = stack(ctx.scope, name);
  if (!found) return refuse(found.takeError());
  JsonObject& doc = (*found)->as_object();
  std::string status = jsonString(doc.if_contains("StackStatus"));
  std::string stackId = jsonString(doc.if_contains("StackId"));
  static const std::set<std::string> kUpdatable = {"CREATE_COMPLETE", "UPDATE_COMPLETE",
                                                   "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                                                   "IMPORT_ROLLBACK_COMPLETE"};
  if (!kUpdatable.count(status)) {
    return refuse(validationError("Stack:" + stackId + " is in " + status +
                                  " state and can not be updated."));
  }
  auto prepared = prepareTemplate(in, &doc);
  if (!prepared) return refuse(prepared.takeError());
  if (jsonEquals(prepared->checked.body, doc.at("_template")) &&
      jsonEquals(prepared->raw, doc.contains("_raw") ? doc.at("_raw") : Json(JsonObject{}))) {
    return refuse(validationError("No updates are to be performed."));
  }
  startDeployment(ctx.scope, doc, std::move(*prepared), true, lock, std::move(reply),
                  JsonObject{{"StackId", stackId}});
}

void CloudFormationService::deleteStack(const Json& in, const CallContext& ctx, Reply reply) {
  std::unique_lock lock(mu_);
  auto answer = [&](Result<Json> r) {
    lock.unlock();
    reply(std::move(r));
  };
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  auto found = stack(ctx.scope, name);
  // Deleting a stack that does not exist (or no longer does) succeeds.
  if (!found) return answer(Json(JsonObject{}));
  JsonObject& doc = (*found)->as_object();
  std::string stackId = jsonString(doc.if_contains("StackId"));
  std::string status = jsonString(doc.if_contains("StackStatus"));
  if (status == "DELETE_COMPLETE") return answer(Json(JsonObject{}));
  if (const Json* p = doc.if_contains("EnableTerminationProtection"); p && p->as_bool()) {
    return answer(validationError("Stack [" + name +
                                  "] cannot be deleted while TerminationProtection is enabled"));
  }
  if (deploying(status)) {
    return answer(validationError("Stack [" + jsonString(doc.if_contains("StackName")) +
                                  "] cannot be deleted while in status " + status));
  }
  JsonArray retain;
  if (const Json* r = jsonAt(in, {"RetainResources"});
      r && r->is_array() && !r->as_array().empty()) {
    if (status != "DELETE_FAILED") {
      return answer(validationError("Invalid operation on stack [" + stackId +
                                    "]. RetainResources can only be specified when the stack is "
                                    "in the DELETE_FAILED state."));
    }
    retain = r->as_array();
  }
  doc["StackStatus"] = "DELETE_IN_PROGRESS";
  doc["StackStatusReason"] = "User Initiated";
  doc["_retain"] = std::move(retain);
  DocumentBatch batch;
  appendEvents(batch, ctx.scope, doc, {stackEvent("DELETE_IN_PROGRESS", "User Initiated")});
  batch.put(kStacksTable, ctx.scope, stackId, doc);
  Scope scope = ctx.scope;
  docs_.commit(std::move(batch),
               [this, scope, stackId, reply = std::move(reply)](Result<void> r) mutable {
                 if (!r) return reply(r.error());
                 loop_.post([this, scope, stackId, reply = std::move(reply)]() mutable {
                   launch(scope, stackId, Deploy::Delete, std::move(reply), Json(JsonObject{}));
                 });
               });
}

}  // namespace sluice::services::cloudformation
