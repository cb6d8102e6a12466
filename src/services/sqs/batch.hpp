// Checks and result entries shared by the batch operations.
#pragma once

#include <string_view>

#include "core/error.hpp"
#include "core/json.hpp"

namespace sluice::services::sqs {

// 1-10 entries with distinct ids of [A-Za-z0-9_-]{1,80}; else the batch error
// AWS gives (EmptyBatchRequest, TooManyEntriesInBatchRequest, ...).
Result<const JsonArray*> checkBatch(const Json& in, std::string_view entryName);

// A Failed entry: {Id, SenderFault, Code, Message}.
JsonObject batchFailure(const Json& entry, const AwsError& error);

}  // namespace sluice::services::sqs
