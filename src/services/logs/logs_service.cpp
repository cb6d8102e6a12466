#include "services/logs/logs_service.hpp"

#include <stdexcept>

#include "services/common/input.hpp"

namespace sluice::services::logs {

namespace {

constexpr store::sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE logs_groups(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE logs_streams(account TEXT NOT NULL, region TEXT NOT NULL, key TEXT NOT NULL, "
     "doc TEXT NOT NULL, PRIMARY KEY(account, region, key));"
     "CREATE TABLE logs_events(id INTEGER PRIMARY KEY, account TEXT NOT NULL, "
     "region TEXT NOT NULL, log_group TEXT NOT NULL, log_stream TEXT NOT NULL, "
     "timestamp INTEGER NOT NULL, ingestion INTEGER NOT NULL, message TEXT NOT NULL);"
     "CREATE INDEX logs_events_stream ON logs_events(account, region, log_group, log_stream)"},
    // Events are read a page at a time in (timestamp, id) order, per stream
    // (GetLogEvents) or per group (FilterLogEvents).
    {2,
     "DROP INDEX logs_events_stream;"
     "CREATE INDEX logs_events_order ON logs_events(account, region, log_group, log_stream, "
     "timestamp, id);"
     "CREATE INDEX logs_events_time ON logs_events(account, region, log_group, timestamp, id)"},
};

}  // namespace

std::string streamKey(std::string_view group, std::string_view stream) {
  return std::string(group) + "\n" + std::string(stream);
}

Json tagsJson(const std::map<std::string, std::string>& tags) {
  JsonObject o;
  for (const auto& [k, v] : tags) o[k] = v;
  return o;
}

std::map<std::string, std::string> readTagMap(const Json* v) {
  std::map<std::string, std::string> out;
  if (v && v->is_object()) {
    for (const auto& kv : v->as_object()) {
      if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  return out;
}

std::string logGroupArn(const Scope& scope, std::string_view name) {
  return "arn:" + scope.partition + ":logs:" + scope.region + ":" + scope.account +
         ":log-group:" + std::string(name);
}

std::span<const store::sqlite::Migration> LogsService::migrations() {
  return kMigrations;
}

LogsService::LogsService(const ServiceEnvironment& env) : clock_(env.clock), docs_(env.store) {
  auto fail = [](const AwsError& e) { throw std::runtime_error("logs: " + e.message); };
  auto groups =
      docs_.scan("logs_groups", [this](const Scope& scope, const std::string& key, Json doc) {
        const JsonObject& o = doc.as_object();
        LogGroup g;
        g.name = key;
        g.creationTime = o.at("creationTime").to_number<int64_t>();
        if (const Json* r = o.if_contains("retentionInDays"); r && !r->is_null()) {
          g.retentionInDays = static_cast<int>(r->to_number<int64_t>());
        }
        g.kmsKeyId = std::string(o.at("kmsKeyId").as_string());
        g.logGroupClass = std::string(o.at("logGroupClass").as_string());
        g.tags = readTagMap(o.if_contains("tags"));
        groupsOf(scope)[key] = std::move(g);
      });
  if (!groups) fail(groups.error());
  std::vector<std::tuple<Scope, std::string, std::string>> stale;
  auto streams = docs_.scan("logs_streams",
                            [this, &stale](const Scope& scope, const std::string& key, Json doc) {
                              auto nl = key.find('\n');
                              if (nl == std::string::npos) return;
                              auto& groups = groupsOf(scope);
                              auto g = groups.find(key.substr(0, nl));
                              if (g == groups.end()) return;
                              const JsonObject& o = doc.as_object();
                              LogStream s;
                              s.name = key.substr(nl + 1);
                              s.creationTime = o.at("creationTime").to_number<int64_t>();
                              s.lastIngestion = o.at("lastIngestion").to_number<int64_t>();
                              s.uploads = o.at("uploads").to_number<uint64_t>();
                              if (const Json* b = o.if_contains("storedBytes")) {
                                s.storedBytes = b->to_number<uint64_t>();
                                if (const Json* f = o.if_contains("firstEvent"))
                                  s.firstEvent = f->to_number<int64_t>();
                                if (const Json* l = o.if_contains("lastEvent"))
                                  s.lastEvent = l->to_number<int64_t>();
                              } else {
                                stale.push_back({scope, g->first, s.name});
                              }
                              g->second.streams[s.name] = std::move(s);
                            });
  if (!streams) fail(streams.error());
  events_ = docs_.store() ? makeSqlEventStore(*docs_.store()) : makeMemoryEventStore();
  // Streams stored before their span and size were kept with them: once.
  for (const auto& [scope, group, name] : stale) {
    auto st = events_->stats(scope, group, name);
    if (!st) fail(st.error());
    LogStream& s = groupsOf(scope)[group].streams[name];
    s.firstEvent = st->first;
    s.lastEvent = st->last;
    s.storedBytes = st->bytes;
  }
  auto last = events_->maxId();
  if (!last) fail(last.error());
  nextEventId_ = *last + 1;
}

void LogsService::registerOperations(OperationRegistry& registry) {
  registry.addService("logs", "Logs_20140328");
  using Op = Result<Change> (LogsService::*)(const Json&, const CallContext&);
  auto add = [&](const char* name, Op fn) {
    registry.add("logs", name, [this, fn](const Json& in, const CallContext& ctx, Reply reply) {
      runLocked(
          mu_, docs_, [&]() { return (this->*fn)(in, ctx); }, std::move(reply));
    });
  };
  add("CreateLogGroup", &LogsService::createLogGroup);
  add("DeleteLogGroup", &LogsService::deleteLogGroup);
  add("DescribeLogGroups", &LogsService::describeLogGroups);
  add("PutRetentionPolicy", &LogsService::putRetentionPolicy);
  add("DeleteRetentionPolicy", &LogsService::deleteRetentionPolicy);
  add("CreateLogStream", &LogsService::createLogStream);
  add("DeleteLogStream", &LogsService::deleteLogStream);
  add("DescribeLogStreams", &LogsService::describeLogStreams);
  add("PutLogEvents", &LogsService::putLogEvents);
  add("GetLogEvents", &LogsService::getLogEvents);
  add("FilterLogEvents", &LogsService::filterLogEvents);
  add("TestMetricFilter", &LogsService::testMetricFilter);
  add("TagLogGroup", &LogsService::tagLogGroup);
  add("UntagLogGroup", &LogsService::untagLogGroup);
  add("ListTagsLogGroup", &LogsService::listTagsLogGroup);
  add("TagResource", &LogsService::tagResource);
  add("UntagResource", &LogsService::untagResource);
  add("ListTagsForResource", &LogsService::listTagsForResource);
}

int64_t LogsService::nowMs() const {
  return clock_.now().time_since_epoch().count() / 1000;
}

Result<LogGroup*> LogsService::groupByName(const Scope& scope, const std::string& name) {
  auto& groups = groupsOf(scope);
  auto it = groups.find(name);
  if (it == groups.end()) {
    return AwsError{"ResourceNotFoundException", "The specified log group does not exist.", 400};
  }
  return &it->second;
}

Result<LogGroup*> LogsService::findGroup(const Scope& scope, const Json& in) {
  Input input(in);
  auto name = input.optionalString("logGroupName");
  if (!name) return name.error();
  auto id = input.optionalString("logGroupIdentifier");
  if (!id) return id.error();
  if (*name && *id) {
    return AwsError{"InvalidParameterException",
                    "LogGroup name and LogGroup ARN are mutually exclusive parameters.", 400};
  }
  if (*name) return groupByName(scope, **name);
  if (*id) {
    std::string ident = **id;
    std::string prefix = logGroupArn(scope, "");
    if (ident.starts_with(prefix)) {
      ident = ident.substr(prefix.size());
      if (ident.ends_with(":*")) ident.resize(ident.size() - 2);
    }
    return groupByName(scope, ident);
  }
  return AwsError{"InvalidParameterException",
                  "Should provide either name or identifier for log group.", 400};
}

Result<LogStream*> LogsService::findStream(LogGroup& group, const Json& in) {
  auto name = Input(in).requiredString("logStreamName");
  if (!name) return name.error();
  auto it = group.streams.find(*name);
  if (it == group.streams.end()) {
    return AwsError{"ResourceNotFoundException", "The specified log stream does not exist.", 400};
  }
  return &it->second;
}

Result<LogGroup*> LogsService::groupByArn(const Scope& scope, const std::string& arn) {
  std::string prefix = logGroupArn(scope, "");
  if (!arn.starts_with(prefix)) {
    return AwsError{"ResourceNotFoundException", "The specified resource does not exist.", 400};
  }
  std::string name = arn.substr(prefix.size());
  if (name.ends_with(":*")) name.resize(name.size() - 2);
  auto g = groupByName(scope, name);
  if (!g)
    return AwsError{"ResourceNotFoundException", "The specified resource does not exist.", 400};
  return g;
}

void LogsService::persistGroup(DocumentBatch& b, const Scope& scope, const LogGroup& g) const {
  JsonObject o;
  o["creationTime"] = g.creationTime;
  if (g.retentionInDays) o["retentionInDays"] = *g.retentionInDays;
  o["kmsKeyId"] = g.kmsKeyId;
  o["logGroupClass"] = g.logGroupClass;
  o["tags"] = tagsJson(g.tags);
  b.put("logs_groups", scope, g.name, o);
}

void LogsService::persistStream(DocumentBatch& b, const Scope& scope, const LogGroup& g,
                                const LogStream& s) const {
  JsonObject o;
  o["creationTime"] = s.creationTime;
  o["lastIngestion"] = s.lastIngestion;
  o["uploads"] = s.uploads;
  o["storedBytes"] = s.storedBytes;
  if (s.firstEvent) o["firstEvent"] = *s.firstEvent;
  if (s.lastEvent) o["lastEvent"] = *s.lastEvent;
  b.put("logs_streams", scope, streamKey(g.name, s.name), o);
}

}  // namespace sluice::services::logs
