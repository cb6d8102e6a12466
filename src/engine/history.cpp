#include "engine/history.hpp"


namespace sluice::engine {

Json historyEventToJson(const HistoryEvent& e) {
  JsonObject o;
  o["timestamp"] = formatIso8601(e.timestamp);
  o["type"] = e.type;
  o["id"] = e.id;
  o["previousEventId"] = e.previousEventId;
  if (!e.detailsKey.empty()) {
    JsonObject d;
    d.reserve(e.details.size() + 2);
    for (const auto& kv : e.details) {
      d.emplace(kv.key(), kv.value());
      // Payloads are never truncated here: each one gets {"truncated": false}.
      std::string_view k = kv.key();
      if (k == "input" || k == "output" || k == "assignedVariables") {
        d.emplace(std::string(k) + "Details", notTruncated());
      }
    }
    o[e.detailsKey] = std::move(d);
  }
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
