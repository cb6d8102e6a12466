// Execution history events, shaped like GetExecutionHistory's `events`.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
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

  // The hot fields are kept typed and rendered into the details object when
  // the event is read: state events carry the state's name and the document's
  // JSON text, shared between one state's Exited and the next one's Entered.
  std::string_view name;                       // state name (points into the machine)
  int64_t index = -1;                          // Map iteration index
  std::string_view payloadKey;                 // "input" or "output"
  std::shared_ptr<const std::string> payload;  // its JSON text
  // Every other detail as AWS shows it (the `...Details` companions of
  // input/output/assignedVariables are added when rendering).
  JsonObject details;

  // The rendered `...EventDetails` object (empty object when there is none).
  Json renderDetails() const;
};

// An event type known to Step Functions, with its details member name.
struct EventTypeInfo {
  std::string_view name;        // empty when the type is unknown
  std::string_view detailsKey;  // e.g. "taskScheduledEventDetails"
};
EventTypeInfo eventTypeInfo(std::string_view type);

// {"timestamp": ..., "type": ..., "id": ..., "previousEventId": ..., "<x>EventDetails": {...}}
// `timestamp` as ISO-8601 text (the CLI's rendering) or, for the JSON wire
// protocol, as epoch seconds.
enum class TimestampStyle { Iso8601, EpochSeconds };
Json historyEventToJson(const HistoryEvent& e, TimestampStyle style = TimestampStyle::Iso8601);
Json historyToJson(const std::vector<HistoryEvent>& events);

// The stored form of an event (what a durable store keeps):
// {"id", "previousEventId", "ts": epoch microseconds, "type", "details"}.
// A restored event carries all its details in `details` (typed fields empty)
// and renders exactly as it did.
Json historyEventToStored(const HistoryEvent& e);
std::optional<HistoryEvent> historyEventFromStored(const Json& stored);

// `{"truncated": false}` — the payload details AWS attaches to inputs and outputs.
Json notTruncated();

}  // namespace sluice::engine
