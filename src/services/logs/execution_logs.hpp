// Step Functions execution logging into CloudWatch Logs.
//
// A state machine whose loggingConfiguration has a level other than OFF and
// a cloudWatchLogsLogGroup destination gets, for each execution, a log
// stream "states/<machine>/<yyyy-mm-dd-hh-mm>/<execution name>" in that log
// group, holding its history events as JSON log events:
//   {"id": "3", "type": "PassStateExited", "details": {...},
//    "previous_event_id": "2", "event_timestamp": "1700000000000",
//    "execution_arn": "...", "redrive_count": "0"}
// Levels: ALL (every event), ERROR (failed, timed-out and aborted events),
// FATAL (the execution's own failure). Inputs and outputs are left out unless
// includeExecutionData is true. The events are delivered when the execution
// ends, through the logs operations (CreateLogStream, PutLogEvents) like any
// other client; a missing log group drops them, as AWS does.
#pragma once

#include "services/operation.hpp"

namespace sluice::services::states {
class StatesService;
}

namespace sluice::services::logs {

void attachExecutionLogging(states::StatesService& states, const OperationRegistry& registry);

}  // namespace sluice::services::logs
