// At-least-once delivery of bucket events (AWS's guarantee for S3 event
// notifications): an event is stored in the same transaction as the write
// that caused it, so it is durable no later than the write is acknowledged,
// and kill -9 between the commit and the delivery cannot lose it.
//
// resolve() decides, from the bucket's notification configuration, where an
// event goes (SQS/SNS/Lambda messages and the EventBridge entry, built once);
// store() adds one s3_pending row per event inside the write's transaction
// (PendingDeliveries); deliver() sends them after the commit and finishes a
// row once each of its deliveries has answered (delivered or refused — AWS
// drops an event whose destination is gone); resume() redelivers what a
// crash left, at start-up. A bucket without a configuration resolves to
// nothing: no row, no extra commit.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ids.hpp"
#include "services/common/pending_deliveries.hpp"
#include "services/operation.hpp"
#include "services/s3/bucket_events.hpp"
#include "services/s3/s3_store.hpp"

namespace sluice::services::s3 {

// One event's deliveries, as stored in its s3_pending row.
struct OutgoingEvent {
  std::string id;  // the row
  Scope scope;     // the calls' account and region
  struct Message {
    std::string arn;  // an SQS queue, SNS topic or Lambda function
    std::string body;
  };
  std::vector<Message> messages;
  Json eventBridge;  // the PutEvents entry, or null
};

class NotificationOutbox {
 public:
  NotificationOutbox(const OperationRegistry& registry, store::sqlite::SqliteStore& store,
                     IdGenerator& ids);

  // Whether `bucket` has a notification configuration at all (the cheap
  // test that lets writes to other buckets skip everything below).
  static bool configured(const BucketRecord& bucket);
  // Where `event` goes under `bucket`'s configuration; nullopt for nowhere.
  std::optional<OutgoingEvent> resolve(const BucketRecord& bucket, const BucketEvent& event);
  // Inside the transaction of the write that caused `events`.
  Result<void> store(store::sqlite::Database& db, const std::vector<OutgoingEvent>& events) const;
  // After that transaction committed. Thread-safe.
  void deliver(std::vector<OutgoingEvent> events);
  // Start-up: delivers again every event a crash left undelivered.
  Result<void> resume();

 private:
  void deliverOne(OutgoingEvent event);

  const OperationRegistry& registry_;
  IdGenerator& ids_;
  PendingDeliveries pending_;  // s3_pending
};

}  // namespace sluice::services::s3
