// Workgroups: CreateWorkGroup, GetWorkGroup, UpdateWorkGroup,
// DeleteWorkGroup, ListWorkGroups. `primary` is there from the start, as in
// every account; the others are documents of athena_workgroups, kept in
// memory (a workgroup is configuration, not something that grows with use)
// and written through. What a workgroup decides for its queries (the
// output location, enforced or not, DISABLED refusing them, the cutoff on
// bytes scanned) is read by StartQueryExecution through effectiveWorkGroup.
#include <regex>

#include "services/athena/athena_errors.hpp"
#include "services/athena/athena_service.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"

namespace sluice::services::athena {

namespace {

constexpr const char* kTable = "athena_workgroups";

JsonObject engineVersion() {
  return JsonObject{{"SelectedEngineVersion", "AUTO"},
                    {"EffectiveEngineVersion", "Athena engine version 3"}};
}

// A workgroup as Athena first describes it.
JsonObject freshWorkGroup(const std::string& name, Json created) {
  return JsonObject{{"Name", name},
                    {"State", "ENABLED"},
                    {"Configuration", JsonObject{{"ResultConfiguration", JsonObject{}},
                                                 {"EnforceWorkGroupConfiguration", false},
                                                 {"PublishCloudWatchMetricsEnabled", false},
                                                 {"RequesterPaysEnabled", false},
                                                 {"EngineVersion", engineVersion()}}},
                    {"Description", ""},
                    {"CreationTime", std::move(created)}};
}

Result<void> checkOutput(const Json* rc) {
  if (!rc || !rc->is_object()) return {};
  const Json* o = rc->as_object().if_contains("OutputLocation");
  if (!o || !o->is_string()) return {};
  std::string out(o->as_string());
  if (!out.starts_with("s3://") || !lake::parseS3Uri(out)) {
    return invalidRequest("outputLocation is not a valid S3 path.");
  }
  return {};
}

// Applies a WorkGroupConfiguration (Create) to `config`.
Result<void> applyConfiguration(JsonObject& config, const Json& in) {
  if (!in.is_object()) return invalidRequest("Configuration must be an object.");
  const JsonObject& c = in.as_object();
  if (auto r = checkOutput(c.if_contains("ResultConfiguration")); !r) return r;
  for (const char* key :
       {"ResultConfiguration", "EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled",
        "RequesterPaysEnabled", "BytesScannedCutoffPerQuery", "AdditionalConfiguration",
        "ExecutionRole", "CustomerContentEncryptionConfiguration",
        "EnableMinimumEncryptionConfiguration", "IdentityCenterConfiguration",
        "QueryResultsS3AccessGrantsConfiguration"}) {
    if (const Json* v = c.if_contains(key)) config[key] = *v;
  }
  if (const Json* cutoff = c.if_contains("BytesScannedCutoffPerQuery")) {
    auto n = toInteger(*cutoff);
    if (!n || *n < 10000000) {
      return invalidRequest("BytesScannedCutoffPerQuery must be at least 10000000 (10 MB).");
    }
  }
  return {};
}

// Applies WorkGroupConfigurationUpdates (Update) to `config`.
Result<void> applyUpdates(JsonObject& config, const Json& in) {
  if (!in.is_object()) return invalidRequest("ConfigurationUpdates must be an object.");
  const JsonObject& u = in.as_object();
  for (const char* key : {"EnforceWorkGroupConfiguration", "PublishCloudWatchMetricsEnabled",
                          "RequesterPaysEnabled", "AdditionalConfiguration", "ExecutionRole"}) {
    if (const Json* v = u.if_contains(key)) config[key] = *v;
  }
  if (const Json* cutoff = u.if_contains("BytesScannedCutoffPerQuery")) {
    auto n = toInteger(*cutoff);
    if (!n || *n < 10000000) {
      return invalidRequest("BytesScannedCutoffPerQuery must be at least 10000000 (10 MB).");
    }
    config["BytesScannedCutoffPerQuery"] = *cutoff;
  }
  if (const Json* remove = u.if_contains("RemoveBytesScannedCutoffPerQuery");
      remove && remove->is_bool() && remove->as_bool()) {
    config.erase("BytesScannedCutoffPerQuery");
  }
  if (const Json* rc = u.if_contains("ResultConfigurationUpdates"); rc && rc->is_object()) {
    if (auto r = checkOutput(rc); !r) return r;
    JsonObject& result = config["ResultConfiguration"].is_object()
                             ? config["ResultConfiguration"].as_object()
                             : config["ResultConfiguration"].emplace_object();
    const JsonObject& r = rc->as_object();
    for (const char* key :
         {"OutputLocation", "EncryptionConfiguration", "ExpectedBucketOwner", "AclConfiguration"}) {
      if (const Json* v = r.if_contains(key)) result[key] = *v;
      const Json* drop = r.if_contains(std::string("Remove") + key);
      if (drop && drop->is_bool() && drop->as_bool()) result.erase(key);
    }
  }
  return {};
}

bool validName(const std::string& name) {
  static const std::regex pattern("[a-zA-Z0-9._-]{1,128}");
  return std::regex_match(name, pattern);
}

}  // namespace

Result<void> AthenaService::loadWorkGroups() {
  return docs_.scan(kTable, [this](const Scope& scope, const std::string& key, Json doc) {
    workgroups_[scopeKey(scope)][key] = std::move(doc);
  });
}

Result<Json> AthenaService::effectiveWorkGroup(const Scope& scope, const std::string& name) {
  auto& mine = workgroups_[scopeKey(scope)];
  if (auto it = mine.find(name); it != mine.end()) return it->second;
  if (name == "primary") return Json(freshWorkGroup(name, epochSeconds(TimePoint{})));
  return invalidRequest("WorkGroup " + name + " is not found.");
}

Result<std::string> AthenaService::requestWorkGroup(const Input& input, const Scope& scope,
                                                    bool required) {
  std::string name = "primary";
  if (required) {
    auto n = input.requiredString("WorkGroup");
    if (!n) return n.error();
    name = *n;
  } else {
    auto n = input.optionalString("WorkGroup");
    if (!n) return n.error();
    name = n->value_or("primary");
  }
  if (auto w = effectiveWorkGroup(scope, name); !w) return w.error();
  return name;
}

Result<Change> AthenaService::createWorkGroup(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  if (!validName(*name)) {
    return invalidRequest("WorkGroup name must be 1 to 128 letters, digits, '.', '_' or '-'.");
  }
  auto& mine = workgroups_[scopeKey(ctx.scope)];
  if (*name == "primary" || mine.count(*name)) {
    return invalidRequest("WorkGroup " + *name + " is already created");
  }
  JsonObject doc = freshWorkGroup(*name, epochSeconds(clock_.now()));
  if (const Json* c = input.get("Configuration"); c && !c->is_null()) {
    if (auto r = applyConfiguration(doc["Configuration"].as_object(), *c); !r) return r.error();
  }
  if (auto d = input.optionalString("Description"); !d) {
    return d.error();
  } else if (*d) {
    doc["Description"] = **d;
  }
  Change change;
  if (const Json* tags = input.get("Tags"); tags && !tags->is_null()) {
    auto added = addTags(change.batch, ctx.scope, workGroupArn(ctx.scope, *name), *tags);
    if (!added) return added.error();
  }
  change.batch.put(kTable, ctx.scope, *name, doc);
  mine[*name] = std::move(doc);
  return change;
}

Result<Change> AthenaService::getWorkGroup(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("WorkGroup");
  if (!name) return name.error();
  auto wg = effectiveWorkGroup(ctx.scope, *name);
  if (!wg) return wg.error();
  return Change(JsonObject{{"WorkGroup", *wg}});
}

Result<Change> AthenaService::updateWorkGroup(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("WorkGroup");
  if (!name) return name.error();
  auto wg = effectiveWorkGroup(ctx.scope, *name);
  if (!wg) return wg.error();
  JsonObject doc = wg->as_object();
  if (auto d = input.optionalString("Description"); !d) {
    return d.error();
  } else if (*d) {
    doc["Description"] = **d;
  }
  if (auto s = input.optionalString("State"); !s) {
    return s.error();
  } else if (*s) {
    if (**s != "ENABLED" && **s != "DISABLED") {
      return invalidRequest("State must be ENABLED or DISABLED.");
    }
    doc["State"] = **s;
  }
  if (const Json* u = input.get("ConfigurationUpdates"); u && !u->is_null()) {
    if (auto r = applyUpdates(doc["Configuration"].as_object(), *u); !r) return r.error();
  }
  Change change;
  change.batch.put(kTable, ctx.scope, *name, doc);
  workgroups_[scopeKey(ctx.scope)][*name] = std::move(doc);
  return change;
}

Result<Change> AthenaService::deleteWorkGroup(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("WorkGroup");
  if (!name) return name.error();
  if (*name == "primary") return invalidRequest("primary workgroup could not be removed.");
  auto& mine = workgroups_[scopeKey(ctx.scope)];
  if (!mine.count(*name)) return invalidRequest("WorkGroup " + *name + " is not found.");
  const Json* recursive = input.get("RecursiveDeleteOption");
  bool all = recursive && recursive->is_bool() && recursive->as_bool();
  Change change;
  auto removed = removeWorkGroupContents(change.batch, ctx.scope, *name, !all);
  if (!removed) return removed.error();
  change.batch.erase(kTable, ctx.scope, *name);
  storeTags(change.batch, ctx.scope, workGroupArn(ctx.scope, *name), {});
  mine.erase(*name);
  return change;
}

Result<Change> AthenaService::listWorkGroups(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  std::map<std::string, Json> all = workgroups_[scopeKey(ctx.scope)];
  if (!all.count("primary")) all["primary"] = freshWorkGroup("primary", epochSeconds(TimePoint{}));
  std::string after;
  if (*token && !(*token)->empty()) {
    auto key = decodePageToken(**token);
    if (!key) return invalidRequest("Invalid NextToken.");
    after = *key;
  }
  size_t limit = static_cast<size_t>(std::clamp<int64_t>(max->value_or(50), 1, 50));
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = all.upper_bound(after); it != all.end(); ++it) {
    if (out.size() == limit) {
      more = true;
      break;
    }
    const JsonObject& w = it->second.as_object();
    out.push_back(JsonObject{{"Name", w.at("Name")},
                             {"State", w.at("State")},
                             {"Description", w.at("Description")},
                             {"CreationTime", w.at("CreationTime")},
                             {"EngineVersion", engineVersion()}});
    last = it->first;
  }
  JsonObject result{{"WorkGroups", std::move(out)}};
  if (more) result["NextToken"] = encodePageToken(last);
  return Change(Json(std::move(result)));
}

}  // namespace sluice::services::athena
