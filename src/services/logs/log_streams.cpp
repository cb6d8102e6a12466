// Log streams: create, delete, describe.
#include <algorithm>

#include "services/common/input.hpp"
#include "services/common/pagination.hpp"
#include "services/logs/logs_service.hpp"

namespace sluice::services::logs {

Result<Change> LogsService::createLogStream(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto group = input.requiredString("logGroupName");
  if (!group) return group.error();
  auto name = input.requiredString("logStreamName");
  if (!name) return name.error();
  if (name->find('\n') != std::string::npos) {
    return AwsError{"InvalidParameterException",
                    "Log stream names can't contain a line break character.", 400};
  }
  auto g = groupByName(ctx.scope, *group);
  if (!g) return g.error();
  if ((*g)->streams.count(*name)) {
    return AwsError{"ResourceAlreadyExistsException", "The specified log stream already exists",
                    400};
  }
  LogStream s;
  s.name = *name;
  s.creationTime = nowMs();
  Change change;
  persistStream(change.batch, ctx.scope, **g, s);
  (*g)->streams.emplace(*name, std::move(s));
  return change;
}

Result<Change> LogsService::deleteLogStream(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto group = input.requiredString("logGroupName");
  if (!group) return group.error();
  auto g = groupByName(ctx.scope, *group);
  if (!g) return g.error();
  auto s = findStream(**g, in);
  if (!s) return s.error();
  std::string name = (*s)->name;
  Change change;
  change.batch.erase("logs_streams", ctx.scope, streamKey(*group, name));
  events_->dropStream(change.batch, ctx.scope, (*g)->name, name);
  (*g)->streams.erase(name);
  return change;
}

Result<Change> LogsService::describeLogStreams(const Json& in, const CallContext& ctx) {
  Input input(in);
  auto g = findGroup(ctx.scope, in);
  if (!g) return g.error();
  auto prefix = input.optionalString("logStreamNamePrefix");
  if (!prefix) return prefix.error();
  auto orderBy = input.optionalString("orderBy");
  if (!orderBy) return orderBy.error();
  auto descending = input.optionalBool("descending");
  if (!descending) return descending.error();
  auto limit = input.optionalInt("limit");
  if (!limit) return limit.error();
  auto token = input.optionalString("nextToken");
  if (!token) return token.error();
  bool byTime = orderBy->value_or("LogStreamName") == "LastEventTime";
  if (byTime && *prefix) {
    return AwsError{"InvalidParameterException",
                    "Cannot order by LastEventTime with a logStreamNamePrefix.", 400};
  }
  size_t offset = 0;
  if (*token) {
    auto key = decodePageToken(**token);
    if (!key || key->empty() || key->find_first_not_of("0123456789") != std::string::npos) {
      return AwsError{"InvalidParameterException", "The specified nextToken is not valid.", 400};
    }
    offset = std::stoul(*key);
  }
  std::vector<const LogStream*> streams;
  for (const auto& [name, s] : (*g)->streams) {
    if (!*prefix || name.starts_with(**prefix)) streams.push_back(&s);
  }
  auto lastEvent = [](const LogStream* s) { return s->lastEvent.value_or(0); };
  if (byTime) {
    std::stable_sort(streams.begin(), streams.end(), [&](const LogStream* a, const LogStream* b) {
      return lastEvent(a) < lastEvent(b);
    });
  }
  if (descending->value_or(false)) std::reverse(streams.begin(), streams.end());
  size_t max = static_cast<size_t>(limit->value_or(50));
  JsonArray out;
  size_t i = offset;
  for (; i < streams.size() && out.size() < max; ++i) {
    const LogStream& s = *streams[i];
    JsonObject o;
    o["logStreamName"] = s.name;
    o["creationTime"] = s.creationTime;
    if (s.firstEvent) {
      o["firstEventTimestamp"] = *s.firstEvent;
      o["lastEventTimestamp"] = s.lastEvent.value_or(*s.firstEvent);
      o["lastIngestionTime"] = s.lastIngestion;
    }
    o["arn"] = logGroupArn(ctx.scope, (*g)->name) + ":log-stream:" + s.name;
    o["storedBytes"] = 0;  // AWS reports 0 here since 2019
    out.emplace_back(std::move(o));
  }
  JsonObject res;
  res["logStreams"] = std::move(out);
  if (i < streams.size()) res["nextToken"] = encodePageToken(std::to_string(i));
  return Change(std::move(res));
}

}  // namespace sluice::services::logs
