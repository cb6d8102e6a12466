#include "store/sqlite/write_queue.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace sluice::store::sqlite {

namespace {

AwsError shutDownError() {
  return AwsError::internal("sqlite: the write queue is shut down");
}

// A completion must not throw; if one does, the others still run.
void complete(WriteQueue::Done& done, Result<void> result) {
  if (!done) return;
  try {
    done(std::move(result));
  } catch (...) {
  }
}

}  // namespace

Result<std::unique_ptr<WriteQueue>> WriteQueue::open(const std::filesystem::path& path,
                                                     const OpenOptions& db,
                                                     const WriteQueueOptions& options) {
  OpenOptions writable = db;
  writable.readOnly = false;
  auto opened = Database::open(path, writable);
  if (!opened) return opened.takeError();
  return std::make_unique<WriteQueue>(std::move(opened).value(), options);
}

WriteQueue::WriteQueue(Database db, const WriteQueueOptions& options)
    : db_(std::move(db)), path_(db_.path()), options_(options) {
  writer_ = std::thread([this] { run(); });
  writerId_ = writer_.get_id();
}

WriteQueue::~WriteQueue() {
  shutdown();
}

void WriteQueue::submit(Work work, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back({std::move(work), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  complete(done, shutDownError());
}

Result<void> WriteQueue::write(Work work) {
  if (onWriterThread()) {
    return AwsError::internal("sqlite: WriteQueue::write called from the writer thread");
  }
  std::promise<Result<void>> promise;
  auto future = promise.get_future();
  submit(std::move(work), [&promise](Result<void> r) { promise.set_value(std::move(r)); });
  return future.get();
}

Result<void> WriteQueue::flush() {
  if (onWriterThread()) {
    return AwsError::internal("sqlite: WriteQueue::flush called from the writer thread");
  }
  // Batches commit in queue order, so once an empty item completes,
  // everything queued before it has committed too.
  return write([](Database&) -> Result<void> { return {}; });
}

void WriteQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (writer_.joinable() && !onWriterThread()) writer_.join();
}

WriteQueue::Stats WriteQueue::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void WriteQueue::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      // Drain before stopping: submitted work always runs.
      if (queue_.empty()) return;
    }
    runBatch();
  }
}

Result<void> WriteQueue::runItem(Work& work) {
  auto sp = Savepoint::begin(db_);
  if (!sp) return sp.takeError();
  Result<void> result;
  // Work items report failures as values; an exception is a bug in one item
  // and must not take the writer thread (and every other item) down with it.
  try {
    result = work(db_);
  } catch (const std::exception& e) {
    result = AwsError::internal(std::string("write failed with an exception: ") + e.what());
  } catch (...) {
    result = AwsError::internal("write failed with an unknown exception");
  }
  if (result.ok()) {
    // A deferred foreign key left dangling would only fail at COMMIT, taking
    // the whole batch with it: fail this item instead.
    int deferred = 0, highwater = 0;
    sqlite3_db_status(db_.handle(), SQLITE_DBSTATUS_DEFERRED_FKS, &deferred, &highwater, 0);
    if (deferred > 0) result = sqliteError("FOREIGN KEY constraint failed (deferred)");
  }
  if (result.ok()) {
    if (auto r = sp->release(); !r) return r;
    return result;
  }
  (void)sp->rollback();
  return result;
}

void WriteQueue::runBatch() {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<Done, Result<void>>> finished;
  std::vector<Item> taking;

  // Moves up to `limit` queued items into `taking`.
  auto take = [&](std::size_t limit) {
    taking.clear();
    std::lock_guard lock(mu_);
    while (!queue_.empty() && taking.size() < limit) {
      taking.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  };
  const std::size_t cap = std::max<std::size_t>(options_.maxBatchItems, 1);

  auto txn = Transaction::begin(db_, Transaction::Mode::Immediate);
  if (!txn) {
    // Cannot even start (the file is locked by another process beyond the
    // busy timeout, I/O error): fail one batch's worth, keep the rest queued.
    take(cap);
    {
      std::lock_guard lock(mu_);
      ++stats_.batches;
      ++stats_.failedCommits;
    }
    for (Item& item : taking) complete(item.done, txn.error());
    return;
  }

  bool lost = false;  // the transaction was rolled back under us
  while (finished.size() < cap && !lost) {
    take(cap - finished.size());
    if (taking.empty()) break;
    std::size_t ran = 0;
    for (; ran < taking.size() && !lost; ++ran) {
      Item& item = taking[ran];
      Result<void> r = runItem(item.work);
      finished.emplace_back(std::move(item.done), std::move(r));
      // Some errors (disk full, I/O) roll the whole transaction back: what
      // ran before is gone, and what runs next must not run outside it.
      if (!db_.inTransaction()) lost = true;
    }
    if (ran < taking.size()) {
      // Not run yet: back to the front of the queue, in order, for the next
      // batch.
      std::lock_guard lock(mu_);
      queue_.insert(queue_.begin(), std::make_move_iterator(taking.begin() + ran),
                    std::make_move_iterator(taking.end()));
    }
    if (std::chrono::steady_clock::now() - start >= options_.maxBatchLatency) break;
  }

  Result<void> committed =
      lost ? Result<void>(sqliteError("the batch transaction was rolled back by an earlier error"))
           : txn->commit();
  if (!committed) {
    for (auto& [done, result] : finished) {
      if (result.ok()) result = committed;
    }
  }
  {
    std::lock_guard lock(mu_);
    stats_.items += finished.size();
    ++stats_.batches;
    if (!committed) ++stats_.failedCommits;
  }
  // Release the transaction (rolled back if the commit failed) before the
  // completions run, so they observe the final state.
  { auto finishedTxn = std::move(txn); }
  for (auto& [done, result] : finished) complete(done, std::move(result));
}

}  // namespace sluice::store::sqlite
