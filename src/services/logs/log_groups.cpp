// Log groups: create, delete, describe, retention, tags.
#include <algorithm>
#include <array>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/logs/logs_service.hpp"

namespace sluice::services::logs {

namespace {

constexpr std::array kRetentionDays = {1,    3,    5,    7,    14,   30,  60,  90,
                                       120,  150,  180,  365,  400,  545, 731, 1096,
                                       1827, 2192, 2557, 2922, 3288, 3653};
constexpr size_t kMaxTags = 50;

Result<std::string> readNextToken(const Input& input) {
  auto token = input.optionalString("nextToken");
  if (!token) return token.error();
  if (!*token) return std::string();
  auto key = decodePageToken(**token);
  if (!key) {
    return AwsError{"InvalidParameterException", "The specified nextToken is not valid.", 400};
  }
  return std::move(*key);
}

AwsError tooManyTags() {
  return {"TooManyTagsException", "A resource can have no more than 50 tags.", 400};
}

}  // namespace

Result<Change> LogsService::createLogGroup(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("logGroupName");
  if (!name) return name.error();
  auto kms = input.optionalString("kmsKeyId");
  if (!kms) return kms.error();
  auto cls = input.optionalString("logGroupClass");
  if (!cls) return cls.error();
  auto& groups = groupsOf(ctx.scope);
  if (groups.count(*name)) {
    return AwsError{"ResourceAlreadyExistsException", "The specified log group already exists",
                    400};
  }
  auto tags = readTagMap(input.get("tags"));
  if (tags.size() > kMaxTags) return tooManyTags();
  LogGroup g;
  g.name = *name;
  g.creationTime = nowMs();
  g.kmsKeyId = kms->value_or("");
  g.logGroupClass = cls->value_or("STANDARD");
  g.tags = std::move(tags);
  Change change;
  persistGroup(change.batch, ctx.scope, g);
  groups.emplace(*name, std::move(g));
  return change;
}

Result<Change> LogsService::deleteLogGroup(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("logGroupName");
  if (!name) return name.error();
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  Change change;
  change.batch.erase("logs_groups", ctx.scope, *name);
  for (const auto& [sname, s] : (*g)->streams) {
    change.batch.erase("logs_streams", ctx.scope, streamKey(*name, sname));
  }
  events_->dropGroup(change.batch, ctx.scope, *name);
  groupsOf(ctx.scope).erase(*name);
  return change;
}

Result<Change> LogsService::describeLogGroups(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto prefix = input.optionalString("logGroupNamePrefix");
  if (!prefix) return prefix.error();
  auto pattern = input.optionalString("logGroupNamePattern");
  if (!pattern) return pattern.error();
  if (*prefix && *pattern) {
    return AwsError{"InvalidParameterException",
                    "LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                    "parameters.",
                    400};
  }
  auto limit = input.optionalInt("limit");
  if (!limit) return limit.error();
  auto after = readNextToken(input);
  if (!after) return after.error();
  size_t max = static_cast<size_t>(limit->value_or(50));
  auto& groups = groupsOf(ctx.scope);
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = after->empty() ? groups.begin() : groups.upper_bound(*after); it != groups.end();
       ++it) {
    const LogGroup& g = it->second;
    if (*prefix && !g.name.starts_with(**prefix)) continue;
    if (*pattern && g.name.find(**pattern) == std::string::npos) continue;
    if (out.size() == max) {
      more = true;
      break;
    }
    uint64_t bytes = 0;
    for (const auto& [n, s] : g.streams) bytes += s.storedBytes;
    JsonObject o;
    o["logGroupName"] = g.name;
    o["creationTime"] = g.creationTime;
    if (g.retentionInDays) o["retentionInDays"] = *g.retentionInDays;
    o["metricFilterCount"] = 0;
    o["arn"] = logGroupArn(ctx.scope, g.name) + ":*";
    o["storedBytes"] = bytes;
    if (!g.kmsKeyId.empty()) o["kmsKeyId"] = g.kmsKeyId;
    o["logGroupClass"] = g.logGroupClass;
    o["logGroupArn"] = logGroupArn(ctx.scope, g.name);
    out.emplace_back(std::move(o));
    last = g.name;
  }
  JsonObject res;
  res["logGroups"] = std::move(out);
  if (more) res["nextToken"] = encodePageToken(last);
  return Change(std::move(res));
}

Result<Change> LogsService::putRetentionPolicy(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("logGroupName");
  if (!name) return name.error();
  auto days = input.optionalInt("retentionInDays");
  if (!days) return days.error();
  if (!*days) return missingMember("retentionInDays");
  if (std::find(kRetentionDays.begin(), kRetentionDays.end(), **days) == kRetentionDays.end()) {
    std::string set;
    for (int d : kRetentionDays) set += (set.empty() ? "" : ", ") + std::to_string(d);
    return AwsError{"InvalidParameterException",
                    "1 validation error detected: Value '" + std::to_string(**days) +
                        "' at 'retentionInDays' failed to satisfy constraint: Member must "
                        "satisfy enum value set: [" +
                        set + "]",
                    400};
  }
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  (*g)->retentionInDays = static_cast<int>(**days);
  Change change;
  events_->dropBefore(change.batch, ctx.scope, (*g)->name,
                      nowMs() - static_cast<int64_t>(**days) * 24 * 3600 * 1000);
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

Result<Change> LogsService::deleteRetentionPolicy(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("logGroupName");
  if (!name) return name.error();
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  (*g)->retentionInDays.reset();
  Change change;
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

// --- tags: the log-group-name flavour (TagLogGroup) and the ARN flavour ----------

namespace {

Result<Change> applyTags(LogGroup& g, const Json* tags) {
  auto merged = g.tags;
  for (auto& [k, v] : readTagMap(tags)) merged[k] = v;
  if (merged.size() > kMaxTags) return tooManyTags();
  g.tags = std::move(merged);
  return Change();
}

void removeTags(LogGroup& g, const Json* keys) {
  if (!keys || !keys->is_array()) return;
  for (const Json& k : keys->as_array()) {
    if (k.is_string()) g.tags.erase(std::string(k.get_string()));
  }
}

}  // namespace

Result<Change> LogsService::tagLogGroup(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("logGroupName");
  if (!name) return name.error();
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  auto change = applyTags(**g, Input(in).get("tags"));
  if (change) persistGroup(change->batch, ctx.scope, **g);
  return change;
}

Result<Change> LogsService::untagLogGroup(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("logGroupName");
  if (!name) return name.error();
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  removeTags(**g, Input(in).get("tags"));
  Change change;
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

Result<Change> LogsService::listTagsLogGroup(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("logGroupName");
  if (!name) return name.error();
  auto g = groupByName(ctx.scope, *name);
  if (!g) return g.error();
  JsonObject out;
  out["tags"] = tagsJson((*g)->tags);
  return Change(std::move(out));
}

Result<Change> LogsService::tagResource(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("resourceArn");
  if (!arn) return arn.error();
  auto g = groupByArn(ctx.scope, *arn);
  if (!g) return g.error();
  auto change = applyTags(**g, Input(in).get("tags"));
  if (change) persistGroup(change->batch, ctx.scope, **g);
  return change;
}

Result<Change> LogsService::untagResource(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("resourceArn");
  if (!arn) return arn.error();
  auto g = groupByArn(ctx.scope, *arn);
  if (!g) return g.error();
  removeTags(**g, Input(in).get("tagKeys"));
  Change change;
  persistGroup(change.batch, ctx.scope, **g);
  return change;
}

Result<Change> LogsService::listTagsForResource(const Json& in, const CallContext& ctx) {
  auto arn = Input(in).requiredString("resourceArn");
  if (!arn) return arn.error();
  auto g = groupByArn(ctx.scope, *arn);
  if (!g) return g.error();
  JsonObject out;
  out["tags"] = tagsJson((*g)->tags);
  return Change(std::move(out));
}

}  // namespace sluice::services::logs
