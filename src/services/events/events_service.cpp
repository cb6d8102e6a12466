#include "services/events/events_service.hpp"

#include <iostream>
#include <stdexcept>

#include "services/common/input.hpp"

namespace sluice::services::events {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE events_buses(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE events_rules(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key))"},
    // Deliveries in flight (PendingDeliveries).
    {2, "CREATE TABLE events_pending(id TEXT PRIMARY KEY, doc TEXT NOT NULL)"},
};

std::string text(const JsonObject& o, std::string_view key) {
  const Json* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

std::string eventTime(TimePoint t) {
  std::string iso = formatIso8601(t);  // ...T03:04:05.678Z
  return iso.substr(0, 19) + "Z";
}

std::span<const store::sqlite::Migration> EventsService::migrations() {
  return kMigrations;
}

EventsService::EventsService(const ServiceEnvironment& env, const OperationRegistry& registry)
    : clock_(env.clock),
      engine_(env.engine),
      registry_(registry),
      docs_(env.store),
      pending_(env.store, "events_pending") {
  auto buses =
      docs_.scan("events_buses", [this](const Scope& scope, const std::string& key, Json doc) {
        const JsonObject& o = doc.as_object();
        BusRecord b;
        b.name = key;
        b.description = text(o, "description");
        b.created = TimePoint(Duration(o.at("created").to_number<int64_t>()));
        b.modified = TimePoint(Duration(o.at("modified").to_number<int64_t>()));
        busesOf(scope)[key] = std::move(b);
      });
  if (!buses) throw std::runtime_error("events: " + buses.error().message);
  auto rules =
      docs_.scan("events_rules", [this](const Scope& scope, const std::string& key, Json doc) {
        const JsonObject& o = doc.as_object();
        RuleRecord r;
        r.name = text(o, "name");
        r.bus = text(o, "bus");
        r.eventPatternText = text(o, "eventPattern");
        r.scheduleText = text(o, "schedule");
        r.state = text(o, "state");
        r.description = text(o, "description");
        r.roleArn = text(o, "roleArn");
        r.anchor = TimePoint(Duration(o.at("anchor").to_number<int64_t>()));
        for (const auto& kv : o.at("tags").as_object()) {
          r.tags[std::string(kv.key())] = std::string(kv.value().as_string());
        }
        for (const Json& t : o.at("targets").as_array()) r.targets.push_back(t);
        if (!r.eventPatternText.empty()) {
          if (auto p = EventPattern::parse(r.eventPatternText)) r.pattern = std::move(*p);
        }
        if (!r.scheduleText.empty()) {
          if (auto s = ScheduleExpression::parse(r.scheduleText, false, "")) r.schedule = *s;
        }
        rulesOf(scope)[key] = std::move(r);
      });
  if (!rules) throw std::runtime_error("events: " + rules.error().message);
  for (auto& [sk, rs] : rules_) {
    Scope scope;
    scope.account = sk.substr(0, sk.find('/'));
    scope.region = sk.substr(sk.find('/') + 1);
    for (auto& [key, r] : rs) {
      if (r.schedule) arm(scope, key, r.generation);
    }
  }
  if (auto resumed = resumePending(); !resumed) {
    throw std::runtime_error("events: " + resumed.error().message);
  }
}

void EventsService::registerOperations(OperationRegistry& registry) {
  registry.addService("events", "AWSEvents");
  using Op = Result<Change> (EventsService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("events", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  add("CreateEventBus", &EventsService::createEventBus);
  add("DeleteEventBus", &EventsService::deleteEventBus);
  add("DescribeEventBus", &EventsService::describeEventBus);
  add("ListEventBuses", &EventsService::listEventBuses);
  add("PutRule", &EventsService::putRule);
  add("DescribeRule", &EventsService::describeRule);
  add("ListRules", &EventsService::listRules);
  add("EnableRule", &EventsService::enableRule);
  add("DisableRule", &EventsService::disableRule);
  add("DeleteRule", &EventsService::deleteRule);
  add("PutTargets", &EventsService::putTargets);
  add("RemoveTargets", &EventsService::removeTargets);
  add("ListTargetsByRule", &EventsService::listTargetsByRule);
  add("TestEventPattern", &EventsService::testEventPattern);
  registry.add("events", "PutEvents", [this](const Json& in, const CallContext& ctx, Reply reply) {
    std::vector<Delivery> deliveries;
    Result<Json> result = AwsError::internal("");
    {
      std::lock_guard lock(mu_);
      result = putEvents(in, ctx, deliveries);
    }
    if (!result) return reply(std::move(result));
    // Acknowledged once every delivery it sets off is stored.
    deliverAfterCommit(
        std::move(deliveries),
        [result = std::move(*result), reply = std::move(reply)](Result<void> stored) mutable {
          if (!stored) return reply(stored.error());
          reply(std::move(result));
        });
  });
}

EventsService::Buses& EventsService::busesOf(const Scope& scope) {
  Buses& buses = buses_[scopeKey(scope)];
  if (!buses.count("default")) {
    BusRecord b;
    b.name = "default";
    b.created = b.modified = TimePoint{};
    buses["default"] = b;
  }
  return buses;
}

std::string EventsService::busArn(const Scope& scope, const std::string& bus) const {
  return "arn:" + scope.partition + ":events:" + scope.region + ":" + scope.account +
         ":event-bus/" + bus;
}

std::string EventsService::ruleArn(const Scope& scope, const RuleRecord& r) const {
  std::string path = r.bus == "default" ? r.name : r.bus + "/" + r.name;
  return "arn:" + scope.partition + ":events:" + scope.region + ":" + scope.account + ":rule/" +
         path;
}

Result<BusRecord*> EventsService::findBus(const Scope& scope, const Json* nameOrArn) {
  std::string name = "default";
  if (nameOrArn && nameOrArn->is_string()) {
    name = std::string(nameOrArn->get_string());
    if (auto at = name.find(":event-bus/"); name.starts_with("arn:") && at != std::string::npos) {
      name = name.substr(at + std::string_view(":event-bus/").size());
    }
  }
  auto& buses = busesOf(scope);
  auto it = buses.find(name);
  if (it == buses.end()) {
    return AwsError{"ResourceNotFoundException", "Event bus " + name + " does not exist.", 400};
  }
  return &it->second;
}

Result<RuleRecord*> EventsService::findRule(const Scope& scope, const Json& in) {
  Input input(in);
  auto name = input.has("Name") ? input.requiredString("Name") : input.requiredString("Rule");
  if (!name) return name.error();
  auto bus = findBus(scope, input.get("EventBusName"));
  if (!bus) return bus.error();
  auto& rules = rulesOf(scope);
  auto it = rules.find((*bus)->name + "\n" + *name);
  if (it == rules.end()) {
    return AwsError{"ResourceNotFoundException",
                    "Rule " + *name + " does not exist on EventBus " + (*bus)->name + ".", 400};
  }
  return &it->second;
}

void EventsService::persistRule(DocumentBatch& b, const Scope& scope, const RuleRecord& r) const {
  JsonObject o;
  o["name"] = r.name;
  o["bus"] = r.bus;
  o["eventPattern"] = r.eventPatternText;
  o["schedule"] = r.scheduleText;
  o["state"] = r.state;
  o["description"] = r.description;
  o["roleArn"] = r.roleArn;
  o["anchor"] = toEpochMicros(r.anchor);
  JsonObject tags;
  for (const auto& [k, v] : r.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  JsonArray targets;
  for (const Json& t : r.targets) targets.push_back(t);
  o["targets"] = std::move(targets);
  b.put("events_rules", scope, r.bus + "\n" + r.name, o);
}

void EventsService::persistBus(DocumentBatch& b, const Scope& scope, const BusRecord& bus) const {
  JsonObject o;
  o["description"] = bus.description;
  o["created"] = toEpochMicros(bus.created);
  o["modified"] = toEpochMicros(bus.modified);
  b.put("events_buses", scope, bus.name, o);
}

// --- scheduled rules ------------------------------------------------------------

void EventsService::arm(const Scope& scope, const std::string& key, uint64_t generation) {
  engine_.loop.post([this, scope, key, generation] {
    std::optional<TimePoint> next;
    {
      std::lock_guard lock(mu_);
      auto& rules = rulesOf(scope);
      auto it = rules.find(key);
      if (it == rules.end() || it->second.generation != generation || !it->second.schedule ||
          !it->second.enabled()) {
        return;
      }
      next =
          it->second.schedule->nextAfter(engine_.loop.now(), it->second.anchor, *TimeZone::utc());
    }
    if (!next) return;
    engine_.loop.schedule(*next, [this, scope, key, generation] { fire(scope, key, generation); });
  });
}

void EventsService::fire(const Scope& scope, const std::string& key, uint64_t generation) {
  std::vector<Delivery> deliveries;
  {
    std::lock_guard lock(mu_);
    auto& rules = rulesOf(scope);
    auto it = rules.find(key);
    if (it == rules.end() || it->second.generation != generation || !it->second.enabled()) return;
    JsonObject event;
    event["version"] = "0";
    event["id"] = engine_.ids.uuid();
    event["detail-type"] = "Scheduled Event";
    event["source"] = "aws.events";
    event["account"] = scope.account;
    event["time"] = eventTime(clock_.now());
    event["region"] = scope.region;
    event["resources"] = JsonArray{Json(ruleArn(scope, it->second))};
    event["detail"] = JsonObject{};
    deliveries = deliveriesFor(scope, it->second, event);
  }
  deliverAfterCommit(std::move(deliveries), [](Result<void> stored) {
    if (!stored)
      std::cerr << "events: scheduled deliveries lost: " << stored.error().message << "\n";
  });
  arm(scope, key, generation);
}

}  // namespace sluice::services::events
