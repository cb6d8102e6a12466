// Amazon SQS (signing name "sqs"; awsJson 1.0 with target prefix AmazonSQS,
// and the query protocol older SDKs speak): queues, messages with visibility
// timeouts and delays, long polling, dead-letter queues and redrive, FIFO
// queues with message groups and deduplication.
//
// All state lives on the engine's event loop thread (every operation is
// posted there), so queues need no locks; long polls are parked replies
// woken by a send or by timers on that loop. Each change is committed to the
// store before the operation answers (sqs_store.hpp).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/execution.hpp"
#include "services/operation.hpp"
#include "services/sqs/queue.hpp"
#include "services/sqs/sqs_store.hpp"

namespace sluice::services::sqs {

class SqsService {
 public:
  SqsService(engine::EngineContext engine, const Clock& clock, store::sqlite::SqliteStore* store);
  ~SqsService();

  // Loads the stored queues (start-up); an error means the store is unreadable.
  Result<void> load();
  void registerOperations(OperationRegistry& registry);

  // Operations (engine loop thread); each answers through `reply` once its
  // changes are durable.
  using Op = void (SqsService::*)(const Json&, const CallContext&, Reply);
  void createQueue(const Json& in, const CallContext& ctx, Reply reply);
  void getQueueUrl(const Json& in, const CallContext& ctx, Reply reply);
  void listQueues(const Json& in, const CallContext& ctx, Reply reply);
  void getQueueAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void setQueueAttributes(const Json& in, const CallContext& ctx, Reply reply);
  void deleteQueue(const Json& in, const CallContext& ctx, Reply reply);
  void purgeQueue(const Json& in, const CallContext& ctx, Reply reply);
  void tagQueue(const Json& in, const CallContext& ctx, Reply reply);
  void untagQueue(const Json& in, const CallContext& ctx, Reply reply);
  void listQueueTags(const Json& in, const CallContext& ctx, Reply reply);
  void listDeadLetterSourceQueues(const Json& in, const CallContext& ctx, Reply reply);
  void sendMessage(const Json& in, const CallContext& ctx, Reply reply);
  void sendMessageBatch(const Json& in, const CallContext& ctx, Reply reply);
  void receiveMessage(const Json& in, const CallContext& ctx, Reply reply);
  void deleteMessage(const Json& in, const CallContext& ctx, Reply reply);
  void deleteMessageBatch(const Json& in, const CallContext& ctx, Reply reply);
  void changeMessageVisibility(const Json& in, const CallContext& ctx, Reply reply);
  void changeMessageVisibilityBatch(const Json& in, const CallContext& ctx, Reply reply);
  void startMessageMoveTask(const Json& in, const CallContext& ctx, Reply reply);
  void listMessageMoveTasks(const Json& in, const CallContext& ctx, Reply reply);
  void cancelMessageMoveTask(const Json& in, const CallContext& ctx, Reply reply);

 private:
  // Queues (queues.cpp).
  Result<Queue*> queueByUrl(const Json& in, const CallContext& ctx);
  Queue* queueByArn(const std::string& arn);
  std::string urlOf(const Queue& q, const CallContext& ctx) const;
  // Derived state of a queue loaded or (re)configured.
  void index(Queue& q);
  // A stored message's digests, computed once it is read.
  static void digest(Message& m);
  // Messages held in memory per queue besides those in flight (window.cpp).
  static constexpr size_t kWindow = 1000;
  void addMessage(Queue& q, Message m);
  void removeMessage(Queue& q, uint64_t seq);
  // A new message (already saved in the caller's changes): into the window,
  // or only in the store when the window is full or others wait there.
  void admit(Queue& q, Message m);
  // Reads the next page of stored messages into the window when fewer than
  // a few visible ones are left there (or, `force`, whenever some wait in
  // the store). Returns whether any came in.
  bool fillWindow(Queue& q, bool force = false);
  // The message `seq` of the queue, read from the store if it is outside the
  // window; null if there is none.
  Message* findMessage(Queue& q, uint64_t seq);
  // Every minute on the server's clock, messages past their queue's
  // MessageRetentionPeriod are deleted, in the window and in the store.
  void armRetentionSweep();
  // Corrects a queue's estimated `spilled` with a count of its stored
  // messages, read on the worker pool after a restart.
  void countSpilled(Queue& q);
  void dropExpired(Queue& q, TimePoint now, SqsStore::Changes& changes);
  void setVisibility(Queue& q, Message& m, TimePoint visibleAt);

  // Sending (send.cpp): validates and enqueues one entry; the result is the
  // SendMessage output (or a per-entry error for batches).
  Result<Json> enqueue(Queue& q, const Json& entry, const CallContext& ctx,
                       SqsStore::Changes& changes);

  // Receiving (receive.cpp).
  Result<JsonArray> receiveNow(Queue& q, const Json& in, const CallContext& ctx,
                               SqsStore::Changes& changes);
  void park(Queue& q, const Json& in, const CallContext& ctx, Reply reply, int64_t waitSeconds);
  void wakeWaiters(Queue& q);
  void armWakeTimer(Queue& q);
  void finishWaiter(uint64_t id, bool timedOut);
  void moveToDeadLetter(Queue& source, Message& m, SqsStore::Changes& changes);
  // FIFO: up to `max` deliverable messages in group order from the window.
  void pickFromGroups(Queue& q, int64_t max, TimePoint now, std::vector<uint64_t>& picked,
                      const std::function<bool(Message&)>& deliverable);

  // Commits and answers with `result` (or the commit's error). Long polls on
  // `wake` are woken once the commit is done: what they read from the store
  // includes it.
  void commitThenReply(SqsStore::Changes changes, Result<Json> result, Reply reply,
                       const Queue* wake = nullptr);

  engine::EngineContext engine_;
  const Clock& clock_;
  SqsStore store_;
  std::map<std::string, std::unique_ptr<Queue>> queues_;        // by ARN
  std::map<std::string, TimePoint> recentlyDeleted_;            // ARN -> deletion time
  std::map<uint64_t, std::pair<std::string, Waiter>> waiters_;  // id -> (queue ARN, waiter)
  uint64_t nextWaiter_ = 1;
};

}  // namespace sluice::services::sqs
