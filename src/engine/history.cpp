#include "engine/history.hpp"

namespace sluice::engine {

Json HistoryEvent::renderDetails() const {
  JsonObject d;
  d.reserve(details.size() + 4);
  if (!name.empty()) d.emplace("name", name);
  if (index >= 0) d.emplace("index", index);
  if (payload) {
    d.emplace(payloadKey, *payload);
    d.emplace(std::string(payloadKey) + "Details", notTruncated());
  }
  for (const auto& kv : details) {
    d.emplace(kv.key(), kv.value());
    // Payloads are never truncated here: each one gets {"truncated": false}.
    std::string_view k = kv.key();
    if (k == "input" || k == "output" || k == "assignedVariables") {
      d.emplace(std::string(k) + "Details", notTruncated());
    }
  }
  return d;
}

Json historyEventToJson(const HistoryEvent& e, TimestampStyle style) {
  JsonObject o;
  if (style == TimestampStyle::Iso8601) {
    o["timestamp"] = formatIso8601(e.timestamp);
  } else {
    o["timestamp"] = static_cast<double>(e.timestamp.time_since_epoch().count() / 1000) / 1000.0;
  }
  o["type"] = e.type;
  o["id"] = e.id;
  o["previousEventId"] = e.previousEventId;
  if (!e.detailsKey.empty()) o[e.detailsKey] = e.renderDetails();
  return o;
}

Json historyToJson(const std::vector<HistoryEvent>& events) {
  JsonArray a;
  a.reserve(events.size());
  for (const auto& e : events) a.push_back(historyEventToJson(e));
  return a;
}

Json historyEventToStored(const HistoryEvent& e) {
  JsonObject o;
  o["id"] = e.id;
  o["previousEventId"] = e.previousEventId;
  o["ts"] = static_cast<int64_t>(e.timestamp.time_since_epoch().count());
  o["type"] = e.type;
  if (!e.detailsKey.empty()) o["details"] = e.renderDetails();
  return o;
}

std::optional<HistoryEvent> historyEventFromStored(const Json& stored) {
  if (!stored.is_object()) return std::nullopt;
  const JsonObject& o = stored.as_object();
  const Json* type = o.if_contains("type");
  if (!type || !type->is_string()) return std::nullopt;
  EventTypeInfo info = eventTypeInfo(type->get_string());
  if (info.name.empty()) return std::nullopt;
  HistoryEvent e;
  e.type = info.name;
  e.id = o.if_contains("id") ? toInteger(o.at("id")).value_or(0) : 0;
  e.previousEventId =
      o.if_contains("previousEventId") ? toInteger(o.at("previousEventId")).value_or(0) : 0;
  e.timestamp = TimePoint(Duration(o.if_contains("ts") ? toInteger(o.at("ts")).value_or(0) : 0));
  if (const Json* d = o.if_contains("details"); d && d->is_object()) {
    e.detailsKey = info.detailsKey;
    for (const auto& kv : d->as_object()) {
      std::string_view k = kv.key();
      // renderDetails adds these companions again.
      if (k == "inputDetails" || k == "outputDetails" || k == "assignedVariablesDetails") continue;
      e.details.emplace(k, kv.value());
    }
  }
  return e;
}

Json notTruncated() {
  JsonObject o;
  o["truncated"] = false;
  return o;
}

}  // namespace sluice::engine
