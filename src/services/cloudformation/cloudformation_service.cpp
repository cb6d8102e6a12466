#include "services/cloudformation/cloudformation_service.hpp"

#include <algorithm>
#include <regex>

#include "core/encoding.hpp"
#include "services/cloudformation/resource_types.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::cloudformation {

namespace {

constexpr const char* kTable = "cfn_stacks";

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE cfn_stacks(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE cfn_stack_events(account TEXT NOT NULL, region TEXT NOT NULL, stack_id TEXT "
     "NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, stack_id, "
     "seq))"},
};

bool deleted(const JsonObject& doc) {
  return jsonString(doc.if_contains("StackStatus")) == "DELETE_COMPLETE";
}

}  // namespace

std::span<const store::sqlite::Migration> CloudFormationService::migrations() {
  return kMigrations;
}

CloudFormationService::CloudFormationService(const ServiceEnvironment& env,
                                             const OperationRegistry& registry)
    : registry_(registry),
      clock_(env.clock),
      loop_(env.engine.loop),
      ids_(env.engine.ids),
      docs_(env.store) {
  auto loaded = docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    stacks_[scopeKey(scope)][key] = std::move(doc);
  });
  if (!loaded) throw std::runtime_error("cloudformation: " + loaded.error().message);
  if (docs_.store()) {
    auto lease = docs_.store()->readers().acquire();
    if (!lease) throw std::runtime_error("cloudformation: " + lease.error().message);
    auto st = lease->db().prepare("SELECT COALESCE(MAX(seq), 0) FROM cfn_stack_events");
    if (!st) throw std::runtime_error("cloudformation: " + st.error().message);
    auto row = st->step();
    if (row && *row) nextEventSeq_ = st->columnInt(0) + 1;
  }
}

CloudFormationService::~CloudFormationService() {
  stopping_ = true;
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return running_ == 0; });
}

void CloudFormationService::registerOperations(OperationRegistry& registry) {
  registry.addService("cloudformation", "");
  using Op = Result<Change> (CloudFormationService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("cloudformation", name,
                 withTemplateUrl([this, fn](const Json& in, const CallContext& ctx, Reply reply) {
                   runLocked(
                       mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
                 }));
  };
  auto addAsync = [&](const char* name,
                      void (CloudFormationService::*fn)(const Json&, const CallContext&, Reply)) {
    registry.add("cloudformation", name,
                 withTemplateUrl([this, fn](const Json& in, const CallContext& ctx, Reply reply) {
                   (this->*fn)(in, ctx, std::move(reply));
                 }));
  };
  addAsync("CreateStack", &CloudFormationService::createStack);
  addAsync("UpdateStack", &CloudFormationService::updateStack);
  registry.add("cloudformation", "ExecuteChangeSet",
               [this](const Json& in, const CallContext& ctx, Reply reply) {
                 executeChangeSet(in, ctx, std::move(reply));
               });
  registry.add("cloudformation", "DeleteStack",
               [this](const Json& in, const CallContext& ctx, Reply reply) {
                 deleteStack(in, ctx, std::move(reply));
               });
  add("DescribeStacks", &CloudFormationService::describeStacks);
  add("ListStacks", &CloudFormationService::listStacks);
  add("DescribeStackEvents", &CloudFormationService::describeStackEvents);
  add("DescribeStackResource", &CloudFormationService::describeStackResource);
  add("DescribeStackResources", &CloudFormationService::describeStackResources);
  add("ListStackResources", &CloudFormationService::listStackResources);
  add("GetTemplate", &CloudFormationService::getTemplate);
  add("ValidateTemplate", &CloudFormationService::validateTemplate);
  add("GetTemplateSummary", &CloudFormationService::getTemplateSummary);
  add("ListExports", &CloudFormationService::listExports);
  add("CreateChangeSet", &CloudFormationService::createChangeSet);
  add("DescribeChangeSet", &CloudFormationService::describeChangeSet);
  add("DeleteChangeSet", &CloudFormationService::deleteChangeSet);
  add("ListChangeSets", &CloudFormationService::listChangeSets);
}

namespace {

// The bucket and key a TemplateURL names: path style (https://s3.amazonaws.com/b/k,
// https://s3.<region>.amazonaws.com/b/k, or this server's own http://host/b/k)
// or virtual-hosted (https://b.s3.amazonaws.com/k, https://b.s3.<region>.amazonaws.com/k).
std::optional<std::pair<std::string, std::string>> templateLocation(const std::string& url) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.compare(0, scheme, "https") != 0 && url.compare(0, scheme, "http") != 0)) {
    return std::nullopt;
  }
  std::string rest = url.substr(scheme + 3);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string host = rest.substr(0, slash), path = rest.substr(slash + 1);
  path = path.substr(0, path.find('?'));
  size_t s3 = host.find(".s3.");
  if (s3 == std::string::npos) s3 = host.find(".s3-");
  if (s3 != std::string::npos && host.ends_with(".amazonaws.com")) {
    if (path.empty()) return std::nullopt;
    return std::make_pair(host.substr(0, s3), percentDecode(path));
  }
  size_t key = path.find('/');
  if (key == std::string::npos || key == 0 || key + 1 == path.size()) return std::nullopt;
  return std::make_pair(path.substr(0, key), percentDecode(path.substr(key + 1)));
}

}  // namespace

OperationFn CloudFormationService::withTemplateUrl(OperationFn fn) {
  return [this, fn = std::move(fn)](const Json& in, const CallContext& ctx, Reply reply) {
    const Json* url = jsonAt(in, {"TemplateURL"});
    if (!url || !url->is_string() || jsonAt(in, {"TemplateBody"})) {
      return fn(in, ctx, std::move(reply));
    }
    auto where = templateLocation(std::string(url->as_string()));
    if (!where) return reply(validationError("TemplateURL must be a supported URL."));
    registry_.call("s3", "GetObject", JsonObject{{"Bucket", where->first}, {"Key", where->second}},
                   ctx, [fn, in, ctx, reply = std::move(reply)](Result<Json> object) mutable {
                     if (!object)
                       return reply(validationError("S3 error: " + object.error().message));
                     JsonObject withBody = in.as_object();
                     withBody.erase("TemplateURL");
                     withBody["TemplateBody"] = jsonString(jsonAt(*object, {"Body"}));
                     fn(Json(std::move(withBody)), ctx, std::move(reply));
                   });
  };
}

Json* CloudFormationService::liveStack(const Scope& scope, const std::string& name) {
  auto s = stacks_.find(scopeKey(scope));
  if (s == stacks_.end()) return nullptr;
  for (auto& [id, doc] : s->second) {
    const JsonObject& o = doc.as_object();
    if (!deleted(o) && jsonString(o.if_contains("StackName")) == name) return &doc;
  }
  return nullptr;
}

Result<Json*> CloudFormationService::stack(const Scope& scope, const std::string& nameOrId) {
  if (nameOrId.starts_with("arn:")) {
    auto s = stacks_.find(scopeKey(scope));
    if (s != stacks_.end()) {
      if (auto it = s->second.find(nameOrId); it != s->second.end()) return &it->second;
    }
  } else if (Json* doc = liveStack(scope, nameOrId)) {
    return doc;
  }
  return validationError("Stack with id " + nameOrId + " does not exist");
}

std::optional<std::string> CloudFormationService::exportValue(const Scope& scope,
                                                              const std::string& name,
                                                              const std::string& exceptStack) {
  std::lock_guard lock(mu_);
  for (const auto& [id, doc] : stacks_[scopeKey(scope)]) {
    if (deleted(doc.as_object()) || id == exceptStack) continue;
    const Json* outputs = doc.as_object().if_contains("Outputs");
    if (!outputs || !outputs->is_array()) continue;
    for (const Json& o : outputs->as_array()) {
      if (jsonString(jsonAt(o, {"ExportName"})) == name) {
        return jsonString(jsonAt(o, {"OutputValue"}));
      }
    }
  }
  return std::nullopt;
}

Json CloudFormationService::stackView(const JsonObject& doc) {
  JsonObject v;
  for (const auto& kv : doc) {
    if (!kv.key().starts_with("_") && kv.key() != "TemplateBody") v[kv.key()] = kv.value();
  }
  // A stack waiting for its first change set has no template yet.
  if (!doc.contains("_template")) {
    v.erase("Parameters");
  }
  return v;
}

Result<Change> CloudFormationService::describeStacks(const Json& in, const CallContext& ctx) {
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  JsonArray out;
  if (!name.empty()) {
    auto s = stack(ctx.scope, name);
    if (!s) return s.takeError();
    out.push_back(stackView((*s)->as_object()));
  } else {
    for (const auto& [id, doc] : stacks_[scopeKey(ctx.scope)]) {
      if (!deleted(doc.as_object())) out.push_back(stackView(doc.as_object()));
    }
  }
  return Change(JsonObject{{"Stacks", std::move(out)}});
}

Result<Change> CloudFormationService::listStacks(const Json& in, const CallContext& ctx) {
  std::set<std::string> filter;
  if (const Json* f = jsonAt(in, {"StackStatusFilter"}); f && f->is_array()) {
    for (const Json& s : f->as_array()) filter.insert(jsonString(&s));
  }
  JsonArray out;
  for (const auto& [id, doc] : stacks_[scopeKey(ctx.scope)]) {
    const JsonObject& o = doc.as_object();
    if (!filter.empty() && !filter.count(jsonString(o.if_contains("StackStatus")))) continue;
    JsonObject summary;
    copyMembers(o,
                {"StackId", "StackName", "CreationTime", "LastUpdatedTime", "DeletionTime",
                 "StackStatus", "StackStatusReason", "DriftInformation"},
                summary);
    if (const Json* d = o.if_contains("Description")) summary["TemplateDescription"] = *d;
    out.push_back(std::move(summary));
  }
  return Change(JsonObject{{"StackSummaries", std::move(out)}});
}

Result<Change> CloudFormationService::describeStackEvents(const Json& in, const CallContext& ctx) {
  auto s = stack(ctx.scope, jsonString(jsonAt(in, {"StackName"})));
  if (!s) return s.takeError();
  std::string stackId = jsonString((*s)->as_object().if_contains("StackId"));
  int64_t before = INT64_MAX;
  if (const Json* t = jsonAt(in, {"NextToken"}); t && t->is_string()) {
    auto key = decodePageToken(t->as_string());
    if (!key) return validationError("Invalid NextToken");
    try {
      before = std::stoll(*key);
    } catch (const std::exception&) {
      return validationError("Invalid NextToken");
    }
  }
  JsonArray events;
  std::optional<int64_t> last;
  bool more = false;
  if (docs_.store()) {
    auto lease = docs_.store()->readers().acquire();
    if (!lease) return lease.takeError();
    auto st = lease->db().prepare(
        "SELECT seq, doc FROM cfn_stack_events WHERE account = ? AND region = ? AND stack_id = ? "
        "AND seq < ? ORDER BY seq DESC LIMIT 101");
    if (!st) return st.takeError();
    st->bindAll(ctx.scope.account, ctx.scope.region, stackId, before);
    for (;;) {
      auto row = st->step();
      if (!row) return row.error();
      if (!*row) break;
      if (events.size() == 100) {
        more = true;
        break;
      }
      auto doc = parseJson(st->columnText(1));
      if (!doc) return AwsError::internal("corrupt row in cfn_stack_events");
      events.push_back(std::move(*doc));
      last = st->columnInt(0);
    }
  } else {
    const Json* kept = (*s)->as_object().if_contains("_events");
    if (kept && kept->is_array()) {
      for (auto it = kept->as_array().rbegin(); it != kept->as_array().rend(); ++it) {
        events.push_back(*it);
      }
    }
  }
  JsonObject r{{"StackEvents", std::move(events)}};
  if (more && last) r["NextToken"] = encodePageToken(std::to_string(*last));
  return Change(Json(std::move(r)));
}

namespace {

JsonObject resourceRow(const JsonObject& stack, const std::string& logicalId,
                       const JsonObject& resource, const char* timeMember) {
  JsonObject row{{"StackName", stack.at("StackName")},
                 {"StackId", stack.at("StackId")},
                 {"LogicalResourceId", logicalId}};
  copyMembers(resource,
              {"PhysicalResourceId", "ResourceType", "ResourceStatus", "ResourceStatusReason"},
              row);
  if (const Json* t = resource.if_contains("Timestamp")) row[timeMember] = *t;
  row["DriftInformation"] = JsonObject{{"StackResourceDriftStatus", "NOT_CHECKED"}};
  return row;
}

const JsonObject& resourcesOf(const JsonObject& stack) {
  static const JsonObject none;
  const Json* r = stack.if_contains("_resources");
  return r && r->is_object() ? r->as_object() : none;
}

}  // namespace

Result<Change> CloudFormationService::describeStackResource(const Json& in,
                                                            const CallContext& ctx) {
  auto s = stack(ctx.scope, jsonString(jsonAt(in, {"StackName"})));
  if (!s) return s.takeError();
  const JsonObject& doc = (*s)->as_object();
  std::string id = jsonString(jsonAt(in, {"LogicalResourceId"}));
  const Json* r = resourcesOf(doc).if_contains(id);
  if (!r) {
    return validationError("Resource " + id + " does not exist for stack " +
                           jsonString(doc.if_contains("StackName")));
  }
  JsonObject detail = resourceRow(doc, id, r->as_object(), "LastUpdatedTimestamp");
  detail["Metadata"] = "{}";
  return Change(JsonObject{{"StackResourceDetail", std::move(detail)}});
}

Result<Change> CloudFormationService::describeStackResources(const Json& in,
                                                             const CallContext& ctx) {
  std::string name = jsonString(jsonAt(in, {"StackName"}));
  std::string physical = jsonString(jsonAt(in, {"PhysicalResourceId"}));
  std::string logical = jsonString(jsonAt(in, {"LogicalResourceId"}));
  const JsonObject* doc = nullptr;
  if (!name.empty()) {
    auto s = stack(ctx.scope, name);
    if (!s) return s.takeError();
    doc = &(*s)->as_object();
  } else if (!physical.empty()) {
    for (const auto& [id, d] : stacks_[scopeKey(ctx.scope)]) {
      if (deleted(d.as_object())) continue;
      for (const auto& kv : resourcesOf(d.as_object())) {
        if (jsonString(jsonAt(kv.value(), {"PhysicalResourceId"})) == physical) {
          doc = &d.as_object();
        }
      }
    }
    if (!doc) return validationError("Stack for " + physical + " does not exist");
  } else {
    return validationError("Either StackName or PhysicalResourceId must be specified.");
  }
  JsonArray out;
  for (const auto& kv : resourcesOf(*doc)) {
    std::string id(kv.key());
    if (!logical.empty() && id != logical) continue;
    if (!physical.empty() && jsonString(jsonAt(kv.value(), {"PhysicalResourceId"})) != physical) {
      continue;
    }
    out.push_back(resourceRow(*doc, id, kv.value().as_object(), "Timestamp"));
  }
  return Change(JsonObject{{"StackResources", std::move(out)}});
}

Result<Change> CloudFormationService::listStackResources(const Json& in, const CallContext& ctx) {
  auto s = stack(ctx.scope, jsonString(jsonAt(in, {"StackName"})));
  if (!s) return s.takeError();
  JsonArray out;
  for (const auto& kv : resourcesOf((*s)->as_object())) {
    JsonObject row = resourceRow((*s)->as_object(), std::string(kv.key()), kv.value().as_object(),
                                 "LastUpdatedTimestamp");
    row.erase("StackName");
    row.erase("StackId");
    out.push_back(std::move(row));
  }
  return Change(JsonObject{{"StackResourceSummaries", std::move(out)}});
}

Result<Change> CloudFormationService::getTemplate(const Json& in, const CallContext& ctx) {
  auto s = stack(ctx.scope, jsonString(jsonAt(in, {"StackName"})));
  if (!s) return s.takeError();
  const Json* body = (*s)->as_object().if_contains("TemplateBody");
  if (!body) {
    return validationError("Stack " + jsonString((*s)->as_object().if_contains("StackName")) +
                           " has no template until a change set is executed");
  }
  JsonArray stages{"Original", "Processed"};
  // Processed: after transforms (the SAM transform's expansion), as deployed.
  if (jsonString(jsonAt(in, {"TemplateStage"})) == "Processed") {
    return Change(JsonObject{{"TemplateBody", toJsonText((*s)->as_object().at("_template"))},
                             {"StagesAvailable", std::move(stages)}});
  }
  return Change(JsonObject{{"TemplateBody", *body}, {"StagesAvailable", std::move(stages)}});
}

Result<Change> CloudFormationService::listExports(const Json&, const CallContext& ctx) {
  JsonArray out;
  for (const auto& [id, doc] : stacks_[scopeKey(ctx.scope)]) {
    if (deleted(doc.as_object())) continue;
    const Json* outputs = doc.as_object().if_contains("Outputs");
    if (!outputs || !outputs->is_array()) continue;
    for (const Json& o : outputs->as_array()) {
      if (const Json* name = jsonAt(o, {"ExportName"})) {
        out.push_back(JsonObject{{"ExportingStackId", id},
                                 {"Name", *name},
                                 {"Value", jsonString(jsonAt(o, {"OutputValue"}))}});
      }
    }
  }
  return Change(JsonObject{{"Exports", std::move(out)}});
}

}  // namespace sluice::services::cloudformation
