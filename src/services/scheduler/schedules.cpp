// CreateSchedule, UpdateSchedule, GetSchedule, ListSchedules, DeleteSchedule.
#include <algorithm>

#include "core/digest.hpp"
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/common/target_delivery.hpp"
#include "services/scheduler/scheduler_service.hpp"

namespace sluice::services::scheduler {

namespace {

const Json* member(const Json& o, std::string_view key) {
  const Json* v = o.is_object() ? o.as_object().if_contains(key) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

std::string textOr(const Json& o, std::string_view key, std::string fallback) {
  const Json* v = member(o, key);
  return v && v->is_string() ? std::string(v->get_string()) : fallback;
}

// Timestamps arrive as epoch seconds (restJson's default format).
std::optional<TimePoint> timeMember(const Json& o, std::string_view key) {
  const Json* v = member(o, key);
  if (!v || !isNumber(*v)) return std::nullopt;
  return fromSeconds(toDouble(*v));
}

// Read-only API actions universal targets refuse (AWS's documented prefixes).
constexpr std::string_view kReadOnlyPrefixes[] = {"get",
                                                  "describe",
                                                  "list",
                                                  "poll",
                                                  "receive",
                                                  "search",
                                                  "scan",
                                                  "query",
                                                  "select",
                                                  "read",
                                                  "lookup",
                                                  "discover",
                                                  "validate",
                                                  "batchGet",
                                                  "batchDescribe",
                                                  "batchRead",
                                                  "transactGet",
                                                  "adminGet",
                                                  "adminList",
                                                  "testMigration",
                                                  "retrieve",
                                                  "testConnection",
                                                  "translateDocument",
                                                  "isAuthorized",
                                                  "invokeModel"};

bool readOnlyAction(const std::string& action) {
  return std::any_of(std::begin(kReadOnlyPrefixes), std::end(kReadOnlyPrefixes),
                     [&](std::string_view p) { return action.starts_with(p); });
}

Result<void> checkTarget(const Json& target) {
  std::string arn = textOr(target, "Arn", "");
  if (arn.starts_with("arn:aws:scheduler:::aws-sdk:")) {
    // arn:aws:scheduler:::aws-sdk:<service>:<apiAction>
    std::string service = arnPart(arn, 6);
    std::string action = arnPart(arn, 7);
    if (service.empty() || action.empty() || std::count(arn.begin(), arn.end(), ':') != 7) {
      return AwsError::validation("Invalid universal target ARN " + arn + ".");
    }
    if (readOnlyAction(action)) {
      return AwsError::validation("Universal targets do not support the read-only API action " +
                                  action + ".");
    }
    if (const Json* input = member(target, "Input"); input && !parseJson(input->as_string())) {
      return AwsError::validation("Input of a universal target must be valid JSON.");
    }
    return {};
  }
  if (arnPart(arn, 2) == "events" && arn.find(":event-bus/") != std::string::npos &&
      !member(target, "EventBridgeParameters")) {
    return AwsError::validation(
        "EventBridgeParameters is required for targets of type EventBridge PutEvents.");
  }
  // Templated targets of services Sluice does not serve: the ARN must name
  // the right resource and carry the API's required parameters (their
  // members are checked against the service model before this).
  struct Templated {
    std::string_view service, resource, parameters, api;
    bool parametersRequired;
  };
  static constexpr Templated kTemplated[] = {
      {"kinesis", "stream/", "KinesisParameters", "Kinesis PutRecord", true},
      {"ecs", "cluster/", "EcsParameters", "ECS RunTask", true},
      {"sagemaker", "pipeline/", "SageMakerPipelineParameters", "SageMaker StartPipelineExecution",
       false}};
  for (const Templated& t : kTemplated) {
    bool isTarget = arnPart(arn, 2) == t.service;
    if (isTarget && !arnPart(arn, 5).starts_with(t.resource)) {
      return AwsError::validation(
          "Invalid " + std::string(t.api) + " target ARN " + arn + ": expected a " +
          std::string(t.resource.substr(0, t.resource.size() - 1)) + " ARN.");
    }
    if (isTarget && t.parametersRequired && !member(target, t.parameters)) {
      return AwsError::validation(std::string(t.parameters) + " is required for targets of type " +
                                  std::string(t.api) + ".");
    }
    if (!isTarget && member(target, t.parameters)) {
      return AwsError::validation(std::string(t.parameters) +
                                  " can only be used with targets of type " + std::string(t.api) +
                                  ".");
    }
  }
  return {};
}

// The request as text with object members in name order, so equal requests
// digest the same whatever order a client wrote them in.
void canonical(const Json& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::pair<std::string_view, const Json*>> members;
    for (const auto& kv : v.as_object()) members.emplace_back(kv.key(), &kv.value());
    std::sort(members.begin(), members.end());
    out += '{';
    for (const auto& [k, m] : members) {
      out += toJsonText(Json(k)) + ':';
      canonical(*m, out);
      out += ',';
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    for (const Json& e : v.as_array()) {
      canonical(e, out);
      out += ',';
    }
    out += ']';
  } else {
    out += toJsonText(v);
  }
}

std::string requestDigest(const Json& in) {
  Json rest = in;
  rest.as_object().erase("ClientToken");
  std::string text;
  canonical(rest, text);
  return hexDigest("SHA-256", text).value_or(text);
}

JsonObject scheduleJson(const std::string& arn, const ScheduleRecord& s) {
  JsonObject o;
  o["ActionAfterCompletion"] = s.actionAfterCompletion;
  o["Arn"] = arn;
  o["CreationDate"] = epochSeconds(s.created);
  if (!s.description.empty()) o["Description"] = s.description;
  if (s.endDate) o["EndDate"] = epochSeconds(*s.endDate);
  JsonObject window;
  window["Mode"] = s.windowMode;
  if (s.windowMode == "FLEXIBLE") window["MaximumWindowInMinutes"] = s.windowMinutes;
  o["FlexibleTimeWindow"] = std::move(window);
  o["GroupName"] = s.group;
  if (!s.kmsKeyArn.empty()) o["KmsKeyArn"] = s.kmsKeyArn;
  o["LastModificationDate"] = epochSeconds(s.modified);
  o["Name"] = s.name;
  o["ScheduleExpression"] = s.expressionText;
  o["ScheduleExpressionTimezone"] = s.timezone;
  if (s.startDate) o["StartDate"] = epochSeconds(*s.startDate);
  o["State"] = s.state;
  o["Target"] = s.target;
  return o;
}

}  // namespace

Result<void> SchedulerService::readSchedule(const Json& in, ScheduleRecord& s) const {
  s.expressionText = textOr(in, "ScheduleExpression", "");
  auto expression = ScheduleExpression::parse(
      s.expressionText, true, "Invalid Schedule Expression " + s.expressionText + ".");
  if (!expression) return expression.error();
  s.expression = *expression;
  s.timezone = textOr(in, "ScheduleExpressionTimezone", "UTC");
  auto zone = TimeZone::load(s.timezone);
  if (!zone) return zone.error();
  s.zone = *zone;
  s.description = textOr(in, "Description", "");
  s.state = textOr(in, "State", "ENABLED");
  s.actionAfterCompletion = textOr(in, "ActionAfterCompletion", "NONE");
  s.kmsKeyArn = textOr(in, "KmsKeyArn", "");
  s.startDate = timeMember(in, "StartDate");
  s.endDate = timeMember(in, "EndDate");
  if (s.startDate && s.endDate && *s.endDate <= *s.startDate) {
    return AwsError::validation("The StartDate must come before the EndDate.");
  }
  if (s.endDate && *s.endDate <= clock_.now()) {
    return AwsError::validation("The EndDate must be in the future.");
  }
  const Json& window = in.at("FlexibleTimeWindow");
  s.windowMode = textOr(window, "Mode", "OFF");
  const Json* minutes = member(window, "MaximumWindowInMinutes");
  if (s.windowMode == "FLEXIBLE" && !minutes) {
    return AwsError::validation(
        "MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.");
  }
  if (s.windowMode == "OFF" && minutes) {
    return AwsError::validation(
        "MaximumWindowInMinutes must not be set when FlexibleTimeWindow Mode is OFF.");
  }
  s.windowMinutes = minutes ? static_cast<int64_t>(toDouble(*minutes)) : 0;
  s.target = in.at("Target");
  return checkTarget(s.target);
}

Result<Change> SchedulerService::putSchedule(const Json& in, const CallContext& ctx, bool create) {
  std::string name(in.at("Name").as_string());
  std::string group = textOr(in, "GroupName", "default");
  if (auto g = findGroup(ctx.scope, group); !g) return g.error();
  auto& schedules = schedulesOf(ctx.scope);
  std::string key = group + "\n" + name;
  auto existing = schedules.find(key);
  std::string token = create ? textOr(in, "ClientToken", "") : "";
  std::string digest = create ? requestDigest(in) : "";
  if (!token.empty()) {
    // A retried CreateSchedule: the same token and request get the first
    // answer; the same token with another request is a conflict.
    for (const auto& [k, s] : schedules) {
      if (s.clientToken != token) continue;
      if (k != key || s.requestDigest != digest) {
        return AwsError{"ConflictException",
                        "ClientToken " + token + " was already used with a different request.",
                        409};
      }
      JsonObject out;
      out["ScheduleArn"] = scheduleArn(ctx.scope, s);
      return Change(std::move(out));
    }
  }
  if (create && existing != schedules.end()) {
    return AwsError{"ConflictException", "Schedule " + name + " already exists.", 409};
  }
  if (!create && existing == schedules.end()) {
    return AwsError{"ResourceNotFoundException", "Schedule " + name + " does not exist.", 404};
  }
  ScheduleRecord s;
  s.name = name;
  s.group = group;
  if (auto ok = readSchedule(in, s); !ok) return ok.error();
  s.modified = clock_.now();
  s.created = create ? s.modified : existing->second.created;
  // An updated schedule keeps its last firing, so it never fires the same
  // time twice; its timer is re-armed under a new generation.
  s.lastFire = create ? std::nullopt : existing->second.lastFire;
  s.clientToken = create ? token : existing->second.clientToken;
  s.requestDigest = create ? digest : existing->second.requestDigest;
  s.generation = ++generations_;
  JsonObject out;
  out["ScheduleArn"] = scheduleArn(ctx.scope, s);
  Change change(std::move(out));
  persistSchedule(change.batch, ctx.scope, s);
  schedules[key] = std::move(s);
  arm(ctx.scope, key, schedules[key].generation);
  return change;
}

Result<Change> SchedulerService::createSchedule(const Json& in, const CallContext& ctx) {
  return putSchedule(in, ctx, true);
}

Result<Change> SchedulerService::updateSchedule(const Json& in, const CallContext& ctx) {
  return putSchedule(in, ctx, false);
}

Result<Change> SchedulerService::getSchedule(const Json& in, const CallContext& ctx) {
  std::string name(in.at("Name").as_string());
  std::string group = textOr(in, "GroupName", "default");
  if (auto g = findGroup(ctx.scope, group); !g) return g.error();
  auto& schedules = schedulesOf(ctx.scope);
  auto it = schedules.find(group + "\n" + name);
  if (it == schedules.end()) {
    return AwsError{"ResourceNotFoundException", "Schedule " + name + " does not exist.", 404};
  }
  return Change(scheduleJson(scheduleArn(ctx.scope, it->second), it->second));
}

Result<Change> SchedulerService::deleteSchedule(const Json& in, const CallContext& ctx) {
  std::string name(in.at("Name").as_string());
  std::string group = textOr(in, "GroupName", "default");
  if (auto g = findGroup(ctx.scope, group); !g) return g.error();
  auto& schedules = schedulesOf(ctx.scope);
  std::string key = group + "\n" + name;
  if (!schedules.erase(key)) {
    return AwsError{"ResourceNotFoundException", "Schedule " + name + " does not exist.", 404};
  }
  Change change;
  change.batch.erase("scheduler_schedules", ctx.scope, key);
  return change;
}

Result<Change> SchedulerService::listSchedules(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto group = input.optionalString("GroupName");
  auto prefix = input.optionalString("NamePrefix");
  auto state = input.optionalString("State");
  auto max = input.optionalInt("MaxResults");
  auto token = input.optionalString("NextToken");
  if (!group || !prefix || !state || !max || !token) {
    return AwsError::validation("Invalid ListSchedules request.");
  }
  if (*group) {
    if (auto g = findGroup(ctx.scope, **group); !g) return g.error();
  }
  std::string after;
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key) return AwsError::validation("Invalid NextToken.");
    after = *key;
  }
  size_t limit = max->value_or(100);
  JsonArray list;
  JsonObject out;
  std::string lastKey;
  for (const auto& [key, s] : schedulesOf(ctx.scope)) {
    if (!after.empty() && key <= after) continue;
    if (*group && s.group != **group) continue;
    if (*prefix && !s.name.starts_with(**prefix)) continue;
    if (*state && s.state != **state) continue;
    if (list.size() == limit) {
      out["NextToken"] = encodePageToken(lastKey);
      break;
    }
    JsonObject summary;
    summary["Arn"] = scheduleArn(ctx.scope, s);
    summary["CreationDate"] = epochSeconds(s.created);
    summary["GroupName"] = s.group;
    summary["LastModificationDate"] = epochSeconds(s.modified);
    summary["Name"] = s.name;
    summary["State"] = s.state;
    JsonObject target;
    target["Arn"] = s.target.at("Arn");
    summary["Target"] = std::move(target);
    list.push_back(std::move(summary));
    lastKey = key;
  }
  out["Schedules"] = std::move(list);
  return Change(std::move(out));
}

}  // namespace sluice::services::scheduler
