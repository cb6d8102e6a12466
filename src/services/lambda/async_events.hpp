// Asynchronous (Event) invocations as rows of lambda_async_events: an event
// is stored before Invoke answers 202, re-armed at start-up, and its row
// carries the attempts made and when the next one is due, so retries follow
// the server's clock across restarts. Memory holds only the timers of the
// stored events (the work in flight).
#pragma once

#include <functional>
#include <string>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "core/ids.hpp"
#include "services/common/documents.hpp"

namespace sluice::services::lambda {

struct AsyncEvent {
  std::string requestId;  // the Invoke's request id, the row's key
  Scope scope;
  std::string function;   // name
  std::string qualifier;  // as invoked: "", a version or an alias
  std::string payload;
  int64_t attempts = 0;   // invocations made (function errors and successes)
  int64_t throttles = 0;  // times it found no capacity and was put back
  TimePoint firstAt;      // when Invoke accepted it (the event's age starts here)
  TimePoint dueAt;        // when the next attempt runs
};

void storeAsyncEvent(DocumentBatch& batch, const AsyncEvent& e);  // insert or replace
void eraseAsyncEvent(DocumentBatch& batch, const std::string& requestId);
// Every stored event, in due order (start-up).
Result<void> scanAsyncEvents(const DocumentStore& docs, const std::function<void(AsyncEvent)>& fn);

}  // namespace sluice::services::lambda
