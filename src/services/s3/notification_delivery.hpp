// What a bucket event looks like where a bucket's notification configuration
// points: S3 event messages (Records[], eventVersion 2.1) for SQS queues, SNS
// topics and Lambda functions, and EventBridge events ("Object Created",
// "Object Deleted", ...) for the account's default event bus. Getting them
// there, at least once, is notification_outbox.hpp's job.
#pragma once

#include "core/ids.hpp"
#include "core/json.hpp"
#include "services/s3/bucket_events.hpp"

namespace sluice::services::s3 {

// The S3 event message for `event` as delivered to configuration `configId`.
Json s3EventMessage(const BucketEvent& event, const std::string& configId,
                    const std::string& bucketOwner);
// The EventBridge PutEvents entry for `event`; null for events EventBridge
// does not carry.
Json eventBridgeEntry(const BucketEvent& event);
// The s3:TestEvent message S3 sends to a new destination.
Json s3TestEvent(const std::string& bucket, TimePoint time, const std::string& requestId);

}  // namespace sluice::services::s3
