// Schedule groups and their tags. The "default" group always exists and
// cannot be deleted; deleting a group deletes its schedules.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/scheduler/scheduler_service.hpp"

namespace sluice::services::scheduler {

namespace {

AwsError notFound(std::string message) {
  return AwsError{"ResourceNotFoundException", std::move(message), 404};
}

JsonObject groupJson(const std::string& arn, const GroupRecord& g) {
  JsonObject o;
  o["Arn"] = arn;
  o["CreationDate"] = epochSeconds(g.created);
  o["LastModificationDate"] = epochSeconds(g.modified);
  o["Name"] = g.name;
  o["State"] = "ACTIVE";
  return o;
}

Result<std::map<std::string, std::string>> readTags(const Json* tags) {
  std::map<std::string, std::string> out;
  if (!tags || !tags->is_array()) return out;
  for (const Json& t : tags->as_array()) {
    out[std::string(t.at("Key").as_string())] = std::string(t.at("Value").as_string());
  }
  return out;
}

}  // namespace

Result<GroupRecord*> SchedulerService::findGroup(const Scope& scope, const std::string& name) {
  auto& groups = groupsOf(scope);
  auto it = groups.find(name);
  if (it == groups.end()) return notFound("Schedule group " + name + " does not exist.");
  return &it->second;
}

Result<GroupRecord*> SchedulerService::groupOfArn(const Scope& scope, const std::string& arn) {
  std::string prefix = groupArn(scope, "");
  if (!arn.starts_with(prefix)) {
    if (arn.find(":schedule/") != std::string::npos) {
      return AwsError::validation("Tags are supported on schedule groups only: " + arn);
    }
    return notFound("Resource " + arn + " does not exist.");
  }
  return findGroup(scope, arn.substr(prefix.size()));
}

Result<Change> SchedulerService::createScheduleGroup(const Json& in, const CallContext& ctx) {
  std::string name(in.at("Name").as_string());
  auto& groups = groupsOf(ctx.scope);
  if (groups.count(name)) {
    return AwsError{"ConflictException", "Schedule group " + name + " already exists.", 409};
  }
  auto tags = readTags(Input(in).get("Tags"));
  if (!tags) return tags.error();
  GroupRecord g;
  g.name = name;
  g.created = g.modified = clock_.now();
  g.tags = std::move(*tags);
  JsonObject out;
  out["ScheduleGroupArn"] = groupArn(ctx.scope, name);
  Change change(std::move(out));
  persistGroup(change.batch, ctx.scope, g);
  groups[name] = std::move(g);
  return change;
}

Result<Change> SchedulerService::getScheduleGroup(const Json& in, const CallContext& ctx) {
  auto g = findGroup(ctx.scope, std::string(in.at("Name").as_string()));
  if (!g) return g.error();
  return Change(groupJson(groupArn(ctx.scope, (*g)->name), **g));
}

Result<Change> SchedulerService::listScheduleGroups(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto prefix = input.optionalString("NamePrefix");
  if (!prefix) return prefix.error();
  auto max = input.optionalInt("MaxResults");
  if (!max) return max.error();
  size_t limit = max->value_or(100);
  std::string after;
  if (auto token = input.optionalString("NextToken"); token && *token) {
    auto key = decodePageToken(**token);
    if (!key) return AwsError::validation("Invalid NextToken.");
    after = *key;
  }
  JsonArray list;
  JsonObject out;
  for (const auto& [name, g] : groupsOf(ctx.scope)) {
    if (!after.empty() && name <= after) continue;
    if (*prefix && !name.starts_with(**prefix)) continue;
    if (list.size() == limit) {
      out["NextToken"] = encodePageToken(list.back().at("Name").as_string());
      break;
    }
    list.push_back(groupJson(groupArn(ctx.scope, name), g));
  }
  out["ScheduleGroups"] = std::move(list);
  return Change(std::move(out));
}

Result<Change> SchedulerService::deleteScheduleGroup(const Json& in, const CallContext& ctx) {
  std::string name(in.at("Name").as_string());
  if (name == "default") {
    return AwsError::validation("You cannot delete the default schedule group.");
  }
  auto g = findGroup(ctx.scope, name);
  if (!g) return g.error();
  Change change;
  auto& schedules = schedulesOf(ctx.scope);
  for (auto it = schedules.begin(); it != schedules.end();) {
    if (it->second.group != name) {
      ++it;
      continue;
    }
    change.batch.erase("scheduler_schedules", ctx.scope, it->first);
    it = schedules.erase(it);  // its timer finds it gone and stops
  }
  change.batch.erase("scheduler_groups", ctx.scope, name);
  groupsOf(ctx.scope).erase(name);
  return change;
}

Result<Change> SchedulerService::tagResource(const Json& in, const CallContext& ctx) {
  auto g = groupOfArn(ctx.scope, std::string(in.at("ResourceArn").as_string()));
  if (!g) return g.error();
  auto tags = readTags(Input(in).get("Tags"));
  if (!tags) return tags.error();
  for (auto& [k, v] : *tags) (*g)->tags[k] = v;
  Change change;
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

Result<Change> SchedulerService::untagResource(const Json& in, const CallContext& ctx) {
  auto g = groupOfArn(ctx.scope, std::string(in.at("ResourceArn").as_string()));
  if (!g) return g.error();
  for (const Json& k : in.at("TagKeys").as_array()) (*g)->tags.erase(std::string(k.as_string()));
  Change change;
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

Result<Change> SchedulerService::listTagsForResource(const Json& in, const CallContext& ctx) {
  auto g = groupOfArn(ctx.scope, std::string(in.at("ResourceArn").as_string()));
  if (!g) return g.error();
  JsonArray tags;
  for (const auto& [k, v] : (*g)->tags) {
    JsonObject t;
    t["Key"] = k;
    t["Value"] = v;
    tags.push_back(std::move(t));
  }
  JsonObject out;
  out["Tags"] = std::move(tags);
  return Change(std::move(out));
}

}  // namespace sluice::services::scheduler
