// Execution history events, shaped like GetExecutionHistory's `events`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"

namespace sluice::engine {

struct HistoryEvent {
  int64_t id = 0;
  int64_t previousEventId = 0;
  TimePoint timestamp;
  std::string type;        // e.g. "PassStateEntered"
  std::string detailsKey;  // e.g. "stateEnteredEventDetails"; empty when none
  JsonObject details;
};

// The `...EventDetails` member name AWS uses for an event type.
std::string detailsKeyFor(std::string_view type);

// {"timestamp": ..., "type": ..., "id": ..., "previousEventId": ..., "<x>EventDetails": {...}}
Json historyEventToJson(const HistoryEvent& e);
Json historyToJson(const std::vector<HistoryEvent>& events);

// `{"truncated": false}` — the payload details AWS attaches to inputs and outputs.
Json notTruncated();

}  // namespace sluice::engine
