// Step Functions "Execution Status Change" events on the default event bus.
//
// Every Standard execution puts an event from source "aws.states" with
// detail-type "Step Functions Execution Status Change" when it starts (or is
// redriven) and when it ends, as Step Functions sends them to EventBridge:
//   {"executionArn": ..., "stateMachineArn": ..., "name": ..., "status": "FAILED",
//    "startDate": <epoch ms>, "stopDate": <epoch ms>|null, "input": "...",
//    "output": "..."|null, "inputDetails": {"included": true}, "outputDetails": ...,
//    "error": ...|null, "cause": ...|null, "redriveCount": 0, ...}
// with the execution ARN in `resources`. Rules match them like any event
// (for example {"source": ["aws.states"], "detail": {"status": ["FAILED"]}}).
// Express executions send none, as on AWS.
#pragma once

#include "services/operation.hpp"

namespace sluice::services::states {
class StatesService;
}

namespace sluice::services::events {

void attachExecutionStatusEvents(states::StatesService& states, const OperationRegistry& registry);

}  // namespace sluice::services::events
