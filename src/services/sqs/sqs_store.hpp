// SQS's tables in the metadata store: queues, messages and the FIFO
// deduplication window. The store is where messages live: the service keeps
// a window of each queue's messages in memory and reads the rest from here
// a page at a time (Queue::spilled). Every change an operation makes is collected in one
// Changes set and committed as one WriteQueue item; the operation answers in
// the completion, so an acknowledged send, receive, delete or visibility
// change is durable (and survives kill -9). Without a store (in-memory mode)
// commit() completes at once.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "services/sqs/queue.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sluice::services::sqs {

std::span<const store::sqlite::Migration> sqsMigrations();

class SqsStore {
 public:
  using Work = store::sqlite::WriteQueue::Work;

  class Changes {
   public:
    void saveQueue(const Queue& queue);
    void deleteQueue(const std::string& arn);
    void saveMessage(const std::string& queueArn, const Message& message);
    // Receive count, visibility and receipt handle only.
    void updateMessage(const std::string& queueArn, const Message& message);
    void deleteMessage(const std::string& queueArn, uint64_t seq);
    void purge(const std::string& queueArn);
    void rememberDeduplication(const std::string& queueArn, const std::string& key,
                               const DeduplicationWindow::Entry& entry);
    bool empty() const { return work_.empty(); }

   private:
    friend class SqsStore;
    std::vector<Work> work_;
  };

  // `store` may be null: nothing is persisted.
  explicit SqsStore(store::sqlite::SqliteStore* store) : store_(store) {}

  bool durable() const { return store_ != nullptr; }

  // Every stored queue with its open deduplication entries and its first
  // `window` messages; the others are counted (Queue::spilled).
  Result<std::vector<std::unique_ptr<Queue>>> load(TimePoint now, size_t window) const;
  // Up to `limit` committed messages of a queue from `from` on, in order.
  Result<std::vector<Message>> page(const std::string& queueArn, uint64_t from, size_t limit) const;
  // How many messages of a queue have seqs in [from, to].
  Result<uint64_t> count(const std::string& queueArn, uint64_t from, uint64_t to) const;
  // The committed message `seq` of a queue, if any.
  Result<std::optional<Message>> message(const std::string& queueArn, uint64_t seq) const;

  // Commits `changes` as one unit; `done` runs after the commit (on the
  // writer thread), or at once without a store.
  void commit(Changes changes, std::function<void(Result<void>)> done);

 private:
  store::sqlite::SqliteStore* store_;
};

}  // namespace sluice::services::sqs
