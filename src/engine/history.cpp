#include "engine/history.hpp"

#include <cctype>

namespace sluice::engine {

std::string detailsKeyFor(std::string_view type) {
  auto endsWith = [&](std::string_view suffix) {
    return type.size() >= suffix.size() && type.substr(type.size() - suffix.size()) == suffix;
  };
  if (endsWith("StateEntered")) return "stateEnteredEventDetails";
  if (endsWith("StateExited")) return "stateExitedEventDetails";
  std::string key(type);
  if (!key.empty()) key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(key[0])));
  return key + "EventDetails";
}

Json historyEventToJson(const HistoryEvent& e) {
  JsonObject o;
  o["timestamp"] = formatIso8601(e.timestamp);
  o["type"] = e.type;
  o["id"] = e.id;
  o["previousEventId"] = e.previousEventId;
  if (!e.detailsKey.empty()) o[e.detailsKey] = e.details;
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
