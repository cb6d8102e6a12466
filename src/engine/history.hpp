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
  std::string_view type;        // e.g. "PassStateEntered" (static storage)
  std::string_view detailsKey;  // e.g. "stateEnteredEventDetails"; empty when none
  // The details as AWS shows them, except that the `inputDetails`,
  // `outputDetails` and `assignedVariablesDetails` companions are added when
  // the event is rendered.
  JsonObject details;
};

// An event type known to Step Functions, with its details member name.
struct EventTypeInfo {
  std::string_view name;        // empty when the type is unknown
  std::string_view detailsKey;  // e.g. "taskScheduledEventDetails"
};
EventTypeInfo eventTypeInfo(std::string_view type);

// {"timestamp": ..., "type": ..., "id": ..., "previousEventId": ..., "<x>EventDetails": {...}}
Json historyEventToJson(const HistoryEvent& e);
Json historyToJson(const std::vector<HistoryEvent>& events);

// `{"truncated": false}` — the payload details AWS attaches to inputs and outputs.
Json notTruncated();

}  // namespace sluice::engine
