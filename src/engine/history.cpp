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

Json notTruncated() {
  JsonObject o;
  o["truncated"] = false;
  return o;
}

}  // namespace sluice::engine
