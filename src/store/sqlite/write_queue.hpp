// Group commit: the one writer of a SQLite database.
//
// A dedicated thread owns the write connection. Any thread submits a unit of
// work (a function that writes through the Database it is given) with a
// completion. The writer takes everything queued, runs it as one batch in ONE
// transaction, each item inside its own SAVEPOINT (a failing item rolls back
// alone and the others still commit), commits — one fsync for the whole batch
// — and only then calls every completion, in submission order. So a
// completion means "durable": it is the point where a service may acknowledge
// the request or dispatch follow-up work ("a workflow step is one transaction;
// dispatch only after commit").
//
// A batch keeps taking newly queued items while it runs and closes when the
// queue is empty, when it holds maxBatchItems, or when it has been open for
// maxBatchLatency. There is no waiting for more items: batches form naturally
// from whatever arrives while the previous commit is being fsynced.
//
// Work items run on the writer thread: they must only touch the database
// (what they did may still be rolled back after they return, when the commit
// fails), must not begin their own Transaction (they are inside one; a
// Savepoint is fine), and must not wait on the queue. Completions also run on the writer thread
// and should be short (post to an event loop, fulfil a promise).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/error.hpp"
#include "store/sqlite/database.hpp"

namespace sluice::store::sqlite {

struct WriteQueueOptions {
  std::size_t maxBatchItems = 1024;
  std::chrono::microseconds maxBatchLatency{5000};
};

class WriteQueue {
 public:
  using Work = std::function<Result<void>(Database&)>;
  using Done = std::function<void(Result<void>)>;

  struct Stats {
    uint64_t items = 0;    // work items run
    uint64_t batches = 0;  // transactions attempted
    uint64_t failedCommits = 0;
  };

  // Opens the write connection to `path` and starts the writer thread.
  static Result<std::unique_ptr<WriteQueue>> open(const std::filesystem::path& path,
                                                  const OpenOptions& db = {},
                                                  const WriteQueueOptions& options = {});
  // Starts the writer thread on an already open connection.
  WriteQueue(Database db, const WriteQueueOptions& options = {});
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;
  // Drains the queue (every submitted item runs and completes) and joins.
  ~WriteQueue();

  // Thread-safe. `done` is called exactly once: on the writer thread after
  // the batch holding `work` committed (ok) or failed (the item's or the
  // commit's error) — or at once, on the calling thread, with an error when
  // the queue is shut down. Items of one submitter run and complete in the
  // order submitted.
  void submit(Work work, Done done);

  // Submits and waits for the completion. Not from the writer thread.
  Result<void> write(Work work);

  // Waits until everything submitted before the call is durable. Not from
  // the writer thread (from a work item or completion) — that would wait on
  // itself, and is refused with an error.
  Result<void> flush();

  // Stops accepting work, drains what is queued and joins the writer. Must
  // not be called from the writer thread. Idempotent.
  void shutdown();

  Stats stats() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Item {
    Work work;
    Done done;
  };

  void run();
  void runBatch();
  Result<void> runItem(Work& work);
  bool onWriterThread() const { return std::this_thread::get_id() == writerId_; }

  Database db_;
  const std::filesystem::path path_;
  const WriteQueueOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool stopping_ = false;
  Stats stats_;

  std::thread writer_;
  std::thread::id writerId_;
};

}  // namespace sluice::store::sqlite
