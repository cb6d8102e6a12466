#include "services/scheduler/scheduler_service.hpp"

#include <stdexcept>

namespace sluice::services::scheduler {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE scheduler_groups(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE scheduler_schedules(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    // Invocations between their firing and their end (invocations.cpp).
    {2,
     "CREATE TABLE scheduler_invocations(account TEXT NOT NULL, region TEXT NOT NULL, "
     "key TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
};

int64_t micros(TimePoint t) {
  return t.time_since_epoch().count();
}

TimePoint fromMicros(const Json& v) {
  return TimePoint(Duration(v.to_number<int64_t>()));
}

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<TimePoint> optionalTime(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  return fromMicros(*v);
}

Json timeOrNull(const std::optional<TimePoint>& t) {
  return t ? Json(micros(*t)) : Json(nullptr);
}

}  // namespace

std::span<const store::sqlite::Migration> SchedulerService::migrations() {
  return kMigrations;
}

SchedulerService::SchedulerService(const ServiceEnvironment& env, const OperationRegistry& registry)
    : clock_(env.clock), engine_(env.engine), registry_(registry), docs_(env.store) {
  loadFromStore();
}

void SchedulerService::loadFromStore() {
  auto groups =
      docs_.scan("scheduler_groups", [this](const Scope& scope, const std::string& key, Json doc) {
        const JsonObject& o = doc.as_object();
        GroupRecord g;
        g.name = key;
        g.created = fromMicros(o.at("created"));
        g.modified = fromMicros(o.at("modified"));
        for (const auto& kv : o.at("tags").as_object()) {
          g.tags[std::string(kv.key())] = std::string(kv.value().as_string());
        }
        groupsOf(scope)[key] = std::move(g);
      });
  if (!groups) throw std::runtime_error("scheduler: " + groups.error().message);
  auto schedules = docs_.scan("scheduler_schedules",
                              [this](const Scope& scope, const std::string& key, Json doc) {
                                const JsonObject& o = doc.as_object();
                                ScheduleRecord s;
                                s.name = text(o, "name");
                                s.group = text(o, "group");
                                s.description = text(o, "description");
                                s.expressionText = text(o, "expression");
                                s.timezone = text(o, "timezone");
                                s.state = text(o, "state");
                                s.actionAfterCompletion = text(o, "actionAfterCompletion");
                                s.kmsKeyArn = text(o, "kmsKeyArn");
                                s.startDate = optionalTime(o, "startDate");
                                s.endDate = optionalTime(o, "endDate");
                                s.windowMode = text(o, "windowMode");
                                s.windowMinutes = o.at("windowMinutes").to_number<int64_t>();
                                s.target = o.at("target");
                                s.created = fromMicros(o.at("created"));
                                s.modified = fromMicros(o.at("modified"));
                                s.lastFire = optionalTime(o, "lastFire");
                                s.clientToken = text(o, "clientToken");
                                s.requestDigest = text(o, "requestDigest");
                                if (auto e = ScheduleExpression::parse(s.expressionText, true, ""))
                                  s.expression = *e;
                                auto zone = TimeZone::load(s.timezone);
                                s.zone = zone ? *zone : TimeZone::utc();
                                s.generation = ++generations_;
                                schedulesOf(scope)[key] = std::move(s);
                              });
  if (!schedules) throw std::runtime_error("scheduler: " + schedules.error().message);
  for (auto& [sk, all] : schedules_) {
    Scope scope;
    scope.account = sk.substr(0, sk.find('/'));
    scope.region = sk.substr(sk.find('/') + 1);
    for (auto& [key, s] : all) arm(scope, key, s.generation);
  }
  resumeInvocations();
}

void SchedulerService::registerOperations(OperationRegistry& registry) {
  registry.addService("scheduler", "");
  using Op = Result<Change> (SchedulerService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("scheduler", name,
                 [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
                   runLocked(
                       mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
                 });
  };
  add("CreateScheduleGroup", &SchedulerService::createScheduleGroup);
  add("GetScheduleGroup", &SchedulerService::getScheduleGroup);
  add("ListScheduleGroups", &SchedulerService::listScheduleGroups);
  add("DeleteScheduleGroup", &SchedulerService::deleteScheduleGroup);
  add("TagResource", &SchedulerService::tagResource);
  add("UntagResource", &SchedulerService::untagResource);
  add("ListTagsForResource", &SchedulerService::listTagsForResource);
  add("CreateSchedule", &SchedulerService::createSchedule);
  add("UpdateSchedule", &SchedulerService::updateSchedule);
  add("GetSchedule", &SchedulerService::getSchedule);
  add("ListSchedules", &SchedulerService::listSchedules);
  add("DeleteSchedule", &SchedulerService::deleteSchedule);
}

SchedulerService::Groups& SchedulerService::groupsOf(const Scope& scope) {
  Groups& groups = groups_[scopeKey(scope)];
  if (!groups.count("default")) groups["default"].name = "default";  // always exists
  return groups;
}

std::string SchedulerService::groupArn(const Scope& scope, const std::string& group) const {
  return "arn:" + scope.partition + ":scheduler:" + scope.region + ":" + scope.account +
         ":schedule-group/" + group;
}

std::string SchedulerService::scheduleArn(const Scope& scope, const ScheduleRecord& s) const {
  return "arn:" + scope.partition + ":scheduler:" + scope.region + ":" + scope.account +
         ":schedule/" + s.group + "/" + s.name;
}

void SchedulerService::persistSchedule(DocumentBatch& b, const Scope& scope,
                                       const ScheduleRecord& s) const {
  JsonObject o;
  o["name"] = s.name;
  o["group"] = s.group;
  o["description"] = s.description;
  o["expression"] = s.expressionText;
  o["timezone"] = s.timezone;
  o["state"] = s.state;
  o["actionAfterCompletion"] = s.actionAfterCompletion;
  o["kmsKeyArn"] = s.kmsKeyArn;
  o["startDate"] = timeOrNull(s.startDate);
  o["endDate"] = timeOrNull(s.endDate);
  o["windowMode"] = s.windowMode;
  o["windowMinutes"] = s.windowMinutes;
  o["target"] = s.target;
  o["created"] = micros(s.created);
  o["modified"] = micros(s.modified);
  o["lastFire"] = timeOrNull(s.lastFire);
  o["clientToken"] = s.clientToken;
  o["requestDigest"] = s.requestDigest;
  b.put("scheduler_schedules", scope, s.group + "\n" + s.name, o);
}

void SchedulerService::persistGroup(DocumentBatch& b, const Scope& scope,
                                    const GroupRecord& g) const {
  JsonObject o;
  o["created"] = micros(g.created);
  o["modified"] = micros(g.modified);
  JsonObject tags;
  for (const auto& [k, v] : g.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  b.put("scheduler_groups", scope, g.name, o);
}

}  // namespace sluice::services::scheduler
