// The bucket-event sink that carries events to where a bucket's notification
// configuration points: S3 event messages (Records[], eventVersion 2.1) to
// SQS queues, SNS topics and Lambda functions through the shared ARN delivery
// (services/common/target_delivery.hpp), and EventBridge events ("Object
// Created", "Object Deleted", ...) to the account's default event bus.
// Lambda destinations are delivered only when a "lambda" service is
// registered.
#pragma once

#include "core/ids.hpp"
#include "services/operation.hpp"
#include "services/s3/bucket_events.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

// The S3 event message for `event` as delivered to configuration `configId`.
Json s3EventMessage(const BucketEvent& event, const std::string& configId,
                    const std::string& bucketOwner);
// The EventBridge PutEvents entry for `event`; null for events EventBridge
// does not carry.
Json eventBridgeEntry(const BucketEvent& event);
// The s3:TestEvent message S3 sends to a new destination.
Json s3TestEvent(const std::string& bucket, TimePoint time, const std::string& requestId);

class NotificationDispatcher final : public BucketEventSink {
 public:
  NotificationDispatcher(const OperationRegistry& registry, S3Store& meta, IdGenerator& ids)
      : registry_(registry), meta_(meta), ids_(ids) {}
  void publish(BucketEvent event) override;

 private:
  const OperationRegistry& registry_;
  S3Store& meta_;
  IdGenerator& ids_;
};

}  // namespace sluice::services::s3
