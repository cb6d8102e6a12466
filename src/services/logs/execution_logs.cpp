#include "services/logs/execution_logs.hpp"

#include <memory>

#include "engine/execution.hpp"
#include "services/states/states_service.hpp"

namespace sluice::services::logs {

namespace {

constexpr size_t kEventsPerBatch = 1000;
constexpr int64_t kMaxBatchSpanMs = 24LL * 3600 * 1000;

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool selected(std::string_view level, std::string_view type) {
  if (level == "ALL") return true;
  if (level == "FATAL") {
    return type == "ExecutionFailed" || type == "ExecutionTimedOut" || type == "ExecutionAborted";
  }
  if (level == "ERROR") {
    return endsWith(type, "Failed") || endsWith(type, "TimedOut") || endsWith(type, "Aborted");
  }
  return false;
}

// The log group named by the configuration's destination, or empty.
std::string logGroupName(const Json& config) {
  const JsonObject* o = config.if_object();
  const Json* dests = o ? o->if_contains("destinations") : nullptr;
  if (!dests || !dests->is_array() || dests->as_array().empty()) return {};
  const JsonObject* d = dests->as_array()[0].if_object();
  const Json* group = d ? d->if_contains("cloudWatchLogsLogGroup") : nullptr;
  const Json* arn =
      group && group->is_object() ? group->as_object().if_contains("logGroupArn") : nullptr;
  if (!arn || !arn->is_string()) return {};
  std::string_view text = arn->get_string();
  auto at = text.find(":log-group:");
  if (at == std::string_view::npos) return {};
  std::string name(text.substr(at + std::string_view(":log-group:").size()));
  if (endsWith(name, ":*")) name.resize(name.size() - 2);
  return name;
}

int64_t toMs(TimePoint t) {
  return t.time_since_epoch().count() / 1000;
}

std::string streamName(const engine::Execution& e) {
  std::string iso = formatIso8601(e.startTime());  // 2024-01-02T03:04:05.678Z
  std::string minute = iso.substr(0, 10) + "-" + iso.substr(11, 2) + "-" + iso.substr(14, 2);
  std::string machine = e.stateMachineArn().substr(e.stateMachineArn().rfind(':') + 1);
  return "states/" + machine + "/" + minute + "/" + e.name();
}

JsonArray logEvents(const engine::Execution& e, std::string_view level, bool includeData) {
  JsonArray out;
  // A redriven execution logs the events of its latest attempt.
  const auto& history = e.history();
  size_t first = 0;
  for (size_t i = history.size(); e.redriveCount() > 0 && i-- > 0;) {
    if (history[i].type == "ExecutionRedriven") {
      first = i;
      break;
    }
  }
  for (size_t i = first; i < history.size(); ++i) {
    const engine::HistoryEvent& h = history[i];
    if (!selected(level, h.type)) continue;
    Json details = h.renderDetails();
    if (!includeData && details.is_object()) {
      details.as_object().erase("input");
      details.as_object().erase("output");
    }
    JsonObject msg;
    msg["id"] = std::to_string(h.id);
    msg["type"] = std::string(h.type);
    msg["details"] = std::move(details);
    msg["previous_event_id"] = std::to_string(h.previousEventId);
    msg["event_timestamp"] = std::to_string(toMs(h.timestamp));
    msg["execution_arn"] = e.arn();
    msg["redrive_count"] = std::to_string(e.redriveCount());
    JsonObject event;
    event["timestamp"] = toMs(h.timestamp);
    event["message"] = toJsonText(msg);
    out.emplace_back(std::move(event));
  }
  return out;
}

// PutLogEvents in batches that respect its count and 24-hour span limits,
// one after the other.
void deliver(const OperationRegistry& registry, CallContext ctx, std::string group,
             std::string stream, std::shared_ptr<JsonArray> events, size_t from) {
  if (from >= events->size()) return;
  JsonArray batch;
  int64_t first = (*events)[from].as_object().at("timestamp").to_number<int64_t>();
  size_t i = from;
  for (; i < events->size() && batch.size() < kEventsPerBatch; ++i) {
    int64_t ts = (*events)[i].as_object().at("timestamp").to_number<int64_t>();
    if (ts - first > kMaxBatchSpanMs) break;
    batch.push_back((*events)[i]);
  }
  JsonObject in;
  in["logGroupName"] = group;
  in["logStreamName"] = stream;
  in["logEvents"] = std::move(batch);
  registry.call("logs", "PutLogEvents", in, ctx,
                [&registry, ctx, group, stream, events, i](Result<Json> r) {
                  if (r) deliver(registry, ctx, group, stream, events, i);
                });
}

}  // namespace

void attachExecutionLogging(states::StatesService& states, const OperationRegistry& registry) {
  states.addExecutionObserver([&registry](states::StatesService::ExecutionPhase, const Json& config,
                                          const std::shared_ptr<engine::Execution>& execution,
                                          const CallContext& ctx) {
    const JsonObject* o = config.if_object();
    const Json* level = o ? o->if_contains("level") : nullptr;
    std::string lvl = level && level->is_string() ? std::string(level->get_string()) : "OFF";
    std::string group = logGroupName(config);
    if (lvl == "OFF" || group.empty()) return;
    const Json* data = o->if_contains("includeExecutionData");
    bool includeData = data && data->is_bool() && data->get_bool();
    // The execution runs this callback itself, so a plain pointer is safe
    // (a shared_ptr captured here would keep it alive forever).
    engine::Execution* e = execution.get();
    execution->onFinished([&registry, e, ctx, group, lvl, includeData] {
      auto events = std::make_shared<JsonArray>(logEvents(*e, lvl, includeData));
      if (events->empty()) return;
      std::string stream = streamName(*e);
      JsonObject in;
      in["logGroupName"] = group;
      in["logStreamName"] = stream;
      registry.call("logs", "CreateLogStream", in, ctx,
                    [&registry, ctx, group, stream, events](Result<Json> r) {
                      if (!r && r.error().code != "ResourceAlreadyExistsException") return;
                      deliver(registry, ctx, group, stream, events, 0);
                    });
    });
  });
}

}  // namespace sluice::services::logs
