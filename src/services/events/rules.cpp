// Rules: PutRule (event pattern or schedule), DescribeRule, ListRules,
// Enable/DisableRule, DeleteRule, TestEventPattern.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/events/events_service.hpp"

namespace sluice::services::events {

Result<Change> EventsService::putRule(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  std::optional<std::string> fields[5];
  const char* members[] = {"ScheduleExpression", "EventPattern", "State", "Description", "RoleArn"};
  for (int i = 0; i < 5; ++i) {
    auto v = input.optionalString(members[i]);
    if (!v) return v.error();
    fields[i] = std::move(*v);
  }
  auto& [schedule, pattern, state, description, role] = fields;
  auto bus = findBus(ctx.scope, input.get("EventBusName"));
  if (!bus) return bus.error();
  if (!schedule && !pattern) {
    return AwsError::validation(
        "Parameter(s) EventPattern or ScheduleExpression must be specified.");
  }
  RuleRecord r;
  if (pattern) {
    auto p = EventPattern::parse(*pattern);
    if (!p) return p.error();
    r.pattern = std::move(*p);
    r.eventPatternText = *pattern;
  }
  if (schedule) {
    if ((*bus)->name != "default") {
      return AwsError::validation("ScheduleExpression is supported only on the default event bus.");
    }
    auto s =
        ScheduleExpression::parse(*schedule, false, "Parameter ScheduleExpression is not valid.");
    if (!s) return s.error();
    r.schedule = *s;
    r.scheduleText = *schedule;
  }
  std::string key = (*bus)->name + "\n" + *name;
  auto& rules = rulesOf(ctx.scope);
  auto existing = rules.find(key);
  r.name = *name;
  r.bus = (*bus)->name;
  r.state = state.value_or("ENABLED");
  r.description = description.value_or("");
  r.roleArn = role.value_or("");
  r.anchor = clock_.now();
  if (existing != rules.end()) {
    r.targets = existing->second.targets;
    r.tags = existing->second.tags;
    r.generation = existing->second.generation + 1;
  }
  if (const Json* tags = input.get("Tags"); tags && tags->is_array()) {
    for (const Json& t : tags->as_array()) {
      r.tags[std::string(t.at("Key").as_string())] = std::string(t.at("Value").as_string());
    }
  }
  JsonObject out;
  out["RuleArn"] = ruleArn(ctx.scope, r);
  Change change(std::move(out));
  persistRule(change.batch, ctx.scope, r);
  bool scheduled = r.schedule.has_value();
  uint64_t generation = r.generation;
  rules[key] = std::move(r);
  if (scheduled) arm(ctx.scope, key, generation);
  return change;
}

namespace {

Json ruleJson(const RuleRecord& r, const std::string& arn) {
  JsonObject o;
  o["Name"] = r.name;
  o["Arn"] = arn;
  if (!r.eventPatternText.empty()) o["EventPattern"] = r.eventPatternText;
  if (!r.scheduleText.empty()) o["ScheduleExpression"] = r.scheduleText;
  o["State"] = r.state;
  if (!r.description.empty()) o["Description"] = r.description;
  if (!r.roleArn.empty()) o["RoleArn"] = r.roleArn;
  o["EventBusName"] = r.bus;
  return o;
}

}  // namespace

Result<Change> EventsService::describeRule(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  Json out = ruleJson(**r, ruleArn(ctx.scope, **r));
  out.as_object()["CreatedBy"] = ctx.scope.account;
  return Change(std::move(out));
}

Result<Change> EventsService::listRules(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto prefix = input.optionalString("NamePrefix");
  if (!prefix) return prefix.error();
  auto limit = input.optionalInt("Limit");
  if (!limit) return limit.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  auto bus = findBus(ctx.scope, input.get("EventBusName"));
  if (!bus) return bus.error();
  std::string after;
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key) return AwsError::validation("The specified NextToken is invalid.");
    after = *key;
  }
  size_t max = static_cast<size_t>(limit->value_or(100));
  auto& rules = rulesOf(ctx.scope);
  std::string start = (*bus)->name + "\n" + after;
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = after.empty() ? rules.lower_bound(start) : rules.upper_bound(start);
       it != rules.end() && it->second.bus == (*bus)->name; ++it) {
    if (*prefix && !it->second.name.starts_with(**prefix)) continue;
    if (out.size() == max) {
      more = true;
      break;
    }
    out.push_back(ruleJson(it->second, ruleArn(ctx.scope, it->second)));
    last = it->second.name;
  }
  JsonObject res;
  res["Rules"] = std::move(out);
  if (more) res["NextToken"] = encodePageToken(last);
  return Change(std::move(res));
}

Result<Change> EventsService::enableRule(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  (*r)->state = "ENABLED";
  ++(*r)->generation;
  Change change;
  persistRule(change.batch, ctx.scope, **r);
  if ((*r)->schedule) arm(ctx.scope, (*r)->bus + "\n" + (*r)->name, (*r)->generation);
  return change;
}

Result<Change> EventsService::disableRule(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) return r.error();
  (*r)->state = "DISABLED";
  ++(*r)->generation;
  Change change;
  persistRule(change.batch, ctx.scope, **r);
  return change;
}

Result<Change> EventsService::deleteRule(const Json& in, const CallContext& ctx) {
  auto r = findRule(ctx.scope, in);
  if (!r) {
    // Deleting a rule that does not exist succeeds, as on AWS.
    if (r.error().code == "ResourceNotFoundException" && r.error().message.starts_with("Rule ")) {
      return Change();
    }
    return r.error();
  }
  if (!(*r)->targets.empty()) {
    return AwsError::validation("Rule can't be deleted since it has targets.");
  }
  std::string key = (*r)->bus + "\n" + (*r)->name;
  Change change;
  change.batch.erase("events_rules", ctx.scope, key);
  rulesOf(ctx.scope).erase(key);
  return change;
}

Result<Change> EventsService::testEventPattern(const Json& in, const CallContext&) {
  Input input(in);
  auto pattern = input.requiredString("EventPattern");
  if (!pattern) return pattern.error();
  auto eventText = input.requiredString("Event");
  if (!eventText) return eventText.error();
  auto p = EventPattern::parse(*pattern);
  if (!p) return p.error();
  auto event = parseJson(*eventText);
  bool valid = event && event->is_object();
  for (const char* field : {"id", "account", "source", "time", "region", "detail-type"}) {
    if (!valid) break;
    valid = event->as_object().contains(field);
  }
  if (!valid) return AwsError::validation("Parameter Event is not valid.");
  JsonObject out;
  out["Result"] = p->matches(*event);
  return Change(std::move(out));
}

}  // namespace sluice::services::events
