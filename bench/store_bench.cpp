// SQLite write throughput: the "raw SQLite insert rate" the server's
// benchmarks compare against.
//
//  - BM_RawInsertTxnPerRow: one INSERT per transaction on one connection,
//    what a naive store does per request.
//  - BM_GroupCommit/threads:N: N submitters, each submitting one INSERT to
//    the WriteQueue and waiting for its completion (= committed) before the
//    next, like N request handlers. Batches form from whatever arrives
//    during a commit.
//
// Each runs with fsync:1 (synchronous=FULL: every commit waits for an fsync
// of the WAL, survives power loss) and fsync:0 (synchronous=NORMAL, the
// default: no fsync per commit, survives kill -9). rows/s is the
// rows_per_s counter (rows committed / wall time of the timed loop);
// rows_per_batch is the mean batch size.
//
// The database lives in $SLUICE_BENCH_DIR (default: the system temp dir);
// put it on the disk you care about, since fsync cost is the disk's.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "store/sqlite/database.hpp"
#include "store/sqlite/migrate.hpp"
#include "store/sqlite/write_queue.hpp"

namespace {

using namespace sluice;
using namespace sluice::store::sqlite;
namespace fs = std::filesystem;

constexpr Migration kSchema[] = {
    {1,
     "CREATE TABLE rows(id INTEGER PRIMARY KEY, submitter INTEGER NOT NULL, "
     "payload TEXT NOT NULL)"},
};
// A payload about the size of a small history event.
const std::string kPayload(200, 'x');

fs::path benchDir() {
  if (const char* env = std::getenv("SLUICE_BENCH_DIR"); env && *env) return env;
  return fs::temp_directory_path();
}

// A fresh database file with the schema.
fs::path freshDb(const std::string& name) {
  const fs::path path =
      benchDir() / ("sluice-store-bench-" + std::to_string(::getpid()) + "-" + name + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  auto db = Database::open(path);
  if (!db || !migrate(*db, "bench", kSchema)) std::abort();
  return path;
}

void removeDb(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}

Sync syncOf(const benchmark::State& state) {
  return state.range(0) ? Sync::Full : Sync::Normal;
}

void BM_RawInsertTxnPerRow(benchmark::State& state) {
  const auto path = freshDb("raw");
  {
    auto db = Database::open(path, {.sync = syncOf(state)});
    if (!db) std::abort();
    int64_t i = 0;
    const auto started = std::chrono::steady_clock::now();
    for (auto _ : state) {
      auto txn = Transaction::begin(*db);
      auto st = db->prepare("INSERT INTO rows(submitter, payload) VALUES (?, ?)");
      if (!txn || !st || !st->bindAll(0, kPayload).run() || !txn->commit()) std::abort();
      ++i;
    }
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    state.counters["rows_per_s"] = static_cast<double>(i) / wall.count();
    state.SetItemsProcessed(i);
  }
  removeDb(path);
}
BENCHMARK(BM_RawInsertTxnPerRow)->Arg(1)->Arg(0)->ArgName("fsync")->UseRealTime();

// Shared by the threads of one BM_GroupCommit run; thread 0 sets it up
// before the timed loop and tears it down after (the framework synchronises
// the threads at both points).
struct Shared {
  fs::path path;
  std::unique_ptr<WriteQueue> queue;
};
Shared* shared = nullptr;

void BM_GroupCommit(benchmark::State& state) {
  if (state.thread_index() == 0) {
    shared = new Shared;
    shared->path = freshDb("group");
    auto q = WriteQueue::open(shared->path, {.sync = syncOf(state)});
    if (!q) std::abort();
    shared->queue = std::move(q).value();
  }
  const int64_t submitter = state.thread_index();
  // Wall time of the timed loop as thread 0 sees it (the threads start and
  // finish the loop together), for a rows/s figure independent of how the
  // framework combines per-thread times.
  std::chrono::steady_clock::time_point started;
  bool first = true;
  std::mutex mu;
  std::condition_variable cv;
  int64_t rows = 0;
  for (auto _ : state) {
    if (first) {
      started = std::chrono::steady_clock::now();
      first = false;
    }
    bool done = false;
    shared->queue->submit(
        [submitter](Database& db) -> Result<void> {
          auto st = db.prepare("INSERT INTO rows(submitter, payload) VALUES (?, ?)");
          if (!st) return st.takeError();
          return st->bindAll(submitter, kPayload).run();
        },
        [&](Result<void> r) {
          if (!r) std::abort();
          std::lock_guard lock(mu);
          done = true;
          cv.notify_one();
        });
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done; });
    ++rows;
  }
  state.SetItemsProcessed(rows);
  if (state.thread_index() == 0) {
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    const auto stats = shared->queue->stats();
    state.counters["rows_per_s"] = static_cast<double>(stats.items) / wall.count();
    state.counters["rows_per_batch"] =
        stats.batches ? static_cast<double>(stats.items) / static_cast<double>(stats.batches) : 0;
    shared->queue.reset();
    removeDb(shared->path);
    delete shared;
    shared = nullptr;
  }
}
BENCHMARK(BM_GroupCommit)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("fsync")
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime();

}  // namespace
