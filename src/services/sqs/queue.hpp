// SQS's domain model: a queue with its attributes and its messages, in the
// shapes the operations and the store share.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "engine/event_loop.hpp"
#include "services/operation.hpp"
#include "services/sqs/fifo.hpp"

namespace sluice::services::sqs {

struct Message {
  uint64_t seq = 0;  // order of arrival in its queue
  std::string id;
  std::string body;
  Json attributes = JsonObject{};  // MessageAttributes as sent
  std::string traceHeader;         // the AWSTraceHeader system attribute
  std::string groupId;
  std::string deduplicationId;
  std::string senderId;
  std::string deadLetterSourceArn;  // set once moved to a dead-letter queue
  TimePoint sent{};
  TimePoint visibleAt{};  // delayed or in flight until then
  std::optional<TimePoint> firstReceive;
  int64_t receiveCount = 0;
  std::string receipt;  // the receipt handle of the latest receive
  // Derived (not stored): digests computed once.
  std::string md5OfBody;
  std::string md5OfAttributes;
  std::string md5OfSystemAttributes;

  bool inFlight(TimePoint now) const { return receiveCount > 0 && visibleAt > now; }
};

// The typed view of a queue's attributes (attributes holds them as AWS
// reports them, strings).
struct QueueConfig {
  int64_t visibilityTimeout = 30;
  int64_t retentionPeriod = 345600;
  int64_t delaySeconds = 0;
  int64_t receiveWaitTime = 0;
  int64_t maximumMessageSize = 262144;
  bool fifo = false;
  bool contentBasedDeduplication = false;
  std::string deduplicationScope = "queue";
  std::string deadLetterTargetArn;
  int64_t maxReceiveCount = 0;
};

struct MoveTask {
  std::string handle;
  std::string sourceArn;
  std::string destinationArn;  // empty: each message's original source
  std::string status;          // RUNNING, COMPLETED, CANCELLED, FAILED
  int64_t moved = 0;
  int64_t toMove = 0;
  std::optional<int64_t> maxPerSecond;
  TimePoint started{};
};

// A parked long-poll ReceiveMessage.
struct Waiter {
  uint64_t id = 0;
  Json request;
  CallContext ctx;
  Reply reply;
  engine::EventLoop::TimerId virtualTimer = 0;
  engine::EventLoop::TimerId realTimer = 0;
};

struct ReceiveAttempt {
  std::vector<std::pair<uint64_t, std::string>> messages;  // seq, receipt handle
  TimePoint expires{};
};

struct Queue {
  std::string arn;
  std::string account;
  std::string region;
  std::string name;
  std::map<std::string, std::string> attributes;  // settable attributes, as reported
  QueueConfig config;
  std::map<std::string, std::string> tags;
  TimePoint created{};
  TimePoint modified{};
  uint64_t nextSeq = 1;
  // Messages live in the store; memory holds a window of them: those in
  // flight and the next ones to deliver, in seq order. The `spilled`
  // messages from seq `spillFrom` on are in the store only, read a page at a
  // time as the window drains (SqsService::fillWindow); `faulted` are the
  // ones of them read early, for a receipt handle (after a restart).
  std::map<uint64_t, Message> messages;  // the window, by seq
  uint64_t spilled = 0;
  uint64_t spillFrom = 0;
  std::set<uint64_t> faulted;
  // The visibleAt of the delayed spilled messages.
  std::multiset<TimePoint> spilledDelays;
  // After a restart `spilled` starts as the seq range up to this seq (gaps
  // included) until a count in the background corrects it; 0: exact.
  uint64_t spillEstimatedTo = 0;
  uint64_t purges = 0;  // a purge voids a correction counted before it
  std::set<std::pair<TimePoint, uint64_t>> byVisibility;  // (visibleAt, seq) of every message
  std::map<std::string, std::deque<uint64_t>> groups;     // FIFO: group id -> seqs in order
  DeduplicationWindow deduplication;
  std::map<std::string, ReceiveAttempt> attempts;  // FIFO ReceiveRequestAttemptId
  std::deque<uint64_t> waiters;                    // parked long polls, oldest first
  engine::EventLoop::TimerId wakeTimer = 0;
  TimePoint wakeAt{};
  std::optional<TimePoint> lastPurge;
  std::vector<MoveTask> moveTasks;
};

}  // namespace sluice::services::sqs
