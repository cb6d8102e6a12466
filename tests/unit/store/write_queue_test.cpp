// The group-commit writer: completions exactly once and after the commit,
// failures isolated per item, per-submitter order, draining shutdown, and
// acknowledged writes surviving a real kill -9.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <semaphore>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "store/sqlite/database.hpp"
#include "store/sqlite/migrate.hpp"
#include "store/sqlite/write_queue.hpp"
#include "store_test_support.hpp"

namespace sluice::store::sqlite {
namespace {

using store::testing::TempDir;

constexpr Migration kSchema[] = {
    {1,
     "CREATE TABLE rows(submitter INTEGER NOT NULL, seq INTEGER NOT NULL, "
     "PRIMARY KEY(submitter, seq));"
     "CREATE TABLE names(name TEXT PRIMARY KEY);"
     "CREATE TABLE parent(id INTEGER PRIMARY KEY);"
     "CREATE TABLE child(pid INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)"},
};

// Creates the schema and returns the database path.
std::filesystem::path prepareDb(const TempDir& dir) {
  auto path = dir / "w.db";
  auto db = Database::open(path);
  EXPECT_TRUE(db.ok());
  auto r = migrate(*db, "test", kSchema);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return path;
}

std::unique_ptr<WriteQueue> openQueue(const std::filesystem::path& path,
                                      WriteQueueOptions options = {}, OpenOptions db = {}) {
  auto q = WriteQueue::open(path, db, options);
  EXPECT_TRUE(q.ok()) << q.error().message;
  return std::move(q).value();
}

WriteQueue::Work insertRow(int64_t submitter, int64_t seq) {
  return [=](Database& db) -> Result<void> {
    auto st = db.prepare("INSERT INTO rows(submitter, seq) VALUES (?, ?)");
    if (!st) return st.takeError();
    return st->bindAll(submitter, seq).run();
  };
}

WriteQueue::Work insertName(std::string name) {
  return [name = std::move(name)](Database& db) -> Result<void> {
    auto st = db.prepare("INSERT INTO names(name) VALUES (?)");
    if (!st) return st.takeError();
    return st->bindAll(name).run();
  };
}

std::vector<std::string> names(const std::filesystem::path& path) {
  auto db = Database::open(path);
  auto st = db->prepare("SELECT name FROM names ORDER BY name");
  std::vector<std::string> out;
  while (*st->step()) out.emplace_back(st->columnText(0));
  return out;
}

// A completion that fulfils a future.
struct Waiter {
  std::promise<Result<void>> promise;
  std::future<Result<void>> future = promise.get_future();
  WriteQueue::Done done() {
    return [this](Result<void> r) { promise.set_value(std::move(r)); };
  }
  Result<void> get() { return future.get(); }
};

TEST(WriteQueue, ManySubmittersEachCompletedOnceAfterCommitInOrder) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 250;

  // Completions run on the writer thread only, so this connection and these
  // vectors are used by one thread at a time.
  auto checker = Database::open(path, {.readOnly = true});
  ASSERT_TRUE(checker.ok());
  std::vector<std::vector<int>> calls(kThreads, std::vector<int>(kPerThread, 0));
  std::vector<int> lastCompleted(kThreads, -1);
  std::atomic<int> invisible{0}, outOfOrder{0}, failed{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        queue->submit(insertRow(t, i), [&, t, i](Result<void> r) {
          if (!r) ++failed;
          ++calls[t][i];
          if (lastCompleted[t] != i - 1) ++outOfOrder;
          lastCompleted[t] = i;
          // "Done" means committed: another connection already sees the row.
          auto st = checker->prepare("SELECT 1 FROM rows WHERE submitter = ? AND seq = ?");
          if (!st) {
            ++invisible;
            return;
          }
          auto row = st->bindAll(t, i).step();
          if (!row || !*row) ++invisible;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(queue->flush().ok());

  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) ASSERT_EQ(calls[t][i], 1) << t << "/" << i;
  }
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(outOfOrder.load(), 0);
  EXPECT_EQ(invisible.load(), 0);

  // Rows of each submitter were written in submission order.
  auto st = checker->prepare("SELECT submitter, seq FROM rows ORDER BY rowid");
  std::vector<int64_t> next(kThreads, 0);
  int64_t total = 0;
  while (*st->step()) {
    const auto t = st->columnInt(0);
    EXPECT_EQ(st->columnInt(1), next[t]++);
    ++total;
  }
  EXPECT_EQ(total, kThreads * kPerThread);
  const auto stats = queue->stats();
  EXPECT_EQ(stats.items, kThreads * kPerThread + 1u);  // + the flush
  EXPECT_EQ(stats.failedCommits, 0u);
}

TEST(WriteQueue, AFailingItemRollsBackAloneAndTheBatchCommits) {
  TempDir dir;
  const auto path = prepareDb(dir);
  // No latency cap: everything submitted while the first item runs joins
  // its batch.
  auto queue = openQueue(path, {.maxBatchLatency = std::chrono::hours(1)});

  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  Waiter a, b, c, d, e, f, g;
  queue->submit(
      [opened, work = insertName("a")](Database& db) {
        opened.wait();
        return work(db);
      },
      a.done());
  queue->submit(insertName("b"), b.done());
  // Writes, then fails: its own insert is rolled back.
  queue->submit(
      [](Database& db) -> Result<void> {
        if (auto r = insertName("c")(db); !r) return r;
        return AwsError::validation("item c refuses");
      },
      c.done());
  queue->submit(insertName("a"), d.done());  // duplicate key
  queue->submit([](Database&) -> Result<void> { throw std::runtime_error("boom"); }, e.done());
  // A deferred foreign key violation would only surface at COMMIT and fail
  // the whole batch: it is caught at the item instead.
  queue->submit(
      [](Database& db) -> Result<void> {
        if (auto r = insertName("f")(db); !r) return r;
        return db.exec("INSERT INTO child(pid) VALUES (99)");
      },
      f.done());
  queue->submit(insertName("g"), g.done());
  gate.set_value();

  EXPECT_TRUE(a.get().ok());
  EXPECT_TRUE(b.get().ok());
  auto rc = c.get();
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.error().code, "ValidationException");
  auto rd = d.get();
  ASSERT_FALSE(rd.ok());
  EXPECT_NE(rd.error().message.find("UNIQUE constraint failed"), std::string::npos);
  auto re = e.get();
  ASSERT_FALSE(re.ok());
  EXPECT_NE(re.error().message.find("boom"), std::string::npos);
  auto rf = f.get();
  ASSERT_FALSE(rf.ok());
  EXPECT_NE(rf.error().message.find("FOREIGN KEY"), std::string::npos) << rf.error().message;
  EXPECT_TRUE(g.get().ok());

  EXPECT_EQ(names(path), (std::vector<std::string>{"a", "b", "g"}));
  const auto stats = queue->stats();
  EXPECT_EQ(stats.batches, 1u);
  EXPECT_EQ(stats.items, 7u);
}

TEST(WriteQueue, GroupsWorkQueuedDuringACommitIntoOneBatch) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path, {.maxBatchItems = 1000, .maxBatchLatency = std::chrono::hours(1)});
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  Waiter first;
  queue->submit(
      [opened](Database&) -> Result<void> {
        opened.wait();
        return {};
      },
      first.done());
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    queue->submit(insertRow(0, i), [&](Result<void> r) { ok += r.ok(); });
  }
  gate.set_value();
  ASSERT_TRUE(first.get().ok());
  ASSERT_TRUE(queue->flush().ok());
  EXPECT_EQ(ok.load(), 100);
  // The gated item and the 100 behind it: one batch (two at most if the
  // writer had closed the first batch before they arrived), plus the flush.
  EXPECT_LE(queue->stats().batches, 3u);
}

TEST(WriteQueue, RespectsTheBatchSizeCap) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path, {.maxBatchItems = 10, .maxBatchLatency = std::chrono::hours(1)});
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  queue->submit(
      [opened](Database&) -> Result<void> {
        opened.wait();
        return {};
      },
      nullptr);
  for (int i = 0; i < 99; ++i) queue->submit(insertRow(0, i), nullptr);
  gate.set_value();
  ASSERT_TRUE(queue->flush().ok());
  const auto stats = queue->stats();
  EXPECT_EQ(stats.items, 101u);
  EXPECT_GE(stats.batches, 11u);  // 101 items, at most 10 a batch
}

TEST(WriteQueue, FlushWaitsForEverythingSubmitted) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path);
  for (int i = 0; i < 300; ++i) queue->submit(insertRow(1, i), nullptr);
  ASSERT_TRUE(queue->flush().ok());
  auto db = Database::open(path);
  auto st = db->prepare("SELECT COUNT(*) FROM rows");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnInt(0), 300);
}

TEST(WriteQueue, WriteBlocksUntilDurable) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path);
  ASSERT_TRUE(queue->write(insertName("x")).ok());
  EXPECT_EQ(names(path), std::vector<std::string>{"x"});
  auto dup = queue->write(insertName("x"));
  EXPECT_FALSE(dup.ok());
}

TEST(WriteQueue, ShutdownDrainsQueuedWorkAndRefusesNewWork) {
  TempDir dir;
  const auto path = prepareDb(dir);
  std::atomic<int> ok{0};
  {
    auto queue = openQueue(path);
    for (int i = 0; i < 200; ++i) {
      queue->submit(insertRow(2, i), [&](Result<void> r) { ok += r.ok(); });
    }
    queue->shutdown();
    EXPECT_EQ(ok.load(), 200);

    bool called = false;
    queue->submit(insertRow(2, 1000), [&](Result<void> r) {
      called = true;
      EXPECT_FALSE(r.ok());
      EXPECT_NE(r.error().message.find("shut down"), std::string::npos);
    });
    EXPECT_TRUE(called);  // at once, on this thread
    EXPECT_FALSE(queue->flush().ok());
    queue->shutdown();  // idempotent
  }
  auto db = Database::open(path);
  auto st = db->prepare("SELECT COUNT(*) FROM rows");
  ASSERT_TRUE(*st->step());
  EXPECT_EQ(st->columnInt(0), 200);
}

TEST(WriteQueue, DestructorDrains) {
  TempDir dir;
  const auto path = prepareDb(dir);
  std::atomic<int> ok{0};
  {
    auto queue = openQueue(path);
    for (int i = 0; i < 50; ++i) {
      queue->submit(insertRow(3, i), [&](Result<void> r) { ok += r.ok(); });
    }
  }
  EXPECT_EQ(ok.load(), 50);
}

TEST(WriteQueue, WaitingOnItselfIsRefused) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto queue = openQueue(path);
  Waiter w;
  std::optional<Result<void>> fromDone;
  queue->submit(insertName("x"), [&](Result<void>) {
    fromDone = queue->flush();
    w.promise.set_value({});
  });
  ASSERT_TRUE(w.get().ok());
  ASSERT_TRUE(fromDone.has_value());
  EXPECT_FALSE(fromDone->ok());

  // A work item cannot open its own transaction: it is inside the batch's.
  auto nested = queue->write([](Database& db) -> Result<void> {
    auto txn = Transaction::begin(db);
    if (!txn) return txn.takeError();
    return {};
  });
  EXPECT_FALSE(nested.ok());
}

// ---- kill -9 ----

// The child side of the crash test: opens the queue and submits inserts
// from several threads forever, reporting each acknowledged row on `out`.
int submitForever(const std::filesystem::path& path, Sync sync, int out) {
  auto queue = WriteQueue::open(path, {.sync = sync});
  if (!queue) return 2;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Bound the work in flight so memory stays flat until the kill.
      auto slots = std::make_shared<std::counting_semaphore<64>>(64);
      for (int64_t i = 0;; ++i) {
        slots->acquire();
        (*queue)->submit(insertRow(t, i), [slots, out, t, i](Result<void> r) {
          if (r)
            sluice::testing::ChildProcess::writeLine(out,
                                                     std::to_string(t) + " " + std::to_string(i));
          slots->release();
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  return 0;
}

class StoreCrash : public ::testing::TestWithParam<Sync> {};

TEST_P(StoreCrash, AcknowledgedWritesSurviveKill9) {
  TempDir dir;
  const auto path = prepareDb(dir);
  auto child = sluice::testing::ChildProcess::spawn(
      [&](int out) { return submitForever(path, GetParam(), out); });

  std::set<std::pair<int64_t, int64_t>> acked;
  auto record = [&](const std::string& line) {
    const auto space = line.find(' ');
    acked.emplace(std::stoll(line.substr(0, space)), std::stoll(line.substr(space + 1)));
  };
  // Let it get well into its stream, then kill it mid-write.
  while (acked.size() < 500) {
    auto line = child.readLine();
    ASSERT_TRUE(line.has_value()) << "child exited early";
    record(*line);
  }
  const int status = child.kill9();
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // Acknowledgements already in the pipe when it died count too.
  while (auto line = child.readLine()) record(*line);

  auto db = Database::open(path);
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto check = db->prepare("PRAGMA integrity_check");
  ASSERT_TRUE(*check->step());
  EXPECT_EQ(check->columnText(0), "ok");
  auto st = db->prepare("SELECT 1 FROM rows WHERE submitter = ? AND seq = ?");
  std::size_t missing = 0;
  for (const auto& [t, i] : acked) {
    st->reset();
    if (!*st->bindAll(t, i).step()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged rows";
}

INSTANTIATE_TEST_SUITE_P(StoreKill9, StoreCrash, ::testing::Values(Sync::Normal, Sync::Full),
                         [](const auto& info) {
                           return info.param == Sync::Full ? std::string("Full")
                                                           : std::string("Normal");
                         });

}  // namespace
}  // namespace sluice::store::sqlite
