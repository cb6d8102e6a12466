// Queue attributes: the defaults, the checks CreateQueue and
// SetQueueAttributes apply (ranges, enumerations, FIFO-only names), and the
// typed configuration the operations read.
#pragma once

#include <map>
#include <string>

#include "core/error.hpp"
#include "core/json.hpp"
#include "services/sqs/queue.hpp"

namespace sluice::services::sqs {

using AttributeMap = std::map<std::string, std::string>;

// 1-80 characters of [A-Za-z0-9_-], plus ".fifo" for FIFO queues.
Result<void> checkQueueName(const std::string& name, bool fifo);

// The attributes a new queue reports before any is set.
AttributeMap defaultAttributes(bool fifo);

// Checks user-given attributes (a JSON map of strings) and returns them as
// AWS reports them (RedrivePolicy normalised to {"deadLetterTargetArn","maxReceiveCount"}).
// `fifo`: the queue's type; `creating`: FifoQueue may only be given then.
Result<AttributeMap> checkAttributes(const Json* given, bool fifo, bool creating);

QueueConfig configOf(const AttributeMap& attributes);

AwsError invalidAttributeValue(const std::string& name, const std::string& reason = {});

}  // namespace sluice::services::sqs
