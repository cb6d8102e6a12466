// The poller behind an SQS event source mapping: a few concurrent slots,
// each long-polling the queue through the SQS operations (the same
// ReceiveMessage / DeleteMessageBatch a user calls), gathering a batch up to
// BatchSize or the batching window, handing it to the function as AWS's
// `Records` event and deleting what the function processed. Messages of a
// failed batch (or the items it reports failed) are left to reappear after
// the visibility timeout and reach the queue's dead-letter queue by its
// redrive policy, as on AWS.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "engine/event_loop.hpp"
#include "services/events/event_pattern.hpp"
#include "services/operation.hpp"

namespace sluice::services::lambda {

// What a poller needs from a mapping.
struct PollerSettings {
  std::string uuid;
  Scope scope;
  std::string queueArn;
  int64_t batchSize = 10;
  int64_t windowSeconds = 0;
  int slots = 2;
  bool reportItemFailures = false;
  std::vector<events::EventPattern> filters;  // none: every message
};

// Runs a batch through the function: the event text in, the result out
// (payload and whether it was a function error); an error when the function
// could not run (throttled, gone).
struct BatchResult {
  std::string payload;
  bool functionError = false;
};
using RunBatch =
    std::function<void(const std::string& event, std::function<void(Result<BatchResult>)> done)>;

class SqsPoller : public std::enable_shared_from_this<SqsPoller> {
 public:
  SqsPoller(PollerSettings settings, const OperationRegistry& registry, engine::EventLoop& loop,
            RunBatch run);
  // Starts the slots (any thread).
  void start();
  // Stops polling: slots finish what they hold and do not poll again.
  void stop() { stopped_ = true; }

  // The Records event of SQS messages (ReceiveMessage's shape), for tests.
  static Json recordOf(const Json& message, const std::string& queueArn, const std::string& region);

 private:
  struct Slot {
    std::vector<Json> messages;
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  void resolveQueue();
  void poll(std::shared_ptr<Slot> slot);
  void received(std::shared_ptr<Slot> slot, Result<Json> r);
  void dispatch(std::shared_ptr<Slot> slot);
  void settle(std::shared_ptr<Slot> slot, std::vector<Json> records, Result<BatchResult> r);
  void remove(std::vector<std::string> receiptHandles, std::function<void()> then);
  void later(std::chrono::milliseconds after, std::function<void()> task);
  CallContext context() const;

  PollerSettings settings_;
  const OperationRegistry& registry_;
  engine::EventLoop& loop_;
  RunBatch run_;
  std::string queueUrl_;
  std::atomic<bool> stopped_{false};
};

}  // namespace sluice::services::lambda
