// Event buses: the default bus always exists; custom buses are created and
// deleted by name.
#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/events/events_service.hpp"

namespace sluice::services::events {

Result<Change> EventsService::createEventBus(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto name = input.requiredString("Name");
  if (!name) return name.error();
  auto description = input.optionalString("Description");
  if (!description) return description.error();
  if (*name == "default" || name->find('/') != std::string::npos) {
    return AwsError::validation("Event bus name " + *name + " is not valid.");
  }
  auto& buses = busesOf(ctx.scope);
  if (buses.count(*name)) {
    return AwsError{"ResourceAlreadyExistsException", "Event bus " + *name + " already exists.",
                    400};
  }
  BusRecord b;
  b.name = *name;
  b.description = description->value_or("");
  b.created = b.modified = clock_.now();
  JsonObject out;
  out["EventBusArn"] = busArn(ctx.scope, b.name);
  if (!b.description.empty()) out["Description"] = b.description;
  Change change(std::move(out));
  persistBus(change.batch, ctx.scope, b);
  buses[*name] = std::move(b);
  return change;
}

Result<Change> EventsService::deleteEventBus(const Json& in, const CallContext& ctx) {
  auto name = Input(in).requiredString("Name");
  if (!name) return name.error();
  if (*name == "default") return AwsError::validation("Cannot delete event bus default.");
  auto& buses = busesOf(ctx.scope);
  Change change;
  // Deleting a bus that does not exist succeeds, as on AWS.
  if (!buses.erase(*name)) return change;
  change.batch.erase("events_buses", ctx.scope, *name);
  auto& rules = rulesOf(ctx.scope);
  for (auto it = rules.lower_bound(*name + "\n"); it != rules.end() && it->second.bus == *name;) {
    change.batch.erase("events_rules", ctx.scope, it->first);
    it = rules.erase(it);
  }
  return change;
}

namespace {

Json busJson(const BusRecord& b, const std::string& arn) {
  JsonObject o;
  o["Name"] = b.name;
  o["Arn"] = arn;
  if (!b.description.empty()) o["Description"] = b.description;
  if (b.created != TimePoint{}) {
    o["CreationTime"] = epochSeconds(b.created);
    o["LastModifiedTime"] = epochSeconds(b.modified);
  }
  return o;
}

}  // namespace

Result<Change> EventsService::describeEventBus(const Json& in, const CallContext& ctx) {
  auto bus = findBus(ctx.scope, Input(in).get("Name"));
  if (!bus) return bus.error();
  return Change(busJson(**bus, busArn(ctx.scope, (*bus)->name)));
}

Result<Change> EventsService::listEventBuses(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto prefix = input.optionalString("NamePrefix");
  if (!prefix) return prefix.error();
  auto limit = input.optionalInt("Limit");
  if (!limit) return limit.error();
  auto token = input.optionalString("NextToken");
  if (!token) return token.error();
  std::string after;
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key) return AwsError::validation("The specified NextToken is invalid.");
    after = *key;
  }
  size_t max = static_cast<size_t>(limit->value_or(100));
  auto& buses = busesOf(ctx.scope);
  JsonArray out;
  std::string last;
  bool more = false;
  for (auto it = after.empty() ? buses.begin() : buses.upper_bound(after); it != buses.end();
       ++it) {
    if (*prefix && !it->first.starts_with(**prefix)) continue;
    if (out.size() == max) {
      more = true;
      break;
    }
    out.push_back(busJson(it->second, busArn(ctx.scope, it->first)));
    last = it->first;
  }
  JsonObject res;
  res["EventBuses"] = std::move(out);
  if (more) res["NextToken"] = encodePageToken(last);
  return Change(std::move(res));
}

}  // namespace sluice::services::events
